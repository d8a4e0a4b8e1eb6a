/**
 * The field kinds the codec handles: those the ABI's schema uses. The codec
 * generator refuses any other field when it generates, so an unsupported
 * schema never reaches run time half-compiled.
 *
 * @module
 * @internal
 */
import { type DescField, ScalarType } from "@bufbuild/protobuf";

/** The scalar types the codec reads and writes. */
export const supportedScalars: ReadonlySet<ScalarType> = new Set([
  ScalarType.UINT32,
  ScalarType.INT32,
  ScalarType.UINT64,
  ScalarType.INT64,
  ScalarType.BOOL,
  ScalarType.STRING,
  ScalarType.BYTES,
]);

/**
 * Why the codec cannot handle `field`, or undefined when it can. Handled:
 * singular uint32/int32/uint64/int64/bool/string/bytes, enums, messages,
 * oneofs of those, and repeated messages.
 */
export function unsupportedReason(field: DescField): string | undefined {
  switch (field.fieldKind) {
    case "map":
      return "map fields are not supported";
    case "list":
      return field.listKind === "message" ? undefined : "repeated scalar fields are not supported";
    case "scalar":
      return supportedScalars.has(field.scalar)
        ? undefined
        : `${ScalarType[field.scalar].toLowerCase()} fields are not supported`;
    default:
      return undefined;
  }
}
