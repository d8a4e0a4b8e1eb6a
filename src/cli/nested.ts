/**
 * Which `bytes` fields hold an encoded message, and decoding them with an
 * error that says where in the whole input the problem is.
 *
 * @module
 */
import type { DescField, DescMessage, Message } from "@bufbuild/protobuf";
import { AbiFrameSchema, type AbiFrame } from "../../gen/actr/dynclib/v1/abi_pb.js";
import { decodeMessage } from "../codec.js";
import { AbiError } from "../errors.js";
import { encodedMessageOf, payloadSchemaForOp } from "../schemas.js";

/**
 * The message that the bytes of `field` (in `parent`, of type `schema`) hold:
 * the schema's `(encoded_message)` option, or for `AbiFrame.payload` the
 * payload of the frame's op. Undefined when the bytes are opaque.
 */
export function nestedMessageOf(schema: DescMessage, field: DescField, parent: Message): DescMessage | undefined {
  if (schema.typeName === AbiFrameSchema.typeName && field.localName === "payload") {
    return payloadSchemaForOp((parent as AbiFrame).op);
  }
  return encodedMessageOf(field);
}

/**
 * Decodes `bytes`, a view into `input`, as `schema`; a failure is an
 * `AbiError` whose offset is counted from the start of `input`.
 */
export function decodeNested(schema: DescMessage, bytes: Uint8Array, input: Uint8Array, holder: string): Message {
  try {
    return decodeMessage(schema, bytes);
  } catch (err) {
    if (!(err instanceof AbiError)) throw err;
    const base = bytes.byteOffset - input.byteOffset;
    const offset = err.offset === undefined ? undefined : err.offset + base;
    const text = err.message.replace(/ at byte \d+$/, "");
    throw new AbiError(
      err.status,
      `${text} at byte ${offset ?? base} (in ${holder}, which starts at byte ${base})`,
      { message: err.messageName, field: err.field, offset },
      { cause: err },
    );
  }
}
