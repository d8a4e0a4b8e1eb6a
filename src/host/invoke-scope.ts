/**
 * Where a guest's `invoke` comes from, as the host sees it: the generation,
 * the bridge token it names and whether that token's call has returned
 * (what the handler is told), and what the host checks with it. Computed on
 * the thread that owns the guest's callbacks, and carried to the handler's
 * thread in the worker mode.
 *
 * @module
 */
import { op } from "../codes.js";
import type { InvokeBridge } from "./native.js";

/**
 * What the host handler is told about the guest call an `invoke` works for,
 * so that it can tell calls apart.
 */
export interface InvokeOrigin {
  /** The guest's ABI generation: 1 (actr up to 0.5.3 / 0.4.20) or 2 (bridge tokens: 0.5.4 / 0.4.21 and later). */
  readonly generation: 1 | 2;
  /**
   * Generation 2: the bridge token the `invoke` names, which is the token
   * the host issued for one call into the guest (`handle`, `lifecycle`,
   * `hook` or `dataStream`); each call has its own, never reused. 0n for
   * generation 1, whose invokes carry no token.
   */
  readonly bridgeToken: bigint;
  /**
   * True when the call that issued `bridgeToken` has already returned: the
   * `invoke` comes from a task the guest left running (generation 2). False
   * while that call runs, and always for generation 1.
   */
  readonly callReturned: boolean;
}

/** What a host knows about the guest call an `invoke` arrives in. */
export interface InvokeScope {
  /** True when the `invoke` works for a `GUEST_DATA_STREAM` delivery (stream callbacks may not register streams). */
  readonly inDataStream: boolean;
  /** What the handler is told. */
  readonly origin: InvokeOrigin;
  /** True when the `invoke` names a bridge token that is unknown or already released (generation 2). */
  readonly unknownToken: boolean;
}

/** The origin of a generation-1 `invoke`: one object for every such invoke, frozen, so that no handler can change what the next one is told. */
const GENERATION_1_ORIGIN: InvokeOrigin = Object.freeze({ generation: 1, bridgeToken: 0n, callReturned: false });

/**
 * The scope of an `invoke`: for a generation-2 guest, from the token it
 * names (`bridge`); for generation 1 (`bridge` undefined), from the call
 * running, of op `runningOp`.
 */
export function invokeScope(bridge: InvokeBridge | undefined, runningOp: number): InvokeScope {
  if (bridge === undefined)
    return { inDataStream: runningOp === op.GUEST_DATA_STREAM, origin: GENERATION_1_ORIGIN, unknownToken: false };
  const { token, entry } = bridge;
  return {
    inDataStream: entry?.op === op.GUEST_DATA_STREAM,
    origin: { generation: 2, bridgeToken: BigInt(token), callReturned: entry?.callReturned ?? true },
    unknownToken: entry === undefined,
  };
}
