/**
 * What a guest call resolves or rejects with, from what `actr_handle`
 * returned, in two steps on the caller's thread: `sortHandleResult` (into
 * one of the outcomes of `CallResult`, the reply's bytes as they were copied
 * out, decoded) and `settleCall`.
 *
 * @module
 */
import { code, opName, statusName } from "../codes.js";
import { AbiError, replyToActrError } from "../errors.js";
import { allocate } from "../pool.js";
import { decodeReply } from "../frames.js";
import type { HandleResult } from "./native.js";

/** What one `actr_handle` came to. */
export type CallResult =
  /** The reply decoded; `status` is its status, `payload` a view of its payload. */
  | { readonly kind: "reply"; readonly status: number; readonly payload: Uint8Array }
  /** `actr_handle` returned `rc`, not SUCCESS. */
  | { readonly kind: "returnCode"; readonly rc: number }
  /** The reply was `length` bytes, over `maxBytes`; it was freed unread. */
  | { readonly kind: "tooLong"; readonly length: number }
  /** The guest answered SUCCESS with a null reply pointer and a length of `length`. */
  | { readonly kind: "nullReply"; readonly length: number }
  /** The reply is not an `AbiReply`; `detail` says why. */
  | { readonly kind: "undecodable"; readonly detail: string };

/** Sorts what `actr_handle` returned into a `CallResult` (the reply undefined when `rc` is not SUCCESS, it was over the limit, or null). */
export function sortHandleResult({ rc, reply, replyLength, nullReply }: HandleResult): CallResult {
  if (rc !== code.SUCCESS) return { kind: "returnCode", rc };
  if (nullReply === true) return { kind: "nullReply", length: replyLength };
  if (reply === undefined) return { kind: "tooLong", length: replyLength };
  try {
    const { status, payload } = decodeReply(reply);
    return { kind: "reply", status, payload };
  } catch (error) {
    return { kind: "undecodable", detail: error instanceof Error ? error.message : String(error) };
  }
}

function describeStatus(rc: number): string {
  const name = statusName(rc);
  return name === undefined ? `status ${rc}` : `${name} (${rc})`;
}

/**
 * The response bytes of a guest call (the reply's payload as
 * `sortHandleResult` decoded it: a view into the memory the reply was copied to), or the
 * error: an `AbiError` with `actr_handle`'s return code, an `AbiError`
 * PROTOCOL_ERROR for a reply over `maxBytes` or one that does not decode as
 * `AbiReply`, the `ActrError` of a failed reply (`replyToActrError`).
 */
export function settleCall(op: number, result: CallResult, maxBytes: number): Uint8Array {
  switch (result.kind) {
    case "reply":
      if (result.status !== code.SUCCESS) throw replyToActrError(result);
      return result.payload;
    case "returnCode":
      throw new AbiError(result.rc, `actr_handle returned ${describeStatus(result.rc)} for ${describeOp(op)}`);
    case "tooLong":
      throw new AbiError(
        code.PROTOCOL_ERROR,
        `the guest's reply to ${describeOp(op)} is ${result.length} bytes, over maxBytes (${maxBytes}); it was freed unread`,
      );
    case "nullReply":
      throw new AbiError(
        code.PROTOCOL_ERROR,
        `actr_handle returned SUCCESS for ${describeOp(op)} with a null reply pointer and a length of ${result.length}`,
      );
    case "undecodable":
      throw new AbiError(
        code.PROTOCOL_ERROR,
        `the guest's reply to ${describeOp(op)} is not an AbiReply: ${result.detail}`,
      );
  }
}

/** A copy of `bytes` the caller owns (pooled as the encoder's outputs are: see `allocate`). */
export function copyOut(bytes: Uint8Array): Uint8Array {
  const copy = allocate(bytes.length);
  copy.set(bytes);
  return copy;
}

function describeOp(op: number): string {
  return opName(op) ?? `op ${op}`;
}

/** The error `loadGuest` rejects with when the library cannot be loaded (a missing file or symbol), `detail` saying why. */
export function loadError(path: string, detail: string, cause?: unknown): AbiError {
  return new AbiError(
    code.INIT_FAILED,
    `cannot load the guest library ${path}: ${detail}`,
    {},
    cause === undefined ? undefined : { cause },
  );
}

/** The error `loadGuest` rejects with when `actr_init` returns `rc`. */
export function initError(path: string, rc: number): AbiError {
  const hint =
    rc === code.INIT_FAILED
      ? " (an image initialises once: is this file already loaded in this process, e.g. by another thread?)"
      : "";
  return new AbiError(rc, `actr_init returned ${describeStatus(rc)} for ${path}${hint}`);
}

/** The error `close()` rejects with when `actr_shutdown` returns `rc`: the guest's code may still run, so its library stays loaded. */
export function shutdownError(path: string, rc: number): AbiError {
  return new AbiError(
    rc === code.SUCCESS ? code.GENERIC_ERROR : rc,
    `actr_shutdown returned ${describeStatus(rc)} for ${path}: the guest could not show that its tasks stopped, so its library stays loaded for the life of the process`,
  );
}
