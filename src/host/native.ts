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
import { type BridgeTokenEntry, type BridgeTokenListener, BridgeTokens, counterSlot } from "./bridge-tokens.js";
import { addressOf, copyNative, HostReplyBuffers, malloc } from "./native-memory.js";

/** Bytes of a guest's out-pointer block (see `NativeGuest.outWords`). */
const OUT_BYTES = 32;

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
export type InvokeHandler = (frame: Uint8Array, bridge: InvokeBridge | undefined) => { readonly rc: number; readonly reply?: Uint8Array };

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
}

/** `actr_handle` as bound here, with koffi's `async` form (run on a libuv pool thread). */
interface HandleFunction {
  (req: number, len: number, respOut: number, respLenOut: number): number;
  async(req: number, len: number, respOut: number, respLenOut: number, done: (error: unknown, rc: number) => void): void;
}

/** `actr_shutdown` as bound here. */
interface ShutdownFunction {
  async(done: (error: unknown, rc: number) => void): void;
}

/**
 * One loaded guest image: its symbols bound, the host's vtable in native
 * memory, the bookkeeping of every buffer that crosses, and, for a
 * generation-2 guest, of its bridge tokens.
 */
export class NativeGuest {
  /** 2 when the library exports `actr_shutdown` (the only way to tell the generations apart), else 1. */
  readonly generation: AbiGeneration;
  /** The bridge tokens of a generation-2 guest; undefined for generation 1. */
  readonly tokens: BridgeTokens | undefined;
  private readonly init: (vt: number, init: Uint8Array | null, len: number) => number;
  private readonly handle: HandleFunction;
  private readonly freeResponse: (ptr: number, len: number) => void;
  private readonly shutdownGuest: ShutdownFunction | undefined;
  /** Set by `shutdown`: from then on every `invoke` and `retain_context` answers GENERIC_ERROR, and nothing reaches the handler. */
  private closed = false;
  /**
   * 32 bytes of native memory (never freed: a few bytes per guest, which
   * stays loaded anyway) for out-pointers, read and written through `outWords`
   * (little-endian u64s as pairs of u32): `actr_handle`'s `resp_out` at byte 0
   * and `resp_len_out` at byte 8; at bytes 16 and 24, the reply pointer and
   * length of an `invoke`, copied from there to the guest's out-pointers.
   * Passing addresses (numbers) rather than typed arrays keeps koffi's
   * argument conversion to its cheapest.
   */
  private readonly outAddress: number;
  private readonly outWords: Uint32Array;
  /** Host reply buffers the guest holds. */
  private readonly hostBuffers = new HostReplyBuffers();

  /**
   * Opens `path` (dlopen) and binds `actr_init`, `actr_handle` and
   * `actr_free_response`. Throws when the file cannot be loaded or a symbol is missing.
   */
  constructor(
    readonly path: string,
    /** Shared counters, by `counterSlot`. */
    private readonly counters: Int32Array,
    /**
     * Told what went wrong where the guest only sees a status: a free of a
     * buffer the host did not hand out (or with another length; the buffer is
     * then left alone), an `invoke` answer that threw.
     */
    private readonly report: (message: string) => void,
    /** Told of every change of a bridge token (generation 2), when given. */
    onBridgeToken?: BridgeTokenListener,
  ) {
    const lib = koffi.load(path);
    this.init = lib.func("int32_t actr_init(uintptr_t vt, const uint8_t *init, size_t initLen)") as never;
    this.handle = lib.func("int32_t actr_handle(uintptr_t req, size_t reqLen, uintptr_t respOut, uintptr_t respLenOut)") as never;
    this.freeResponse = lib.func("void actr_free_response(uintptr_t ptr, size_t len)") as never;
    this.shutdownGuest = bindOptional(lib, "int32_t actr_shutdown()") as ShutdownFunction | undefined;
    this.generation = this.shutdownGuest === undefined ? 1 : 2;
    this.tokens = this.generation === 2 ? new BridgeTokens(counters, onBridgeToken) : undefined;
    this.outAddress = malloc(OUT_BYTES);
    if (this.outAddress === 0) throw new Error(`cannot allocate ${OUT_BYTES} bytes of native memory`);
    this.outWords = new Uint32Array(koffi.view(this.outAddress, OUT_BYTES));
  }

  /**
   * Builds the host's `HostVTable` of the guest's generation in native
   * memory that is never freed (the guest keeps the pointer until the
   * process exits, and the callbacks stay valid as long), with `invoke`
   * running `onInvoke`, and calls `actr_init` with it and `initPayload`.
   * Returns `actr_init`'s return code.
   */
  initialize(initPayload: Uint8Array, onInvoke: InvokeHandler): number {
    const freeHostBuf = koffi.register((ptr: number, len: number) => this.freeHostBuffer(ptr, len), koffi.pointer(FreeHostBufCallback));
    let slots: (number | bigint)[];
    const tokens = this.tokens;
    if (tokens === undefined) {
      const invoke = koffi.register(
        (frame: number, frameLen: number, replyOut: number, replyLenOut: number) => this.invoke(onInvoke, undefined, frame, frameLen, replyOut, replyLenOut),
        koffi.pointer(InvokeCallback),
      );
      slots = [invoke, freeHostBuf];
    } else {
      const retain = koffi.register((token: number | bigint) => (!this.closed && tokens.retain(token) ? code.SUCCESS : code.GENERIC_ERROR), koffi.pointer(RetainContextCallback));
      const release = koffi.register((token: number | bigint) => tokens.release(token), koffi.pointer(ReleaseContextCallback));
      const invoke = koffi.register(
        (token: number | bigint, frame: number, frameLen: number, replyOut: number, replyLenOut: number) =>
          this.invoke(onInvoke, { token, entry: tokens.lookup(token) }, frame, frameLen, replyOut, replyLenOut),
        koffi.pointer(TokenInvokeCallback),
      );
      slots = [retain, release, invoke, freeHostBuf];
    }
    const bytes = slots.length * POINTER_BYTES;
    const vtable = malloc(bytes);
    if (vtable === 0) throw new Error(`cannot allocate ${bytes} bytes of native memory`);
    new BigUint64Array(koffi.view(vtable, bytes)).set(slots.map(BigInt));
    return this.init(vtable, initPayload.length === 0 ? null : initPayload, initPayload.length);
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
      rc = this.handle(call.address, call.length, this.outAddress, this.outAddress + 8);
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
      this.handle.async(call.address, call.length, this.outAddress, this.outAddress + 8, (error, rc) => {
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
    const shutdownGuest = this.shutdownGuest;
    if (shutdownGuest === undefined) return Promise.resolve(code.SUCCESS);
    return new Promise((resolve, reject) => {
      shutdownGuest.async((error, rc) => (error !== null && error !== undefined ? reject(error) : resolve(rc)));
    });
  }

  /** Opens the call's token (generation 2) and clears the out-pointers. */
  private enter(call: GuestCall): void {
    if (call.bridgeToken !== 0) this.tokens?.open(call.bridgeToken, call.op);
    const words = this.outWords;
    // A guest that answers SUCCESS without writing its out-pointers leaves a null reply, never the last one.
    words[0] = words[1] = words[2] = words[3] = 0;
  }

  /** Drops the host's reference to the call's token, as `actr_handle` returned. */
  private leave(call: GuestCall): void {
    if (call.bridgeToken !== 0) this.tokens?.callReturned(call.bridgeToken);
  }

  /** The reply `actr_handle` left in the out-pointers, copied out and given back (see `callAt`). */
  private takeReply(rc: number, maxBytes: number, replyMemory: (length: number) => Uint8Array): HandleResult {
    if (rc !== code.SUCCESS) return { rc, reply: undefined, replyLength: 0 };
    const words = this.outWords;
    const ptr = words[0]! + words[1]! * 0x1_0000_0000;
    const replyLength = words[2]! + words[3]! * 0x1_0000_0000;
    if (ptr === 0 || replyLength === 0) {
      this.freeResponse(ptr, replyLength); // a no-op for the guest; keeps "every reply is given back" literal
      return { rc, reply: new Uint8Array(0), replyLength: 0 };
    }
    let reply: Uint8Array | undefined;
    if (replyLength <= maxBytes) {
      reply = replyMemory(replyLength);
      copyNative(addressOf(reply), ptr, replyLength);
    }
    this.freeResponse(ptr, replyLength);
    return { rc, reply, replyLength };
  }

  private invoke(onInvoke: InvokeHandler, bridge: InvokeBridge | undefined, frame: number, frameLen: number, replyOut: number, replyLenOut: number): number {
    if (this.closed) return code.GENERIC_ERROR;
    if (replyOut === 0 || replyLenOut === 0) return code.PROTOCOL_ERROR;
    const bytes = allocate(frameLen); // the handler may keep views into it: never reused
    if (frameLen > 0) {
      if (frame === 0) return code.PROTOCOL_ERROR;
      copyNative(addressOf(bytes), frame, frameLen);
    }
    let answer: ReturnType<InvokeHandler>;
    try {
      answer = onInvoke(bytes, bridge);
    } catch (error) {
      // Never let an exception unwind through the guest's native frames.
      this.report(`invoke: the host failed to answer (${error instanceof Error ? error.message : String(error)}); answered GENERIC_ERROR`);
      return code.GENERIC_ERROR;
    }
    const { rc, reply } = answer;
    if (rc !== code.SUCCESS) return rc;
    let ptr = 0;
    const length = reply?.length ?? 0;
    if (length > 0) {
      ptr = this.hostBuffers.lend(reply!);
      if (ptr === 0) return code.ALLOC_FAILED;
      Atomics.add(this.counters, counterSlot.HOST_BUFFERS, 1);
    }
    const words = this.outWords;
    words[4] = ptr % 0x1_0000_0000;
    words[5] = Math.floor(ptr / 0x1_0000_0000);
    words[6] = length % 0x1_0000_0000;
    words[7] = Math.floor(length / 0x1_0000_0000);
    if (replyLenOut === replyOut + 8) {
      copyNative(replyOut, this.outAddress + 16, 16); // the two out-pointers side by side, as a guest's locals often are
    } else {
      copyNative(replyOut, this.outAddress + 16, 8);
      copyNative(replyLenOut, this.outAddress + 24, 8);
    }
    return code.SUCCESS;
  }

  private freeHostBuffer(ptr: number, len: number): void {
    if (ptr === 0 || len === 0) return;
    const refusal = this.hostBuffers.giveBack(ptr, len);
    if (refusal !== undefined) {
      this.report(
        refusal.kind === "notLent"
          ? `free_host_buf(0x${ptr.toString(16)}, ${len}): not a host reply buffer (or freed twice); left alone`
          : `free_host_buf(0x${ptr.toString(16)}, ${len}): the buffer holds ${refusal.length} bytes; left alone`,
      );
      return;
    }
    Atomics.sub(this.counters, counterSlot.HOST_BUFFERS, 1);
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

/** `lib.func(signature)`, or undefined when the library does not export that symbol. */
function bindOptional(lib: ReturnType<typeof koffi.load>, signature: string): unknown {
  try {
    return lib.func(signature);
  } catch {
    return undefined;
  }
}
