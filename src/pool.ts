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
 * A slab is never written twice: memory handed out is never reused, and a
 * slab a caller detaches (by transferring its `ArrayBuffer`) only affects the
 * outputs already cut from it.
 *
 * @module
 * @internal
 */

/** Outputs up to this many bytes are cut from a shared slab. */
export const POOLED_MAX = 4096;

/** The smallest size class. */
const MIN_CLASS = 64;
/** Outputs of the largest size of a class that fit in one of its slabs. */
const OUTPUTS_PER_SLAB = 32;

interface Slab {
  buffer: ArrayBuffer;
  used: number;
}

/** The current slab of each size class, by class index (0 for up to 64 bytes, 1 for up to 128, ...). */
const slabs: Slab[] = [];
for (let size = MIN_CLASS; size <= POOLED_MAX; size *= 2) slabs.push({ buffer: new ArrayBuffer(0), used: 0 });

function classOf(size: number): number {
  let index = 0;
  for (let top = MIN_CLASS; top < size; top *= 2) index++;
  return index;
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
    slab.used = 0;
  }
  const out = new Uint8Array(slab.buffer, slab.used, size);
  slab.used = (slab.used + size + 7) & ~7; // keep each output 8-byte aligned
  return out;
}
