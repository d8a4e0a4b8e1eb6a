/**
 * The same-thread mode: the guest runs on the calling thread, inside
 * `handle()`, and its `invoke` calls the host handler synchronously. The
 * lowest latency, for hosts whose handlers are synchronous; the event loop
 * is blocked while the guest runs.
 *
 * @module
 */
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { code, op as ops } from "../codes.js";
import { AbiError } from "../errors.js";
import { failInvoke, finishInvoke, type HostErrorListener, type HostHandler, type InvokeAnswer, startInvoke } from "./answer.js";
import { Fifo } from "./fifo.js";
import { closedError, GuestCalls } from "./guest.js";
import { allocate, release } from "../pool.js";
import { Writer } from "../encoder.js";
import { encodeFrameInPlace } from "../frames.js";
import { NativeGuest } from "./native.js";
import { addressOf } from "./native-memory.js";
import { initError, readReply, settleCall } from "./outcome.js";

/** What the same-thread mode needs to load a guest. */
export interface SameThreadSettings {
  readonly path: string;
  readonly init: Uint8Array;
  readonly host: HostHandler;
  readonly maxBytes: number;
  readonly onHostError: HostErrorListener;
}

interface Queued {
  readonly frame: Uint8Array;
  readonly op: number;
  readonly owned: boolean;
  readonly resolve: (bytes: Uint8Array) => void;
  readonly reject: (error: unknown) => void;
}

/** A guest driven on the calling thread. */
export class SameThreadGuest extends GuestCalls {
  private readonly native: NativeGuest;
  private readonly counter = { outstanding: new Int32Array(1) };
  /** Where the typed calls' frames are encoded (see `runPayload`); undefined while one is encoded and run. */
  private writer: Writer | undefined = new Writer();
  private inDataStream = false;
  private running = false;
  private closed = false;
  /** Calls made while the guest was running (from a host handler): run right after, in order. */
  private readonly queue = new Fifo<Queued>();

  /**
   * Loads and initialises the guest.
   * @throws AbiError with `actr_init`'s status, or INIT_FAILED when the library cannot be loaded.
   */
  constructor(private readonly settings: SameThreadSettings) {
    super();
    this.native = openNative(settings.path, this.counter, settings.onHostError);
    const rc = this.native.initialize(settings.init, (frame) => this.answer(frame));
    if (rc !== code.SUCCESS) throw initError(settings.path, rc);
  }

  get path(): string {
    return this.settings.path;
  }

  get outstandingHostBuffers(): number {
    return this.counter.outstanding[0]!;
  }

  protected run(frame: Uint8Array, op: number, owned: boolean): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(closedError(this.path));
    if (this.running) {
      return new Promise((resolve, reject) => this.queue.push({ frame, op, owned, resolve, reject }));
    }
    let result: Promise<Uint8Array>;
    try {
      result = Promise.resolve(this.runFrame(frame, op, owned));
    } catch (error) {
      result = Promise.reject(error);
    }
    this.drain();
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /**
   * A typed call made while the guest is idle is encoded straight into this
   * guest's own writer and handed to the guest from there: no copy, no pooled
   * memory. One made while it runs (from a host handler), or while a frame
   * is being encoded (from a getter of its payload), is encoded at once into
   * memory of its own, as the other calls are, and run or queued.
   */
  protected override runPayload<Desc extends DescMessage>(op: number, schema: Desc, payload: MessageShape<Desc>): Promise<Uint8Array> {
    const w = this.writer;
    if (this.closed || this.running || w === undefined) return super.runPayload(op, schema, payload);
    this.writer = undefined;
    let result: Promise<Uint8Array>;
    try {
      encodeFrameInPlace(schema, payload, w);
      const length = w.end - w.start;
      result = Promise.resolve(this.runNow(length === 0 ? 0 : addressOf(w.buf) + w.start, length, op));
    } catch (error) {
      result = Promise.reject(error);
    } finally {
      this.writer = w;
    }
    this.drain();
    return result;
  }

  /** Runs the frame at native `address` (`length` bytes) through the guest. */
  private runNow(address: number, length: number, op: number): Uint8Array {
    this.running = true;
    this.inDataStream = op === ops.GUEST_DATA_STREAM;
    try {
      // The reply is copied into memory of its own, so that the payload the caller gets is a view into it (no second copy).
      const { rc, reply, replyLength } = this.native.callAt(address, length, this.settings.maxBytes, allocate);
      return settleCall(op, readReply(rc, reply, replyLength), this.settings.maxBytes);
    } finally {
      this.running = false;
      this.inDataStream = false;
    }
  }

  /** `runNow` of a frame in JavaScript memory; with `owned`, the frame is given back to the pool afterwards (`release`: kept when an output was cut after it). */
  private runFrame(frame: Uint8Array, op: number, owned: boolean): Uint8Array {
    try {
      return this.runNow(frame.length === 0 ? 0 : addressOf(frame), frame.length, op);
    } finally {
      if (owned) release(frame);
    }
  }

  private drain(): void {
    for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
      try {
        next.resolve(this.runFrame(next.frame, next.op, next.owned));
      } catch (error) {
        next.reject(error);
      }
    }
  }

  private answer(frame: Uint8Array): InvokeAnswer {
    const { host, maxBytes, onHostError } = this.settings;
    const start = startInvoke(frame, maxBytes, { inDataStream: this.inDataStream }, onHostError);
    if ("answer" in start) return start.answer;
    const { operation } = start;
    let result;
    try {
      result = host(operation);
    } catch (error) {
      return failInvoke(error, operation, onHostError);
    }
    if (result instanceof Promise) {
      result.catch(() => {}); // its outcome can no longer reach the guest
      return failInvoke(
        new TypeError("the host handler returned a Promise, but a same-thread guest needs a synchronous answer (use the worker mode for async handlers)"),
        operation,
        onHostError,
      );
    }
    return finishInvoke(result, operation, onHostError);
  }
}

/** Opens the library, as an AbiError INIT_FAILED naming the file when it cannot be loaded. */
function openNative(path: string, counter: { outstanding: Int32Array }, onHostError: HostErrorListener): NativeGuest {
  try {
    return new NativeGuest(path, counter, (message) => onHostError(new AbiError(code.GENERIC_ERROR, message), undefined));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new AbiError(code.INIT_FAILED, `cannot load the guest library ${path}: ${detail}`, {}, { cause: error });
  }
}
