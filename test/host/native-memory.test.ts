// The native memory of the host runtime: addresses of JavaScript bytes, and
// the pool of host reply buffers a guest holds until `free_host_buf`.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import koffi from "koffi";
import { describe, expect, it } from "vitest";
import { addressOf, HostReplyBuffers, POOLED_REPLY_MAX } from "../../src/host/native-memory.js";

/** The `length` bytes at native `address`, copied out. */
const read = (address: number, length: number) => new Uint8Array(koffi.view(address, length)).slice();
/** Checks the bytes at native `address` (compared whole: a failure shows the first difference's index). */
function expectBytesAt(address: number, expected: Uint8Array): void {
  const actual = read(address, expected.length);
  const first = actual.findIndex((byte, i) => byte !== expected[i]);
  expect(first, `first differing byte of ${expected.length}`).toBe(-1);
}
const pattern = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 7 + seed) & 0xff);

describe("addressOf", () => {
  it("gives the native address of a view's first byte, in a buffer of its own or at an offset", () => {
    const buffer = new ArrayBuffer(64);
    const whole = new Uint8Array(buffer);
    whole.set(pattern(64, 1));
    for (const view of [
      whole,
      new Uint8Array(buffer, 8, 16),
      new Uint8Array(buffer, 63, 1),
      Uint8Array.from([9, 8, 7]),
    ]) {
      expect(read(addressOf(view), view.length)).toEqual(view);
    }
  });

  it("gives the address of a view into a SharedArrayBuffer", () => {
    const shared = new Uint8Array(new SharedArrayBuffer(32), 8, 16);
    shared.set(pattern(16, 4));
    expect(read(addressOf(shared), 16)).toEqual(shared.slice());
  });

  it("follows the buffer it is asked about, not the last one", () => {
    const a = pattern(32, 2);
    const b = pattern(32, 3);
    expect(read(addressOf(a), 32)).toEqual(a);
    expect(read(addressOf(b), 32)).toEqual(b);
    expect(read(addressOf(a.subarray(5)), 27)).toEqual(a.subarray(5));
  });
});

/** What `giveBack` says of a buffer lent for "g". */
const taken = { kind: "taken", owner: "g" };

describe("HostReplyBuffers", () => {
  it("tells back whom each buffer was lent for", () => {
    const buffers = new HostReplyBuffers<string>();
    const a = buffers.lend(pattern(10, 1), "a");
    const b = buffers.lend(pattern(10, 2), "b");
    expect(buffers.giveBack(b, 10)).toEqual({ kind: "taken", owner: "b" });
    expect(buffers.giveBack(a, 10)).toEqual({ kind: "taken", owner: "a" });
  });

  it("lends a native copy of each reply, and takes it back once", () => {
    const buffers = new HostReplyBuffers<string>();
    for (const length of [1, 63, 64, 65, 128, 129, 4096, POOLED_REPLY_MAX, POOLED_REPLY_MAX + 1, 200_000]) {
      const reply = pattern(length, length);
      const address = buffers.lend(reply, "g");
      expect(address).not.toBe(0);
      expectBytesAt(address, reply);
      expect(buffers.giveBack(address, length)).toEqual(taken);
      expect(buffers.giveBack(address, length)).toEqual({ kind: "notLent" });
    }
  });

  it("replies held at once get distinct buffers that do not overlap", () => {
    const buffers = new HostReplyBuffers<string>();
    const held = Array.from({ length: 300 }, (_, i) => {
      const reply = pattern(1 + ((i * 37) % 3000), i);
      return { reply, address: buffers.lend(reply, "g") };
    });
    expect(new Set(held.map((h) => h.address)).size).toBe(held.length);
    // Every copy is intact after all the others were written.
    for (const { reply, address } of held) expectBytesAt(address, reply);
    for (const { reply, address } of held) expect(buffers.giveBack(address, reply.length)).toEqual(taken);
  });

  it("a buffer given back is lent again for a reply of its size class", () => {
    const buffers = new HostReplyBuffers<string>();
    const first = buffers.lend(pattern(100, 1), "g");
    expect(buffers.giveBack(first, 100)).toEqual(taken);
    const second = buffers.lend(pattern(120, 2), "g");
    expect(second).toBe(first);
    expect(read(second, 120)).toEqual(pattern(120, 2));
    // Another size class gets another buffer.
    expect(buffers.lend(pattern(300, 3), "g")).not.toBe(first);
  });

  it("refuses an address it did not lend, or a length other than the one lent, and leaves the buffer lent", () => {
    const buffers = new HostReplyBuffers<string>();
    const reply = pattern(50, 4);
    const address = buffers.lend(reply, "g");
    expect(buffers.giveBack(address + 1, 50)).toEqual({ kind: "notLent" });
    expect(buffers.giveBack(0x1000, 50)).toEqual({ kind: "notLent" });
    expect(buffers.giveBack(address, 49)).toEqual({ kind: "otherLength", length: 50 });
    expect(buffers.giveBack(address, 64)).toEqual({ kind: "otherLength", length: 50 });
    expect(read(address, 50)).toEqual(reply);
    expect(buffers.giveBack(address, 50)).toEqual(taken);
    // A free block of the pool is not lent either.
    const lent = buffers.lend(pattern(50, 5), "g");
    expect(buffers.giveBack(lent, 50)).toEqual(taken);
    expect(buffers.giveBack(lent + 64, 50)).toEqual({ kind: "notLent" });
  });

  it("an unpooled reply's buffer is its own, freed when given back", () => {
    const buffers = new HostReplyBuffers<string>();
    const length = POOLED_REPLY_MAX + 1;
    const a = buffers.lend(pattern(length, 6), "g");
    const b = buffers.lend(pattern(length, 7), "g");
    expect(b).not.toBe(a);
    expect(buffers.giveBack(a, length)).toEqual(taken);
    expect(buffers.giveBack(a, length)).toEqual({ kind: "notLent" });
    expectBytesAt(b, pattern(length, 7));
    expect(buffers.giveBack(b, length)).toEqual(taken);
  });

  it("tells each allocation and free to the owner whose reply made it", () => {
    const told: [string, number][] = [];
    const buffers = new HostReplyBuffers<string>((owner, delta) => told.push([owner, delta]));
    const a = buffers.lend(pattern(10, 1), "a"); // a's reply cuts the chunk
    buffers.lend(pattern(10, 2), "b"); // b's fits in it
    const length = POOLED_REPLY_MAX + 1;
    const big = buffers.lend(pattern(length, 3), "b");
    expect(told).toEqual([
      ["a", 1],
      ["b", 1],
    ]);
    expect(buffers.giveBack(a, 10)).toEqual({ kind: "taken", owner: "a" });
    expect(buffers.giveBack(big, length)).toEqual({ kind: "taken", owner: "b" });
    expect(told).toEqual([
      ["a", 1],
      ["b", 1],
      ["b", -1],
    ]);
    expect(buffers.allocations).toBe(1);
  });

  it("counts its native allocations: a chunk per size class as needed, kept; an unpooled buffer while it is lent", () => {
    const buffers = new HostReplyBuffers<string>();
    expect(buffers.allocations).toBe(0);
    // 64 KiB chunks of 1 KiB blocks: 64 replies held at once fit in one chunk, the 65th needs another.
    const held = Array.from({ length: 64 }, (_, i) => buffers.lend(pattern(1000, i), "g"));
    expect(buffers.allocations).toBe(1);
    held.push(buffers.lend(pattern(1000, 64), "g"));
    expect(buffers.allocations).toBe(2);
    const small = buffers.lend(pattern(10, 1), "g"); // another size class: a chunk of its own
    expect(buffers.allocations).toBe(3);
    // Given back and lent again, blocks are reused: the count stays.
    for (let round = 0; round < 10; round++) {
      for (const address of held) expect(buffers.giveBack(address, 1000)).toEqual(taken);
      held.splice(0, held.length, ...Array.from({ length: 65 }, (_, i) => buffers.lend(pattern(1000, i), "g")));
    }
    expect(buffers.allocations).toBe(3);
    const length = POOLED_REPLY_MAX + 1;
    const big = buffers.lend(pattern(length, 1), "g");
    expect(buffers.allocations).toBe(4);
    expect(buffers.giveBack(big, length)).toEqual(taken);
    expect(buffers.allocations).toBe(3);
    // A refused give-back changes nothing; chunks are kept once every block is back.
    expect(buffers.giveBack(small, 11)).toEqual({ kind: "otherLength", length: 10 });
    expect(buffers.giveBack(small, 10)).toEqual(taken);
    for (const address of held) buffers.giveBack(address, 1000);
    expect(buffers.allocations).toBe(3);
  });
});

describe("two copies of the host runtime in one process", () => {
  it("each loads: koffi's named types would clash, so none are named", () => {
    // Two instances of the same module (another URL), as two installed copies of the package would be.
    const native = new URL("../../src/host/native.ts", import.meta.url).href;
    const script = `const a = ${JSON.stringify(native)}; await import(a); await import(a + "?second"); console.log("both loaded");`;
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe("both loaded");
  });
});
