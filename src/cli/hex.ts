/**
 * Hex text ↔ bytes, strict: no silent truncation on a bad digit or an odd
 * length (unlike `Buffer.from(text, "hex")`).
 *
 * @module
 */

const hexDigits = /^[0-9a-fA-F]*$/;

/**
 * The bytes of `hex` (case-insensitive, no separators).
 *
 * @throws Error naming the problem: odd length, or the offset of the first bad digit.
 */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new Error(`invalid hex: odd length ${hex.length}`);
  if (!hexDigits.test(hex)) {
    const at = hex.search(/[^0-9a-fA-F]/);
    throw new Error(`invalid hex: character ${JSON.stringify(hex[at])} at offset ${at}`);
  }
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/** Lowercase hex of `bytes`. */
export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}
