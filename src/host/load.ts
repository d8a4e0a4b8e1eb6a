/**
 * `loadGuest`: opens a DynClib guest, initialises it, and returns the
 * `Guest` that drives it, in the threading mode asked for.
 *
 * @module
 */
import { create } from "@bufbuild/protobuf";
import { type InitPayloadV1, InitPayloadV1Schema } from "../../gen/actr/dynclib/v1/abi_pb.js";
import { DEFAULT_MAX_GUEST_BYTES, encodeMessage } from "../codec.js";
import { type HostErrorListener, type HostHandler, printHostError } from "./answer.js";
import type { BridgeTokenListener } from "./bridge-tokens.js";
import type { Guest } from "./guest.js";
import { assertHostPlatform } from "./platform.js";
import { imageFileFor } from "./private-copy.js";
import { SameThreadGuest } from "./same-thread.js";
import { startWorkerGuest } from "./worker-guest.js";


/** How `loadGuest` runs the guest. */
export interface LoadGuestOptions {
  /** Answers every `invoke` of the guest. Async answers need the worker mode. */
  readonly host: HostHandler;
  /** The `InitPayloadV1` for `actr_init` (or its encoding). Default: an empty one. */
  readonly init?: InitPayloadV1 | Uint8Array;
  /**
   * `"worker"` (the default): the guest's callbacks live on a worker thread
   * of its own, which blocks in `invoke` while the host handler (sync or
   * async) runs on the calling thread; the event loop stays free.
   * `"same-thread"`: the callbacks live on the calling thread and the
   * handler must answer synchronously; a generation-1 guest runs on the
   * calling thread inside each call (lowest latency, the event loop blocked
   * while the guest runs).
   * In both modes a generation-2 guest runs each call on a libuv pool
   * thread, so that the owning thread's event loop answers the `invoke`s of
   * the guest's own threads at any time (see the README's "Running a guest").
   */
  readonly threading?: "worker" | "same-thread";
  /**
   * The largest guest reply or `invoke` frame accepted, in bytes (default
   * `DEFAULT_MAX_GUEST_BYTES` of the root export, 16 MiB): a longer reply is freed unread and the
   * call rejects with an AbiError PROTOCOL_ERROR; a longer frame is answered PROTOCOL_ERROR.
   */
  readonly maxBytes?: number;
  /** Told about host-side failures the guest only sees as a status (see `HostErrorListener`). Default: printed to stderr. */
  readonly onHostError?: HostErrorListener;
  /**
   * Told of every change of a generation-2 guest's bridge tokens (issued for
   * a call, retained or released by the guest, let go when the call
   * returned, a retain refused), in order with the `invoke`s: for tracing
   * and tests. Never called for a generation-1 guest. What it throws goes to
   * `onHostError`. In the worker mode it runs on the calling thread, a
   * moment after the change.
   */
  readonly onBridgeToken?: BridgeTokenListener;
  /**
   * Worker mode only: after sending calls to the worker, the calling thread
   * blocks (sleeping in `Atomics.wait`, not spinning) for up to this many
   * microseconds to take the worker's results and synchronous `invoke`s
   * directly, instead of waiting for the event loop to wake up for each
   * message (tens of microseconds per message): lower latency for hosts
   * whose handlers are mostly synchronous, at the price of an event loop
   * blocked for up to this long per batch. Default 0: the event loop is never
   * blocked while a guest runs. A few hundred microseconds is a good value
   * when latency matters more.
   */
  readonly workerWaitMicroseconds?: number;
}

/**
 * Loads the guest library at `libraryPath` and calls its `actr_init` with a
 * host vtable that lives until the process exits.
 *
 * One file holds one actor per process: when `libraryPath` is already
 * loaded, a private copy of the file is loaded instead, so every call gives
 * a separate instance.
 *
 * @throws AbiError with `actr_init`'s status when it fails, or INIT_FAILED
 * when the library cannot be loaded (missing file or symbol).
 */
export async function loadGuest(libraryPath: string, options: LoadGuestOptions): Promise<Guest> {
  assertHostPlatform();
  if (typeof options?.host !== "function") throw new TypeError("loadGuest needs options.host, the function that answers the guest's invoke calls");
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_GUEST_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new RangeError(`maxBytes must be a non-negative integer, got ${maxBytes}`);
  const init = options.init instanceof Uint8Array ? options.init.slice() : encodeMessage(InitPayloadV1Schema, options.init ?? create(InitPayloadV1Schema)).slice();
  const workerWaitMicroseconds = options.workerWaitMicroseconds ?? 0;
  if (!Number.isFinite(workerWaitMicroseconds) || workerWaitMicroseconds < 0) {
    throw new RangeError(`workerWaitMicroseconds must be a non-negative number, got ${workerWaitMicroseconds}`);
  }
  const image = imageFileFor(libraryPath);
  const onHostError = options.onHostError ?? printHostError;
  const onBridgeToken = options.onBridgeToken === undefined ? undefined : guardedListener(options.onBridgeToken, onHostError);
  const settings = { path: image.file, init, host: options.host, maxBytes, onHostError, onBridgeToken, workerWaitMicroseconds };
  try {
    if (options.threading === "same-thread") return new SameThreadGuest(settings);
    if (options.threading !== undefined && options.threading !== "worker") {
      throw new TypeError(`threading must be "worker" or "same-thread", got ${JSON.stringify(options.threading)}`);
    }
    return await startWorkerGuest(settings);
  } finally {
    image.discard();
  }
}

/** `listener`, with what it throws given to `onHostError` (it may run inside a guest's callback). */
function guardedListener(listener: BridgeTokenListener, onHostError: HostErrorListener): BridgeTokenListener {
  return (event) => {
    try {
      listener(event);
    } catch (error) {
      onHostError(error instanceof Error ? error : new Error(`onBridgeToken threw: ${String(error)}`), undefined);
    }
  };
}
