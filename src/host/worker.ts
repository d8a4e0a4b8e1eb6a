/**
 * The worker thread of a worker-mode guest: it loads the guest, owns its
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
import { type InvokeScope, invokeScope } from "./invoke-scope.js";
import { type GuestCall, type InvokeBridge, NativeGuest } from "./native.js";
import { addressOf } from "./native-memory.js";
import type { CallsMessage, CloseMessage, FromWorker, WorkerStart, WorkerStarted } from "./worker-protocol.js";
import { PackedReader, PackedWriter, signal, SPARE_BUFFERS } from "./worker-protocol.js";

const start = workerData as WorkerStart;
const port = parentPort!;
const control = new Int32Array(start.control);
const signals = new Int32Array(start.signals);
const maxBytes = start.maxBytes;
/** The op of the call inside the guest, 0 when none (tells a generation-1 `invoke` where it is). */
let runningOp = 0;

/** Posts to the host thread, and wakes it if it is waiting for this worker (see `WorkerGuest.waitForWorker`). */
function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  start.toHost.postMessage(message, transfer);
  Atomics.add(signals, signal.TO_HOST_POSTED, 1);
  Atomics.notify(signals, signal.TO_HOST_POSTED);
}

function started(message: WorkerStarted): void {
  port.postMessage(message);
}

/**
 * Asks the host thread to answer `frame`, and blocks until it has. Runs on
 * this thread whichever thread of the guest called `invoke`: koffi queues a
 * call from another thread to this thread's event loop (see `serve`).
 */
function invokeOnHost(frame: Uint8Array, bridge: InvokeBridge | undefined): { rc: number; reply?: Uint8Array } {
  const scope: InvokeScope = invokeScope(bridge, runningOp);
  // `frame` may be a view into a shared slab: send an exact copy, transferred.
  const copy = frame.slice();
  post({ type: "invoke", frame: copy, scope }, [copy.buffer]);
  for (;;) {
    Atomics.wait(control, 0, 0);
    const answer = receiveMessageOnPort(start.replyPort);
    if (answer !== undefined) {
      Atomics.store(control, 0, 0);
      return answer.message as { rc: number; reply?: Uint8Array };
    }
  }
}

let guest: NativeGuest;
try {
  guest = new NativeGuest(
    start.path,
    new Int32Array(start.counters),
    (message) => post({ type: "report", message }),
    start.traceTokens ? (event) => post({ type: "token", event }) : undefined,
  );
} catch (error) {
  started({ type: "loadFailed", message: error instanceof Error ? error.message : String(error) });
  process.exit(0);
}
started({ type: "ready", rc: guest.initialize(start.init, invokeOnHost), generation: guest.generation });

/** Result buffers the host gave back, for new results. */
const spareResults: ArrayBuffer[] = [];

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
function takeSpare(batch: CallsMessage): void {
  for (const buffer of batch.spare) if (spareResults.length < SPARE_BUFFERS) spareResults.push(buffer);
}

/**
 * Runs every call of a batch on this thread, copying each reply straight
 * into `results` (the host thread decodes them), and adds the batch's
 * buffer to `done` (to give back to the host) once it is read.
 */
function runBatch(batch: CallsMessage, results: PackedWriter, done: ArrayBuffer[]): void {
  takeSpare(batch);
  for (const call of callsOf(batch)) {
    runningOp = call.op;
    const at = results.startResult();
    results.endResult(at, guest.callAt(call, maxBytes, results.replyMemory));
    runningOp = 0;
  }
  if (done.length < SPARE_BUFFERS) done.push(batch.buffer);
}

/**
 * `runBatch` for a generation-2 guest: each call runs on a libuv pool
 * thread (`NativeGuest.callAtAsync`), so that this thread's event loop
 * answers every `invoke` meanwhile, from whichever thread of the guest's
 * (a handler may wait for a task of its own that calls the host).
 */
async function runBatchOnPool(batch: CallsMessage, results: PackedWriter, done: ArrayBuffer[]): Promise<void> {
  takeSpare(batch);
  for (const call of callsOf(batch)) {
    const at = results.startResult();
    results.endResult(at, await guest.callAtAsync(call, maxBytes, results.replyMemory));
  }
  if (done.length < SPARE_BUFFERS) done.push(batch.buffer);
}

/**
 * Runs the batches of a generation-2 guest (`runBatchOnPool`): `first`,
 * then those posted meanwhile, and posts their results in one message.
 */
async function serveOnPool(first: CallsMessage): Promise<void> {
  const results = new PackedWriter(resultsBytes, spareResults.pop());
  const spare: ArrayBuffer[] = [];
  for (let batch: CallsMessage | undefined = first; batch !== undefined; batch = receiveMessageOnPort(port)?.message as CallsMessage | undefined) {
    await runBatchOnPool(batch, results, spare);
  }
  resultsBytes = Math.max(MIN_RESULTS_BYTES, results.length);
  post({ type: "results", buffer: results.buffer, length: results.length, spare }, [results.buffer, ...spare]);
}

/** The smallest buffer a batch of results starts with. */
const MIN_RESULTS_BYTES = 4096;
/** The size the next results start with: the last ones' (a steady load's batches are alike), so they seldom grow. */
let resultsBytes = MIN_RESULTS_BYTES;

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
 * The worker's life after `ready`: it runs the batches the host posts (each
 * bumps `signals[CALLS_POSTED]`), back to back, and between them blocks on
 * `Atomics.wait` for up to `WAIT_FOR_CALLS_MS`, as a futex wake-up costs far
 * less than an event-loop one. Then it sleeps in its event loop
 * (`Atomics.waitAsync`), where the `invoke`s of the guest's own threads
 * reach it. Calls queued while a batch runs go in the same reply: the host
 * is woken once.
 */
function serve(): void {
  const yieldAt = performance.now() + YIELD_MS;
  let waitUntil = performance.now() + WAIT_FOR_CALLS_MS;
  for (;;) {
    const seen = Atomics.load(signals, signal.CALLS_POSTED);
    const first = receiveMessageOnPort(port);
    if (first === undefined) {
      const now = performance.now();
      if (now >= yieldAt) break;
      if (now >= waitUntil) return sleep(seen);
      Atomics.wait(signals, signal.CALLS_POSTED, seen, Math.min(waitUntil, yieldAt) - now);
      continue;
    }
    const message = first.message as CallsMessage | CloseMessage;
    if (message.type === "close") {
      close();
      return sleep(Atomics.load(signals, signal.CALLS_POSTED));
    }
    if (guest.generation === 2) {
      void serveOnPool(message).then(serve);
      return;
    }
    const results = new PackedWriter(resultsBytes, spareResults.pop());
    const spare: ArrayBuffer[] = [];
    runBatch(message, results, spare);
    for (let next = receiveMessageOnPort(port); next !== undefined; next = receiveMessageOnPort(port)) {
      runBatch(next.message as CallsMessage, results, spare);
    }
    resultsBytes = Math.max(MIN_RESULTS_BYTES, results.length);
    post({ type: "results", buffer: results.buffer, length: results.length, spare }, [results.buffer, ...spare]);
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
 * The worker then stays, idle: the guest's callbacks live on this thread,
 * and a guest thread may still call them.
 */
function close(): void {
  guest.shutdown().then(
    (rc) => post({ type: "closed", rc }),
    (error: unknown) => {
      post({ type: "report", message: `actr_shutdown could not be called: ${error instanceof Error ? error.message : String(error)}` });
      post({ type: "closed", rc: code.GENERIC_ERROR });
    },
  );
}

serve();
