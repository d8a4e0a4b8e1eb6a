/**
 * The human view of a decoded message: one field a line, nested messages
 * indented, codes by name and number, 64-bit integers exact, bytes as hex
 * (elided past a limit, with the full length), encoded messages decoded.
 *
 * @module
 */
import { type DescField, type DescMessage, isFieldSet, type Message, ScalarType } from "@bufbuild/protobuf";
import { type AbiFrame, AbiFrameSchema, AbiReplySchema } from "../../gen/actr/dynclib/v1/abi_pb.js";
import { codeTableOf, payloadSchemaForOp } from "../schemas.js";
import { decodeMessageIn } from "../codec.js";
import { nestedMessageOf } from "./nested.js";
import { bytesToHex } from "./hex.js";
import type { AnyMessage } from "../any-message.js";
import { utf8TextOrUndefined } from "../utf8.js";

/** How to show bytes. */
export interface FormatOptions {
  /** Bytes shown in hex before the rest is elided. */
  readonly bytesLimit: number;
}

function hexPreview(bytes: Uint8Array, limit: number): string {
  if (bytes.length === 0) return "(empty)";
  const shown = bytesToHex(bytes.subarray(0, limit));
  return bytes.length > limit ? `${shown}… (${bytes.length} bytes)` : `${shown} (${bytes.length} bytes)`;
}

/** The longest reply payload shown as text; a longer one is shown as hex, elided. */
const TEXT_LIMIT = 64 * 1024;

/** C0 control characters other than tab, line feed and carriage return, and DEL. */
const controlCharacter = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * A reply payload as text when it reads as text: valid UTF-8 without control
 * characters. Binary data that happens to be valid UTF-8 (`0e000000`) is
 * shown as hex instead.
 */
function replyText(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0 || bytes.length > TEXT_LIMIT) return undefined;
  const text = utf8TextOrUndefined(bytes);
  return text === undefined || controlCharacter.test(text) ? undefined : text;
}

/** Formats `message` (of `schema`) as lines, under a heading line. `input` is the whole decoded buffer. */
export function formatMessage(
  schema: DescMessage,
  message: Message,
  input: Uint8Array,
  options: FormatOptions,
): string[] {
  const lines = [`${schema.typeName} (${input.length} bytes)`];
  formatFields(schema, message as AnyMessage, input, options, "  ", lines);
  if (schema.typeName === AbiFrameSchema.typeName && payloadSchemaForOp((message as AbiFrame).op) === undefined) {
    lines.push(
      `note: op ${(message as AbiFrame).op} is not an ABI op, so the payload is shown as bytes; if these bytes are a reply, try --as AbiReply`,
    );
  }
  return lines;
}

function formatFields(
  schema: DescMessage,
  msg: AnyMessage,
  input: Uint8Array,
  options: FormatOptions,
  indent: string,
  lines: string[],
): void {
  const seenOneofs = new Set<string>();
  for (const field of schema.fields.concat().sort((a, b) => a.number - b.number)) {
    if (field.oneof !== undefined) {
      if (seenOneofs.has(field.oneof.name)) continue;
      seenOneofs.add(field.oneof.name);
      const selected = msg[field.oneof.localName] as { case: string | undefined; value?: unknown };
      const member = field.oneof.fields.find((f) => f.localName === selected.case);
      if (member === undefined) lines.push(`${indent}${field.oneof.name}: (not set)`);
      else formatValue(schema, member, msg, selected.value, input, options, indent, lines);
      continue;
    }
    if (field.fieldKind === "list") {
      const items = msg[field.localName] as AnyMessage[];
      if (items.length === 0) lines.push(`${indent}${field.name}: []`);
      items.forEach((item, i) => {
        lines.push(`${indent}${field.name}[${i}]: ${field.message!.typeName}`);
        formatFields(field.message!, item, input, options, indent + "  ", lines);
      });
      continue;
    }
    if (field.fieldKind === "map") continue;
    if (field.presence === 1 /* EXPLICIT */ && !isFieldSet(msg, field)) {
      lines.push(`${indent}${field.name}: (not set)`);
      continue;
    }
    formatValue(schema, field, msg, msg[field.localName], input, options, indent, lines);
  }
}

function formatValue(
  schema: DescMessage,
  field: DescField,
  parent: AnyMessage,
  value: unknown,
  input: Uint8Array,
  options: FormatOptions,
  indent: string,
  lines: string[],
): void {
  const label = `${indent}${field.name}: `;
  if (field.fieldKind === "message") {
    lines.push(`${label}${field.message.typeName}`);
    formatFields(field.message, value as AnyMessage, input, options, indent + "  ", lines);
    return;
  }
  if (field.fieldKind === "enum") {
    const name = field.enum.value[value as number]?.name;
    lines.push(`${label}${String(value)} (${name ?? `unknown ${field.enum.name}`})`);
    return;
  }
  if (field.fieldKind !== "scalar") return;
  switch (field.scalar) {
    case ScalarType.STRING:
      lines.push(label + JSON.stringify(value));
      return;
    case ScalarType.BYTES: {
      const bytes = value as Uint8Array;
      const nested = nestedMessageOf(schema, field, parent);
      if (nested !== undefined) {
        const decoded = decodeMessageIn(nested, bytes, input, `${schema.name}.${field.name}`);
        lines.push(`${label}${nested.typeName} (${bytes.length} bytes)`);
        formatFields(nested, decoded as AnyMessage, input, options, indent + "  ", lines);
        return;
      }
      const text = schema.typeName === AbiReplySchema.typeName ? replyText(bytes) : undefined;
      lines.push(
        label +
          (text !== undefined
            ? `${JSON.stringify(text)} (${bytes.length} bytes, UTF-8 text)`
            : hexPreview(bytes, options.bytesLimit)),
      );
      return;
    }
    default: {
      const table = codeTableOf(field);
      if (table !== undefined) {
        const name = table.value[value as number]?.localName;
        lines.push(`${label}${String(value)} (${name ?? `unknown ${table.name}`})`);
        return;
      }
      lines.push(label + String(value));
    }
  }
}
