/**
 * Encoding and decoding of any ABI message, byte for byte as prost does it.
 *
 * @module
 */
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { requireBytes, requireSchema } from "./arguments.js";
import { decodeWithPlan } from "./decoder.js";
import { encodeWithPlan } from "./encoder.js";
import { AbiError } from "./errors.js";

/**
 * Encodes `message` as prost encodes the same value: fields in number order,
 * implicit fields only when not zero, explicit fields whenever set, required
 * fields always (an unset required field is written as its default, as prost
 * has it). `message` is not modified.
 *
 * The result holds exactly the encoded bytes. A small result (up to 4 KiB) is
 * a view into a 64 KiB `ArrayBuffer` shared with other results, as Node's
 * `Buffer` pool hands out memory: pass the `Uint8Array` on as it is (with its
 * `byteOffset` and `byteLength`), and copy it (`bytes.slice()`) before you
 * transfer, detach or expose its `.buffer`.
 *
 * @throws AbiError (PROTOCOL_ERROR) naming the field when `message` is not a
 * message of `schema` or holds a value its field cannot carry (a number out of
 * range, a string with a lone surrogate, a value of the wrong type).
 */
export function encodeMessage<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): Uint8Array {
  requireSchema(schema, "encodeMessage", "schema");
  return encodeWithPlan(schema, message);
}

/**
 * Decodes `bytes` as a message of `schema`, accepting exactly what prost
 * accepts (spec section 4): unknown fields are dropped, absent required fields
 * read as their defaults, and `encodeMessage` of the result is what prost
 * writes when it decodes and re-encodes `bytes`.
 *
 * `bytes` fields of the result are views into `bytes`, not copies: do not
 * reuse or modify the buffer while you hold the message, or copy the field
 * (`field.slice()`).
 *
 * @throws AbiError (PROTOCOL_ERROR) naming the message, field and byte offset
 * of anything prost rejects.
 */
export function decodeMessage<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc> {
  requireSchema(schema, "decodeMessage", "schema");
  requireBytes(bytes, "decodeMessage", "bytes");
  return decodeWithPlan<MessageShape<Desc>>(schema, bytes);
}

/**
 * Decodes `bytes`, a view into the larger buffer `input` (a frame's payload
 * inside the frame, say), as `schema`. Like `decodeMessage`, but a failure's
 * `offset` counts from the start of `input`, and its message says that the
 * problem is inside `holder` (e.g. `"AbiFrame.payload"`) and where that starts.
 *
 * @throws AbiError (PROTOCOL_ERROR) on anything prost rejects.
 */
export function decodeMessageIn<Desc extends DescMessage>(
  schema: Desc,
  bytes: Uint8Array,
  input: Uint8Array,
  holder: string,
): MessageShape<Desc> {
  try {
    return decodeMessage(schema, bytes);
  } catch (err) {
    if (!(err instanceof AbiError) || bytes.buffer !== input.buffer) throw err;
    const base = bytes.byteOffset - input.byteOffset;
    const offset = err.offset === undefined ? undefined : err.offset + base;
    const text = err.message.replace(/ at byte \d+$/, "");
    throw new AbiError(
      err.status,
      `${text} at byte ${offset ?? base} (in ${holder}, which starts at byte ${base})`,
      { messageName: err.messageName, field: err.field, offset },
      { cause: err },
    );
  }
}
