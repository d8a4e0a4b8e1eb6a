/**
 * The bridge tokens of a generation-2 guest (docs/abi.md section 8): the
 * host opens a fresh token for each call into the guest with one reference
 * of its own, the guest's contexts retain and release it, and every `invoke`
 * names the token of the call it works for. A token lives until both sides
 * have let go of it; a token is never reused.
 *
 * @module
 */

/** The slots of a guest's shared counters (an `Int32Array` the host thread reads while another thread writes). */
export const counterSlot = {
  /** Host reply buffers handed to the guest through `invoke` and not yet given back. */
  HOST_BUFFERS: 0,
  /** Bridge tokens not yet released by both sides. */
  LIVE_TOKENS: 1,
  /**
   * Native allocations of the thread's host reply pool made for this guest's
   * replies and not freed (see `HostReplyBuffers.allocations`): the chunks
   * cut while lending to it, and its unpooled replies not given back.
   */
  REPLY_ALLOCATIONS: 2,
} as const;

/** The number of slots in `counterSlot`. */
export const COUNTER_SLOTS = 3;

/**
 * A token is `key × 2^32 + sequence`: the key of the guest it was issued
 * for (each guest loaded in a thread gets its own, from 1), and the call's
 * number in that guest (from 1). So tokens are never 0, never reused in a
 * thread, and tell which guest they belong to, even once released, as the
 * callbacks a thread shares between its guests need.
 */
const SEQUENCE_SPAN = 2 ** 32;
/** Keys stay under this, so that every token is a safe integer. */
const KEY_LIMIT = 2 ** 21;

let nextGuestKey = 1;

/** A key for a new guest, never given before in this thread. */
export function newGuestKey(): number {
  if (nextGuestKey >= KEY_LIMIT)
    throw new RangeError(`this thread has loaded ${KEY_LIMIT - 1} guests: no bridge tokens are left for another`);
  return nextGuestKey++;
}

/** The key of the guest `token` was issued for; undefined for a value no guest's token can have. */
export function guestKeyOf(token: number | bigint): number | undefined {
  if (typeof token !== "number" || !Number.isSafeInteger(token) || token <= 0) return undefined;
  return Math.floor(token / SEQUENCE_SPAN);
}

/** Issues the bridge tokens of one guest (see `SEQUENCE_SPAN`). */
export class BridgeTokenIssuer {
  private sequence = 0;

  constructor(private readonly key: number) {}

  /** A fresh token, never issued before in this thread. */
  issue(): number {
    if (++this.sequence >= SEQUENCE_SPAN)
      throw new RangeError(`the guest has made ${SEQUENCE_SPAN - 1} calls: no bridge tokens are left for another`);
    return this.key * SEQUENCE_SPAN + this.sequence;
  }
}

/** One change of a bridge token, as `LoadGuestOptions.onBridgeToken` is told it. */
export interface BridgeTokenEvent {
  /**
   * `open`: the host issued the token for a call, holding one reference;
   * `returned`: that call returned and the host let go of its reference;
   * `retain` / `release`: the guest's `retain_context` / `release_context`;
   * `refused`: a `retain_context` of a token that is unknown or released.
   */
  readonly action: "open" | "returned" | "retain" | "release" | "refused";
  readonly token: bigint;
  /** References left after the change; 0 when the token is gone (or was never live). */
  readonly references: number;
}

/** Told of every change of a bridge token. */
export type BridgeTokenListener = (event: BridgeTokenEvent) => void;

/** One token the registry holds. */
export interface BridgeTokenEntry {
  /** References held: the host's own while its call runs, plus the guest's retains not yet released. */
  references: number;
  /** The op of the call that issued it (`GUEST_DATA_STREAM` calls may not register streams). */
  readonly op: number;
  /** True once `actr_handle` returned for the call that issued it. */
  callReturned: boolean;
}

/**
 * The tokens of one guest, as its vtable's `retain_context`,
 * `release_context` and `invoke` see them. Lives on the thread that owns
 * the guest's callbacks; the count of live tokens is mirrored into
 * `counters[counterSlot.LIVE_TOKENS]` for the host thread.
 */
export class BridgeTokens {
  private readonly entries = new Map<number, BridgeTokenEntry>();

  constructor(
    private readonly counters: Int32Array,
    /** Told of every change, when given (tracing). */
    private readonly listener?: BridgeTokenListener,
  ) {}

  /** Registers `token` for a call of `op` about to enter the guest, with the host's reference. */
  open(token: number, op: number): void {
    this.entries.set(token, { references: 1, op, callReturned: false });
    Atomics.store(this.counters, counterSlot.LIVE_TOKENS, this.entries.size);
    this.listener?.({ action: "open", token: BigInt(token), references: 1 });
  }

  /** The call of `token` returned: drops the host's reference. */
  callReturned(token: number): void {
    const entry = this.entries.get(token);
    if (entry === undefined) return;
    entry.callReturned = true;
    this.drop(token, entry, "returned");
  }

  /** `retain_context`: true when `token` is live (one more reference), false when unknown or released. */
  retain(token: number | bigint): boolean {
    const entry = this.lookup(token);
    if (entry === undefined) {
      this.listener?.({ action: "refused", token: BigInt(token), references: 0 });
      return false;
    }
    entry.references++;
    this.listener?.({ action: "retain", token: BigInt(token), references: entry.references });
    return true;
  }

  /** `release_context`: one reference less; the token goes with its last one. An unknown token is ignored. */
  release(token: number | bigint): void {
    const entry = this.lookup(token);
    if (entry !== undefined) this.drop(token as number, entry, "release");
  }

  private drop(token: number, entry: BridgeTokenEntry, action: "returned" | "release"): void {
    entry.references--;
    if (entry.references === 0) {
      this.entries.delete(token);
      Atomics.store(this.counters, counterSlot.LIVE_TOKENS, this.entries.size);
    }
    this.listener?.({ action, token: BigInt(token), references: entry.references });
  }

  /** The entry of a live token; undefined for an unknown or released one (koffi gives a BigInt for a value over 2^53: never issued). */
  lookup(token: number | bigint): BridgeTokenEntry | undefined {
    return typeof token === "number" ? this.entries.get(token) : undefined;
  }
}
