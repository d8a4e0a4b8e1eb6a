/**
 * The guest's C interface through koffi: the three exported symbols, the
 * host's `HostVTable` in native memory, and the buffer ownership rules of
 * docs/abi.md section 7. Nothing here knows protobuf: bytes in, bytes out.
 *
 * Hot paths avoid koffi's value conversions: out-pointers are read from a
 * reused scratch buffer, and native bytes are copied with libc's `memcpy` in
 * one call (no `koffi.view`/`koffi.decode`, which cost several times more).
 *
 * @module
 */
import { code } from "../codes.js";
import { allocate } from "../pool.js";
import { koffi } from "./koffi.js";

// libc, from the process itself (dlopen(NULL)): memcpy, malloc, free.
// memcpy is declared to return nothing: koffi would wrap the pointer it
// returns in a new BigInt on every call.
const libc = koffi.load(null);
/** Copies `n` native bytes at address `src` into `dst`. */
const copyFromNative = libc.func("void memcpy(uint8_t *dst, uintptr_t src, size_t n)") as (dst: Uint8Array, src: number, n: number) => void;
/** Copies `n` bytes of `src` to the native address `dst`. */
const copyToNative = libc.func("void memcpy(uintptr_t dst, const uint8_t *src, size_t n)") as (dst: number, src: Uint8Array, n: number) => void;
/** Copies `n` bytes between native addresses (all arguments plain numbers: koffi's cheapest call). */
const copyNative = libc.func("void memcpy(uintptr_t dst, uintptr_t src, size_t n)") as (dst: number, src: number, n: number) => void;
const malloc = libc.func("uintptr_t malloc(size_t n)") as (n: number) => number;
const free = libc.func("void free(uintptr_t ptr)") as (ptr: number) => void;

/** Bytes of a guest's out-pointer block (see `NativeGuest.outWords`). */
const OUT_BYTES = 32;

// The callback types of HostVTable. Pointers arrive as addresses (numbers).
const InvokeCallback = koffi.proto("int32_t ActrHostInvoke(uintptr_t frame, size_t frameLen, uintptr_t replyOut, uintptr_t replyLenOut)");
const FreeHostBufCallback = koffi.proto("void ActrHostFreeBuf(uintptr_t ptr, size_t len)");
/** `#[repr(C)] struct HostVTable { invoke, free_host_buf }`: two function pointers, `invoke` first. */
const HostVTable = koffi.struct("ActrHostVTable", {
  invoke: koffi.pointer(InvokeCallback),
  free_host_buf: koffi.pointer(FreeHostBufCallback),
});

/**
 * What the host does for one `invoke`: given the guest's frame (a copy the
 * host owns), its return code and, on `SUCCESS`, the encoded `AbiReply`
 * (empty bytes are passed to the guest as a null pointer with length 0).
 */
export type InvokeHandler = (frame: Uint8Array) => { readonly rc: number; readonly reply?: Uint8Array };

/** What `actr_handle` gave back: its return code, and on `SUCCESS` the reply's length. */
export interface HandleResult {
  /** `actr_handle`'s return code. */
  readonly rc: number;
  /**
   * The reply, copied out of guest memory (which is already given back) into
   * a scratch buffer valid until the next `call` (or memory of its own, see
   * `call`); empty for a null reply.
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
  private readonly init: (vt: unknown, init: Uint8Array | null, len: number) => number;
  private readonly handle: (req: Uint8Array, len: number, respOut: number, respLenOut: number) => number;
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
  /** Where guest replies are copied to; reused, grown as needed. */
  private replyScratch = new Uint8Array(4096);
  /** Host reply buffers the guest still holds: address → length. */
  private readonly hostBuffers = new Map<number, number>();

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
    this.init = lib.func("int32_t actr_init(const ActrHostVTable *vt, const uint8_t *init, size_t initLen)") as never;
    this.handle = lib.func("int32_t actr_handle(const uint8_t *req, size_t reqLen, uintptr_t respOut, uintptr_t respLenOut)") as never;
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
    const vtable = koffi.alloc(HostVTable, 1);
    koffi.encode(vtable, HostVTable, { invoke, free_host_buf: freeHostBuf });
    return this.init(vtable, initPayload.length === 0 ? null : initPayload, initPayload.length);
  }

  /**
   * Calls `actr_handle` with `frame`. On `SUCCESS` the guest's reply is
   * copied out (when not longer than `maxBytes`) and always given back with
   * `actr_free_response` exactly once, before anything reads it. The copy is
   * made into the reused scratch buffer, or with `ownReply` into fresh memory
   * of its own (see `allocate`) that the caller may keep.
   */
  call(frame: Uint8Array, maxBytes: number, ownReply = false): HandleResult {
    const words = this.outWords;
    // A guest that answers SUCCESS without writing its out-pointers leaves a null reply, never the last one.
    words[0] = words[1] = words[2] = words[3] = 0;
    const rc = this.handle(frame, frame.length, this.outAddress, this.outAddress + 8);
    if (rc !== code.SUCCESS) return { rc, reply: undefined, replyLength: 0 };
    const ptr = words[0]! + words[1]! * 0x1_0000_0000;
    const length = words[2]! + words[3]! * 0x1_0000_0000;
    if (ptr === 0 || length === 0) {
      this.freeResponse(ptr, length); // a no-op for the guest; keeps "every reply is given back" literal
      return { rc, reply: new Uint8Array(0), replyLength: 0 };
    }
    let reply: Uint8Array | undefined;
    if (length <= maxBytes) {
      if (ownReply) {
        reply = allocate(length);
      } else {
        if (this.replyScratch.length < length) this.replyScratch = new Uint8Array(Math.max(length, this.replyScratch.length * 2));
        reply = this.replyScratch.subarray(0, length);
      }
      copyFromNative(reply, ptr, length);
    }
    this.freeResponse(ptr, length);
    return { rc, reply, replyLength: length };
  }

  private invoke(onInvoke: InvokeHandler, frame: number, frameLen: number, replyOut: number, replyLenOut: number): number {
    if (replyOut === 0 || replyLenOut === 0) return code.PROTOCOL_ERROR;
    const bytes = allocate(frameLen); // the handler may keep views into it: never reused
    if (frameLen > 0) {
      if (frame === 0) return code.PROTOCOL_ERROR;
      copyFromNative(bytes, frame, frameLen);
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
      ptr = malloc(length);
      if (ptr === 0) return code.ALLOC_FAILED;
      copyToNative(ptr, reply!, length);
      this.hostBuffers.set(ptr, length);
      Atomics.add(this.counter.outstanding, 0, 1);
    }
    const words = this.outWords;
    words[4] = ptr % 0x1_0000_0000;
    words[5] = Math.floor(ptr / 0x1_0000_0000);
    words[6] = length % 0x1_0000_0000;
    words[7] = Math.floor(length / 0x1_0000_0000);
    copyNative(replyOut, this.outAddress + 16, 8);
    copyNative(replyLenOut, this.outAddress + 24, 8);
    return code.SUCCESS;
  }

  private freeHostBuffer(ptr: number, len: number): void {
    if (ptr === 0 || len === 0) return;
    const known = this.hostBuffers.get(ptr);
    if (known !== len) {
      this.report(
        known === undefined
          ? `free_host_buf(0x${ptr.toString(16)}, ${len}): not a host reply buffer (or freed twice); left alone`
          : `free_host_buf(0x${ptr.toString(16)}, ${len}): the buffer holds ${known} bytes; left alone`,
      );
      return;
    }
    this.hostBuffers.delete(ptr);
    Atomics.sub(this.counter.outstanding, 0, 1);
    free(ptr);
  }
}
