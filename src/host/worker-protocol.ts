/**
 * The messages between a worker-mode guest and its worker thread, and the
 * packed layout of call batches: one message carries every call queued since
 * the last one, and one message carries back every result.
 *
 * @module
 */
import type { MessagePort } from "node:worker_threads";
import type { CallResult } from "./outcome.js";

/** What the worker is started with. */
export interface WorkerStart {
  readonly path: string;
  readonly init: Uint8Array;
  readonly maxBytes: number;
  /** `Int32Array` slot 0: 1 when the answer to the pending `invoke` is waiting on `replyPort`. */
  readonly control: SharedArrayBuffer;
  /** `Int32Array` slot 0: host reply buffers outstanding (written by the worker, read by the host). */
  readonly counter: SharedArrayBuffer;
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
export type WorkerStarted = { readonly type: "ready"; readonly rc: number } | { readonly type: "loadFailed"; readonly message: string };

/** Worker → host, on `toHost`. */
export type FromWorker =
  | { readonly type: "invoke"; readonly frame: Uint8Array; readonly inDataStream: boolean }
  | {
      readonly type: "results";
      readonly buffer: ArrayBuffer;
      readonly length: number;
      /** Call batches the worker has run, given back for new batches (see `SPARE_BUFFERS`). */
      readonly spare: ArrayBuffer[];
    }
  | { readonly type: "report"; readonly message: string };

/** Host → worker: a batch of calls, packed by `CallBatch`. */
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

/**
 * A growable byte buffer of records, little-endian: calls are
 * `[u32 op][u32 length][frame]`, results are written by `appendResult`. Its
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

  /** Appends a call: `[u32 op][u32 length][frame]`. */
  appendCall(op: number, frame: Uint8Array): void {
    this.appendRecord(op, frame.length, undefined, frame);
  }

  /** Appends a `CallResult` as `[u32 kind][i32 value][u32 length][data]`. */
  appendResult(result: CallResult): void {
    switch (result.kind) {
      case "reply":
        return this.appendRecord(resultKinds.reply, result.status, result.payload.length, result.payload);
      case "returnCode":
        return this.appendRecord(resultKinds.returnCode, result.rc, 0, undefined);
      case "tooLong":
        return this.appendRecord(resultKinds.tooLong, result.length, 0, undefined);
      case "undecodable": {
        const detail = utf8.encode(result.detail);
        return this.appendRecord(resultKinds.undecodable, 0, detail.length, detail);
      }
    }
  }

  /** Appends two or three 32-bit words (`third` undefined for two), then `data`. */
  private appendRecord(first: number, second: number, third: number | undefined, data: Uint8Array | undefined): void {
    const size = (third === undefined ? 8 : 12) + (data?.length ?? 0);
    this.reserve(size);
    const view = this.view;
    view.setInt32(this.length, first, true);
    view.setInt32(this.length + 4, second, true);
    this.length += 8;
    if (third !== undefined) {
      view.setInt32(this.length, third, true);
      this.length += 4;
    }
    if (data !== undefined) {
      this.bytes.set(data, this.length);
      this.length += data.length;
    }
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

const resultKinds = { reply: 0, returnCode: 1, tooLong: 2, undecodable: 3 } as const;
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

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

  /** The next `length` bytes, as a view into the batch. */
  data(length: number): Uint8Array {
    const data = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return data;
  }

  /** The next `CallResult` (`payload` a view into the batch). */
  result(): CallResult {
    const kind = this.word();
    const value = this.word();
    const data = this.data(this.word());
    switch (kind) {
      case resultKinds.reply:
        return { kind: "reply", status: value, payload: data };
      case resultKinds.returnCode:
        return { kind: "returnCode", rc: value };
      case resultKinds.tooLong:
        return { kind: "tooLong", length: value >>> 0 };
      default:
        return { kind: "undecodable", detail: utf8Decoder.decode(data) };
    }
  }
}
