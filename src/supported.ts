/**
 * What the codec handles: the field kinds the ABI's schema uses. Checked for
 * a whole message graph before a codec plan is built, so an unsupported
 * schema is refused up front, never half-compiled.
 *
 * @module
 * @internal
 */
import { type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { code } from "./codes.js";
import { AbiError } from "./errors.js";

const scalars = new Set([
  ScalarType.UINT32,
  ScalarType.INT32,
  ScalarType.UINT64,
  ScalarType.INT64,
  ScalarType.BOOL,
  ScalarType.STRING,
  ScalarType.BYTES,
]);

const checked = new WeakSet<DescMessage>();

/**
 * Checks that every field of `desc` and of the messages it contains is of a
 * kind the codec handles: singular uint32/int32/uint64/int64/bool/string/bytes,
 * enums, messages, oneofs of those, and repeated messages.
 *
 * @throws AbiError (UNSUPPORTED_OP) naming the first field that is not.
 */
export function assertSupported(desc: DescMessage): void {
  if (checked.has(desc)) return;
  const pending = [desc];
  const seen = new Set<DescMessage>();
  while (pending.length > 0) {
    const message = pending.pop()!;
    if (seen.has(message) || checked.has(message)) continue;
    seen.add(message);
    for (const field of message.fields) {
      let problem: string | undefined;
      if (field.fieldKind === "map") problem = "map fields are not supported";
      else if (field.fieldKind === "list" && field.listKind !== "message") problem = "repeated scalar fields are not supported";
      else if (field.fieldKind === "scalar" && !scalars.has(field.scalar)) problem = `${ScalarType[field.scalar].toLowerCase()} fields are not supported`;
      if (problem !== undefined) {
        throw new AbiError(code.UNSUPPORTED_OP, `cannot encode or decode ${desc.typeName}: field ${field.parent.typeName}.${field.name}: ${problem}`, {
          messageName: field.parent.typeName,
          field: field.name,
        });
      }
      if (field.fieldKind === "message" || field.fieldKind === "list") pending.push(field.message!);
    }
  }
  for (const message of seen) checked.add(message);
}
