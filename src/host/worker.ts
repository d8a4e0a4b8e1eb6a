/**
 * The worker thread of a worker-mode guest: it loads the guest, runs the
 * batches of calls the host sends back to back, and blocks in `invoke` (on
 * `Atomics.wait`) while the host thread answers.
 *
 * @module
 */
import { receiveMessageOnPort, parentPort, workerData } from "node:worker_threads";
import { op as ops } from "../codes.js";
import { NativeGuest } from "./native.js";
import { readReply } from "./outcome.js";
import type { CallsMessage, FromWorker, WorkerStart } from "./worker-protocol.js";
import { PackedReader, PackedWriter } from "./worker-protocol.js";

const start = workerData as WorkerStart;
const port = parentPort!;
const control = new Int32Array(start.control);
let inDataStream = false;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
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
  post({ type: "loadFailed", message: error instanceof Error ? error.message : String(error) });
  process.exit(0);
}
post({ type: "ready", rc: guest.initialize(start.init, invokeOnHost) });

/** Runs every call of a batch, appending its result record. */
function runBatch(batch: CallsMessage, results: PackedWriter): void {
  const calls = new PackedReader(batch.buffer, batch.length);
  while (!calls.done) {
    const op = calls.word();
    const frame = calls.data(calls.word());
    inDataStream = op === ops.GUEST_DATA_STREAM;
    const { rc, reply, replyLength } = guest.call(frame, start.maxBytes);
    inDataStream = false;
    results.appendResult(readReply(rc, reply, replyLength));
  }
}

port.on("message", (message: CallsMessage) => {
  const results = new PackedWriter();
  runBatch(message, results);
  // Calls queued while these ran go in the same reply: the host is woken once.
  for (let next = receiveMessageOnPort(port); next !== undefined; next = receiveMessageOnPort(port)) {
    runBatch(next.message as CallsMessage, results);
  }
  post({ type: "results", buffer: results.buffer, length: results.length }, [results.buffer]);
});
