/**
 * The sizes the generated encoders and their runtime (src/encoder.ts) agree
 * on. This module imports nothing, so that the code generator
 * (plugin/protoc-gen-actr-codec.ts) can check a schema against `SLACK`
 * without loading anything generated.
 *
 * @module
 * @internal
 */

/** Bytes a generated function may write unchecked after `room` or a long write (see src/encoder.ts's doc). */
export const SLACK = 512;

/**
 * Strings of fewer UTF-16 units than this have fewer than 128 UTF-8 bytes
 * (at most 3 per unit), so a one-byte length prefix: they are written
 * first and measured after.
 */
export const SHORT_STRING = 43;

/**
 * The room a short string needs after its key to be written without a check
 * (its length byte and up to 3 bytes a unit), and `SLACK` after it. The
 * generated encoders write a short ASCII string in line when this much room
 * follows (see `writeShortUtf8` for one that is not ASCII), and call
 * `encodeString` otherwise.
 */
export const SHORT_STRING_ROOM = 1 + 3 * SHORT_STRING + SLACK;
