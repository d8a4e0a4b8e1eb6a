/**
 * Checks of what a caller passes to a public function. A wrong argument is a
 * caller's mistake, not bytes from a guest, so it is reported as Node reports
 * one: a `TypeError` (wrong kind of value) or a `RangeError` (right kind, out
 * of range) whose message starts with the function and names the argument:
 * `decodeMessage: bytes must be a Uint8Array, got null`.
 *
 * @module
 * @internal
 */
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { I64_MAX, I64_MIN, U64_MAX } from "./integers.js";

/**
 * The `Symbol.toStringTag` getter of `%TypedArray%.prototype`: it reads the
 * internal slot of a real typed array, so a `Proxy` or an object that only
 * inherits from `Uint8Array.prototype` answers `undefined`, whatever it claims.
 */
const typedArrayName = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype) as object,
  Symbol.toStringTag,
)!.get as (this: unknown) => string | undefined;

/** True for a real `Uint8Array` (or a subclass such as `Buffer`), false for anything that only looks like one. */
export function isUint8Array(value: unknown): value is Uint8Array {
  return typedArrayName.call(value) === "Uint8Array";
}

/** A short description of `value` for an error message: `null`, `undefined`, `a string`, `an Array`, `a Proxy or plain object`, ... */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "undefined":
      return "undefined";
    case "object": {
      const tag = typedArrayName.call(value);
      if (tag !== undefined) return `a ${tag}`;
      if (Array.isArray(value)) return "an Array";
      const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
      return typeof ctor === "string" && ctor !== "Object" ? `an object of class ${ctor}` : "an object";
    }
    case "number":
    case "bigint":
      return `${typeof value} ${String(value)}`;
    case "string":
      return value.length <= 40 ? `string ${JSON.stringify(value)}` : `a string of length ${value.length}`;
    default:
      return `a ${typeof value}`;
  }
}

/** A `TypeError` for argument `arg` of `fn`: `"fn: arg must be what, got ..."`. */
export function argumentTypeError(fn: string, arg: string, what: string, got: unknown): TypeError {
  return new TypeError(`${fn}: ${arg} must be ${what}, got ${describeValue(got)}`);
}

/** Throws a `TypeError` naming `fn` and `arg` unless `value` is a real `Uint8Array` (a `Buffer` is one). */
export function requireBytes(value: unknown, fn: string, arg: string): asserts value is Uint8Array {
  if (!isUint8Array(value)) throw argumentTypeError(fn, arg, "a Uint8Array", value);
}

/** Throws a `TypeError` naming `fn` and `arg` unless `value` is a non-null object. */
export function requireObject(value: unknown, fn: string, arg: string): asserts value is object {
  if (typeof value !== "object" || value === null) throw argumentTypeError(fn, arg, "an object", value);
}

/** Throws a `TypeError` naming `fn` and `arg` unless `value` is a message schema (`...Schema`, a `DescMessage`). */
export function requireSchema(value: unknown, fn: string, arg: string): asserts value is DescMessage {
  if (typeof value !== "object" || value === null || (value as { kind?: unknown }).kind !== "message") {
    throw argumentTypeError(fn, arg, "a message schema (such as AbiFrameSchema)", value);
  }
}

/**
 * Whether `value` is a message of `schema`: the test of protobuf-es's
 * `isMessage(value, schema)` (a non-null object whose
 * `$typeName` is `schema.typeName`), written as the generated encoders write
 * it. Comparing `$typeName` with the schema's name, a string, already says
 * it is present and a string, and skips the `"$typeName" in value` look-up,
 * which the many message types passed here make megamorphic: it cost a
 * twentieth of building and encoding a GUEST_HANDLE frame.
 */
export function isMessageOf<Desc extends DescMessage>(value: unknown, schema: Desc): value is MessageShape<Desc> {
  return (
    typeof value === "object" && value !== null && (value as { $typeName?: unknown }).$typeName === schema.typeName
  );
}

/** Throws a `TypeError` naming `fn` and `arg` unless `value` is a message of `schema` (`isMessageOf`). */
export function requireMessage<Desc extends DescMessage>(
  value: unknown,
  schema: Desc,
  fn: string,
  arg: string,
): asserts value is MessageShape<Desc> {
  if (!isMessageOf(value, schema))
    throw argumentTypeError(
      fn,
      arg,
      `${/^[aeiou]/i.test(schema.typeName) ? "an" : "a"} ${schema.typeName} message`,
      value,
    );
}

/** Throws a `TypeError` naming `fn` and `arg` unless `value` is a string. */
export function requireString(value: unknown, fn: string, arg: string): asserts value is string {
  if (typeof value !== "string") throw argumentTypeError(fn, arg, "a string", value);
}

/** Throws a `TypeError` naming `fn` and `arg` unless `value` is an integer `number` within int32. */
export function requireInt32(value: unknown, fn: string, arg: string): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value))
    throw argumentTypeError(fn, arg, "an integer number", value);
  if (value < -0x8000_0000 || value > 0x7fff_ffff) {
    throw new RangeError(`${fn}: ${arg} must be within int32 (-2147483648..2147483647), got ${value}`);
  }
}

/** The 64-bit integer ranges of the wire. */
const int64Ranges = {
  uint64: [0n, U64_MAX],
  int64: [I64_MIN, I64_MAX],
} as const;

/**
 * `value` (a safe-integer `number` or a `bigint`) as a bigint within the
 * `uint64` or `int64` range.
 *
 * @throws TypeError naming `fn` and `arg` for anything but a number or bigint;
 * RangeError for a number that is not a safe integer, or a value out of range.
 */
export function requireInt64(value: unknown, range: keyof typeof int64Ranges, fn: string, arg: string): bigint {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(`${fn}: ${arg} must be an integer (a bigint beyond 2^53), got ${value}`);
    }
  } else if (typeof value !== "bigint") {
    throw argumentTypeError(fn, arg, "a number or bigint", value);
  }
  const big = BigInt(value);
  const [min, max] = int64Ranges[range];
  if (big < min || big > max)
    throw new RangeError(`${fn}: ${arg} must be within ${range} (${min}..${max}), got ${big}`);
  return big;
}
