/**
 * The JSON view of a decoded message: the protobuf JSON mapping (64-bit
 * integers as strings, bytes as base64), where each `bytes` field that holds
 * an encoded message is shown decoded, as an object with an `"@type"` (the
 * way `google.protobuf.Any` is mapped). `messageFromJson` reads the same
 * shape back, so `decode --json` fed to `encode` gives the same bytes.
 *
 * @module
 */
import { type DescMessage, fromJson, type JsonObject, type JsonValue, type Message, toJson } from "@bufbuild/protobuf";
import { AbiFrameSchema } from "../../gen/actr/dynclib/v1/abi_pb.js";
import { encodeMessage } from "../codec.js";
import { abiRegistry, payloadOp, payloadSchemaForOp, encodedMessageOf } from "../schemas.js";
import { CliError } from "./errors.js";
import { decodeMessageIn } from "../codec.js";
import { nestedMessageOf } from "./nested.js";

type AnyMessage = Message & Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** `message` as protobuf JSON, with encoded messages expanded under `"@type"`. */
export function messageToJson(schema: DescMessage, message: Message, input: Uint8Array): JsonValue {
  const json = toJson(schema, message, { registry: abiRegistry });
  expandNested(schema, message as AnyMessage, json, input);
  return json;
}

function expandNested(schema: DescMessage, msg: AnyMessage, json: JsonValue, input: Uint8Array): void {
  if (!isObject(json)) return;
  for (const field of schema.fields) {
    const value = field.oneof
      ? (msg[field.oneof.localName] as { case?: string; value?: unknown }).case === field.localName
        ? (msg[field.oneof.localName] as { value: unknown }).value
        : undefined
      : msg[field.localName];
    if (value === undefined || !(field.jsonName in json)) continue;
    if (field.fieldKind === "message") {
      expandNested(field.message, value as AnyMessage, json[field.jsonName]!, input);
    } else if (field.fieldKind === "list" && field.listKind === "message") {
      (value as AnyMessage[]).forEach((item, i) => expandNested(field.message, item, (json[field.jsonName] as JsonValue[])[i]!, input));
    } else if (field.fieldKind === "scalar" && value instanceof Uint8Array) {
      const nested = nestedMessageOf(schema, field, msg);
      if (nested === undefined) continue;
      const decoded = decodeMessageIn(nested, value, input, `${schema.name}.${field.name}`);
      json[field.jsonName] = { "@type": nested.typeName, ...(messageToJson(nested, decoded, input) as JsonObject) };
    }
  }
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
