/**
 * Encoding and decoding of any ABI message, byte for byte as prost does it.
 *
 * @module
 */
import { clone, type DescMessage, type MessageShape, toBinary } from "@bufbuild/protobuf";
import { code } from "./codes.js";
import { decodeWithPlan, fillRequiredDeep } from "./decoder.js";
import { AbiError } from "./errors.js";

/**
 * Encodes `message` as prost encodes the same value: fields in number order,
 * implicit fields only when not zero, explicit fields whenever set, required
 * fields always (an unset required field is written as its default, as prost
 * has it; `message` itself is not modified).
 *
 * @throws AbiError (PROTOCOL_ERROR) when `message` is not a message of
 * `schema` or holds a value its field cannot carry.
 */
export function encodeMessage<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): Uint8Array {
  try {
    return toBinary(schema, message);
  } catch (first) {
    if (isMissingRequired(first)) {
      // A required field is unset: encode a copy with prost's defaults filled in.
      const filled = clone(schema, message);
      fillRequiredDeep(schema, filled as unknown as Record<string, unknown>);
      try {
        return toBinary(schema, filled);
      } catch (second) {
        throw encodeError(schema, second);
      }
    }
    throw encodeError(schema, first);
  }
}

function isMissingRequired(err: unknown): boolean {
  return err instanceof Error && err.message.endsWith("required field not set");
}

function encodeError(schema: DescMessage, cause: unknown): AbiError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new AbiError(code.PROTOCOL_ERROR, `cannot encode ${schema.typeName}: ${reason}`, { message: schema.typeName }, { cause });
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
