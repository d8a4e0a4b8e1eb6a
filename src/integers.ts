/**
 * The bounds of the wire's 64-bit integers.
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
/** The number of decimal digits of `U64_MAX`: no u64 written in decimal is longer. */
export const U64_MAX_DIGITS = U64_MAX.toString().length;
