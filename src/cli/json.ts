/**
 * The JSON view of a decoded message: the protobuf JSON mapping (64-bit
 * integers as strings, bytes as base64), where each `bytes` field that holds
 * an encoded message is shown decoded, as an object with an `"@type"` (the
 * way `google.protobuf.Any` is mapped). `messageFromJson` reads the same
 * shape back, so `decode --json` fed to `encode` gives the same bytes.
 *
 * @module
 */
import {
  type DescField,
  type DescMessage,
  fromJson,
  type JsonObject,
  type JsonValue,
  type Message,
  ScalarType,
  toJson,
} from "@bufbuild/protobuf";
import { AbiFrameSchema } from "../../gen/actr/dynclib/v1/abi_pb.js";
import { abiRegistry, payloadOp, payloadSchemaForOp, encodedMessageOf } from "../schemas.js";
import { decodeMessageIn, encodeMessage } from "../codec.js";
import { CliError } from "./errors.js";
import { nestedMessageOf } from "./nested.js";
import { drained } from "./output.js";

import type { AnyMessage } from "../any-message.js";

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** A `bytes` value in a JSON tree: written as its base64 string, in pieces, by `writeJson`. */
export class JsonBytes {
  /** Wraps `bytes` (not copied). */
  constructor(readonly bytes: Uint8Array) {}
}

/** A JSON document whose byte strings are still bytes (`JsonBytes`), so no base64 string of them is ever built whole. */
export type JsonTree = string | number | boolean | null | JsonBytes | JsonTree[] | { [key: string]: JsonTree };

/** A placeholder for a non-empty `bytes` value while `toJson` runs: one byte, so the field is still written. */
const placeholder = new Uint8Array(1);

/** The value of `field` in `msg` (for a oneof member, only when it is the selected case). */
function fieldValue(field: DescField, msg: AnyMessage): unknown {
  if (field.oneof === undefined) return msg[field.localName];
  const selected = msg[field.oneof.localName] as { case?: string; value?: unknown };
  return selected.case === field.localName ? selected.value : undefined;
}

/** A copy of `msg` with every non-empty `bytes` field (nested ones too) holding `placeholder`, for a cheap `toJson`. */
function withoutBytes(schema: DescMessage, msg: AnyMessage): AnyMessage {
  const copy: AnyMessage = { ...msg };
  for (const field of schema.fields) {
    const value = fieldValue(field, msg);
    if (value === undefined) continue;
    let replaced: unknown = value;
    if (field.fieldKind === "message") replaced = withoutBytes(field.message, value as AnyMessage);
    else if (field.fieldKind === "list" && field.listKind === "message")
      replaced = (value as AnyMessage[]).map((item) => withoutBytes(field.message, item));
    else if (field.fieldKind === "scalar" && field.scalar === ScalarType.BYTES && (value as Uint8Array).length > 0)
      replaced = placeholder;
    if (replaced === value) continue;
    if (field.oneof === undefined) copy[field.localName] = replaced;
    else copy[field.oneof.localName] = { case: field.localName, value: replaced };
  }
  return copy;
}

/**
 * `message` as protobuf JSON, with encoded messages expanded under `"@type"`
 * and `bytes` left as `JsonBytes` for `writeJson`: linear in the input, and
 * no string as long as a large payload's base64 is built.
 */
export function messageToJson(schema: DescMessage, message: Message, input: Uint8Array): JsonTree {
  const json = toJson(schema, withoutBytes(schema, message as AnyMessage), { registry: abiRegistry }) as JsonTree;
  expandNested(schema, message as AnyMessage, json, input);
  return json;
}

function expandNested(schema: DescMessage, msg: AnyMessage, json: JsonTree, input: Uint8Array): void {
  if (!isTreeObject(json)) return;
  for (const field of schema.fields) {
    const value = fieldValue(field, msg);
    if (value === undefined || !(field.jsonName in json)) continue;
    if (field.fieldKind === "message") {
      expandNested(field.message, value as AnyMessage, json[field.jsonName]!, input);
    } else if (field.fieldKind === "list" && field.listKind === "message") {
      (value as AnyMessage[]).forEach((item, i) =>
        expandNested(field.message, item, (json[field.jsonName] as JsonTree[])[i]!, input),
      );
    } else if (field.fieldKind === "scalar" && field.scalar === ScalarType.BYTES) {
      const bytes = value as Uint8Array;
      const nested = nestedMessageOf(schema, field, msg);
      if (nested === undefined) {
        json[field.jsonName] = new JsonBytes(bytes);
        continue;
      }
      const decoded = decodeMessageIn(nested, bytes, input, `${schema.name}.${field.name}`);
      json[field.jsonName] = {
        "@type": nested.typeName,
        ...(messageToJson(nested, decoded, input) as { [key: string]: JsonTree }),
      };
    }
  }
}

function isTreeObject(v: JsonTree): v is { [key: string]: JsonTree } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof JsonBytes);
}

/** Bytes per base64 piece: a multiple of 3, so the pieces join into one base64 string. */
const base64Piece = 3 * 256 * 1024;

/** The text of `tree` as `JSON.stringify(tree, null, 2)` writes it, in pieces. */
export function* jsonPieces(tree: JsonTree, indent = ""): Generator<string> {
  if (tree instanceof JsonBytes) {
    const { bytes } = tree;
    yield '"';
    for (let at = 0; at < bytes.length; at += base64Piece) {
      const end = Math.min(at + base64Piece, bytes.length);
      yield Buffer.from(bytes.buffer, bytes.byteOffset + at, end - at).toString("base64");
    }
    yield '"';
  } else if (Array.isArray(tree)) {
    if (tree.length === 0) return yield "[]";
    const inner = indent + "  ";
    for (let i = 0; i < tree.length; i++) {
      yield i === 0 ? `[\n${inner}` : `,\n${inner}`;
      yield* jsonPieces(tree[i]!, inner);
    }
    yield `\n${indent}]`;
  } else if (typeof tree === "object" && tree !== null) {
    const entries = Object.entries(tree);
    if (entries.length === 0) return yield "{}";
    const inner = indent + "  ";
    for (let i = 0; i < entries.length; i++) {
      const [key, value] = entries[i]!;
      yield `${i === 0 ? "{" : ","}\n${inner}${JSON.stringify(key)}: `;
      yield* jsonPieces(value, inner);
    }
    yield `\n${indent}}`;
  } else {
    yield JSON.stringify(tree);
  }
}

/** Writes `tree` and a newline to `output` as `JSON.stringify(tree, null, 2)` would, about 1 MiB at a time, waiting while `output` is full. */
export async function writeJson(tree: JsonTree, output: NodeJS.WritableStream): Promise<void> {
  let pending = "";
  for (const piece of jsonPieces(tree)) {
    pending += piece;
    if (pending.length >= 1 << 20) {
      if (!output.write(pending)) await drained(output);
      pending = "";
    }
  }
  output.write(pending + "\n");
}

/**
 * Builds a message of `schema` from JSON in the shape `messageToJson` writes
 * (plain protobuf JSON is accepted too: an encoded-message field may be the
 * base64 of its bytes).
 *
 * @throws CliError naming the message and what does not fit.
 */
export function messageFromJson(schema: DescMessage, json: unknown, path = schema.typeName): Message {
  const plain = collapseNested(schema, json, path);
  try {
    return fromJson(schema, plain as JsonValue, { registry: abiRegistry });
  } catch (err) {
    throw new CliError(`JSON does not fit ${path}: ${(err as Error).message}`);
  }
}

function fieldByJsonKey(schema: DescMessage, key: string) {
  return schema.fields.find((f) => f.jsonName === key || f.name === key);
}

function typeOfObject(value: JsonObject, path: string): DescMessage {
  const typeName = String(value["@type"]).replace(/^type\.googleapis\.com\//, "");
  const found = abiRegistry.getMessage(typeName);
  if (found === undefined) throw new CliError(`${path}: unknown "@type" ${JSON.stringify(value["@type"])}`);
  return found;
}

/** Replaces each expanded `{"@type": ...}` object by the base64 of its encoding; fills a frame's missing op. */
function collapseNested(schema: DescMessage, json: unknown, path: string): unknown {
  if (!isObject(json)) return json;
  const out: JsonObject = { ...json };
  for (const [key, value] of Object.entries(json)) {
    const field = fieldByJsonKey(schema, key);
    if (field === undefined) continue;
    const fieldPath = `${path}.${field.name}`;
    if (field.fieldKind === "message") {
      out[key] = collapseNested(field.message, value, fieldPath) as JsonValue;
    } else if (field.fieldKind === "list" && field.listKind === "message" && Array.isArray(value)) {
      out[key] = value.map((item, i) => collapseNested(field.message, item, `${fieldPath}[${i}]`) as JsonValue);
    } else if (field.fieldKind === "scalar" && isObject(value) && "@type" in value) {
      const type = typeOfObject(value, fieldPath);
      const isFramePayload = schema.typeName === AbiFrameSchema.typeName && field.localName === "payload";
      const expected = isFramePayload ? undefined : encodedMessageOf(field);
      if (!isFramePayload && expected === undefined) throw new CliError(`${fieldPath} holds bytes, not a message`);
      if (expected !== undefined && expected.typeName !== type.typeName) {
        throw new CliError(`${fieldPath} holds ${expected.typeName}, not ${type.typeName}`);
      }
      if (isFramePayload) {
        const op = payloadOp(type);
        if (op === undefined) throw new CliError(`${fieldPath}: ${type.typeName} is not a framed payload`);
        if (!("abiVersion" in json) && !("abi_version" in json)) out.abiVersion = 1;
        const opKey = "op" in json ? "op" : undefined;
        if (opKey === undefined) out.op = op;
        else if (payloadSchemaForOp(Number(json.op)) !== type) {
          throw new CliError(`${fieldPath}: op ${JSON.stringify(json.op)} does not carry ${type.typeName}`);
        }
      }
      const rest: JsonObject = { ...value };
      delete rest["@type"];
      const nested = messageFromJson(type, rest, fieldPath);
      out[key] = Buffer.from(encodeMessage(type, nested)).toString("base64");
    }
  }
  return out;
}
