/**
 * Memory for encoded outputs. Allocating one `ArrayBuffer` per small output
 * costs far more than a view into a shared one, so small outputs are cut from
 * shared slabs, as Node's `Buffer` pool does.
 *
 * The rule that bounds what a kept output pins: outputs are sorted into
 * size classes of powers of two (up to 64 bytes, 65 to 128, ..., 2049 to
 * 4096 bytes), and a slab serves one class only and holds 32 outputs of its
 * largest size (at least 2 KiB). A kept output keeps at most its slab alive,
 * so a kept output of `n` bytes pins at most `max(2 KiB, 64 × n)` bytes,
 * whatever was encoded around it; small outputs kept among large ones (one
 * 5-byte result kept per sixteen 4 KiB encodes, say) share slabs only with
 * each other, and pin little more than their own bytes. Outputs above 4 KiB
 * get their own buffer.
 * Memory handed out is never reused, with one exception: a holder that is
 * done with the last output cut from a slab (the host runtime, with a frame
 * the guest has read) may give it back with `release`, and the next output
 * of that class is cut at the same place. A slab a caller detaches (by
 * transferring its `ArrayBuffer`) only affects the outputs already cut from it.
 *
 * @module
 * @internal
 */

/** Outputs up to this many bytes are cut from a shared slab. */
export const POOLED_MAX = 4096;

/** The smallest size class: 64 bytes. */
const MIN_CLASS_BITS = 6;
/** The size of size class 0; class `i` holds sizes up to `MIN_CLASS << i`. */
export const MIN_CLASS = 1 << MIN_CLASS_BITS;
/** Outputs of the largest size of a class that fit in one of its slabs. */
const OUTPUTS_PER_SLAB = 32;

interface Slab {
  buffer: ArrayBuffer;
  /** A view of the whole slab. */
  bytes: Uint8Array;
  used: number;
}

/** The current slab of each size class, by class index (0 for up to 64 bytes, 1 for up to 128, ...). */
const slabs: Slab[] = [];
for (let size = MIN_CLASS; size <= POOLED_MAX; size *= 2)
  slabs.push({ buffer: new ArrayBuffer(0), bytes: new Uint8Array(0), used: 0 });

/**
 * The power-of-two size class of `size` bytes: 0 for up to 64 bytes, 1 for
 * up to 128, ... (the host runtime's native reply buffers use the same classes).
 */
export function classOf(size: number): number {
  return size <= MIN_CLASS ? 0 : 32 - Math.clz32(size - 1) - MIN_CLASS_BITS;
}

/**
 * `size` bytes of fresh, zeroed memory no one else holds: a view into a
 * shared slab when `size` is at most `POOLED_MAX`, its own buffer otherwise.
 */
export function allocate(size: number): Uint8Array {
  if (size > POOLED_MAX) return new Uint8Array(size);
  const index = classOf(size);
  const slab = slabs[index]!;
  // A detached slab reads as 0 bytes long: it is then simply replaced.
  if (slab.used + size > slab.buffer.byteLength) {
    slab.buffer = new ArrayBuffer((MIN_CLASS << index) * OUTPUTS_PER_SLAB);
    slab.bytes = new Uint8Array(slab.buffer);
    slab.used = 0;
  }
  const out = new Uint8Array(slab.buffer, slab.used, size);
  slab.used = (slab.used + size + 7) & ~7; // keep each output 8-byte aligned
  return out;
}

/**
 * Gives back `bytes`, an output of `allocate` that its holder no longer
 * needs and never handed to anyone, when it is the last output cut from its
 * slab: it is zeroed, and the next output of its size class reuses its
 * memory. Otherwise (something was cut after it, or it is not pooled) does
 * nothing. The holder must not use `bytes` afterwards.
 */
export function release(bytes: Uint8Array): void {
  const size = bytes.length;
  if (size === 0 || size > POOLED_MAX) return;
  const slab = slabs[classOf(size)]!;
  const start = bytes.byteOffset;
  if (bytes.buffer !== slab.buffer || ((start + size + 7) & ~7) !== slab.used) return;
  slab.bytes.fill(0, start, slab.used); // all of it, should `bytes` be a shorter view of the output
  slab.used = start;
}
