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

/** What the worker is started with. */
export interface WorkerStart {
  readonly path: string;
  readonly init: Uint8Array;
  readonly maxBytes: number;
  /** True when the host wants every change of a bridge token (a `token` message each). */
  readonly traceTokens: boolean;
  /** `Int32Array` slot 0: 1 when the answer to the pending `invoke` is waiting on `replyPort`. */
  readonly control: SharedArrayBuffer;
  /** An `Int32Array` of the guest's counters, by `counterSlot` (written by the worker, read by the host). */
  readonly counters: SharedArrayBuffer;
  /** Where the host posts `invoke` answers; the worker reads them synchronously. */
  readonly replyPort: MessagePort;
  /** Where the worker posts `invoke`, `results` and `report` messages; the host reads them as events, or synchronously while it waits. */
  readonly toHost: MessagePort;
  /** An `Int32Array` of the counters in `signal`, each bumped and notified after a post, for the side waiting with `Atomics.wait`. */
  readonly signals: SharedArrayBuffer;
}

/** The slots of `WorkerStart.signals`. */
export const signal = {
  /** Messages the worker posted to `toHost`. */
  TO_HOST_POSTED: 0,
  /** Call batches the host posted to the worker. */
  CALLS_POSTED: 1,
} as const;

/** Worker → host, on `parentPort`: the outcome of loading the guest. */
export type WorkerStarted =
  | { readonly type: "ready"; readonly rc: number; readonly generation: 1 | 2 }
  | { readonly type: "loadFailed"; readonly message: string };

/** Worker → host, on `toHost`. */
export type FromWorker =
  | { readonly type: "invoke"; readonly frame: Uint8Array; readonly scope: InvokeScope }
  | {
      readonly type: "results";
      readonly buffer: ArrayBuffer;
      readonly length: number;
      /** Call batches the worker has run, given back for new batches (see `SPARE_BUFFERS`). */
      readonly spare: ArrayBuffer[];
    }
  | { readonly type: "report"; readonly message: string }
  /** A change of a bridge token (only when `WorkerStart.traceTokens`). */
  | { readonly type: "token"; readonly event: BridgeTokenEvent }
  /** The answer to `CloseMessage`: `actr_shutdown`'s return code (0 for a generation-1 guest). */
  | { readonly type: "closed"; readonly rc: number };

/** Host → worker, after the last call: shut the guest down (see `NativeGuest.shutdown`); answered with a `closed` message. */
export interface CloseMessage {
  readonly type: "close";
}

/** Host → worker: a batch of calls, packed by `PackedWriter`. */
export interface CallsMessage {
  readonly type: "calls";
  readonly buffer: ArrayBuffer;
  readonly length: number;
  /** Results the host has read, given back for new results (see `SPARE_BUFFERS`). */
  readonly spare: ArrayBuffer[];
}

/**
 * How many read batch buffers each side keeps to give back to the other.
 * Allocating an `ArrayBuffer` costs microseconds here (far more than a
 * batch's other work), so each side's buffers, once read, travel back
 * (transferred) with its next message and are written again.
 */
export const SPARE_BUFFERS = 4;

/** Bytes of a call record's header: `op`, `length`, `bridgeToken`. */
export const CALL_HEADER_BYTES = 16;

/** Bytes of a result record's header: `rc`, `copied`, `replyLength`. */
const RESULT_HEADER_BYTES = 16;

/**
 * A growable byte buffer of records, little-endian: calls are
 * `[u32 op][u32 length][f64 bridgeToken][frame]`; results are
 * `[i32 rc][i32 copied][f64 replyLength][reply]`, the guest's reply as it
 * came (`copied` bytes; -1 when none was copied: see `HandleResult.reply`),
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
  endResult(at: number, { rc, reply, replyLength }: HandleResult): void {
    const view = this.view;
    view.setInt32(at, rc, true);
    view.setInt32(at + 4, reply === undefined ? -1 : reply.length, true);
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

  constructor(buffer: ArrayBuffer, private readonly length: number) {
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
    if (copied < 0) return { rc, reply: undefined, replyLength };
    const reply = this.bytes.subarray(this.offset, this.offset + copied);
    this.offset += copied;
    return { rc, reply, replyLength };
  }
}
