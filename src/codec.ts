/**
 * Encoding and decoding of any ABI message, byte for byte as prost does it.
 *
 * @module
 */
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { code } from "./codes.js";
import { decodeWithPlan } from "./decoder.js";
import { encodeWithPlan } from "./encoder.js";
import { AbiError } from "./errors.js";

/**
 * Encodes `message` as prost encodes the same value: fields in number order,
 * implicit fields only when not zero, explicit fields whenever set, required
 * fields always (an unset required field is written as its default, as prost
 * has it). `message` is not modified; the result is a fresh buffer of exactly
 * the encoded size.
 *
 * @throws AbiError (PROTOCOL_ERROR) naming the field when `message` is not a
 * message of `schema` or holds a value its field cannot carry (a number out of
 * range, a string with a lone surrogate, a value of the wrong type).
 */
export function encodeMessage<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): Uint8Array {
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
  if (!(bytes instanceof Uint8Array)) {
    throw new AbiError(code.PROTOCOL_ERROR, `cannot decode ${schema.typeName}: input is not a Uint8Array`, {
      message: schema.typeName,
    });
  }
  return decodeWithPlan<MessageShape<Desc>>(schema, bytes);
}
