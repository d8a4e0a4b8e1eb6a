/**
 * The guest's C interface through koffi: the three exported symbols, the
 * host's `HostVTable` in native memory, and the buffer ownership rules of
 * docs/abi.md section 7. Nothing here knows protobuf: bytes in, bytes out.
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
import { addressOf, copyNative, HostReplyBuffers, malloc } from "./native-memory.js";

/** Bytes of a guest's out-pointer block (see `NativeGuest.outWords`). */
const OUT_BYTES = 32;

// The callback types of HostVTable (`invoke`, `free_host_buf`). Pointers
// arrive as addresses (numbers). The types are anonymous: koffi's type names
// are global to a thread, and two copies of this package may be loaded in one.
const InvokeCallback = koffi.proto(null, "int32_t", ["uintptr_t", "size_t", "uintptr_t", "uintptr_t"]);
const FreeHostBufCallback = koffi.proto(null, "void", ["uintptr_t", "size_t"]);
/** `#[repr(C)] struct HostVTable { invoke, free_host_buf }`: two function pointers, `invoke` first. */
const VTABLE_BYTES = 16;

/**
 * What the host does for one `invoke`: given the guest's frame (a copy the
 * host owns), its return code and, on `SUCCESS`, the encoded `AbiReply`
 * (empty bytes are passed to the guest as a null pointer with length 0),
 * copied to native memory at once: it may be a view into a buffer that is reused.
 */
export type InvokeHandler = (frame: Uint8Array) => { readonly rc: number; readonly reply?: Uint8Array };

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

/** Host reply buffers handed to the guest and not yet given back, shared so another thread can read it. */
export interface HostBufferCounter {
  /** `[0]`: buffers allocated for `invoke` replies and not yet freed through `free_host_buf`. */
  readonly outstanding: Int32Array;
}

/**
 * One loaded guest image: its symbols bound, the host's vtable in native
 * memory, and the bookkeeping of every buffer that crosses.
 */
export class NativeGuest {
  private readonly init: (vt: number, init: Uint8Array | null, len: number) => number;
  private readonly handle: (req: number, len: number, respOut: number, respLenOut: number) => number;
  private readonly freeResponse: (ptr: number, len: number) => void;
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
    private readonly counter: HostBufferCounter,
    /**
     * Told what went wrong where the guest only sees a status: a free of a
     * buffer the host did not hand out (or with another length; the buffer is
     * then left alone), an `invoke` answer that threw.
     */
    private readonly report: (message: string) => void,
  ) {
    const lib = koffi.load(path);
    this.init = lib.func("int32_t actr_init(uintptr_t vt, const uint8_t *init, size_t initLen)") as never;
    this.handle = lib.func("int32_t actr_handle(uintptr_t req, size_t reqLen, uintptr_t respOut, uintptr_t respLenOut)") as never;
    this.freeResponse = lib.func("void actr_free_response(uintptr_t ptr, size_t len)") as never;
    this.outAddress = malloc(OUT_BYTES);
    if (this.outAddress === 0) throw new Error(`cannot allocate ${OUT_BYTES} bytes of native memory`);
    this.outWords = new Uint32Array(koffi.view(this.outAddress, OUT_BYTES));
  }

  /**
   * Builds the host's `HostVTable` in native memory that is never freed (the
   * guest keeps the pointer until the process exits), with `invoke` running
   * `onInvoke`, and calls `actr_init` with it and `initPayload`.
   * Returns `actr_init`'s return code.
   */
  initialize(initPayload: Uint8Array, onInvoke: InvokeHandler): number {
    const invoke = koffi.register(
      (frame: number, frameLen: number, replyOut: number, replyLenOut: number) => this.invoke(onInvoke, frame, frameLen, replyOut, replyLenOut),
      koffi.pointer(InvokeCallback),
    );
    const freeHostBuf = koffi.register((ptr: number, len: number) => this.freeHostBuffer(ptr, len), koffi.pointer(FreeHostBufCallback));
    const vtable = malloc(VTABLE_BYTES);
    if (vtable === 0) throw new Error(`cannot allocate ${VTABLE_BYTES} bytes of native memory`);
    new BigUint64Array(koffi.view(vtable, VTABLE_BYTES)).set([invoke, freeHostBuf]);
    return this.init(vtable, initPayload.length === 0 ? null : initPayload, initPayload.length);
  }

  /**
   * Calls `actr_handle` with the frame at native `address` (0 when `length`
   * is 0). On `SUCCESS` the guest's reply is copied, when not longer than
   * `maxBytes`, into the memory `replyMemory` gives for its length (exactly
   * that long), and always given back with `actr_free_response` exactly
   * once, before anything reads it.
   */
  callAt(address: number, length: number, maxBytes: number, replyMemory: (length: number) => Uint8Array): HandleResult {
    const words = this.outWords;
    // A guest that answers SUCCESS without writing its out-pointers leaves a null reply, never the last one.
    words[0] = words[1] = words[2] = words[3] = 0;
    const rc = this.handle(address, length, this.outAddress, this.outAddress + 8);
    if (rc !== code.SUCCESS) return { rc, reply: undefined, replyLength: 0 };
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

  private invoke(onInvoke: InvokeHandler, frame: number, frameLen: number, replyOut: number, replyLenOut: number): number {
    if (replyOut === 0 || replyLenOut === 0) return code.PROTOCOL_ERROR;
    const bytes = allocate(frameLen); // the handler may keep views into it: never reused
    if (frameLen > 0) {
      if (frame === 0) return code.PROTOCOL_ERROR;
      copyNative(addressOf(bytes), frame, frameLen);
    }
    let answer: ReturnType<InvokeHandler>;
    try {
      answer = onInvoke(bytes);
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
      Atomics.add(this.counter.outstanding, 0, 1);
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
    Atomics.sub(this.counter.outstanding, 0, 1);
  }
}
