/**
 * Native memory for the host runtime: libc's `memcpy`, `malloc` and `free`
 * through koffi, the native address of JavaScript bytes, and the pool of
 * native buffers that carry the host's `invoke` replies to a guest.
 *
 * Every binding here takes plain numbers (addresses and lengths): koffi
 * converts a number argument several times faster than a typed array.
 *
 * @module
 */
import { classOf, MIN_CLASS } from "../pool.js";
import { koffi } from "./koffi.js";

// libc, from the process itself (dlopen(NULL)). memcpy is declared to return
// nothing: koffi would wrap the pointer it returns in a new BigInt on every call.
const libc = koffi.load(null);

/** Copies `n` bytes from native address `src` to native address `dst`. */
export const copyNative: (dst: number, src: number, n: number) => void = libc.func(
  "void memcpy(uintptr_t dst, uintptr_t src, size_t n)",
);
/** `n` bytes of native memory, or 0 when there is none. */
export const malloc: (n: number) => number = libc.func("uintptr_t malloc(size_t n)");
/** Gives back memory from `malloc`. */
export const free: (ptr: number) => void = libc.func("void free(uintptr_t ptr)");
/** Ends the process at once with `status`: no exit handlers, no thread joined (see stuck-threads.ts). */
export const exitNow: (status: number) => void = libc.func("void _exit(int status)");

let lastBuffer: ArrayBufferLike | undefined;
let lastAddress = 0;
/** The address of every `ArrayBuffer` asked about (koffi's answer costs about 0.2 µs, a look-up here a tenth of that). */
const addresses = new WeakMap<ArrayBufferLike, number>();

/**
 * The native address of `bytes[0]`, valid while `bytes`' buffer is neither
 * collected nor detached: use it at once, while the caller holds `bytes`.
 * Addresses of buffers are kept (an ArrayBuffer's memory never moves), the
 * last one at hand, as consecutive questions are mostly about one pooled
 * slab (see `allocate`). `bytes` must not be empty (a detached buffer reads as empty).
 */
export function addressOf(bytes: Uint8Array): number {
  const buffer = bytes.buffer;
  if (buffer !== lastBuffer) {
    // koffi takes the address of an ArrayBuffer, not of a SharedArrayBuffer: ask for the view's own.
    if (buffer instanceof SharedArrayBuffer) return Number(koffi.address(bytes));
    let address = addresses.get(buffer);
    if (address === undefined) {
      address = Number(koffi.address(buffer));
      addresses.set(buffer, address);
    }
    lastAddress = address;
    lastBuffer = buffer;
  }
  return lastAddress + bytes.byteOffset;
}

/** Replies up to this many bytes are carried in pooled native buffers; longer ones get their own `malloc`. */
export const POOLED_REPLY_MAX = 64 * 1024;
/** Pooled buffers are cut from chunks of this many bytes, one size class per chunk. */
const CHUNK_BYTES = 64 * 1024;

/** A native buffer lent to a guest. */
interface Block<Owner> {
  readonly address: number;
  /** A view of the whole block (its capacity); undefined for an unpooled buffer. */
  readonly bytes: Uint8Array | undefined;
  /** Its size class (`classOf`: block size `MIN_CLASS << sizeClass`), or -1 when unpooled. */
  readonly sizeClass: number;
  /** The length of the reply it holds, as told to the guest; -1 while it is not lent. */
  length: number;
  /** Who it is lent for (see `HostReplyBuffers.lend`); undefined while it is not lent. */
  owner: Owner | undefined;
}

/** Why a `giveBack` was refused: the address is not lent, or was lent with another length. */
export type GiveBackRefusal = { readonly kind: "notLent" } | { readonly kind: "otherLength"; readonly length: number };

/** What `giveBack` did: took the buffer back from `owner`, or refused. */
export type GiveBack<Owner> = { readonly kind: "taken"; readonly owner: Owner } | GiveBackRefusal;

/**
 * Native buffers for the host's `invoke` replies, which the guest holds
 * until it gives each back with `free_host_buf`. Replies up to
 * `POOLED_REPLY_MAX` bytes go in blocks of the pool's power-of-two size
 * classes (`classOf`: 64 bytes to 64 KiB), cut from 64 KiB chunks that are
 * written through a view made once (no native call per reply) and reused
 * when given back; the chunks are never freed, so they hold the most reply
 * bytes a guest ever held at once, rounded up to 64 KiB per size class.
 * Longer replies get their own `malloc`, freed when given back. One pool
 * serves every guest of a thread: each buffer remembers the `Owner` it was
 * lent for, told back when it is given back.
 */
export class HostReplyBuffers<Owner> {
  /** Pooled blocks not lent (never lent, or given back), by size class. */
  private readonly freeBlocks: Block<Owner>[][] = [];
  /**
   * Every pooled block, lent or free, and every unpooled buffer while it is
   * lent, by address. Pooled blocks stay in it for good: lending one again
   * changes its `length`, not this map.
   */
  private readonly blocks = new Map<number, Block<Owner>>();
  /** See `allocations`. */
  private allocationCount = 0;

  /**
   * @param onAllocations told, with the owner of the reply that made it,
   * each native allocation this pool makes (`delta` 1) or frees (-1).
   */
  constructor(private readonly onAllocations: (owner: Owner, delta: number) => void = () => {}) {}

  /**
   * The native allocations (`malloc`s) this pool holds: its chunks, which it
   * keeps for good, and the unpooled buffers lent. It grows only when the
   * guests hold more replies at once than ever before (or longer ones), so a
   * steady load leaves it flat.
   */
  get allocations(): number {
    return this.allocationCount;
  }

  /**
   * Copies `reply` (not empty) into a native buffer lent to the guest, for
   * `owner`, and returns its address; 0 when native memory ran out.
   */
  lend(reply: Uint8Array, owner: Owner): number {
    const length = reply.length;
    let block: Block<Owner> | undefined;
    if (length > POOLED_REPLY_MAX) {
      const address = malloc(length);
      if (address === 0) return 0;
      copyNative(address, addressOf(reply), length);
      block = { address, bytes: undefined, sizeClass: -1, length, owner };
      this.blocks.set(address, block);
      this.counted(owner, 1);
    } else {
      const sizeClass = classOf(length);
      block = this.freeBlocks[sizeClass]?.pop() ?? this.cut(sizeClass, owner);
      if (block === undefined) return 0;
      block.bytes!.set(reply);
      block.length = length;
      block.owner = owner;
    }
    return block.address;
  }

  /**
   * Takes back the buffer at `address` that the guest held with `length`
   * bytes, and says whose it was. Refuses (and leaves the memory alone) an
   * address that is not lent, or lent with another length.
   */
  giveBack(address: number, length: number): GiveBack<Owner> {
    const block = this.blocks.get(address);
    if (block === undefined || block.length < 0) return { kind: "notLent" };
    if (block.length !== length) return { kind: "otherLength", length: block.length };
    const owner = block.owner!;
    if (block.sizeClass < 0) {
      this.blocks.delete(address);
      free(address);
      this.counted(owner, -1);
    } else {
      block.length = -1;
      block.owner = undefined;
      this.freeBlocks[block.sizeClass]!.push(block);
    }
    return { kind: "taken", owner };
  }

  /** Counts an allocation made (`delta` 1) or freed (-1) for `owner`'s reply, and tells `onAllocations`. */
  private counted(owner: Owner, delta: number): void {
    this.allocationCount += delta;
    this.onAllocations(owner, delta);
  }

  /** A new chunk of blocks of `sizeClass`, for a reply of `owner`'s: returns one, keeps the others free; undefined when native memory ran out. */
  private cut(sizeClass: number, owner: Owner): Block<Owner> | undefined {
    const chunk = malloc(CHUNK_BYTES);
    if (chunk === 0) return undefined;
    this.counted(owner, 1);
    const view = new Uint8Array(koffi.view(chunk, CHUNK_BYTES));
    const size = MIN_CLASS << sizeClass;
    const freeOfClass = (this.freeBlocks[sizeClass] ??= []);
    for (let offset = CHUNK_BYTES - size; offset >= 0; offset -= size) {
      const block: Block<Owner> = {
        address: chunk + offset,
        bytes: view.subarray(offset, offset + size),
        sizeClass,
        length: -1,
        owner: undefined,
      };
      this.blocks.set(block.address, block);
      freeOfClass.push(block);
    }
    return freeOfClass.pop();
  }
}
