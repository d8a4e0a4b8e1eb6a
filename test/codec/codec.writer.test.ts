// The one-pass encoder's room rules (src/encoder.ts), checked against
// prost's bytes: every accepted golden vector (test/vectors/prost.tsv),
// re-encoded by its generated codec into a writer whose buffer starts at
// sizes from nothing to just past SLACK, so that every place the encoder
// makes room has to grow the buffer in one case or another. A missing or
// short room check would drop writes past the end of the buffer, which a
// Uint8Array does silently, and the bytes would differ from prost's.
import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { codecOf, encodeWith } from "../../src/codec.js";
import { finish, SLACK, Writer } from "../../src/encoder.js";
import {
  actrId,
  decodeMessage,
  encodeMessage,
  GuestHandleV1Schema,
  invocationContext,
  messageSchemas,
  RpcEnvelopeSchema,
} from "../../src/index.js";
import { UnorderedCodec } from "../gen/fixture/v1/order_codec.js";
import { type Unordered, UnorderedSchema } from "../gen/fixture/v1/order_pb.js";
import { goldenVectors } from "../support/golden-vectors.js";

const accepted = goldenVectors.filter((v) => v.verdict === "ok");

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
const startSizes = [0, 1, 2, 7, 64, SLACK - 1, SLACK, SLACK + 1, SLACK + 127, 2 * SLACK];

describe("the encoder makes room wherever it writes", () => {
  it(`re-encodes ${accepted.length} accepted vectors as prost does, from buffers of ${startSizes.join(", ")} bytes`, () => {
    expect(accepted.length).toBeGreaterThan(900);
    const disagreements: string[] = [];
    for (const v of accepted) {
      const schema = messageSchemas.get(v.message)!;
      const codec = codecOf(schema);
      const message = decodeMessage(schema, Buffer.from(v.input, "hex"));
      for (const size of startSizes) {
        const w = new Writer();
        w.buf = new Uint8Array(size);
        w.typeName = schema.typeName;
        const end = codec.encode(message, w, 0);
        const got = hex(finish(w, 0, end));
        if (got !== v.output)
          disagreements.push(`${v.message} (${v.description}) from ${size} bytes: ${got.slice(0, 60)}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it("grows a buffer to twice its size, or to what is needed when that is more, keeping what was written before", () => {
    const codec = codecOf(messageSchemas.get("HostRegisterStreamV1")!);
    // The string's key at 1, its length and bytes from 2: room for 2 + 5 + n + SLACK is needed.
    for (const [n, grown] of [
      [600, 2000],
      [3000, 2 + 5 + 3000 + SLACK],
    ] as const) {
      const w = new Writer();
      w.buf = new Uint8Array(1000);
      w.buf[0] = 7;
      const end = codec.encode(
        { $typeName: "actr.dynclib.v1.HostRegisterStreamV1", streamId: "a".repeat(n) } as never,
        w,
        1,
      );
      expect(end).toBe(2 + 2 + n);
      expect(w.buf.length).toBe(grown);
      expect(w.buf[0]).toBe(7);
      expect(hex(w.buf.subarray(1, 4))).toBe(hex(new Uint8Array([0x0a, (n & 0x7f) | 0x80, n >> 7])));
    }
  });

  it("makes room through a deep chain of nested messages, each with a short string of three-byte characters", () => {
    // The fixture's recursive message (test/fixtures/proto): each level a uint32 of 5 bytes,
    // a string of 42 three-byte characters (126 bytes, the longest with a one-byte length) and the next level.
    const text = "日".repeat(42);
    const utf8 = [...Buffer.from(text, "utf8")];
    const varint = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...varint(n >>> 7)]);
    let message: Unordered | undefined;
    let expected: number[] = [];
    for (let depth = 0; depth < 40; depth++) {
      const level = [0x08, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x1a, utf8.length, ...utf8];
      expected = depth === 0 ? level : [...level, 0x32, ...varint(expected.length), ...expected];
      message = {
        $typeName: UnorderedSchema.typeName,
        first: 0xffff_ffff,
        second: new Uint8Array(0),
        third: text,
        choice: { case: undefined },
        child: message,
      };
    }
    for (const size of startSizes) {
      const w = new Writer();
      w.buf = new Uint8Array(size);
      const end = UnorderedCodec.encode(message!, w, 0);
      expect(hex(finish(w, 0, end)), `from ${size} bytes`).toBe(hex(new Uint8Array(expected)));
    }
  });

  it("keeps for a nested message's length the bytes it took last time at that place, and moves the message, holes and all, when it needs more or fewer", () => {
    // GuestHandleV1.rpc_envelope holding an RpcEnvelope: its payload (kept as a hole from 128 bytes) has fields
    // before and after it. The lengths take 1, 2, 3 and 1 bytes in turn, so the envelope is moved up and down by 1 and 2.
    // protobuf-es's own encoder (toBinary, with the envelope as bytes) says what the bytes are.
    const ctx = invocationContext({
      selfId: actrId({ realm: 1, serialNumber: 5n, type: { manufacturer: "acme", name: "t", version: "1" } }),
      requestId: "r",
    });
    for (const n of [10, 300, 10, 20_000, 10, 300, 20_000, 300, 10, 300, 300, 10, 10]) {
      const envelope = create(RpcEnvelopeSchema, {
        routeKey: "r",
        payload: Uint8Array.from({ length: n }, (_, i) => i * 7),
        requestId: "after the payload",
        timeoutMs: 5n,
      });
      const expected = toBinary(
        GuestHandleV1Schema,
        create(GuestHandleV1Schema, { ctx, rpcEnvelope: toBinary(RpcEnvelopeSchema, envelope) }),
      );
      const got = encodeMessage(
        GuestHandleV1Schema,
        create(GuestHandleV1Schema, { ctx, rpcEnvelope: envelope as never }),
      );
      expect(hex(got), `a payload of ${n} bytes`).toBe(hex(expected));
    }
  });

  it("moves a nested message holding several holes, and one after a hole, up and down", () => {
    // The fixture's recursive message, three levels deep, each level with its own bytes field (field 2,
    // a hole from 128 bytes) before its child (field 6): the child's length varint takes 3, then 2, then 1 bytes,
    // so each child is moved with the holes inside it while its parent's own hole lies before it.
    const level = (size: number, child?: Unordered): Unordered =>
      create(UnorderedSchema, {
        first: size,
        second: Uint8Array.from({ length: size }, (_, i) => i % 251),
        third: "t",
        child,
      });
    for (const size of [20_000, 200, 20_000, 200, 10, 200, 10, 20_000]) {
      const message = level(size, level(size, level(size)));
      expect(hex(encodeWith(UnorderedCodec, message)), `levels of ${size} bytes`).toBe(
        hex(toBinary(UnorderedSchema, message)),
      );
    }
  });
});
