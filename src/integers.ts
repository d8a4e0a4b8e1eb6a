/**
 * Range-checked conversion of the integers a caller passes (`number` or
 * `bigint`) to the 64-bit values of the wire.
 *
 * @module
 * @internal
 */

/** The largest uint64. */
export const U64_MAX = 0xffff_ffff_ffff_ffffn;
/** The smallest int64. */
export const I64_MIN = -0x8000_0000_0000_0000n;
/** The largest int64. */
export const I64_MAX = 0x7fff_ffff_ffff_ffffn;

/**
 * `value` as a bigint within `[min, max]`, or a text saying why it is not one
 * (not a number or bigint, not an integer, out of range).
 */
export function toBigIntIn(value: unknown, min: bigint, max: bigint): bigint | string {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) return `must be an integer, got ${value}`;
  } else if (typeof value !== "bigint") {
    return `must be a number or bigint, got ${typeof value}`;
  }
  const big = BigInt(value);
  return big < min || big > max ? `must be within ${min}..${max}, got ${big}` : big;
}
