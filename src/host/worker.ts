/**
 * The worker thread of a worker-mode guest: it loads the guest, runs the
 * batches of calls the host sends back to back, blocks in `invoke` (on
 * `Atomics.wait`) while the host thread answers, and sleeps on
 * `Atomics.wait` between batches.
 *
 * @module
 */
import { receiveMessageOnPort, parentPort, workerData } from "node:worker_threads";
import { op as ops } from "../codes.js";
import { NativeGuest } from "./native.js";
import { addressOf } from "./native-memory.js";
import type { CallsMessage, FromWorker, WorkerStart, WorkerStarted } from "./worker-protocol.js";
import { PackedReader, PackedWriter, signal, SPARE_BUFFERS } from "./worker-protocol.js";

const start = workerData as WorkerStart;
const port = parentPort!;
const control = new Int32Array(start.control);
const signals = new Int32Array(start.signals);
const maxBytes = start.maxBytes;
let inDataStream = false;

/** Posts to the host thread, and wakes it if it is waiting for this worker (see `WorkerGuest.waitForWorker`). */
function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  start.toHost.postMessage(message, transfer);
  Atomics.add(signals, signal.TO_HOST_POSTED, 1);
  Atomics.notify(signals, signal.TO_HOST_POSTED);
}

function started(message: WorkerStarted): void {
  port.postMessage(message);
}

/** Asks the host thread to answer `frame`, and blocks until it has. */
function invokeOnHost(frame: Uint8Array): { rc: number; reply?: Uint8Array } {
  // `frame` may be a view into a shared slab: send an exact copy, transferred.
  const copy = frame.slice();
  post({ type: "invoke", frame: copy, inDataStream }, [copy.buffer]);
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
  guest = new NativeGuest(start.path, { outstanding: new Int32Array(start.counter) }, (message) => post({ type: "report", message }));
} catch (error) {
  started({ type: "loadFailed", message: error instanceof Error ? error.message : String(error) });
  process.exit(0);
}
started({ type: "ready", rc: guest.initialize(start.init, invokeOnHost) });

/** Result buffers the host gave back, for new results. */
const spareResults: ArrayBuffer[] = [];

/**
 * Runs every call of a batch, handing each frame to the guest where it is
 * in the batch and copying each reply straight into `results` (the host
 * thread decodes them), and adds the batch's buffer to `done` (to give back
 * to the host) once it is read.
 */
function runBatch(batch: CallsMessage, results: PackedWriter, done: ArrayBuffer[]): void {
  for (const buffer of batch.spare) if (spareResults.length < SPARE_BUFFERS) spareResults.push(buffer);
  const calls = new PackedReader(batch.buffer, batch.length);
  const base = addressOf(new Uint8Array(batch.buffer));
  while (!calls.done) {
    const op = calls.word();
    const length = calls.word();
    const address = length === 0 ? 0 : base + calls.skip(length);
    inDataStream = op === ops.GUEST_DATA_STREAM;
    const at = results.startResult();
    results.endResult(at, guest.callAt(address, length, maxBytes, results.replyMemory));
    inDataStream = false;
  }
  if (done.length < SPARE_BUFFERS) done.push(batch.buffer);
}

/** The smallest buffer a batch of results starts with. */
const MIN_RESULTS_BYTES = 4096;
/** The size the next results start with: the last ones' (a steady load's batches are alike), so they seldom grow. */
let resultsBytes = MIN_RESULTS_BYTES;

/**
 * How often, at most, the worker returns to its event loop (busy or idle), so
 * the tasks Node and V8 post to it (garbage-collection steps, finalizers) run.
 */
const YIELD_MS = 50;

/**
 * The worker's life after `ready`: it sleeps in `Atomics.wait` until the
 * host posts calls and bumps `signals[CALLS_POSTED]`, as a futex wake-up
 * costs far less than an event-loop one, and returns to its event loop only
 * every `YIELD_MS` (then comes straight back). Calls queued while a batch
 * runs go in the same reply: the host is woken once. `worker.terminate()`
 * interrupts the wait.
 */
function serve(): void {
  const yieldAt = performance.now() + YIELD_MS;
  for (;;) {
    const seen = Atomics.load(signals, signal.CALLS_POSTED);
    const first = receiveMessageOnPort(port);
    if (first === undefined) {
      const left = yieldAt - performance.now();
      if (left <= 0 || Atomics.wait(signals, signal.CALLS_POSTED, seen, left) === "timed-out") break;
      continue;
    }
    const results = new PackedWriter(resultsBytes, spareResults.pop());
    const spare: ArrayBuffer[] = [];
    runBatch(first.message as CallsMessage, results, spare);
    for (let next = receiveMessageOnPort(port); next !== undefined; next = receiveMessageOnPort(port)) {
      runBatch(next.message as CallsMessage, results, spare);
    }
    resultsBytes = Math.max(MIN_RESULTS_BYTES, results.length);
    post({ type: "results", buffer: results.buffer, length: results.length, spare }, [results.buffer, ...spare]);
  }
  setImmediate(serve);
}

serve();
