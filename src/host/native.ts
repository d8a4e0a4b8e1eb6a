/**
 * The guest's C interface through koffi: the exported symbols of either
 * generation (`actr_shutdown` only in the second), the host's `HostVTable` of
 * that generation in native memory, the buffer ownership rules of
 * docs/abi.md section 7 and the bridge tokens of section 8. Nothing here
 * knows protobuf: bytes in, bytes out.
 *
 * Hot paths avoid koffi's value conversions: every argument is a number (an
 * address or a length, see native-memory.ts), out-pointers are read from a
 * reused native block through a view made once, and native bytes are copied
 * with libc's `memcpy` in one call (no `koffi.view`/`koffi.decode` per call,
 * which cost several times more).
 *
 * @module
 */
import { code } from "../codes.js";
import { allocate } from "../pool.js";
import { koffi } from "./koffi.js";
import {
  type BridgeTokenEntry,
  type BridgeTokenListener,
  BridgeTokens,
  counterSlot,
  guestKeyOf,
} from "./bridge-tokens.js";
import { bindGuestFunctions, type GuestFunctions } from "./guest-functions.js";
import { addressOf, copyNative, HostReplyBuffers, malloc } from "./native-memory.js";

/** Bytes of a guest's out-pointer block (see `NativeGuest.outWords`). */
const OUT_BYTES = 16;

// The callback types of both generations' HostVTable (docs/abi.md sections 1
// and 9). Pointers arrive as addresses (numbers), tokens as numbers (a BigInt
// over 2^53). The types are anonymous: koffi's type names are global to a
// thread, and two copies of this package may be loaded in one.
const InvokeCallback = koffi.proto(null, "int32_t", ["uintptr_t", "size_t", "uintptr_t", "uintptr_t"]);
const TokenInvokeCallback = koffi.proto(null, "int32_t", ["uint64_t", "uintptr_t", "size_t", "uintptr_t", "uintptr_t"]);
const RetainContextCallback = koffi.proto(null, "int32_t", ["uint64_t"]);
const ReleaseContextCallback = koffi.proto(null, "void", ["uint64_t"]);
const FreeHostBufCallback = koffi.proto(null, "void", ["uintptr_t", "size_t"]);
/** Bytes of one function pointer in a `HostVTable`. */
const POINTER_BYTES = 8;

/** The ABI generation of a guest: 1 (actr up to 0.5.3 / 0.4.20) or 2 (bridge tokens, 0.5.4 / 0.4.21 and later). */
export type AbiGeneration = 1 | 2;

/**
 * Where an `invoke` of a generation-2 guest comes from: the token it names,
 * and that token's entry (undefined when the token is unknown or released).
 */
export interface InvokeBridge {
  readonly token: number | bigint;
  readonly entry: BridgeTokenEntry | undefined;
}

/**
 * What the host does for one `invoke`: given the guest's frame (a copy the
 * host owns) and, for a generation-2 guest, the token it names; returns its
 * return code and, on `SUCCESS`, the encoded `AbiReply` (empty bytes are
 * passed to the guest as a null pointer with length 0), copied to native
 * memory at once: it may be a view into a buffer that is reused.
 */
export type InvokeHandler = (
  frame: Uint8Array,
  bridge: InvokeBridge | undefined,
) => { readonly rc: number; readonly reply?: Uint8Array };

/** What `actr_handle` gave back: its return code, and on `SUCCESS` the reply's length. */
export interface HandleResult {
  /** `actr_handle`'s return code. */
  readonly rc: number;
  /**
   * The reply, copied out of guest memory (which is already given back) into
   * the memory `callAt`'s `replyMemory` gave; empty for a null reply.
   * Undefined when `rc` is not SUCCESS or the reply was over the limit.
   */
  readonly reply: Uint8Array | undefined;
  /** The reply's length as the guest reported it. */
  readonly replyLength: number;
  /** True when the guest answered SUCCESS with a null reply pointer and a non-zero length. */
  readonly nullReply?: boolean;
}

/** What a `NativeGuest` enforces in its callbacks. */
export interface NativeLimits {
  /** The longest `invoke` frame read; a longer one is answered PROTOCOL_ERROR before a byte is read. */
  readonly maxBytes: number;
  /** Host reply buffers the guest may hold at once; past it, `invoke` answers ALLOC_FAILED (reported once). */
  readonly maxOutstandingHostBuffers: number;
}

/**
 * Told what went wrong where the guest only sees a status, with that
 * status: a frame over the limit or with null pointers, a free of a buffer
 * the host did not hand out (messages about frees start with
 * `free_host_buf(`), an answer that threw, a cap reached.
 */
export type NativeReport = (message: string, status: number) => void;

/**
 * The callbacks of one thread (koffi runs a callback on the thread that
 * registered it), registered once and shared by every guest the thread
 * loads, so that loading guests uses up none of koffi's callback slots:
 * both generations' `invoke` and `free_host_buf`, and the second's
 * `retain_context` and `release_context`. A first-generation `invoke` is for
 * the guest inside `actr_handle` on this thread; a second-generation
 * callback is for the guest its token names (`guestKeyOf`). Also the pool
 * of host reply buffers.
 */
class ThreadCallbacks {
  /** The generation-1 guest in a call (or `actr_init`) on this thread, which its `invoke`s are for. */
  running: NativeGuest | undefined;
  /** The guest that ran last on this thread: told of what cannot be told to a guest of its own (an `invoke` outside any call, a free of a buffer never lent). */
  lastRunning: NativeGuest | undefined;
  /** The generation-2 guests of this thread, by key (see `guestKeyOf`); closed ones too, whose threads may still call. */
  readonly guests = new Map<number, NativeGuest>();
  /** Host reply buffers lent to the guests of this thread, each for its guest. */
  readonly replyBuffers = new HostReplyBuffers<NativeGuest>((guest, delta) => guest.replyAllocations(delta));
  /** The shared `free_host_buf`. */
  readonly freeHostBuf: number | bigint;
  /** The shared generation-1 `invoke`. */
  private readonly invoke: number | bigint;
  /** The shared generation-2 `retain_context`, `release_context` and `invoke`. */
  private readonly retainContext: number | bigint;
  private readonly releaseContext: number | bigint;
  private readonly tokenInvoke: number | bigint;
  /**
   * 16 bytes of native memory for an `invoke` reply's pointer and length,
   * copied from there to the guest's out-pointers (see `answer`).
   */
  private readonly outAddress: number;
  private readonly outWords: Uint32Array;

  constructor() {
    this.outAddress = allocateNative(INVOKE_OUT_BYTES);
    this.outWords = new Uint32Array(koffi.view(this.outAddress, INVOKE_OUT_BYTES));
    this.freeHostBuf = koffi.register(
      (ptr: number, len: number) => this.guarded(undefined, () => this.free(ptr, len), undefined),
      koffi.pointer(FreeHostBufCallback),
    );
    this.invoke = koffi.register((frame: number, frameLen: number, replyOut: number, replyLenOut: number) => {
      const guest = this.running;
      if (guest === undefined) {
        this.lastRunning?.report(
          "invoke from outside a call (a thread of the guest's own?): a first-generation guest may only call invoke inside actr_handle; answered GENERIC_ERROR",
          code.GENERIC_ERROR,
        );
        return code.GENERIC_ERROR;
      }
      return this.guarded(
        guest,
        () => guest.answerInvoke(undefined, frame, frameLen, replyOut, replyLenOut),
        code.GENERIC_ERROR,
      );
    }, koffi.pointer(InvokeCallback));
    this.retainContext = koffi.register((token: number | bigint) => {
      const guest = this.guestOf(token);
      return guest === undefined
        ? code.GENERIC_ERROR
        : this.guarded(guest, () => guest.retainToken(token), code.GENERIC_ERROR);
    }, koffi.pointer(RetainContextCallback));
    this.releaseContext = koffi.register((token: number | bigint) => {
      const guest = this.guestOf(token);
      if (guest !== undefined) this.guarded(guest, () => guest.tokens!.release(token), undefined);
    }, koffi.pointer(ReleaseContextCallback));
    this.tokenInvoke = koffi.register(
      (token: number | bigint, frame: number, frameLen: number, replyOut: number, replyLenOut: number) => {
        // A token no guest of this thread issued is answered by the guest that ran last (its handler path reports it).
        const guest = this.guestOf(token) ?? this.lastRunning;
        if (guest === undefined) return code.GENERIC_ERROR;
        return this.guarded(
          guest,
          () =>
            guest.answerInvoke({ token, entry: guest.tokens?.lookup(token) }, frame, frameLen, replyOut, replyLenOut),
          code.GENERIC_ERROR,
        );
      },
      koffi.pointer(TokenInvokeCallback),
    );
  }

  /** A vtable of `generation` for one guest (never freed: the guest keeps it), over this thread's shared callbacks. */
  vtable(generation: AbiGeneration): number {
    return vtableOf(
      generation === 1
        ? [this.invoke, this.freeHostBuf]
        : [this.retainContext, this.releaseContext, this.tokenInvoke, this.freeHostBuf],
    );
  }

  /** The generation-2 guest of this thread that issued `token`, if any. */
  private guestOf(token: number | bigint): NativeGuest | undefined {
    const key = guestKeyOf(token);
    return key === undefined ? undefined : this.guests.get(key);
  }

  /**
   * Runs a callback's body; what it throws never unwinds through the
   * guest's frames: it is reported (to `guest`, when known) and the
   * callback answers `failed`.
   */
  guarded<T>(guest: NativeGuest | undefined, body: () => T, failed: T): T {
    try {
      return body();
    } catch (error) {
      (guest ?? this.lastRunning)?.report(
        `a callback of the host failed (${error instanceof Error ? error.message : String(error)}); the guest was answered as if refused`,
        code.GENERIC_ERROR,
      );
      return failed;
    }
  }

  /**
   * Hands `reply` (encoded, may be empty) to the guest through its
   * out-pointers: a native buffer lent for `guest`, or null with length 0.
   * Returns the code `invoke` returns.
   */
  lendReply(guest: NativeGuest, reply: Uint8Array | undefined, replyOut: number, replyLenOut: number): number {
    let ptr = 0;
    const length = reply?.length ?? 0;
    if (length > 0) {
      if (!guest.mayHoldAnotherBuffer()) return code.ALLOC_FAILED;
      ptr = this.replyBuffers.lend(reply!, guest);
      if (ptr === 0) return code.ALLOC_FAILED;
      guest.heldBuffers(1);
    }
    const words = this.outWords;
    words[0] = ptr % 0x1_0000_0000;
    words[1] = Math.floor(ptr / 0x1_0000_0000);
    words[2] = length % 0x1_0000_0000;
    words[3] = Math.floor(length / 0x1_0000_0000);
    if (replyLenOut === replyOut + 8) {
      copyNative(replyOut, this.outAddress, 16); // the two out-pointers side by side, as a guest's locals often are
    } else {
      copyNative(replyOut, this.outAddress, 8);
      copyNative(replyLenOut, this.outAddress + 8, 8);
    }
    return code.SUCCESS;
  }

  private free(ptr: number, len: number): void {
    if (ptr === 0 || len === 0) return;
    const given = this.replyBuffers.giveBack(ptr, len);
    if (given.kind === "taken") {
      given.owner.heldBuffers(-1);
      return;
    }
    // Not lent: no owner to tell but the guest that ran last here.
    this.lastRunning?.report(
      given.kind === "notLent"
        ? `free_host_buf(0x${ptr.toString(16)}, ${len}): not a host reply buffer (or freed twice); left alone`
        : `free_host_buf(0x${ptr.toString(16)}, ${len}): the buffer holds ${given.length} bytes; left alone`,
      code.GENERIC_ERROR,
    );
  }
}

/** Bytes of `ThreadCallbacks`' reply out-block: a pointer and a length. */
const INVOKE_OUT_BYTES = 16;

let threadCallbacks: ThreadCallbacks | undefined;

/** This thread's shared callbacks, registered on first use. */
function callbacksOfThisThread(): ThreadCallbacks {
  return (threadCallbacks ??= new ThreadCallbacks());
}

/** `bytes` of native memory that is never freed; throws when there is none. */
function allocateNative(bytes: number): number {
  const address = malloc(bytes);
  if (address === 0) throw new Error(`cannot allocate ${bytes} bytes of native memory`);
  return address;
}

/** A `HostVTable` in native memory that is never freed (the guest keeps the pointer), holding `slots` in order. */
function vtableOf(slots: readonly (number | bigint)[]): number {
  const bytes = slots.length * POINTER_BYTES;
  const vtable = allocateNative(bytes);
  new BigUint64Array(koffi.view(vtable, bytes)).set(slots.map(BigInt));
  return vtable;
}

/**
 * One loaded guest image: its symbols bound, its vtable in native memory
 * (over its thread's shared callbacks), the bookkeeping of every buffer
 * that crosses, and, for a generation-2 guest, of its bridge tokens.
 */
export class NativeGuest {
  /** 2 when the library exports `actr_shutdown` (the only way to tell the generations apart), else 1. */
  readonly generation: AbiGeneration;
  /** The bridge tokens of a generation-2 guest; undefined for generation 1. */
  readonly tokens: BridgeTokens | undefined;
  private readonly actrInit: GuestFunctions["actrInit"];
  private readonly actrHandle: GuestFunctions["actrHandle"];
  private readonly actrFreeResponse: GuestFunctions["actrFreeResponse"];
  private readonly actrShutdown: GuestFunctions["actrShutdown"];
  private readonly thread = callbacksOfThisThread();
  /** The handler of this guest's `invoke`s (see `initialize`). */
  private onInvoke: InvokeHandler = () => ({ rc: code.GENERIC_ERROR });
  /** Set by `shutdown`: from then on every `invoke` and `retain_context` answers GENERIC_ERROR, and nothing reaches the handler. */
  private closed = false;
  /** True once the host-buffer cap was reported (it is reported once). */
  private capReported = false;
  /**
   * 16 bytes of native memory (never freed: a few bytes per guest, which
   * stays loaded anyway) for `actr_handle`'s out-pointers, read through
   * `outWords` (little-endian u64s as pairs of u32): `resp_out` at byte 0,
   * `resp_len_out` at byte 8. Passing addresses (numbers) rather than typed
   * arrays keeps koffi's argument conversion to its cheapest.
   */
  private readonly outAddress: number;
  private readonly outWords: Uint32Array;

  /**
   * Opens `path` (dlopen), then calls `opened` (the file may go: the
   * mapping stays), and binds `actr_init`, `actr_handle`,
   * `actr_free_response` and, when exported, `actr_shutdown`. Throws when
   * the file cannot be loaded or a symbol is missing.
   */
  constructor(
    readonly path: string,
    /** The guest's key among the guests of this thread: its bridge tokens carry it (see `guestKeyOf`). */
    key: number,
    /** Shared counters, by `counterSlot`. */
    private readonly counters: Int32Array,
    private readonly limits: NativeLimits,
    readonly report: NativeReport,
    opened: () => void,
    /** Told of every change of a bridge token (generation 2), when given. */
    onBridgeToken?: BridgeTokenListener,
  ) {
    let lib: ReturnType<typeof koffi.load>;
    try {
      lib = koffi.load(path);
    } finally {
      opened();
    }
    const bound = bindGuestFunctions(lib);
    this.actrInit = bound.actrInit;
    this.actrHandle = bound.actrHandle;
    this.actrFreeResponse = bound.actrFreeResponse;
    this.actrShutdown = bound.actrShutdown;
    this.generation = this.actrShutdown === undefined ? 1 : 2;
    this.tokens = this.generation === 2 ? new BridgeTokens(counters, onBridgeToken) : undefined;
    if (this.generation === 2) this.thread.guests.set(key, this);
    this.outAddress = allocateNative(OUT_BYTES);
    this.outWords = new Uint32Array(koffi.view(this.outAddress, OUT_BYTES));
  }

  /**
   * Builds the guest's `HostVTable` of its generation in native memory that
   * is never freed (the guest keeps the pointer until the process exits),
   * over this thread's shared callbacks, with this guest's `invoke`s
   * answered by `onInvoke`, and calls `actr_init` with it and
   * `initPayload`. Returns `actr_init`'s return code.
   */
  initialize(initPayload: Uint8Array, onInvoke: InvokeHandler): number {
    this.onInvoke = onInvoke;
    const vtable = this.thread.vtable(this.generation);
    return this.running(() => this.actrInit(vtable, initPayload.length === 0 ? null : initPayload, initPayload.length));
  }

  /** `retain_context` of this guest's `token`: SUCCESS while it is open and the token live, else GENERIC_ERROR. */
  retainToken(token: number | bigint): number {
    return !this.closed && this.tokens!.retain(token) ? code.SUCCESS : code.GENERIC_ERROR;
  }

  /**
   * Calls `actr_handle` with the call's frame, its bridge token open for the
   * call's duration (generation 2). On `SUCCESS` the guest's reply is copied, when not longer than
   * `maxBytes`, into the memory `replyMemory` gives for its length (exactly
   * that long), and always given back with `actr_free_response` exactly
   * once, before anything reads it.
   */
  callAt(call: GuestCall, maxBytes: number, replyMemory: (length: number) => Uint8Array): HandleResult {
    this.enter(call);
    let rc: number;
    try {
      rc = this.running(() => this.actrHandle(call.address, call.length, this.outAddress, this.outAddress + 8));
    } finally {
      this.leave(call);
    }
    return this.takeReply(rc, maxBytes, replyMemory);
  }

  /**
   * `callAt` with `actr_handle` run on a libuv pool thread (koffi's `async`),
   * so that this thread's event loop stays free meanwhile: every `invoke`
   * of the guest, from the calling thread or its own, then reaches this
   * thread's callbacks through the event loop. For a guest whose threads
   * call the host at any time (generation 2).
   */
  callAtAsync(call: GuestCall, maxBytes: number, replyMemory: (length: number) => Uint8Array): Promise<HandleResult> {
    this.enter(call);
    return new Promise((resolve, reject) => {
      this.actrHandle.async(call.address, call.length, this.outAddress, this.outAddress + 8, (error, rc) => {
        this.leave(call);
        if (error !== null && error !== undefined) reject(error);
        else resolve(this.takeReply(rc, maxBytes, replyMemory));
      });
    });
  }

  /**
   * Calls `actr_shutdown` (generation 2; resolves 0 at once for generation 1)
   * on a libuv pool thread, so that this thread's event loop answers the
   * guest's threads meanwhile. From now on, `invoke` and `retain_context`
   * answer GENERIC_ERROR without reaching the handler; `release_context`
   * and `free_host_buf` still do their bookkeeping.
   */
  shutdown(): Promise<number> {
    this.closed = true;
    const actrShutdown = this.actrShutdown;
    if (actrShutdown === undefined) return Promise.resolve(code.SUCCESS);
    return new Promise((resolve, reject) => {
      actrShutdown.async((error, rc) => (error !== null && error !== undefined ? reject(error) : resolve(rc)));
    });
  }

  /** True while the guest may take another host reply buffer; reports the cap the first time it is reached. */
  mayHoldAnotherBuffer(): boolean {
    if (Atomics.load(this.counters, counterSlot.HOST_BUFFERS) < this.limits.maxOutstandingHostBuffers) return true;
    if (!this.capReported) {
      this.capReported = true;
      this.report(
        `invoke: the guest holds ${this.limits.maxOutstandingHostBuffers} host reply buffers it has not given back (maxOutstandingHostBuffers); answered ALLOC_FAILED until it frees some (reported once)`,
        code.ALLOC_FAILED,
      );
    }
    return false;
  }

  /** Counts host reply buffers the guest took (`delta` 1) or gave back (-1). */
  heldBuffers(delta: 1 | -1): void {
    Atomics.add(this.counters, counterSlot.HOST_BUFFERS, delta);
  }

  /** Counts native allocations of the reply pool made for this guest's replies (`delta` > 0) or freed (< 0): `counterSlot.REPLY_ALLOCATIONS`. */
  replyAllocations(delta: number): void {
    Atomics.add(this.counters, counterSlot.REPLY_ALLOCATIONS, delta);
  }

  /**
   * Answers one `invoke` of this guest: the frame's length against
   * `maxBytes` before a byte is read, null pointers, the copy, the handler,
   * and the reply handed over. Runs inside a guarded callback.
   */
  answerInvoke(
    bridge: InvokeBridge | undefined,
    frame: number,
    frameLen: number,
    replyOut: number,
    replyLenOut: number,
  ): number {
    if (this.closed) return code.GENERIC_ERROR;
    if (replyOut === 0 || replyLenOut === 0) {
      this.report(`invoke with a null reply out-pointer: answered PROTOCOL_ERROR`, code.PROTOCOL_ERROR);
      return code.PROTOCOL_ERROR;
    }
    if (frameLen > this.limits.maxBytes) {
      this.report(
        `invoke frame of ${frameLen} bytes exceeds maxBytes (${this.limits.maxBytes}); answered PROTOCOL_ERROR, unread`,
        code.PROTOCOL_ERROR,
      );
      return code.PROTOCOL_ERROR;
    }
    if (frameLen > 0 && frame === 0) {
      this.report(`invoke with a null frame of ${frameLen} bytes: answered PROTOCOL_ERROR`, code.PROTOCOL_ERROR);
      return code.PROTOCOL_ERROR;
    }
    const bytes = allocate(frameLen); // the handler may keep views into it: never reused
    if (frameLen > 0) copyNative(addressOf(bytes), frame, frameLen);
    let answer: ReturnType<InvokeHandler>;
    try {
      answer = this.onInvoke(bytes, bridge);
    } catch (error) {
      this.report(
        `invoke: the host failed to answer (${error instanceof Error ? error.message : String(error)}); answered GENERIC_ERROR`,
        code.GENERIC_ERROR,
      );
      return code.GENERIC_ERROR;
    }
    if (answer.rc !== code.SUCCESS) return answer.rc;
    return this.thread.lendReply(this, answer.reply, replyOut, replyLenOut);
  }

  /** Runs `body` (a call of the guest on this thread) as the guest its thread's first-generation `invoke`s are for. */
  private running<T>(body: () => T): T {
    const thread = this.thread;
    thread.lastRunning = this;
    if (this.generation === 2) return body();
    const outer = thread.running;
    thread.running = this;
    try {
      return body();
    } finally {
      thread.running = outer;
    }
  }

  /** Opens the call's token (generation 2) and clears the out-pointers. */
  private enter(call: GuestCall): void {
    this.thread.lastRunning = this;
    if (call.bridgeToken !== 0) this.tokens?.open(call.bridgeToken, call.op);
    const words = this.outWords;
    // A guest that answers SUCCESS without writing its out-pointers leaves a null reply, never the last one.
    words[0] = words[1] = words[2] = words[3] = 0;
  }

  /** Drops the host's reference to the call's token, as `actr_handle` returned. */
  private leave(call: GuestCall): void {
    if (call.bridgeToken !== 0) this.tokens?.callReturned(call.bridgeToken);
  }

  /**
   * The reply `actr_handle` left in the out-pointers, copied out and given
   * back with the exact pointer and length the guest gave (see `callAt`).
   */
  private takeReply(rc: number, maxBytes: number, replyMemory: (length: number) => Uint8Array): HandleResult {
    if (rc !== code.SUCCESS) return { rc, reply: undefined, replyLength: 0 };
    const words = this.outWords;
    const ptr = words[0]! + words[1]! * 0x1_0000_0000;
    const replyLength = words[2]! + words[3]! * 0x1_0000_0000;
    // A length of 2^53 or more is not exact as a number: the guest gets back the exact one.
    const exactLength = words[3]! < 0x20_0000 ? replyLength : (BigInt(words[3]!) << 32n) | BigInt(words[2]!);
    if (replyLength === 0) {
      this.actrFreeResponse(ptr, 0); // a no-op for the guest; keeps "every reply is given back" literal
      return { rc, reply: new Uint8Array(0), replyLength: 0 };
    }
    if (ptr === 0) {
      this.actrFreeResponse(0, exactLength);
      return { rc, reply: undefined, replyLength, nullReply: true };
    }
    let reply: Uint8Array | undefined;
    if (replyLength <= maxBytes) {
      reply = replyMemory(replyLength);
      copyNative(addressOf(reply), ptr, replyLength);
    }
    this.actrFreeResponse(ptr, exactLength);
    return { rc, reply, replyLength };
  }
}

/** One call into the guest: its frame in native memory, its op, and its bridge token (0 for none). */
export interface GuestCall {
  /** The frame's native address (0 when `length` is 0). */
  readonly address: number;
  readonly length: number;
  readonly op: number;
  /** The token the host opened for this call (generation 2), or 0. */
  readonly bridgeToken: number;
}
