/**
 * The worker mode: each guest runs on a worker thread (reused for another
 * guest once it is closed). The host thread batches calls (one message
 * carries every call made since the last one) and answers `invoke`s with the
 * host handler, sync or async, while the worker blocks on `Atomics.wait`.
 * Both sides wake each other through futexes (`Atomics.notify`) besides
 * messages: after sending calls, the host thread may sleep for a bounded
 * time (`workerWaitMicroseconds`) to take the results without an event-loop
 * wake-up; otherwise the event loop stays free. Two guests run in parallel;
 * calls into one guest run one at a time, in order.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { code } from "../codes.js";
import { AbiError } from "../errors.js";
import { Writer } from "../encoder.js";
import { encodeFrameInPlace } from "../frames.js";
import { release } from "../pool.js";
import { answerInvoke, type InvokeAnswer } from "./answer.js";
import { COUNTER_SLOTS, counterSlot } from "./bridge-tokens.js";
import { type CloseOptions, GuestCalls, stuckError } from "./guest.js";
import { Fifo } from "./fifo.js";
import type { InvokeScope } from "./invoke-scope.js";
import { copyOut, initError, loadError, settleCall, shutdownError, sortHandleResult } from "./outcome.js";
import type { GuestSettings } from "./settings.js";
import { noteStuckThread } from "./stuck-threads.js";
import {
  CALL_HEADER_BYTES,
  type FromWorker,
  type LoadMessage,
  MAX_REUSABLE_BUFFERS,
  PackedReader,
  PackedWriter,
  signal,
  SIGNAL_SLOTS,
  type ToWorker,
  type WorkerStart,
} from "./worker-protocol.js";

interface Pending {
  readonly op: number;
  readonly resolve: (bytes: Uint8Array) => void;
  readonly reject: (error: unknown) => void;
  /** Already rejected (`close({ force: true })`): its result is dropped when it comes. */
  cancelled: boolean;
}

/** Starts a worker thread: `worker.js` beside this module; from the TypeScript sources (tests), `worker.ts` through tsx. */
function spawnWorker(workerData: WorkerStart): Worker {
  const options = { workerData, transferList: [workerData.replyPort, workerData.toHost] };
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./worker.js", import.meta.url), options);
  const source = JSON.stringify(new URL("./worker.ts", import.meta.url).href);
  return new Worker(`import("tsx/esm/api").then(({ register }) => { register(); return import(${source}); });`, {
    ...options,
    eval: true,
  });
}

/**
 * One worker thread as the host thread sees it: the channels it keeps for
 * every guest it hosts, and the guest it hosts now, which its messages are
 * for (reports and token events name their guest: a closed guest's may
 * still come).
 */
class WorkerThread {
  readonly worker: Worker;
  /** Where `invoke` answers go. */
  readonly replyPort: MessagePort;
  /** Where the worker's messages arrive. */
  readonly fromWorker: MessagePort;
  /** Slot 0: 1 when the answer to the pending `invoke` is on `replyPort` (see `WorkerStart.invokeAnswered`). */
  readonly invokeAnswered: Int32Array;
  readonly signals: Int32Array;
  /** The guest it hosts now. */
  current: WorkerGuest | undefined;
  /** Every guest it hosted, by id, for the reports and token events that name them. */
  private readonly guests = new Map<number, WorkerGuest>();
  /** Why the thread cannot be used (it exited, or a guest never returned on it). */
  lost: Error | undefined;

  constructor() {
    const { port1: replyPort, port2: workerReplyPort } = new MessageChannel();
    const { port1: fromWorker, port2: toHost } = new MessageChannel();
    const invokeAnswered = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    const signals = new SharedArrayBuffer(SIGNAL_SLOTS * Int32Array.BYTES_PER_ELEMENT);
    this.worker = spawnWorker({ invokeAnswered, replyPort: workerReplyPort, toHost, signals });
    this.replyPort = replyPort;
    this.fromWorker = fromWorker;
    this.invokeAnswered = new Int32Array(invokeAnswered);
    this.signals = new Int32Array(signals);
    fromWorker.on("message", (message: FromWorker) => this.route(message));
    const lose = (error: Error) => {
      this.lost ??= error;
      this.current?.fail(error);
    };
    this.worker.on("error", lose);
    this.worker.on("exit", (exitCode) => lose(new Error(`the guest's worker thread exited (code ${exitCode})`)));
    this.keepAlive(false);
  }

  /** Hosts `guest` from now on. */
  host(guest: WorkerGuest, id: number): void {
    this.current = guest;
    this.guests.set(id, guest);
    Atomics.store(this.signals, signal.CANCELLED, 0);
  }

  /** Sends `message` (and `transfer`) to the worker and wakes it. */
  post(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer);
    Atomics.add(this.signals, signal.CALLS_POSTED, 1);
    Atomics.notify(this.signals, signal.CALLS_POSTED);
  }

  /** Handles one message of the worker; false when an `invoke` is left to an async handler. */
  route(message: FromWorker): boolean {
    if (message.type === "report" || message.type === "token") {
      this.guests.get(message.guestId)?.onNamedMessage(message);
      return true;
    }
    return this.current?.onMessage(message) ?? true;
  }

  /** Keeps the process alive while calls are pending (ref), or not (unref). */
  keepAlive(pending: boolean): void {
    if (pending) {
      this.worker.ref();
      this.fromWorker.ref();
    } else {
      this.worker.unref();
      this.fromWorker.unref();
    }
  }
}

/** Worker threads whose guest was closed, for the next guests: a worker is never terminated (see worker.ts `close`). */
const idleThreads: WorkerThread[] = [];

/**
 * Loads a guest on a worker thread (an idle one when there is one), which
 * calls `actr_init`; invokes made during `actr_init` are answered.
 * @throws AbiError as `loadGuest`.
 */
export async function startWorkerGuest(settings: GuestSettings): Promise<WorkerGuest> {
  let thread = idleThreads.pop();
  while (thread?.lost !== undefined) thread = idleThreads.pop();
  thread ??= new WorkerThread();
  const guest = new WorkerGuest(settings, thread);
  try {
    await guest.started;
  } catch (error) {
    if (thread.lost === undefined) idleThreads.push(thread);
    throw error;
  }
  return guest;
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

/**
 * The guest whose host handler is running (sync part or async), in the
 * handler's async context: a call it makes into that same guest while its
 * `invoke` waits would wait for the handler, which waits for the call.
 */
const handlerOf = new AsyncLocalStorage<HandlerScope>();

/** What `handlerOf` holds while a host handler of `guest` runs. */
interface HandlerScope {
  readonly guest: WorkerGuest;
  /** The handler returned a Promise: its `invoke` waits until it settles. */
  async: boolean;
  /** The handler's answer is taken (or dropped): calls into the guest are free again. */
  settled: boolean;
  /** Calls the handler made into its own guest before it returned: run once it returned synchronously, refused if it returned a Promise. */
  readonly deferred: { readonly run: () => void; readonly refuse: (error: Error) => void }[];
}

/** A guest driven on a worker thread. */
export class WorkerGuest extends GuestCalls {
  /** Resolves once `actr_init` succeeded; rejects with `loadGuest`'s error. */
  readonly started: Promise<void>;
  generation: 1 | 2 = 1;
  /** Calls sent or about to be sent, oldest first: results come back in this order. */
  private readonly pending = new Fifo<Pending>();
  /** Calls made since the last batch was sent. */
  private batch: PackedWriter | undefined;
  /** Calls in `batch` (made, not sent yet). */
  private unsent = 0;
  /** The size the next batch starts with: the last one's (batches of a steady load are alike), so it seldom grows. */
  private batchBytes = MIN_BATCH_BYTES;
  /** Batch buffers the worker gave back, for new batches. */
  private readonly reusableBatchBuffers: ArrayBuffer[] = [];
  /** Result buffers read, to give back with the next batch. */
  private readResults: ArrayBuffer[] = [];
  /**
   * Where typed calls encode their frames, which `run` then copies into the
   * batch (see `runPayload`); undefined while a frame is being encoded.
   */
  private writer: Writer | undefined = new Writer();
  private idle: (() => void) | undefined;
  /** Told the outcome of loading (`loaded`, `loadFailed`), then `actr_shutdown`'s return code (`closed`), or why the worker was lost. */
  private told: ((outcome: (FromWorker & { type: "loaded" | "loadFailed" | "closed" }) | Error) => void) | undefined;
  /** The guest's counters, by `counterSlot`, written by the worker. */
  private readonly counters = new Int32Array(new SharedArrayBuffer(COUNTER_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  /** Fires when the oldest pending call has been in the guest longer than `callTimeoutMs`. */
  private callTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: GuestSettings,
    private readonly thread: WorkerThread,
  ) {
    super(settings.maxQueuedCalls);
    const guestId = this.key;
    thread.host(this, guestId);
    this.started = new Promise<void>((resolve, reject) => {
      this.told = (message) => {
        if (message instanceof Error)
          return reject(loadError(settings.path, `its worker thread was lost: ${message.message}`));
        if (message.type === "loadFailed") return reject(loadError(settings.path, message.message));
        if (message.type !== "loaded") return;
        this.generation = message.generation;
        if (message.rc === code.SUCCESS) resolve();
        else reject(initError(settings.path, message.rc));
      };
    }).finally(() => thread.keepAlive(this.pending.length > 0));
    thread.keepAlive(true);
    const load: LoadMessage = {
      type: "load",
      guestId,
      path: settings.path,
      privateCopy: settings.privateCopy,
      init: settings.init,
      maxBytes: settings.maxBytes,
      maxOutstandingHostBuffers: settings.maxOutstandingHostBuffers,
      counters: this.counters.buffer as SharedArrayBuffer,
      traceTokens: settings.onBridgeToken !== undefined,
    };
    thread.post(load);
  }

  get path(): string {
    return this.settings.path;
  }

  get outstandingHostBuffers(): number {
    return Atomics.load(this.counters, counterSlot.HOST_BUFFERS);
  }

  get liveBridgeTokens(): number {
    return Atomics.load(this.counters, counterSlot.LIVE_TOKENS);
  }

  get replyAllocations(): number {
    return Atomics.load(this.counters, counterSlot.REPLY_ALLOCATIONS);
  }

  protected run(frame: Uint8Array, op: number, owned: boolean, bridgeToken: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const scope = handlerOf.getStore();
      if (scope?.guest === this && !scope.settled) {
        // A call from this guest's own handler: it waits (deferred) until the handler returned, and is refused if the handler is async.
        const copy = frame.slice();
        if (owned) release(frame);
        scope.deferred.push({
          run: () =>
            this.failure !== undefined ? reject(this.failure) : this.append(copy, op, bridgeToken, resolve, reject),
          refuse: reject,
        });
        return;
      }
      this.append(frame, op, bridgeToken, resolve, reject);
      if (owned) release(frame); // copied into the batch
    });
  }

  /** Appends a call to the batch being made (starting one), and sends the batch early when it is large. */
  private append(
    frame: Uint8Array,
    op: number,
    bridgeToken: number,
    resolve: (bytes: Uint8Array) => void,
    reject: (error: unknown) => void,
  ): void {
    if (this.batch === undefined) {
      this.batch = new PackedWriter(
        Math.max(this.batchBytes, frame.length + CALL_HEADER_BYTES),
        this.reusableBatchBuffers.pop(),
      );
      queueMicrotask(() => this.sendBatch());
    }
    this.batch.appendCall(op, frame, bridgeToken);
    this.unsent++;
    if (this.pending.length === 0) this.thread.keepAlive(true);
    this.pending.push({ op, resolve, reject, cancelled: false });
    if (this.unsent >= EARLY_SEND_CALLS || this.batch.length >= EARLY_SEND_BYTES) this.sendBatch();
  }

  /** An async handler of this guest, while its `invoke` waits, may not call into the same guest (it would wait for itself). */
  protected override refusal(): Error | undefined {
    const scope = handlerOf.getStore();
    if (scope?.guest !== this || !scope.async || scope.settled) return undefined;
    return reentryError(this.path);
  }

  /**
   * A typed call's frame is encoded into this guest's own writer and copied
   * from there into the batch: no pooled memory to take and give back. A
   * call made while a frame is being encoded (from a getter of the payload,
   * say) is encoded into pooled memory, as `GuestCalls.runPayload` does.
   */
  protected override runPayload<Desc extends DescMessage>(
    op: number,
    schema: Desc,
    payload: MessageShape<Desc>,
    bridgeToken: number,
  ): Promise<Uint8Array> {
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
   * Refuses new calls, waits for the pending ones (with `force`, rejects
   * those not yet inside the guest), then has the worker shut the guest
   * down. The worker is never terminated: the guest's callbacks live on its
   * thread, and a thread of the guest's may still call them (they answer
   * GENERIC_ERROR from now on); it waits for the next guest, holding the
   * process open no longer.
   */
  async close(options?: CloseOptions): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (options?.force === true) this.cancelQueued();
    if (this.pending.length > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    if (this.failure !== undefined) return;
    const thread = this.thread;
    thread.keepAlive(true);
    const rc = await new Promise<number>((resolve, reject) => {
      this.told = (message) => {
        if (message instanceof Error) reject(message);
        else if (message.type === "closed") resolve(message.rc);
      };
      thread.post({ type: "close" });
    });
    thread.keepAlive(false);
    thread.current = undefined;
    if (thread.lost === undefined) idleThreads.push(thread);
    if (rc !== code.SUCCESS) throw shutdownError(this.path, rc);
  }

  /** `close({ force: true })`: rejects every pending call but the oldest (the one inside the guest), and has the worker skip them. */
  private cancelQueued(): void {
    const error = new AbiError(
      code.GENERIC_ERROR,
      `the guest ${this.path} was closed with force before this call entered it`,
    );
    let first = true;
    for (const call of this.pending.drain()) {
      if (!first && !call.cancelled) {
        call.cancelled = true;
        call.reject(error);
      }
      first = false;
      this.pending.push(call);
    }
    // The batch not sent yet is sent as it is, and the worker skips its calls too.
    Atomics.store(this.thread.signals, signal.CANCELLED, 1);
  }

  /** Sends the calls made since the last batch, if any (early, or at the end of the task that made them). */
  private sendBatch(): void {
    const batch = this.batch;
    if (batch === undefined) return;
    this.batch = undefined;
    this.batchBytes = Math.max(MIN_BATCH_BYTES, batch.length);
    this.unsent = 0;
    const returnedResults = this.readResults;
    this.readResults = [];
    this.thread.post({ type: "calls", buffer: batch.buffer, length: batch.length, returnedBuffers: returnedResults }, [
      batch.buffer,
      ...returnedResults,
    ]);
    this.watchCalls();
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
    const { fromWorker, signals } = this.thread;
    const deadline = performance.now() + budget / 1000;
    while (this.pending.length > this.unsent && this.failure === undefined) {
      const seen = Atomics.load(signals, signal.TO_HOST_POSTED);
      const next = receiveMessageOnPort(fromWorker);
      if (next !== undefined) {
        if (!this.thread.route(next.message as FromWorker)) return;
        continue;
      }
      const left = deadline - performance.now();
      if (left <= 0 || Atomics.wait(signals, signal.TO_HOST_POSTED, seen, left) === "timed-out") return;
    }
  }

  /** Handles one message of the worker for the guest it hosts; false when an `invoke` is left to an async handler. */
  onMessage(message: FromWorker): boolean {
    switch (message.type) {
      case "invoke":
        return this.answerInvoke(message.frame, message.scope);
      case "results":
        this.settle(new PackedReader(message.buffer, message.length));
        // Every result was copied out (settleCall): the buffer can be written again.
        if (this.readResults.length < MAX_REUSABLE_BUFFERS) this.readResults.push(message.buffer);
        for (const buffer of message.returnedBuffers)
          if (this.reusableBatchBuffers.length < MAX_REUSABLE_BUFFERS) this.reusableBatchBuffers.push(buffer);
        return true;
      case "loaded":
      case "loadFailed":
      case "closed":
        this.told?.(message);
        return true;
      default:
        this.fail(new Error(`worker protocol: unexpected ${message.type} message`));
        return false;
    }
  }

  /** Handles a message that names this guest: a report, a token event. */
  onNamedMessage(message: FromWorker & { type: "report" | "token" }): void {
    if (message.type === "report") this.settings.onHostError(new AbiError(message.status, message.message), undefined);
    else this.settings.onBridgeToken?.(message.event);
  }

  private settle(results: PackedReader): void {
    const { maxBytes } = this.settings;
    while (!results.done) {
      const { rc, reply, replyLength, nullReply } = results.result();
      const call = this.pending.shift()!;
      if (call.cancelled) continue;
      try {
        // The payload is a view into the results buffer, which is written again: copied out.
        call.resolve(copyOut(settleCall(call.op, sortHandleResult({ rc, reply, replyLength, nullReply }), maxBytes)));
      } catch (error) {
        call.reject(error);
      }
    }
    this.watchCalls(true);
    if (this.pending.length === 0) {
      this.thread.keepAlive(false);
      this.idle?.();
    }
  }

  /**
   * Keeps one timer on the oldest pending call (`callTimeoutMs`): started
   * when calls are sent, restarted when results come (`progress`), cleared
   * when none is pending.
   */
  private watchCalls(progress = false): void {
    const limit = this.settings.callTimeoutMs;
    if (limit <= 0) return;
    if (this.pending.length === 0) {
      clearTimeout(this.callTimer);
      this.callTimer = undefined;
      return;
    }
    if (this.callTimer !== undefined && !progress) return;
    clearTimeout(this.callTimer);
    this.callTimer = setTimeout(() => {
      this.callTimer = undefined;
      if (this.pending.length > 0) {
        this.thread.lost = stuckError(this.path, limit);
        noteStuckThread();
        this.fail(this.thread.lost);
      }
    }, limit);
    this.callTimer.unref();
  }

  /** Answers an `invoke`; false when the answer is left to an async handler. */
  private answerInvoke(frame: Uint8Array, scope: InvokeScope): boolean {
    const { host, maxBytes, onHostError } = this.settings;
    const handler: HandlerScope = { guest: this, async: false, settled: false, deferred: [] };
    let answer: ReturnType<typeof answerInvoke>;
    try {
      answer = handlerOf.run(handler, () => answerInvoke(host, frame, scope, maxBytes, onHostError));
    } catch (error) {
      // The worker is blocked until it gets an answer: never leave it without one.
      onHostError(error instanceof Error ? error : new Error(String(error)), undefined);
      answer = { rc: code.GENERIC_ERROR };
    }
    if (!("pending" in answer)) {
      handler.settled = true;
      this.sendAnswer(answer);
      for (const call of handler.deferred) call.run();
      return true;
    }
    // An async handler: the calls it made into this guest would wait for it, and it for them.
    handler.async = true;
    for (const call of handler.deferred) call.refuse(reentryError(this.path));
    this.awaitAnswer(answer.pending, answer.operation.kind, handler);
    return false;
  }

  /** Waits for an async handler's answer, at most `invokeTimeoutMs`; then the guest gets GENERIC_ERROR and the late answer is dropped. */
  private awaitAnswer(pending: Promise<InvokeAnswer>, kind: string, handler: { settled: boolean }): void {
    const limit = this.settings.invokeTimeoutMs;
    let answered = false;
    const timer =
      limit > 0
        ? setTimeout(() => {
            answered = true;
            this.settings.onHostError(
              new AbiError(
                code.GENERIC_ERROR,
                `the host handler did not answer a ${kind} within invokeTimeoutMs (${limit} ms): the guest was answered GENERIC_ERROR`,
              ),
              undefined,
            );
            this.sendAnswer({ rc: code.GENERIC_ERROR });
          }, limit)
        : undefined;
    void pending.then((settled) => {
      handler.settled = true;
      clearTimeout(timer);
      if (answered) {
        this.settings.onHostError(
          new AbiError(
            code.GENERIC_ERROR,
            `the host handler answered a ${kind} after invokeTimeoutMs (${limit} ms): its answer was dropped`,
          ),
          undefined,
        );
        return;
      }
      answered = true;
      this.sendAnswer(settled);
    });
  }

  /** Hands the answer to the worker blocked in `invoke` and wakes it. */
  private sendAnswer(answer: InvokeAnswer): void {
    const { replyPort, invokeAnswered } = this.thread;
    // The reply is a view into a reused buffer: post an exact copy, transferred.
    const reply = answer.reply?.slice();
    replyPort.postMessage({ rc: answer.rc, reply }, reply === undefined ? [] : [reply.buffer]);
    Atomics.store(invokeAnswered, 0, 1);
    Atomics.notify(invokeAnswered, 0);
  }

  /** The guest can no longer be called: every pending call rejects with `error`, and so will later ones. */
  fail(error: Error): void {
    this.failure ??= error;
    this.told?.(error);
    clearTimeout(this.callTimer);
    for (const call of this.pending.drain()) if (!call.cancelled) call.reject(error);
    this.thread.keepAlive(false);
    this.idle?.();
  }
}

/** The error of a call an async host handler makes into its own guest while that guest waits for it in `invoke`. */
function reentryError(path: string): AbiError {
  return new AbiError(
    code.GENERIC_ERROR,
    `a host handler of the guest ${path} called into the same guest while the guest waits for that handler in invoke: the call would wait for the handler, and the handler for the call; refused`,
  );
}
