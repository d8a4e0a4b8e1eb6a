/**
 * Which `bytes` fields hold an encoded message.
 *
 * @module
 */
import type { DescField, DescMessage, Message } from "@bufbuild/protobuf";
import { AbiFrameSchema, type AbiFrame } from "../../gen/actr/dynclib/v1/abi_pb.js";
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
