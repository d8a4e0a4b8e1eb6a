/**
 * What a guest call resolves or rejects with, from what `actr_handle`
 * returned: the same rules in both threading modes.
 *
 * @module
 */
import { code, opName, statusName } from "../codes.js";
import { AbiError, replyToActrError } from "../errors.js";
import { decodeReply } from "../frames.js";

function describeStatus(rc: number): string {
  const name = statusName(rc);
  return name === undefined ? `status ${rc}` : `${name} (${rc})`;
}

/**
 * The response bytes of a guest call (a fresh copy the caller owns), or the
 * error: an `AbiError` with `actr_handle`'s return code, an `AbiError`
 * PROTOCOL_ERROR for a reply over `maxBytes` or one that does not decode as
 * `AbiReply`, the `ActrError` of a failed reply (`replyToActrError`).
 *
 * @param reply the reply bytes; undefined when `rc` is not SUCCESS or the reply was over `maxBytes`.
 */
export function callOutcome(op: number, rc: number, reply: Uint8Array | undefined, replyLength: number, maxBytes: number): Uint8Array {
  const what = opName(op) ?? `op ${op}`;
  if (rc !== code.SUCCESS) {
    throw new AbiError(rc, `actr_handle returned ${describeStatus(rc)} for ${what}`);
  }
  if (reply === undefined) {
    throw new AbiError(code.PROTOCOL_ERROR, `the guest's reply to ${what} is ${replyLength} bytes, over maxBytes (${maxBytes}); it was freed unread`);
  }
  let decoded;
  try {
    decoded = decodeReply(reply);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new AbiError(code.PROTOCOL_ERROR, `the guest's reply to ${what} is not an AbiReply: ${detail}`, {}, { cause: error });
  }
  if (decoded.status !== code.SUCCESS) throw replyToActrError(decoded);
  return decoded.payload.slice();
}

/** The error `loadGuest` rejects with when `actr_init` returns `rc`. */
export function initError(path: string, rc: number): AbiError {
  const hint = rc === code.INIT_FAILED ? " (an image initialises once: is this file already loaded in this process, e.g. by another thread?)" : "";
  return new AbiError(rc, `actr_init returned ${describeStatus(rc)} for ${path}${hint}`);
}
