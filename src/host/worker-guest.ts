/**
 * The worker mode: each guest runs on a worker thread of its own. The host
 * thread batches calls (one message carries every call made since the last
 * one) and answers `invoke`s with the host handler, sync or async, while the
 * worker blocks on `Atomics.wait`. Both sides wake each other through
 * futexes (`Atomics.notify`) besides messages: after sending calls, the host
 * thread may sleep for a bounded time (`workerWaitMicroseconds`) to take the
 * results without an event-loop wake-up; otherwise the event loop stays
 * free. Two guests run in parallel; calls into one guest run one at a time,
 * in order.
 *
 * @module
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { code } from "../codes.js";
import { AbiError } from "../errors.js";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { Writer } from "../encoder.js";
import { encodeFrameInPlace } from "../frames.js";
import { release } from "../pool.js";
import { failInvoke, finishInvoke, type HostErrorListener, type HostHandler, type InvokeAnswer, startInvoke } from "./answer.js";
import { Fifo } from "./fifo.js";
import { closedError, GuestCalls } from "./guest.js";
import { type BridgeTokenListener, COUNTER_SLOTS, counterSlot } from "./bridge-tokens.js";
import type { InvokeScope } from "./invoke-scope.js";
import { copyOut, initError, readReply, settleCall, shutdownError } from "./outcome.js";
import {
  CALL_HEADER_BYTES,
  type CloseMessage,
  type FromWorker,
  PackedReader,
  PackedWriter,
  signal,
  SPARE_BUFFERS,
  type WorkerStart,
  type WorkerStarted,
} from "./worker-protocol.js";

/** What the worker mode needs to load a guest. */
export interface WorkerSettings {
  readonly path: string;
  readonly init: Uint8Array;
  readonly host: HostHandler;
  readonly maxBytes: number;
  readonly onHostError: HostErrorListener;
  readonly onBridgeToken: BridgeTokenListener | undefined;
  /** How long the calling thread may block waiting for the worker after sending calls (see `LoadGuestOptions.workerWaitMicroseconds`). */
  readonly workerWaitMicroseconds: number;
}

interface Pending {
  readonly op: number;
  readonly resolve: (bytes: Uint8Array) => void;
  readonly reject: (error: unknown) => void;
}

/** Starts the worker thread: `worker.js` beside this module; from the TypeScript sources (tests), `worker.ts` through tsx. */
function spawnWorker(workerData: WorkerStart): Worker {
  const options = { workerData, transferList: [workerData.replyPort, workerData.toHost] };
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./worker.js", import.meta.url), options);
  const source = JSON.stringify(new URL("./worker.ts", import.meta.url).href);
  return new Worker(`import("tsx/esm/api").then(({ register }) => { register(); return import(${source}); });`, { ...options, eval: true });
}

/**
 * Starts the worker, which loads the guest and calls `actr_init`.
 * @throws AbiError as `loadGuest`.
 */
export async function startWorkerGuest(settings: WorkerSettings): Promise<WorkerGuest> {
  const { port1: replyPort, port2: workerReplyPort } = new MessageChannel();
  const { port1: fromWorker, port2: toHost } = new MessageChannel();
  const control = new SharedArrayBuffer(4);
  const counters = new SharedArrayBuffer(COUNTER_SLOTS * Int32Array.BYTES_PER_ELEMENT);
  const signals = new SharedArrayBuffer(8);
  const start: WorkerStart = {
    path: settings.path,
    init: settings.init,
    maxBytes: settings.maxBytes,
    traceTokens: settings.onBridgeToken !== undefined,
    control,
    counters,
    replyPort: workerReplyPort,
    toHost,
    signals,
  };
  const worker = spawnWorker(start);
  const first = await firstMessage(worker).catch((error: unknown) => {
    throw new AbiError(code.INIT_FAILED, `cannot start the worker thread for ${settings.path}: ${error instanceof Error ? error.message : String(error)}`, {}, { cause: error });
  });
  if (first.type === "loadFailed") {
    await worker.terminate();
    throw new AbiError(code.INIT_FAILED, `cannot load the guest library ${settings.path}: ${first.message}`);
  }
  if (first.rc !== code.SUCCESS) {
    await worker.terminate();
    throw initError(settings.path, first.rc);
  }
  return new WorkerGuest(settings, first.generation, worker, {
    replyPort,
    fromWorker,
    control: new Int32Array(control),
    counters: new Int32Array(counters),
    signals: new Int32Array(signals),
  });
}

/** The worker's first message (ready or loadFailed), or why it stopped before sending one. */
function firstMessage(worker: Worker): Promise<WorkerStarted> {
  return new Promise<WorkerStarted>((resolve, reject) => {
    const onExit = (exitCode: number) => done(new Error(`it exited with code ${exitCode}`));
    const done = (outcome: WorkerStarted | Error) => {
      worker.off("message", done).off("error", done).off("exit", onExit);
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    worker.on("message", done).on("error", done).on("exit", onExit);
  });
}

/** The smallest buffer a batch of calls starts with. */
const MIN_BATCH_BYTES = 4096;
/**
 * A batch is sent as soon as it holds this many calls (or `EARLY_SEND_BYTES`
 * of frames), without waiting for the end of the current task: the worker
 * then runs the first calls while this thread is still encoding the next.
 */
const EARLY_SEND_CALLS = 16;
const EARLY_SEND_BYTES = 64 * 1024;

/** The host thread's ends of what it shares with the worker (see `WorkerStart`). */
interface WorkerChannel {
  /** Where `invoke` answers go. */
  readonly replyPort: MessagePort;
  /** Where the worker's `invoke`, `results` and `report` messages arrive. */
  readonly fromWorker: MessagePort;
  readonly control: Int32Array;
  readonly counters: Int32Array;
  readonly signals: Int32Array;
}

/** A guest driven on its own worker thread. */
export class WorkerGuest extends GuestCalls {
  /** Calls sent or about to be sent, oldest first: results come back in this order. */
  private readonly pending = new Fifo<Pending>();
  /** Calls made since the last batch was sent. */
  private batch: PackedWriter | undefined;
  /** Calls in `batch` (made, not sent yet). */
  private unsent = 0;
  /** The size the next batch starts with: the last one's (batches of a steady load are alike), so it seldom grows. */
  private batchBytes = MIN_BATCH_BYTES;
  /** Batch buffers the worker gave back, for new batches. */
  private readonly spareBatches: ArrayBuffer[] = [];
  /** Result buffers read, to give back with the next batch. */
  private readResults: ArrayBuffer[] = [];
  /**
   * Where typed calls encode their frames, which `run` then copies into the
   * batch (see `runPayload`); undefined while a frame is being encoded.
   */
  private writer: Writer | undefined = new Writer();
  private closed = false;
  private failure: Error | undefined;
  private idle: (() => void) | undefined;
  /** Told `actr_shutdown`'s return code by the worker's `closed` message (see `close`). */
  private shutDown: ((rc: number) => void) | undefined;
  private readonly onExit = (exitCode: number) => this.fail(new Error(`the guest's worker thread exited (code ${exitCode})`));

  constructor(
    private readonly settings: WorkerSettings,
    readonly generation: 1 | 2,
    private readonly worker: Worker,
    private readonly channel: WorkerChannel,
  ) {
    super();
    channel.fromWorker.on("message", (message: FromWorker) => this.onMessage(message));
    channel.fromWorker.unref();
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", this.onExit);
    worker.unref();
  }

  get path(): string {
    return this.settings.path;
  }

  get outstandingHostBuffers(): number {
    return Atomics.load(this.channel.counters, counterSlot.HOST_BUFFERS);
  }

  get liveBridgeTokens(): number {
    return Atomics.load(this.channel.counters, counterSlot.LIVE_TOKENS);
  }

  protected run(frame: Uint8Array, op: number, owned: boolean, bridgeToken: number): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(closedError(this.path));
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      if (this.batch === undefined) {
        this.batch = new PackedWriter(Math.max(this.batchBytes, frame.length + CALL_HEADER_BYTES), this.spareBatches.pop());
        queueMicrotask(() => this.sendBatch());
      }
      this.batch.appendCall(op, frame, bridgeToken);
      if (owned) release(frame); // copied into the batch
      this.unsent++;
      if (this.pending.length === 0) this.keepAlive(true);
      this.pending.push({ op, resolve, reject });
      if (this.unsent >= EARLY_SEND_CALLS || this.batch.length >= EARLY_SEND_BYTES) this.sendBatch();
    });
  }

  /**
   * A typed call's frame is encoded into this guest's own writer and copied
   * from there into the batch: no pooled memory to take and give back. A
   * call made while a frame is being encoded (from a getter of the payload,
   * say) is encoded into pooled memory, as `GuestCalls.runPayload` does.
   */
  protected override runPayload<Desc extends DescMessage>(op: number, schema: Desc, payload: MessageShape<Desc>, bridgeToken: number): Promise<Uint8Array> {
    const w = this.writer;
    if (w === undefined) return super.runPayload(op, schema, payload, bridgeToken);
    this.writer = undefined;
    try {
      encodeFrameInPlace(schema, payload, w);
    } catch (error) {
      return Promise.reject(error);
    } finally {
      this.writer = w;
    }
    // `run` copies the frame into the batch before it returns: the writer may be used again.
    return this.run(w.buf.subarray(w.start, w.end), op, false, bridgeToken);
  }

  /**
   * Refuses new calls, waits for the pending ones, then has the worker shut
   * the guest down. The worker is never terminated: the guest's callbacks
   * live on its thread, and a thread of the guest's may still call them (they
   * answer GENERIC_ERROR from now on); it stays idle, holding the process
   * open no longer.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pending.length > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    if (this.failure !== undefined) return;
    this.keepAlive(true);
    const rc = await new Promise<number>((resolve) => {
      this.shutDown = resolve;
      const message: CloseMessage = { type: "close" };
      this.worker.postMessage(message);
      Atomics.add(this.channel.signals, signal.CALLS_POSTED, 1);
      Atomics.notify(this.channel.signals, signal.CALLS_POSTED);
    });
    this.keepAlive(false);
    if (rc !== code.SUCCESS) throw shutdownError(this.path, rc);
  }

  /** Sends the calls made since the last batch, if any (early, or at the end of the task that made them). */
  private sendBatch(): void {
    const batch = this.batch;
    if (batch === undefined) return;
    this.batch = undefined;
    this.batchBytes = Math.max(MIN_BATCH_BYTES, batch.length);
    this.unsent = 0;
    const spare = this.readResults;
    this.readResults = [];
    this.worker.postMessage({ type: "calls", buffer: batch.buffer, length: batch.length, spare }, [batch.buffer, ...spare]);
    const { signals } = this.channel;
    Atomics.add(signals, signal.CALLS_POSTED, 1);
    Atomics.notify(signals, signal.CALLS_POSTED);
    this.waitForWorker();
  }

  /**
   * Blocks this thread (`Atomics.wait`, no spinning) for at most
   * `workerWaitMicroseconds`, taking the worker's messages as they come:
   * results, and `invoke`s the handler answers synchronously. A short guest
   * call is then settled without waiting for the event loop to wake up,
   * which costs tens of microseconds per message. Returns early when every
   * call sent is settled (calls a handler made meanwhile go in the next
   * batch), or when an async handler leaves the worker waiting.
   */
  private waitForWorker(): void {
    const budget = this.settings.workerWaitMicroseconds;
    if (budget <= 0) return;
    const { fromWorker, signals } = this.channel;
    const deadline = performance.now() + budget / 1000;
    while (this.pending.length > this.unsent && this.failure === undefined) {
      const seen = Atomics.load(signals, signal.TO_HOST_POSTED);
      const next = receiveMessageOnPort(fromWorker);
      if (next !== undefined) {
        if (!this.onMessage(next.message as FromWorker)) return;
        continue;
      }
      const left = deadline - performance.now();
      if (left <= 0 || Atomics.wait(signals, signal.TO_HOST_POSTED, seen, left) === "timed-out") return;
    }
  }

  /** Handles one message of the worker; false when an `invoke` is left to an async handler. */
  private onMessage(message: FromWorker): boolean {
    switch (message.type) {
      case "invoke":
        return this.answerInvoke(message.frame, message.scope);
      case "closed":
        this.shutDown?.(message.rc);
        return true;
      case "token":
        this.settings.onBridgeToken?.(message.event);
        return true;
      case "results":
        this.settle(new PackedReader(message.buffer, message.length));
        // Every result was copied out (settleCall): the buffer can be written again.
        if (this.readResults.length < SPARE_BUFFERS) this.readResults.push(message.buffer);
        for (const buffer of message.spare) if (this.spareBatches.length < SPARE_BUFFERS) this.spareBatches.push(buffer);
        return true;
      case "report":
        this.settings.onHostError(new AbiError(code.GENERIC_ERROR, message.message), undefined);
        return true;
      default:
        this.fail(new Error(`worker protocol: unexpected ${(message as { type: string }).type} message`));
        return false;
    }
  }

  /** Keeps the process alive while calls are pending (ref), or not (unref). */
  private keepAlive(pending: boolean): void {
    if (pending) {
      this.worker.ref();
      this.channel.fromWorker.ref();
    } else {
      this.worker.unref();
      this.channel.fromWorker.unref();
    }
  }

  private settle(results: PackedReader): void {
    const { maxBytes } = this.settings;
    while (!results.done) {
      const { rc, reply, replyLength } = results.result();
      const call = this.pending.shift()!;
      try {
        // The payload is a view into the results buffer, which is written again: copied out.
        call.resolve(copyOut(settleCall(call.op, readReply(rc, reply, replyLength), maxBytes)));
      } catch (error) {
        call.reject(error);
      }
    }
    if (this.pending.length === 0) {
      this.keepAlive(false);
      this.idle?.();
    }
  }

  /** Answers an `invoke`; false when the answer is left to an async handler. */
  private answerInvoke(frame: Uint8Array, scope: InvokeScope): boolean {
    try {
      return this.startAnswer(frame, scope);
    } catch (error) {
      // The worker is blocked until it gets an answer: never leave it without one.
      this.settings.onHostError(error instanceof Error ? error : new Error(String(error)), undefined);
      this.sendAnswer({ rc: code.GENERIC_ERROR });
      return true;
    }
  }

  private startAnswer(frame: Uint8Array, scope: InvokeScope): boolean {
    const { host, maxBytes, onHostError } = this.settings;
    const start = startInvoke(frame, maxBytes, scope, onHostError);
    if ("answer" in start) return this.sendAnswer(start.answer);
    const { operation } = start;
    let result;
    try {
      result = host(operation, scope.origin);
    } catch (error) {
      return this.sendAnswer(failInvoke(error, operation, onHostError));
    }
    if (!(result instanceof Promise)) return this.sendAnswer(finishInvoke(result, operation, onHostError));
    result.then(
      (settled) => this.sendAnswer(finishInvoke(settled, operation, onHostError)),
      (error: unknown) => this.sendAnswer(failInvoke(error, operation, onHostError)),
    );
    return false;
  }

  /** Hands the answer to the worker blocked in `invoke` and wakes it. Returns true (answered). */
  private sendAnswer(answer: InvokeAnswer): true {
    const { replyPort, control } = this.channel;
    // The reply is a view into a reused buffer: post an exact copy, transferred.
    const reply = answer.reply?.slice();
    replyPort.postMessage({ rc: answer.rc, reply }, reply === undefined ? [] : [reply.buffer]);
    Atomics.store(control, 0, 1);
    Atomics.notify(control, 0);
    return true;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const call of this.pending.drain()) call.reject(error);
    this.keepAlive(false);
    this.idle?.();
  }
}
