/**
 * The same-thread mode: the guest's callbacks live on the calling thread,
 * and the host handler runs there and answers synchronously. A generation-1
 * guest runs on the calling thread too, inside `handle()`, and calls
 * `invoke` from there: the lowest latency, with the event loop blocked while
 * the guest runs. A generation-2 guest runs each call on a libuv pool thread
 * instead, so that the event loop stays free to answer the `invoke`s of its
 * own threads, which may come at any time (during a call, after it, or while
 * the call waits for them).
 *
 * @module
 */
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { code } from "../codes.js";
import { AbiError } from "../errors.js";
import { Writer } from "../encoder.js";
import { encodeFrameInPlace } from "../frames.js";
import { allocate, release } from "../pool.js";
import { answerInvoke, failInvoke, type InvokeAnswer } from "./answer.js";
import { COUNTER_SLOTS, counterSlot } from "./bridge-tokens.js";
import { Fifo } from "./fifo.js";
import { type CloseOptions, GuestCalls, stuckError } from "./guest.js";
import { invokeScope } from "./invoke-scope.js";
import { type GuestCall, type HandleResult, type InvokeBridge, NativeGuest } from "./native.js";
import { addressOf } from "./native-memory.js";
import { initError, loadError, settleCall, shutdownError, sortHandleResult } from "./outcome.js";
import { removePrivateCopy } from "./private-copy.js";
import type { GuestSettings } from "./settings.js";
import { noteStuckThread } from "./stuck-threads.js";

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
  /** Calls made while the guest was running (from a host handler, or while a generation-2 call runs): run right after, in order. */
  private readonly queue = new Fifo<Queued>();
  /** Told when the last call made has finished (see `close`). */
  private idle: (() => void) | undefined;

  /**
   * Loads and initialises the guest.
   * @throws AbiError with `actr_init`'s status, or INIT_FAILED when the library cannot be loaded.
   */
  constructor(private readonly settings: GuestSettings) {
    super(settings.maxQueuedCalls);
    const { path, onHostError } = settings;
    try {
      this.native = new NativeGuest(
        path,
        this.key,
        this.counters,
        settings,
        (message, status) => onHostError(new AbiError(status, message), undefined),
        () => settings.privateCopy && removePrivateCopy(path),
        settings.onBridgeToken,
      );
    } catch (error) {
      throw loadError(path, error instanceof Error ? error.message : String(error), error);
    }
    const rc = this.native.initialize(settings.init, (frame, bridge) => this.answer(frame, bridge));
    if (rc !== code.SUCCESS) {
      void this.native.shutdown(); // gives a generation-2 guest's callbacks back when nothing of it runs
      throw initError(path, rc);
    }
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

  get replyAllocations(): number {
    return this.counters[counterSlot.REPLY_ALLOCATIONS]!;
  }

  protected run(frame: Uint8Array, op: number, owned: boolean, bridgeToken: number): Promise<Uint8Array> {
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

  /**
   * Refuses new calls, waits for the calls made (with `force`, rejects
   * those not started yet), then shuts the guest down (`actr_shutdown` for
   * a generation-2 guest).
   */
  async close(options?: CloseOptions): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (options?.force === true) {
      const error = new AbiError(
        code.GENERIC_ERROR,
        `the guest ${this.path} was closed with force before this call entered it`,
      );
      for (const call of this.queue.drain()) call.reject(error);
    }
    if (this.running || this.queue.length > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    if (this.failure !== undefined) return;
    const rc = await this.native.shutdown();
    if (rc !== code.SUCCESS) throw shutdownError(this.path, rc);
  }

  /**
   * A typed call made while a generation-1 guest is idle is encoded straight
   * into this guest's own writer and handed to the guest from there: no
   * copy, no pooled memory. One made while it runs (from a host handler),
   * or while a frame is being encoded (from a getter of its payload), or
   * for a generation-2 guest, is encoded at once into memory of its own, as
   * the other calls are, and run or queued.
   */
  protected override runPayload<Desc extends DescMessage>(
    op: number,
    schema: Desc,
    payload: MessageShape<Desc>,
    bridgeToken: number,
  ): Promise<Uint8Array> {
    const w = this.writer;
    if (this.running || w === undefined || this.native.generation === 2)
      return super.runPayload(op, schema, payload, bridgeToken);
    this.writer = undefined;
    let result: Promise<Uint8Array>;
    try {
      encodeFrameInPlace(schema, payload, w);
      const length = w.end - w.start;
      result = Promise.resolve(
        this.runNow({ address: length === 0 ? 0 : addressOf(w.buf) + w.start, length, op, bridgeToken }),
      );
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
      return this.settle(call.op, this.native.callAt(call, this.settings.maxBytes, allocate));
    } finally {
      this.running = false;
      this.runningOp = 0;
    }
  }

  /** The response of a call that returned `result`, or its error (`settleCall`). */
  private settle(op: number, result: HandleResult): Uint8Array {
    return settleCall(op, sortHandleResult(result), this.settings.maxBytes);
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
   * (`NativeGuest.callAtAsync`), at most `callTimeoutMs`, then the calls
   * queued meanwhile, one at a time. A call that does not return in time
   * rejects, and the guest fails: its pool thread stays inside it.
   */
  private async runOnPool(call: Omit<Queued, "resolve" | "reject">): Promise<Uint8Array> {
    this.running = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      const returned = this.native.callAtAsync(
        frameCall(call.frame, call.op, call.bridgeToken),
        this.settings.maxBytes,
        allocate,
      );
      const limit = this.settings.callTimeoutMs;
      const result =
        limit <= 0
          ? await returned
          : await Promise.race([
              returned,
              new Promise<never>((_, reject) => {
                timer = setTimeout(() => {
                  noteStuckThread();
                  reject((this.failure ??= stuckError(this.path, limit)));
                }, limit);
                timer.unref();
              }),
            ]);
      return this.settle(call.op, result);
    } finally {
      clearTimeout(timer);
      if (this.failure === undefined) {
        if (call.owned) release(call.frame);
        this.running = false;
        const next = this.queue.shift();
        if (next === undefined) this.idle?.();
        else this.runOnPool(next).then(next.resolve, next.reject);
      } else {
        for (const queued of this.queue.drain()) queued.reject(this.failure);
        this.idle?.();
      }
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
    const answer = answerInvoke(host, frame, invokeScope(bridge, this.runningOp), maxBytes, onHostError);
    if (!("pending" in answer)) return answer;
    return failInvoke(
      new TypeError(
        "the host handler returned a Promise, but a same-thread guest needs a synchronous answer (use the worker mode for async handlers)",
      ),
      answer.operation,
      onHostError,
    );
  }
}

/** The call of a frame in JavaScript memory, held by the caller while it runs. */
function frameCall(frame: Uint8Array, op: number, bridgeToken: number): GuestCall {
  return { address: frame.length === 0 ? 0 : addressOf(frame), length: frame.length, op, bridgeToken };
}
