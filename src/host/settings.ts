/**
 * What both threading modes need to load and run a guest: `loadGuest`'s
 * options, checked and with their defaults, in one place.
 *
 * @module
 */
import type { HostErrorListener, HostHandler } from "./answer.js";
import type { BridgeTokenListener } from "./bridge-tokens.js";

/** Host reply buffers a guest may hold at once by default (`LoadGuestOptions.maxOutstandingHostBuffers`). */
export const DEFAULT_MAX_OUTSTANDING_HOST_BUFFERS = 4096;
/** Calls made and not yet finished, per guest, by default (`LoadGuestOptions.maxQueuedCalls`). */
export const DEFAULT_MAX_QUEUED_CALLS = 10_000;
/** How long an async host handler may take by default (`LoadGuestOptions.invokeTimeoutMs`). */
export const DEFAULT_INVOKE_TIMEOUT_MS = 30_000;
/** How long one call may stay inside the guest by default (`LoadGuestOptions.callTimeoutMs`). */
export const DEFAULT_CALL_TIMEOUT_MS = 60_000;

/** A guest to load and how to run it, as both threading modes take it. */
export interface GuestSettings {
  /** The file to load (a private copy, when `privateCopy`). */
  readonly path: string;
  /** True when `path` is a private copy, removed right after it is loaded. */
  readonly privateCopy: boolean;
  readonly init: Uint8Array;
  readonly host: HostHandler;
  readonly maxBytes: number;
  readonly maxOutstandingHostBuffers: number;
  readonly maxQueuedCalls: number;
  /** 0 for no limit. */
  readonly invokeTimeoutMs: number;
  /** 0 for no limit. */
  readonly callTimeoutMs: number;
  readonly onHostError: HostErrorListener;
  readonly onBridgeToken: BridgeTokenListener | undefined;
  /** How long the calling thread may block waiting for the worker after sending calls (worker mode). */
  readonly workerWaitMicroseconds: number;
}

/** `value` (of option `name`), or `fallback` when undefined; a RangeError unless it is a safe integer of at least `min`. */
export function integerOption(name: string, value: number | undefined, fallback: number, min: number): number {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen < min)
    throw new RangeError(`${name} must be an integer of at least ${min}, got ${String(value)}`);
  return chosen;
}
