// A compact form of src/ascii.ts's asciiString, kept to be timed against it
// (node bench/ascii.mjs --against bench/ascii-forms/loop-apply.mjs): one loop
// that checks the bytes and copies them into a reused array of exactly n
// elements, then one String.fromCharCode.apply. Same results, same RangeError.
export const MAX_ASCII_STRING = 32;
const fromCharCodes = String.fromCharCode;
/** codes[n]: a packed array of n small integers, reused by every call of length n. */
const codes = Array.from({ length: MAX_ASCII_STRING + 1 }, (_, n) => new Array(n).fill(0));
export function asciiString(b, s, n) {
  const c = codes[n];
  if (c === undefined || n === 0) throw new RangeError(`asciiString: length ${n} is outside 1..${MAX_ASCII_STRING}`);
  let bits = 0;
  for (let i = 0; i < n; i++) bits |= c[i] = b[s + i];
  return bits < 0x80 ? fromCharCodes.apply(null, c) : undefined;
}
