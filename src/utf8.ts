/**
 * Strict UTF-8 decoding, as Rust's `String::from_utf8`: invalid sequences
 * (including encoded surrogates) are an error, and a leading BOM is kept.
 *
 * @module
 * @internal
 */

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The text of `bytes`, or undefined when they are not valid UTF-8. */
export function utf8TextOrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}
