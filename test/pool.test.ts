// The pool of small outputs: size classes, and memory given back with `release`.
import { describe, expect, it } from "vitest";
import { allocate, POOLED_MAX, release } from "../src/pool.js";

const fill = (bytes: Uint8Array, value: number) => {
  bytes.fill(value);
  return bytes;
};

describe("allocate", () => {
  it("cuts outputs of one size class from one slab, and each class from its own", () => {
    for (const [small, large] of [
      [64, 65],
      [128, 129],
      [2048, 2049],
    ] as const) {
      const a = allocate(small);
      const b = allocate(small);
      const c = allocate(large);
      expect(b.buffer).toBe(a.buffer);
      expect(c.buffer).not.toBe(a.buffer);
    }
  });

  it("fills a slab to its last byte: 32 outputs of a class's largest size share one buffer", () => {
    // Start a new slab of the 64-byte class, then fill it.
    const old = allocate(64);
    let first = allocate(64);
    while (first.buffer === old.buffer) first = allocate(64);
    const rest = Array.from({ length: 31 }, () => allocate(64));
    expect(rest.every((output) => output.buffer === first.buffer)).toBe(true);
    expect(first.buffer.byteLength).toBe(32 * 64);
    expect(allocate(64).buffer).not.toBe(first.buffer);
  });

  it("gives outputs above POOLED_MAX a buffer of their own", () => {
    const pooled = allocate(POOLED_MAX);
    expect(pooled.buffer.byteLength).toBeGreaterThan(POOLED_MAX);
    const own = allocate(POOLED_MAX + 1);
    expect(own.byteOffset).toBe(0);
    expect(own.buffer.byteLength).toBe(POOLED_MAX + 1);
  });
});

describe("release", () => {
  it("gives the last output cut from a slab back: the next output of its class reuses the memory, zeroed", () => {
    const first = fill(allocate(300), 0xaa);
    release(first);
    const next = allocate(260); // the same class (257 to 512 bytes)
    expect(next.buffer).toBe(first.buffer);
    expect(next.byteOffset).toBe(first.byteOffset);
    expect(next.every((byte) => byte === 0)).toBe(true);
  });

  it("does nothing when another output was cut after it", () => {
    const first = fill(allocate(300), 0xaa);
    const second = fill(allocate(300), 0xbb);
    release(first);
    expect(first.every((byte) => byte === 0xaa)).toBe(true);
    const third = allocate(300);
    expect(third.buffer === first.buffer && third.byteOffset === first.byteOffset).toBe(false);
    expect(third.buffer === second.buffer && third.byteOffset === second.byteOffset).toBe(false);
    expect(second.every((byte) => byte === 0xbb)).toBe(true);
  });

  it("does nothing for bytes the pool did not cut, or an output of another class cut last", () => {
    const foreign = fill(new Uint8Array(300), 0xcc);
    release(foreign);
    expect(foreign.every((byte) => byte === 0xcc)).toBe(true);
    const own = fill(allocate(POOLED_MAX + 10), 0xdd);
    release(own);
    expect(own.every((byte) => byte === 0xdd)).toBe(true);
    release(new Uint8Array(0));
    // The last output of its slab, but released as another size: the slab is not the class's.
    const last = fill(allocate(100), 0xee);
    release(last.subarray(0, 10));
    expect(last.every((byte) => byte === 0xee)).toBe(true);
    expect(allocate(100).byteOffset).not.toBe(last.byteOffset);
  });

  it("does nothing for a view of another buffer that ends where the slab's last output ends", () => {
    const last = fill(allocate(300), 0x33);
    const lookalike = new Uint8Array(new ArrayBuffer(last.byteOffset + 304), last.byteOffset, 300);
    release(lookalike);
    expect(last.every((byte) => byte === 0x33)).toBe(true);
    expect(allocate(300).byteOffset).not.toBe(last.byteOffset);
  });

  it("a view of the last output that does not end where it ends is not given back", () => {
    const last = fill(allocate(300), 0x11);
    release(last.subarray(0, 290)); // same class, same slab, but not the whole output
    expect(last.every((byte) => byte === 0x11)).toBe(true);
    expect(allocate(300).byteOffset).not.toBe(last.byteOffset);
  });

  it("memory given back through a view a few bytes short is zeroed whole when reused", () => {
    const last = fill(allocate(300), 0x22);
    release(last.subarray(0, 297)); // ends in the same 8-byte word as the output
    const next = allocate(300);
    expect(next.byteOffset).toBe(last.byteOffset);
    expect(next.every((byte) => byte === 0)).toBe(true);
  });
});
