/**
 * Answering a guest's `invoke` the way the Rust host does (docs/abi.md
 * sections 1 and 7): frame-level failures as return codes with no reply,
 * malformed operations refused before the handler runs, and the handler's
 * result (or what it threw) encoded as the `AbiReply`.
 *
 * @module
 */
import { code } from "../codes.js";
import { AbiError, ActrError } from "../errors.js";
import { AbiReplyCodec } from "../../gen/actr/dynclib/v1/abi_codec.js";
import { encodeInPlace } from "../codec.js";
import { Writer } from "../encoder.js";
import {
  decodeHostOperation,
  type HostOperation,
  type HostResult,
  hostReplyMessage,
  validateHostOperation,
} from "../host-operations.js";
import type { InvokeOrigin, InvokeScope } from "./invoke-scope.js";

/**
 * A host's answer to every operation a guest asks for, with where the
 * operation comes from. May be async in the worker mode.
 */
export type HostHandler = (operation: HostOperation, origin: InvokeOrigin) => HostResult | Promise<HostResult>;

/**
 * Told about every failure on the host's side of an `invoke`: a frame the
 * guest sent that does not decode, a handler that threw something other
 * than an `ActrError`, a result that cannot be encoded, a buffer freed twice.
 * The guest still gets its answer (a return code or a failed reply).
 */
export type HostErrorListener = (error: Error, operation: HostOperation | undefined) => void;

/** The answer to one `invoke`: a return code and, on SUCCESS, the encoded `AbiReply`. */
export interface InvokeAnswer {
  readonly rc: number;
  /**
   * The encoded `AbiReply`: a view into a buffer that the next answer
   * overwrites, so whoever gets it copies it at once (to the guest's
   * native buffer, or into a message to the worker).
   */
  readonly reply?: Uint8Array;
}

/** An `invoke` whose operation decoded and is for the handler to answer, or the answer already decided. */
export type InvokeStart = { readonly operation: HostOperation } | { readonly answer: InvokeAnswer };

/**
 * The first half of answering an `invoke`, before the handler: the frame's
 * size against `maxBytes`, its decoding (a return code on failure, as the
 * Rust host), and the checks the Rust host makes before running an
 * operation: the bridge token (generation 2: an unknown or released one is
 * answered GENERIC_ERROR, as the framework's host does), a destination
 * without a kind, a data-stream send with a non-stream payload type, a
 * stream registered from a stream callback.
 */
export function startInvoke(
  frame: Uint8Array,
  maxBytes: number,
  scope: InvokeScope,
  report: HostErrorListener,
): InvokeStart {
  if (frame.length > maxBytes) {
    report(
      new AbiError(code.PROTOCOL_ERROR, `invoke frame of ${frame.length} bytes exceeds maxBytes (${maxBytes})`),
      undefined,
    );
    return { answer: { rc: code.PROTOCOL_ERROR } };
  }
  let operation: HostOperation;
  try {
    operation = decodeHostOperation(frame);
  } catch (error) {
    if (!(error instanceof AbiError)) throw error;
    report(error, undefined);
    return { answer: { rc: error.status } };
  }
  if (scope.unknownToken) {
    report(
      new AbiError(
        code.GENERIC_ERROR,
        `invoke names bridge token ${scope.origin.bridgeToken}, which is unknown or already released; answered GENERIC_ERROR`,
      ),
      operation,
    );
    return { answer: finishInvoke({ status: code.GENERIC_ERROR }, operation, report) };
  }
  const invalid = validateHostOperation(operation);
  if (invalid !== undefined) return { answer: finishInvoke({ error: invalid }, operation, report) };
  if (scope.inDataStream && operation.kind === "registerStream") {
    return { answer: finishInvoke({ status: code.UNSUPPORTED_OP }, operation, report) };
  }
  return { operation };
}

/** Where answers are encoded (see `InvokeAnswer.reply`). */
const replyWriter = new Writer();

/** The encoded `AbiReply` for `result`, in `replyWriter` (see `InvokeAnswer.reply`). */
function encodeReply(result: HostResult): Uint8Array {
  const w = replyWriter;
  encodeInPlace(AbiReplyCodec, hostReplyMessage(result), undefined, w);
  return w.buf.subarray(w.start, w.end);
}

/** The `AbiReply` for the handler's result; a result that cannot be encoded is reported and answered GENERIC_ERROR. */
export function finishInvoke(result: HostResult, operation: HostOperation, report: HostErrorListener): InvokeAnswer {
  try {
    return { rc: code.SUCCESS, reply: encodeReply(result) };
  } catch (error) {
    report(asError(error, "the host handler's result cannot be encoded"), operation);
    return { rc: code.SUCCESS, reply: encodeReply({ status: code.GENERIC_ERROR }) };
  }
}

/**
 * The `AbiReply` for a handler that threw: an `ActrError` answers with its
 * status (`hostStatusForError`), as the Rust host; anything else is reported
 * and answered GENERIC_ERROR.
 */
export function failInvoke(thrown: unknown, operation: HostOperation, report: HostErrorListener): InvokeAnswer {
  if (thrown instanceof ActrError) return finishInvoke({ error: thrown }, operation, report);
  report(asError(thrown, "the host handler threw"), operation);
  return { rc: code.SUCCESS, reply: encodeReply({ status: code.GENERIC_ERROR }) };
}

function asError(thrown: unknown, what: string): Error {
  return thrown instanceof Error ? thrown : new Error(`${what}: ${String(thrown)}`, { cause: thrown });
}

/**
 * Answers one `invoke` with `host`: `startInvoke`, then the handler, with
 * what it throws or returns turned into the `AbiReply` (`failInvoke`,
 * `finishInvoke`). The answer of an async handler is a Promise (which
 * never rejects); what a mode does with it is the mode's.
 */
export function answerInvoke(
  host: HostHandler,
  frame: Uint8Array,
  scope: InvokeScope,
  maxBytes: number,
  report: HostErrorListener,
): InvokeAnswer | { readonly pending: Promise<InvokeAnswer>; readonly operation: HostOperation } {
  const start = startInvoke(frame, maxBytes, scope, report);
  if ("answer" in start) return start.answer;
  const { operation } = start;
  let result: HostResult | Promise<HostResult>;
  try {
    result = host(operation, scope.origin);
  } catch (error) {
    return failInvoke(error, operation, report);
  }
  if (!(result instanceof Promise)) return finishInvoke(result, operation, report);
  return {
    operation,
    // Copied: other answers may be encoded before this one is taken (see `InvokeAnswer.reply`).
    pending: result.then(
      (settled) => ownAnswer(finishInvoke(settled, operation, report)),
      (error: unknown) => ownAnswer(failInvoke(error, operation, report)),
    ),
  };
}

/** `answer` with a reply of its own, not a view into the shared writer. */
function ownAnswer(answer: InvokeAnswer): InvokeAnswer {
  return answer.reply === undefined ? answer : { rc: answer.rc, reply: answer.reply.slice() };
}

/** The default `HostErrorListener`: prints the error with the operation's kind to stderr. */
export const printHostError: HostErrorListener = (error, operation) => {
  console.error(
    `@actr/dynclib-abi/host: invoke${operation === undefined ? "" : ` (${operation.kind})`} failed on the host side:`,
    error,
  );
};
