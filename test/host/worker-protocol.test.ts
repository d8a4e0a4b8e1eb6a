import { describe, expect, it } from "vitest";
import { PackedReader, PackedWriter } from "../../src/host/worker-protocol.js";

/** Writes one result record as the worker does: header, the reply copied into `replyMemory`, then the header's words. */
function writeResult(writer: PackedWriter, rc: number, reply: Uint8Array | undefined, replyLength: number): void {
  const at = writer.startResult();
  let copied: Uint8Array | undefined;
  if (reply !== undefined) {
    copied = reply.length === 0 ? new Uint8Array(0) : writer.replyMemory(reply.length);
    copied.set(reply);
  }
  writer.endResult(at, { rc, reply: copied, replyLength });
}

function reader(writer: PackedWriter): PackedReader {
  return new PackedReader(writer.buffer, writer.length);
}

describe("PackedWriter / PackedReader", () => {
  it("calls come back as op, length, bridge token and the frame's offset, in order", () => {
    const writer = new PackedWriter(16);
    const frames = [Uint8Array.of(1, 2, 3), new Uint8Array(0), Uint8Array.from({ length: 40 }, (_, i) => i)];
    const tokens = [0, 7, 2 ** 40 + 3];
    frames.forEach((frame, i) => writer.appendCall(10 + i, frame, tokens[i]!));
    const calls = reader(writer);
    const bytes = new Uint8Array(writer.buffer);
    for (const [i, frame] of frames.entries()) {
      expect(calls.done).toBe(false);
      expect(calls.word()).toBe(10 + i);
      const length = calls.word();
      expect(length).toBe(frame.length);
      expect(calls.float()).toBe(tokens[i]);
      const at = calls.skip(length);
      expect(bytes.subarray(at, at + length)).toEqual(frame);
    }
    expect(calls.done).toBe(true);
  });

  it("results come back as written: a reply, an empty one, none (return code, over the limit), a length over 32 bits", () => {
    const writer = new PackedWriter(8); // grows while replies are written into it
    const reply = Uint8Array.from({ length: 300 }, (_, i) => (i * 13) & 0xff);
    writeResult(writer, 0, reply, reply.length);
    writeResult(writer, 0, new Uint8Array(0), 0);
    writeResult(writer, -3, undefined, 0);
    writeResult(writer, 0, undefined, 2 ** 32 + 5);
    writeResult(writer, 0, Uint8Array.of(7), 1);
    const results = reader(writer);
    expect(results.result()).toEqual({ rc: 0, reply, replyLength: 300 });
    expect(results.result()).toEqual({ rc: 0, reply: new Uint8Array(0), replyLength: 0 });
    expect(results.result()).toEqual({ rc: -3, reply: undefined, replyLength: 0 });
    expect(results.result()).toEqual({ rc: 0, reply: undefined, replyLength: 2 ** 32 + 5 });
    expect(results.result()).toEqual({ rc: 0, reply: Uint8Array.of(7), replyLength: 1 });
    expect(results.done).toBe(true);
  });

  it("a buffer given back is written again when it is large enough, else a new one is made", () => {
    const spare = new ArrayBuffer(64);
    new Uint8Array(spare).fill(0xee);
    const reused = new PackedWriter(64, spare);
    expect(reused.buffer).toBe(spare);
    reused.appendCall(1, Uint8Array.of(9), 5);
    const calls = reader(reused);
    expect([calls.word(), calls.word(), calls.float()]).toEqual([1, 1, 5]);
    expect(new Uint8Array(spare)[calls.skip(1)]).toBe(9);
    expect(calls.done).toBe(true);
    expect(new PackedWriter(128, spare).buffer).not.toBe(spare);
  });
});
