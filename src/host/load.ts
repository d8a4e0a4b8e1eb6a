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
import {
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_INVOKE_TIMEOUT_MS,
  DEFAULT_MAX_OUTSTANDING_HOST_BUFFERS,
  DEFAULT_MAX_QUEUED_CALLS,
  type GuestSettings,
  integerOption,
} from "./settings.js";
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
  /**
   * Host reply buffers the guest may hold at once, handed over by `invoke`
   * and not yet given back with `free_host_buf` (default 4,096). Past it,
   * `invoke` answers ALLOC_FAILED until the guest frees some, and
   * `onHostError` is told once.
   */
  readonly maxOutstandingHostBuffers?: number;
  /**
   * Calls into this guest made and not yet finished, the running one
   * included (default 10,000). Past it, a new call rejects at once with an
   * `AbiError` (GENERIC_ERROR) saying so: nothing is queued without bound
   * behind a slow guest.
   */
  readonly maxQueuedCalls?: number;
  /**
   * Worker mode: how long an async host handler may take, in milliseconds
   * (default 30,000; 0 for no limit). Past it, the guest's `invoke` is
   * answered GENERIC_ERROR, `onHostError` is told, and the handler's late
   * answer is dropped (and reported when it comes).
   */
  readonly invokeTimeoutMs?: number;
  /**
   * How long one call may stay inside the guest, in milliseconds (default
   * 60,000; 0 for no limit), where it can be bounded: in the worker mode,
   * and for a generation-2 guest in the same-thread mode. Past it, the call
   * rejects with an `AbiError` saying the guest did not return, and so do
   * the calls after it: a guest that does not return from `actr_handle`
   * cannot be called again (its thread stays with it). A first-generation
   * guest waiting inside `actr_handle` for a thread of its own that calls
   * `invoke` ends this way in the worker mode.
   */
  readonly callTimeoutMs?: number;
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
  if (typeof libraryPath !== "string" || libraryPath === "")
    throw new TypeError(`loadGuest needs the path of a guest library, got ${JSON.stringify(libraryPath)}`);
  if (!libraryPath.includes("/")) {
    throw new TypeError(
      `loadGuest needs a path with a "/" (such as ./${libraryPath}): a bare name would be looked up on the library search path, got ${JSON.stringify(libraryPath)}`,
    );
  }
  if (typeof options?.host !== "function")
    throw new TypeError("loadGuest needs options.host, the function that answers the guest's invoke calls");
  if (options.threading !== undefined && options.threading !== "worker" && options.threading !== "same-thread") {
    throw new TypeError(`threading must be "worker" or "same-thread", got ${JSON.stringify(options.threading)}`);
  }
  const workerWaitMicroseconds = options.workerWaitMicroseconds ?? 0;
  if (!Number.isFinite(workerWaitMicroseconds) || workerWaitMicroseconds < 0) {
    throw new RangeError(`workerWaitMicroseconds must be a non-negative number, got ${workerWaitMicroseconds}`);
  }
  const onHostError = options.onHostError ?? printHostError;
  const limits = {
    maxBytes: integerOption("maxBytes", options.maxBytes, DEFAULT_MAX_GUEST_BYTES, 0),
    maxOutstandingHostBuffers: integerOption(
      "maxOutstandingHostBuffers",
      options.maxOutstandingHostBuffers,
      DEFAULT_MAX_OUTSTANDING_HOST_BUFFERS,
      1,
    ),
    maxQueuedCalls: integerOption("maxQueuedCalls", options.maxQueuedCalls, DEFAULT_MAX_QUEUED_CALLS, 1),
    invokeTimeoutMs: integerOption("invokeTimeoutMs", options.invokeTimeoutMs, DEFAULT_INVOKE_TIMEOUT_MS, 0),
    callTimeoutMs: integerOption("callTimeoutMs", options.callTimeoutMs, DEFAULT_CALL_TIMEOUT_MS, 0),
  };
  const init =
    options.init instanceof Uint8Array
      ? options.init.slice()
      : encodeMessage(InitPayloadV1Schema, options.init ?? create(InitPayloadV1Schema)).slice();
  const image = imageFileFor(libraryPath);
  const settings: GuestSettings = {
    path: image.file,
    privateCopy: image.isCopy,
    init,
    host: options.host,
    ...limits,
    onHostError,
    onBridgeToken:
      options.onBridgeToken === undefined ? undefined : guardedListener(options.onBridgeToken, onHostError),
    workerWaitMicroseconds,
  };
  try {
    if (options.threading === "same-thread") return new SameThreadGuest(settings);
    return await startWorkerGuest(settings);
  } finally {
    image.discard(); // removed already, right after it was loaded; this covers a failure before
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
