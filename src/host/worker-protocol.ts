/**
 * The messages between a worker-mode guest and its worker thread, and the
 * packed layout of call batches: one message carries every call queued since
 * the last one, and one message carries back every result.
 *
 * @module
 */
import type { MessagePort } from "node:worker_threads";
import type { BridgeTokenEvent } from "./bridge-tokens.js";
import type { InvokeScope } from "./invoke-scope.js";
import type { HandleResult } from "./native.js";

/**
 * What a worker thread is started with: the channels it keeps for every
 * guest it hosts (a worker hosts one guest at a time, and is reused for the
 * next once a guest is closed).
 */
export interface WorkerStart {
  /** `Int32Array` slot 0: 1 when the answer to the pending `invoke` is waiting on `replyPort` (see `invokeAnswered`). */
  readonly invokeAnswered: SharedArrayBuffer;
  /** Where the host posts `invoke` answers; the worker reads them synchronously. */
  readonly replyPort: MessagePort;
  /** Where the worker posts everything else (`FromWorker`); the host reads them as events, or synchronously while it waits. */
  readonly toHost: MessagePort;
  /** An `Int32Array` of the slots in `signal`. */
  readonly signals: SharedArrayBuffer;
}

/** The slots of `WorkerStart.signals`. */
export const signal = {
  /** Messages the worker posted to `toHost`, bumped and notified after each post. */
  TO_HOST_POSTED: 0,
  /** Messages the host posted to the worker, bumped and notified after each post. */
  CALLS_POSTED: 1,
  /** 1 while the calls sent are cancelled (`close({ force: true })`): the worker answers them without entering the guest. */
  CANCELLED: 2,
} as const;

/** The number of slots in `signal`. */
export const SIGNAL_SLOTS = 3;

/** Host → worker: load a guest and call its `actr_init`; answered with `loaded` or `loadFailed`. */
export interface LoadMessage {
  readonly type: "load";
  /**
   * Names the guest in the worker's reports (a worker hosts several guests
   * over its life): its key, which its bridge tokens carry (`guestKeyOf`).
   */
  readonly guestId: number;
  readonly path: string;
  /** True when `path` is a private copy, removed right after it is loaded. */
  readonly privateCopy: boolean;
  readonly init: Uint8Array;
  readonly maxBytes: number;
  readonly maxOutstandingHostBuffers: number;
  /** An `Int32Array` of the guest's counters, by `counterSlot` (written by the worker, read by the host). */
  readonly counters: SharedArrayBuffer;
  /** True when the host wants every change of a bridge token (a `token` message each). */
  readonly traceTokens: boolean;
}

/** Host → worker, after the last call: shut the guest down (see `NativeGuest.shutdown`); answered with `closed`. */
export interface CloseMessage {
  readonly type: "close";
}

/** Host → worker: a batch of calls, packed by `PackedWriter`. */
export interface CallsMessage {
  readonly type: "calls";
  readonly buffer: ArrayBuffer;
  readonly length: number;
  /** Result buffers the host has read, given back for new results (see `MAX_REUSABLE_BUFFERS`). */
  readonly returnedBuffers: ArrayBuffer[];
}

/** Host → worker, on the worker's `parentPort`. */
export type ToWorker = LoadMessage | CallsMessage | CloseMessage;

/** Worker → host, on `toHost`. */
export type FromWorker =
  /** The guest loaded and `actr_init` returned `rc`. */
  | { readonly type: "loaded"; readonly guestId: number; readonly rc: number; readonly generation: 1 | 2 }
  /** The library could not be loaded (`message` says why). */
  | { readonly type: "loadFailed"; readonly guestId: number; readonly message: string }
  | { readonly type: "invoke"; readonly frame: Uint8Array; readonly scope: InvokeScope }
  | {
      readonly type: "results";
      readonly buffer: ArrayBuffer;
      readonly length: number;
      /** Call batches the worker has run, given back for new batches (see `MAX_REUSABLE_BUFFERS`). */
      readonly returnedBuffers: ArrayBuffer[];
    }
  /** What went wrong where the guest only sees `status` (see `NativeReport`). */
  | { readonly type: "report"; readonly guestId: number; readonly message: string; readonly status: number }
  /** A change of a bridge token (only when `LoadMessage.traceTokens`). */
  | { readonly type: "token"; readonly guestId: number; readonly event: BridgeTokenEvent }
  /** The answer to `CloseMessage`: `actr_shutdown`'s return code (0 for a generation-1 guest). */
  | { readonly type: "closed"; readonly guestId: number; readonly rc: number };

/**
 * How many read batch buffers each side keeps to give back to the other.
 * Allocating an `ArrayBuffer` costs microseconds here (far more than a
 * batch's other work), so each side's buffers, once read, travel back
 * (transferred) with its next message and are written again.
 */
export const MAX_REUSABLE_BUFFERS = 4;

/** `copied` of a result whose reply was not copied (a return code, or over the limit). */
const NOT_COPIED = -1;
/** `copied` of a result whose reply was a null pointer with a length. */
const NULL_REPLY = -2;

/** Bytes of a call record's header: `op`, `length`, `bridgeToken`. */
export const CALL_HEADER_BYTES = 16;

/** Bytes of a result record's header: `rc`, `copied`, `replyLength`. */
const RESULT_HEADER_BYTES = 16;

/**
 * A growable byte buffer of records, little-endian: calls are
 * `[u32 op][u32 length][f64 bridgeToken][frame]`; results are
 * `[i32 rc][i32 copied][f64 replyLength][reply]`, the guest's reply as it
 * came (`copied` bytes; -1 when none was copied: see `HandleResult.reply`;
 * -2 for a null reply pointer with a length: `HandleResult.nullReply`),
 * decoded by the host thread so the worker only runs guest calls. Its
 * buffer is transferred, so each batch starts a writer of its own.
 */
export class PackedWriter {
  private bytes: Uint8Array;
  private view: DataView;
  length = 0;

  /** Starts with `reuse` (a buffer given back, its old contents ignored) when it holds `capacity` bytes, else a new buffer. */
  constructor(capacity = 4096, reuse?: ArrayBuffer) {
    this.bytes = reuse !== undefined && reuse.byteLength >= capacity ? new Uint8Array(reuse) : new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Appends a call: `[u32 op][u32 length][f64 bridgeToken][frame]`. */
  appendCall(op: number, frame: Uint8Array, bridgeToken: number): void {
    this.reserve(CALL_HEADER_BYTES + frame.length);
    this.view.setInt32(this.length, op, true);
    this.view.setInt32(this.length + 4, frame.length, true);
    this.view.setFloat64(this.length + 8, bridgeToken, true);
    this.bytes.set(frame, this.length + CALL_HEADER_BYTES);
    this.length += CALL_HEADER_BYTES + frame.length;
  }

  /**
   * Starts a result record: reserves its header and returns where it is,
   * for `endResult`. In between, `replyMemory` gives the memory the reply
   * is copied to (at most once), right after the header.
   */
  startResult(): number {
    this.reserve(RESULT_HEADER_BYTES);
    const at = this.length;
    this.length += RESULT_HEADER_BYTES;
    return at;
  }

  /** `length` bytes at the end of the record being written (see `startResult`), as `NativeGuest.callAt` asks for its reply. */
  readonly replyMemory = (length: number): Uint8Array => {
    this.reserve(length);
    const memory = this.bytes.subarray(this.length, this.length + length);
    this.length += length;
    return memory;
  };

  /** Writes the header of the result record started at `at` (the reply, if any, is already in place). */
  endResult(at: number, { rc, reply, replyLength, nullReply }: HandleResult): void {
    const view = this.view;
    view.setInt32(at, rc, true);
    view.setInt32(at + 4, reply !== undefined ? reply.length : nullReply === true ? NULL_REPLY : NOT_COPIED, true);
    view.setFloat64(at + 8, replyLength, true); // a length the guest reports may not fit 32 bits
  }

  /** The buffer to transfer; the writer must not be used afterwards. */
  get buffer(): ArrayBuffer {
    return this.bytes.buffer as ArrayBuffer;
  }

  private reserve(size: number): void {
    if (this.length + size <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + size));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }
}

/** Reads back what a `PackedWriter` wrote. */
export class PackedReader {
  private readonly view: DataView;
  private readonly bytes: Uint8Array;
  private offset = 0;

  constructor(
    buffer: ArrayBuffer,
    private readonly length: number,
  ) {
    this.view = new DataView(buffer);
    this.bytes = new Uint8Array(buffer);
  }

  get done(): boolean {
    return this.offset >= this.length;
  }

  /** The next signed 32-bit word. */
  word(): number {
    const value = this.view.getInt32(this.offset, true);
    this.offset += 4;
    return value;
  }

  /** The next float64. */
  float(): number {
    const value = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return value;
  }

  /** Skips the next `length` bytes; returns their offset in the buffer (the worker hands frames to the guest by address). */
  skip(length: number): number {
    const at = this.offset;
    this.offset += length;
    return at;
  }

  /** The next result record (`reply` a view into the buffer). */
  result(): HandleResult {
    const rc = this.word();
    const copied = this.word();
    const replyLength = this.float();
    if (copied === NULL_REPLY) return { rc, reply: undefined, replyLength, nullReply: true };
    if (copied < 0) return { rc, reply: undefined, replyLength };
    const reply = this.bytes.subarray(this.offset, this.offset + copied);
    this.offset += copied;
    return { rc, reply, replyLength };
  }
}
