/**
 * The worker thread of the worker mode. It hosts one guest at a time (and
 * the next once that one is closed): it loads the guest, owns its
 * callbacks, runs the batches of calls the host sends back to back, blocks
 * in `invoke` (on `Atomics.wait`) while the host thread answers, and
 * between batches waits briefly on `Atomics.wait`, then sleeps in its event
 * loop. A generation-1 guest runs on this thread; a generation-2 guest runs
 * each call on a libuv pool thread, so that this thread's event loop answers
 * the `invoke`s of the guest's own threads at any time.
 *
 * @module
 */
import { receiveMessageOnPort, parentPort, workerData } from "node:worker_threads";
import { code } from "../codes.js";
import { invokeScope } from "./invoke-scope.js";
import { type GuestCall, type InvokeBridge, NativeGuest } from "./native.js";
import { addressOf } from "./native-memory.js";
import { removePrivateCopy } from "./private-copy.js";
import type { CallsMessage, FromWorker, LoadMessage, ToWorker, WorkerStart } from "./worker-protocol.js";
import { MAX_REUSABLE_BUFFERS, PackedReader, PackedWriter, signal } from "./worker-protocol.js";

const start = workerData as WorkerStart;
const port = parentPort!;
const invokeAnswered = new Int32Array(start.invokeAnswered);
const signals = new Int32Array(start.signals);

/** The guest this worker hosts, and what it was loaded with; undefined between guests. */
let hosted: { readonly guest: NativeGuest; readonly load: LoadMessage } | undefined;
/** The op of the call inside the guest, 0 when none (tells a generation-1 `invoke` where it is). */
let runningOp = 0;

/** Posts to the host thread, and wakes it if it is waiting for this worker (see `WorkerGuest.waitForWorker`). */
function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  start.toHost.postMessage(message, transfer);
  Atomics.add(signals, signal.TO_HOST_POSTED, 1);
  Atomics.notify(signals, signal.TO_HOST_POSTED);
}

/**
 * Asks the host thread to answer `frame`, and blocks until it has. Runs on
 * this thread whichever thread of the guest called `invoke`: koffi queues a
 * call from another thread to this thread's event loop (see `serve`).
 */
function invokeOnHost(frame: Uint8Array, bridge: InvokeBridge | undefined): { rc: number; reply?: Uint8Array } {
  // `frame` may be a view into a shared slab: send an exact copy, transferred.
  const copy = frame.slice();
  post({ type: "invoke", frame: copy, scope: invokeScope(bridge, runningOp) }, [copy.buffer]);
  for (;;) {
    Atomics.wait(invokeAnswered, 0, 0);
    const answer = receiveMessageOnPort(start.replyPort);
    if (answer !== undefined) {
      Atomics.store(invokeAnswered, 0, 0);
      return answer.message as { rc: number; reply?: Uint8Array };
    }
  }
}

/** Loads the guest `load` names and calls its `actr_init`; tells the host how it went. */
function loadGuest(load: LoadMessage): void {
  const { guestId, path } = load;
  let guest: NativeGuest;
  try {
    guest = new NativeGuest(
      path,
      guestId,
      new Int32Array(load.counters),
      load,
      (message, status) => post({ type: "report", guestId, message, status }),
      () => load.privateCopy && removePrivateCopy(path),
      load.traceTokens ? (event) => post({ type: "token", guestId, event }) : undefined,
    );
  } catch (error) {
    post({ type: "loadFailed", guestId, message: error instanceof Error ? error.message : String(error) });
    return;
  }
  hosted = { guest, load };
  let rc: number;
  try {
    rc = guest.initialize(load.init, invokeOnHost);
  } catch (error) {
    hosted = undefined;
    post({ type: "loadFailed", guestId, message: error instanceof Error ? error.message : String(error) });
    return;
  }
  if (rc !== code.SUCCESS) hosted = undefined;
  post({ type: "loaded", guestId, rc, generation: guest.generation });
}

/** Result buffers the host gave back, for new results. */
const reusableResultBuffers: ArrayBuffer[] = [];

/** The calls of a batch, each frame handed to the guest where it is in the batch buffer. */
function* callsOf(batch: CallsMessage): Generator<GuestCall> {
  const calls = new PackedReader(batch.buffer, batch.length);
  const base = addressOf(new Uint8Array(batch.buffer));
  while (!calls.done) {
    const op = calls.word();
    const length = calls.word();
    const bridgeToken = calls.float();
    yield { address: length === 0 ? 0 : base + calls.skip(length), length, op, bridgeToken };
  }
}

/** Takes the buffers the host gave back with `batch`. */
function keepReturnedResultBuffers(batch: CallsMessage): void {
  for (const buffer of batch.returnedBuffers)
    if (reusableResultBuffers.length < MAX_REUSABLE_BUFFERS) reusableResultBuffers.push(buffer);
}

/** The result of a call the host cancelled (`close({ force: true })`): the guest is not entered. */
const CANCELLED_RESULT = { rc: code.GENERIC_ERROR, reply: undefined, replyLength: 0 } as const;

/** True while the calls sent are cancelled. */
const cancelled = () => Atomics.load(signals, signal.CANCELLED) === 1;

/**
 * Runs every call of a batch on this thread, copying each reply straight
 * into `results` (the host thread decodes them), and adds the batch's
 * buffer to `returnedBatches` (to give back to the host) once it is read.
 */
function runBatch(
  guest: NativeGuest,
  maxBytes: number,
  batch: CallsMessage,
  results: PackedWriter,
  returnedBatches: ArrayBuffer[],
): void {
  keepReturnedResultBuffers(batch);
  for (const call of callsOf(batch)) {
    runningOp = call.op;
    const at = results.startResult();
    results.endResult(at, cancelled() ? CANCELLED_RESULT : guest.callAt(call, maxBytes, results.replyMemory));
    runningOp = 0;
  }
  if (returnedBatches.length < MAX_REUSABLE_BUFFERS) returnedBatches.push(batch.buffer);
}

/**
 * `runBatch` for a generation-2 guest: each call runs on a libuv pool
 * thread (`NativeGuest.callAtAsync`), so that this thread's event loop
 * answers every `invoke` meanwhile, from whichever thread of the guest's
 * (a handler may wait for a task of its own that calls the host).
 */
async function runBatchOnPool(
  guest: NativeGuest,
  maxBytes: number,
  batch: CallsMessage,
  results: PackedWriter,
  returnedBatches: ArrayBuffer[],
): Promise<void> {
  keepReturnedResultBuffers(batch);
  for (const call of callsOf(batch)) {
    const at = results.startResult();
    results.endResult(
      at,
      cancelled() ? CANCELLED_RESULT : await turningWhile(guest.callAtAsync(call, maxBytes, results.replyMemory)),
    );
  }
  if (returnedBatches.length < MAX_REUSABLE_BUFFERS) returnedBatches.push(batch.buffer);
}

/**
 * How long, at most, the worker keeps turning its event loop without
 * sleeping while a call runs on the pool (`turningWhile`). The thread is
 * the guest's own; the CPU it burns buys each `invoke`, retain and release
 * of the guest, and the end of the call, a loop turn of a few microseconds
 * instead of a wake-up from sleep (tens of microseconds each).
 */
const TURN_WHILE_CALLING_MS = 1;

/** `returned`, with this thread's event loop kept turning (not sleeping) until it settles, for up to `TURN_WHILE_CALLING_MS`. */
function turningWhile<T>(returned: Promise<T>): Promise<T> {
  let settled = false;
  const until = performance.now() + TURN_WHILE_CALLING_MS;
  const turn = () => {
    if (!settled && performance.now() < until) setImmediate(turn);
  };
  setImmediate(turn);
  return returned.finally(() => (settled = true));
}

/** The smallest buffer a batch of results starts with. */
const MIN_RESULTS_BYTES = 4096;
/** The size the next results start with: the last ones' (a steady load's batches are alike), so they seldom grow. */
let resultsBytes = MIN_RESULTS_BYTES;

/** Posts the results of the batches run, with the batch buffers to give back. */
function postResults(results: PackedWriter, returnedBatches: ArrayBuffer[]): void {
  resultsBytes = Math.max(MIN_RESULTS_BYTES, results.length);
  post({ type: "results", buffer: results.buffer, length: results.length, returnedBuffers: returnedBatches }, [
    results.buffer,
    ...returnedBatches,
  ]);
}

/**
 * Runs the batches of a generation-2 guest (`runBatchOnPool`): `first`,
 * then those posted meanwhile, and posts their results in one message.
 */
async function serveOnPool(guest: NativeGuest, maxBytes: number, first: CallsMessage): Promise<void> {
  const results = new PackedWriter(resultsBytes, reusableResultBuffers.pop());
  const returnedBatches: ArrayBuffer[] = [];
  for (let batch: CallsMessage | undefined = first; batch !== undefined; batch = nextCalls()) {
    await runBatchOnPool(guest, maxBytes, batch, results, returnedBatches);
  }
  postResults(results, returnedBatches);
}

/** The next message, if it is a batch of calls (calls are never posted behind a `load` or `close`). */
function nextCalls(): CallsMessage | undefined {
  return receiveMessageOnPort(port)?.message as CallsMessage | undefined;
}

/**
 * How long the worker waits for the next batch on `Atomics.wait` (a wake-up
 * of a few microseconds) before it goes back to its event loop to sleep
 * (a wake-up of tens of microseconds). Calls that follow each other closer
 * than this take the fast wake-up; an `invoke` from a thread of the guest's
 * own waits at most this long while the worker is idle.
 */
const WAIT_FOR_CALLS_MS = 1;
/**
 * How often, at most, a busy worker returns to its event loop, so that the
 * `invoke`s of the guest's own threads and the tasks Node and V8 post to it
 * (garbage-collection steps, finalizers) run.
 */
const YIELD_MS = 10;

/** Keeps the worker alive while it sleeps in `Atomics.waitAsync`, which holds no reference to the event loop. */
setInterval(() => {}, 1 << 30);

/**
 * The worker's life: it takes what the host posts (each post bumps
 * `signals[CALLS_POSTED]`): a guest to load, batches of calls, which it
 * runs back to back, and the close of the guest. Between them it blocks on
 * `Atomics.wait` for up to `WAIT_FOR_CALLS_MS`, as a futex wake-up costs far
 * less than an event-loop one; then it sleeps in its event loop
 * (`Atomics.waitAsync`), where the `invoke`s of the guest's own threads
 * reach it. Calls queued while a batch runs go in the same reply: the host
 * is woken once.
 */
function serve(): void {
  const yieldAt = performance.now() + YIELD_MS;
  let waitUntil = performance.now() + WAIT_FOR_CALLS_MS;
  for (;;) {
    const seen = Atomics.load(signals, signal.CALLS_POSTED);
    const next = receiveMessageOnPort(port);
    if (next === undefined) {
      const now = performance.now();
      if (now >= yieldAt) break;
      if (now >= waitUntil) return sleep(seen);
      Atomics.wait(signals, signal.CALLS_POSTED, seen, Math.min(waitUntil, yieldAt) - now);
      continue;
    }
    const message = next.message as ToWorker;
    if (message.type === "load") {
      loadGuest(message);
    } else if (message.type === "close") {
      close();
      return sleep(Atomics.load(signals, signal.CALLS_POSTED));
    } else {
      const { guest, load } = hosted!;
      if (guest.generation === 2) {
        void serveOnPool(guest, load.maxBytes, message).then(serve);
        return;
      }
      const results = new PackedWriter(resultsBytes, reusableResultBuffers.pop());
      const returnedBatches: ArrayBuffer[] = [];
      runBatch(guest, load.maxBytes, message, results, returnedBatches);
      for (let more = nextCalls(); more !== undefined; more = nextCalls())
        runBatch(guest, load.maxBytes, more, results, returnedBatches);
      postResults(results, returnedBatches);
    }
    if (performance.now() >= yieldAt) break;
    waitUntil = performance.now() + WAIT_FOR_CALLS_MS;
  }
  setImmediate(serve);
}

/** Sleeps in the event loop until the host posts again (`signals[CALLS_POSTED]` moves from `seen`), then serves. */
function sleep(seen: number): void {
  const wait = Atomics.waitAsync(signals, signal.CALLS_POSTED, seen);
  if (wait.async) void wait.value.then(serve);
  else setImmediate(serve);
}

/**
 * Shuts the guest down (`actr_shutdown` on a pool thread, while this
 * thread's event loop answers the guest's own threads), and tells the host.
 * The worker then waits for the next guest: the closed guest's callbacks
 * live on this thread (they answer GENERIC_ERROR from now on), and a thread
 * of that guest's may still call them, so the worker is never terminated.
 */
function close(): void {
  const { guest, load } = hosted!;
  hosted = undefined;
  const { guestId } = load;
  guest.shutdown().then(
    (rc) => post({ type: "closed", guestId, rc }),
    (error: unknown) => {
      post({
        type: "report",
        guestId,
        message: `actr_shutdown could not be called: ${error instanceof Error ? error.message : String(error)}`,
        status: code.GENERIC_ERROR,
      });
      post({ type: "closed", guestId, rc: code.GENERIC_ERROR });
    },
  );
}

serve();
