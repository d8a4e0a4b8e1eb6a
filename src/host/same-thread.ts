/**
 * The same-thread mode: the host handler runs on the calling thread and
 * answers synchronously. A generation-1 guest runs on the calling thread
 * too, inside `handle()`, and calls `invoke` from there: the lowest latency,
 * with the event loop blocked while the guest runs. A generation-2 guest
 * runs each call on a libuv pool thread instead, so that the event loop
 * stays free to answer the `invoke`s of its own threads, which may come at
 * any time (during a call, after it, or while the call waits for them).
 *
 * @module
 */
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { code } from "../codes.js";
import { AbiError } from "../errors.js";
import { failInvoke, finishInvoke, type HostErrorListener, type HostHandler, type InvokeAnswer, startInvoke } from "./answer.js";
import { invokeScope } from "./invoke-scope.js";
import { type BridgeTokenListener, COUNTER_SLOTS, counterSlot } from "./bridge-tokens.js";
import { Fifo } from "./fifo.js";
import { closedError, GuestCalls } from "./guest.js";
import { allocate, release } from "../pool.js";
import { Writer } from "../encoder.js";
import { encodeFrameInPlace } from "../frames.js";
import { type GuestCall, type InvokeBridge, NativeGuest } from "./native.js";
import { addressOf } from "./native-memory.js";
import { initError, readReply, settleCall, shutdownError } from "./outcome.js";

/** What the same-thread mode needs to load a guest. */
export interface SameThreadSettings {
  readonly path: string;
  readonly init: Uint8Array;
  readonly host: HostHandler;
  readonly maxBytes: number;
  readonly onHostError: HostErrorListener;
  readonly onBridgeToken: BridgeTokenListener | undefined;
}

interface Queued {
  readonly frame: Uint8Array;
  readonly op: number;
  readonly owned: boolean;
  readonly bridgeToken: number;
  readonly resolve: (bytes: Uint8Array) => void;
  readonly reject: (error: unknown) => void;
}

/** A guest driven on the calling thread. */
export class SameThreadGuest extends GuestCalls {
  private readonly native: NativeGuest;
  /** Counters by `counterSlot`. */
  private readonly counters = new Int32Array(COUNTER_SLOTS);
  /** Where the typed calls' frames are encoded (see `runPayload`); undefined while one is encoded and run. */
  private writer: Writer | undefined = new Writer();
  /** The op of the call inside the guest, 0 when none (tells a generation-1 `invoke` where it is). */
  private runningOp = 0;
  private running = false;
  private closed = false;
  /** Calls made while the guest was running (from a host handler, or while a generation-2 call runs): run right after, in order. */
  private readonly queue = new Fifo<Queued>();
  /** Told when the last call made has finished (see `close`). */
  private idle: (() => void) | undefined;

  /**
   * Loads and initialises the guest.
   * @throws AbiError with `actr_init`'s status, or INIT_FAILED when the library cannot be loaded.
   */
  constructor(private readonly settings: SameThreadSettings) {
    super();
    this.native = openNative(settings, this.counters);
    const rc = this.native.initialize(settings.init, (frame, bridge) => this.answer(frame, bridge));
    if (rc !== code.SUCCESS) throw initError(settings.path, rc);
  }

  get path(): string {
    return this.settings.path;
  }

  get generation(): 1 | 2 {
    return this.native.generation;
  }

  get outstandingHostBuffers(): number {
    return this.counters[counterSlot.HOST_BUFFERS]!;
  }

  get liveBridgeTokens(): number {
    return this.counters[counterSlot.LIVE_TOKENS]!;
  }

  protected run(frame: Uint8Array, op: number, owned: boolean, bridgeToken: number): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(closedError(this.path));
    if (this.running) {
      return new Promise((resolve, reject) => this.queue.push({ frame, op, owned, bridgeToken, resolve, reject }));
    }
    if (this.native.generation === 2) return this.runOnPool({ frame, op, owned, bridgeToken });
    let result: Promise<Uint8Array>;
    try {
      result = Promise.resolve(this.runFrame(frame, op, owned, bridgeToken));
    } catch (error) {
      result = Promise.reject(error);
    }
    this.drain();
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.running || this.queue.length > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    const rc = await this.native.shutdown();
    if (rc !== code.SUCCESS) throw shutdownError(this.path, rc);
  }

  /**
   * A typed call made while the guest is idle is encoded straight into this
   * guest's own writer and handed to the guest from there: no copy, no pooled
   * memory. One made while it runs (from a host handler), or while a frame
   * is being encoded (from a getter of its payload), is encoded at once into
   * memory of its own, as the other calls are, and run or queued.
   */
  protected override runPayload<Desc extends DescMessage>(op: number, schema: Desc, payload: MessageShape<Desc>, bridgeToken: number): Promise<Uint8Array> {
    const w = this.writer;
    if (this.closed || this.running || w === undefined || this.native.generation === 2) return super.runPayload(op, schema, payload, bridgeToken);
    this.writer = undefined;
    let result: Promise<Uint8Array>;
    try {
      encodeFrameInPlace(schema, payload, w);
      const length = w.end - w.start;
      result = Promise.resolve(this.runNow({ address: length === 0 ? 0 : addressOf(w.buf) + w.start, length, op, bridgeToken }));
    } catch (error) {
      result = Promise.reject(error);
    } finally {
      this.writer = w;
    }
    this.drain();
    return result;
  }

  /** Runs a call through the guest on this thread (generation 1). */
  private runNow(call: GuestCall): Uint8Array {
    this.running = true;
    this.runningOp = call.op;
    try {
      // The reply is copied into memory of its own, so that the payload the caller gets is a view into it (no second copy).
      const { rc, reply, replyLength } = this.native.callAt(call, this.settings.maxBytes, allocate);
      return settleCall(call.op, readReply(rc, reply, replyLength), this.settings.maxBytes);
    } finally {
      this.running = false;
      this.runningOp = 0;
    }
  }

  /** `runNow` of a frame in JavaScript memory; with `owned`, the frame is given back to the pool afterwards (`release`: kept when an output was cut after it). */
  private runFrame(frame: Uint8Array, op: number, owned: boolean, bridgeToken: number): Uint8Array {
    try {
      return this.runNow(frameCall(frame, op, bridgeToken));
    } finally {
      if (owned) release(frame);
    }
  }

  /**
   * Runs a call through a generation-2 guest on a libuv pool thread
   * (`NativeGuest.callAtAsync`), then the calls queued meanwhile, one at a time.
   */
  private async runOnPool(call: Omit<Queued, "resolve" | "reject">): Promise<Uint8Array> {
    this.running = true;
    try {
      const { rc, reply, replyLength } = await this.native.callAtAsync(frameCall(call.frame, call.op, call.bridgeToken), this.settings.maxBytes, allocate);
      return settleCall(call.op, readReply(rc, reply, replyLength), this.settings.maxBytes);
    } finally {
      if (call.owned) release(call.frame);
      this.running = false;
      const next = this.queue.shift();
      if (next === undefined) this.idle?.();
      else this.runOnPool(next).then(next.resolve, next.reject);
    }
  }

  private drain(): void {
    for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
      try {
        next.resolve(this.runFrame(next.frame, next.op, next.owned, next.bridgeToken));
      } catch (error) {
        next.reject(error);
      }
    }
    if (!this.running) this.idle?.();
  }

  private answer(frame: Uint8Array, bridge: InvokeBridge | undefined): InvokeAnswer {
    const { host, maxBytes, onHostError } = this.settings;
    const scope = invokeScope(bridge, this.runningOp);
    const start = startInvoke(frame, maxBytes, scope, onHostError);
    if ("answer" in start) return start.answer;
    const { operation } = start;
    let result;
    try {
      result = host(operation, scope.origin);
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

/** The call of a frame in JavaScript memory, held by the caller while it runs. */
function frameCall(frame: Uint8Array, op: number, bridgeToken: number): GuestCall {
  return { address: frame.length === 0 ? 0 : addressOf(frame), length: frame.length, op, bridgeToken };
}

/** Opens the library, as an AbiError INIT_FAILED naming the file when it cannot be loaded. */
function openNative({ path, onHostError, onBridgeToken }: SameThreadSettings, counters: Int32Array): NativeGuest {
  try {
    return new NativeGuest(path, counters, (message) => onHostError(new AbiError(code.GENERIC_ERROR, message), undefined), onBridgeToken);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new AbiError(code.INIT_FAILED, `cannot load the guest library ${path}: ${detail}`, {}, { cause: error });
  }
}
