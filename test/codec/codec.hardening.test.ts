// Regression tests for what a hostile guest or a careless caller could do to
// the codec: pooled memory, Buffer inputs, size limits, huge outputs, invalid
// values (the hardening findings 1, 4 to 8), and the exact errors of edge cases.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it, vi } from "vitest";
import {
  AbiFrameSchema,
  AbiReplySchema,
  ActrIdSchema,
  code,
  DataStreamSchema,
  DEFAULT_MAX_GUEST_BYTES,
  decodeFrame,
  decodeHostOperation,
  decodeMessage,
  decodePayload,
  decodeReply,
  DestV1Schema,
  encodeFrame,
  encodeGuestDataStreamRequest,
  encodeHostReply,
  encodeMessage,
  HostRegisterStreamV1Schema,
  HostSendDataStreamV1Schema,
  MetadataEntrySchema,
  op,
  RealmSchema,
  RpcEnvelopeSchema,
  successReply,
} from "../../src/index.js";
import { abiErrorOf } from "../support/thrown.js";

const bytes = (hex: string) => new Uint8Array(Buffer.from(hex, "hex"));
const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");

describe("pooled output", () => {
  it("a detached slab affects only the results cut from it (finding 1)", () => {
    const first = encodeHostReply({ done: true });
    const kept = encodeHostReply({ done: true });
    structuredClone(first.buffer, { transfer: [first.buffer as ArrayBuffer] });
    expect(first.byteLength).toBe(0);
    expect(kept.byteLength).toBe(0); // cut from the same slab: detached with it
    // Everything encoded afterwards works and is right.
    expect(hex(encodeHostReply({ done: true }))).toBe("0801");
    const frame = encodeFrame(HostRegisterStreamV1Schema, create(HostRegisterStreamV1Schema, { streamId: "s" }));
    expect(hex(frame)).toBe("080110051a030a0173");
    const chunk = create(DataStreamSchema, { streamId: "s", sequence: 1n });
    expect(() => encodeGuestDataStreamRequest(chunk, create(ActrIdSchema))).not.toThrow();
  });

  it("a frame header built on first use is not cut from a slab a caller can detach", async () => {
    vi.resetModules(); // a fresh module: no frame header has been built yet
    const abi = await import("../../src/index.js");
    const request = () =>
      abi.encodeFrame(abi.HostRegisterStreamV1Schema, create(abi.HostRegisterStreamV1Schema, { streamId: "s" }));
    const first = request(); // builds op 5's header, then cuts this result from the smallest size class
    structuredClone(first.buffer, { transfer: [first.buffer as ArrayBuffer] });
    expect(first.byteLength).toBe(0);
    expect(hex(request())).toBe("080110051a030a0173");
  });

  it("every pooled size class survives a detached slab", () => {
    for (const size of [1, 60, 100, 200, 400, 1000, 2000, 4000]) {
      const payload = new Uint8Array(size);
      const victim = successReply(payload);
      structuredClone(victim.buffer, { transfer: [victim.buffer as ArrayBuffer] });
      expect(victim.byteLength).toBe(0);
      const after = successReply(payload);
      expect(decodeReply(after).payload.length).toBe(size);
    }
  });

  it("retains at most 16× the kept bytes when one 5-byte result is kept per sixteen 4 KiB encodes (finding 6)", () => {
    const big = create(AbiReplySchema, { abiVersion: 1, payload: new Uint8Array(4096 - 5) });
    const small = create(AbiReplySchema, { status: 1, payload: new Uint8Array(1) });
    const kept: Uint8Array[] = [];
    expect(encodeMessage(AbiReplySchema, big).length).toBe(4096);
    for (let i = 0; i < 1000; i++) {
      for (let j = 0; j < 16; j++) encodeMessage(AbiReplySchema, big);
      const result = encodeMessage(AbiReplySchema, small);
      expect(result.length).toBe(5);
      kept.push(result);
    }
    const keptBytes = kept.reduce((n, r) => n + r.byteLength, 0);
    const pinned = [...new Set(kept.map((r) => r.buffer))].reduce((n, b) => n + b.byteLength, 0);
    expect(pinned).toBeLessThanOrEqual(16 * keptBytes);
  });

  it("never hands out the same bytes twice", () => {
    const a = encodeMessage(RealmSchema, create(RealmSchema, { realmId: 1 }));
    const b = encodeMessage(RealmSchema, create(RealmSchema, { realmId: 2 }));
    expect(hex(a)).toBe("0801");
    expect(hex(b)).toBe("0802");
    if (a.buffer === b.buffer) expect(a.byteOffset + a.byteLength).toBeLessThanOrEqual(b.byteOffset);
  });
});

describe("Buffer and other Uint8Array inputs (finding 4)", () => {
  it("decoded bytes fields are plain Uint8Array views, whatever the input", () => {
    const reply = decodeReply(Buffer.from("08011a03010203", "hex"));
    expect(Object.getPrototypeOf(reply.payload)).toBe(Uint8Array.prototype);
    expect(reply.payload.slice()).not.toBeInstanceOf(Buffer);
    class Bytes extends Uint8Array {}
    const frame = decodeFrame(new Bytes(bytes("1a020102")));
    expect(Object.getPrototypeOf(frame.payload)).toBe(Uint8Array.prototype);
    expect([...frame.payload]).toEqual([1, 2]);
    // A plain Uint8Array whose own `constructor` says otherwise: `subarray` would build Buffers from it.
    const disguised = bytes("1a020102");
    Object.defineProperty(disguised, "constructor", { value: Buffer });
    expect(disguised.subarray(0, 1)).toBeInstanceOf(Buffer);
    const payload = decodeFrame(disguised).payload;
    expect(Object.getPrototypeOf(payload)).toBe(Uint8Array.prototype);
    expect([...payload]).toEqual([1, 2]);
  });

  it("a copy of a decoded payload is a copy", () => {
    const input = Buffer.from("1a020102", "hex");
    const copy = decodeFrame(input).payload.slice();
    input[2] = 9;
    expect([...copy]).toEqual([1, 2]);
  });
});

describe("maxBytes (finding 5)", () => {
  // A copy: pooled output may be detached by another test.
  const frame = encodeFrame(
    HostRegisterStreamV1Schema,
    create(HostRegisterStreamV1Schema, { streamId: "stream" }),
  ).slice();

  it("refuses a longer input before reading it, naming the limit", () => {
    const limit = frame.length - 1;
    for (const decode of [
      () => decodeHostOperation(frame, { maxBytes: limit }),
      () => decodeFrame(frame, { maxBytes: limit }),
      () => decodeReply(frame, { maxBytes: limit }),
      () => decodeMessage(AbiFrameSchema, frame, { maxBytes: limit }),
    ]) {
      const err = abiErrorOf(decode);
      expect(err.status).toBe(code.PROTOCOL_ERROR);
      expect(err.message).toBe(
        `cannot decode actr.dynclib.v1.AbiFrame: input of ${frame.length} bytes exceeds the limit of ${limit} bytes (maxBytes)`.replace(
          "actr.dynclib.v1.AbiFrame",
          err.messageName!,
        ),
      );
    }
    const payloadErr = abiErrorOf(() => decodePayload(HostRegisterStreamV1Schema, decodeFrame(frame), { maxBytes: 3 }));
    expect(payloadErr.message).toMatch(/input of 8 bytes exceeds the limit of 3 bytes/);
  });

  it("accepts an input of exactly the limit", () => {
    expect(decodeHostOperation(frame, { maxBytes: frame.length }).kind).toBe("registerStream");
    expect(decodeHostOperation(frame, { maxBytes: DEFAULT_MAX_GUEST_BYTES }).kind).toBe("registerStream");
  });

  it("the default for hosts is 16 MiB", () => {
    expect(DEFAULT_MAX_GUEST_BYTES).toBe(16 * 1024 * 1024);
  });
});

describe("encoding limits and invalid values", () => {
  it("an encoding of more than 4 GiB is an AbiError naming the message (finding 7)", () => {
    class Huge extends Uint8Array {
      override get length(): number {
        return 2 ** 32;
      }
    }
    const frame = create(AbiFrameSchema, { op: 1, payload: new Huge(1) });
    const err = abiErrorOf(() => encodeMessage(AbiFrameSchema, frame));
    expect(err.status).toBe(code.PROTOCOL_ERROR);
    expect(err.messageName).toBe("actr.dynclib.v1.AbiFrame");
    expect(err.message).toBe(
      "cannot encode actr.dynclib.v1.AbiFrame: its encoding exceeds the 4294967295 bytes a Uint8Array can hold",
    );
  });

  it("rejects an unknown oneof case and a null oneof (finding 8)", () => {
    const bogus = create(DestV1Schema);
    (bogus as { kind: unknown }).kind = { case: "bogus", value: true };
    expect(abiErrorOf(() => encodeMessage(DestV1Schema, bogus)).message).toBe(
      'cannot encode actr.dynclib.v1.DestV1: field kind: unknown oneof case "bogus"',
    );
    (bogus as { kind: unknown }).kind = null;
    const err = abiErrorOf(() => encodeMessage(DestV1Schema, bogus));
    expect(err.message).toBe(
      "cannot encode actr.dynclib.v1.DestV1: field kind: expected a oneof { case, value }, got null",
    );
    expect(err.field).toBe("kind");
  });

  it("rejects null in a required scalar and a required message (finding 8)", () => {
    const id = create(ActrIdSchema);
    (id as { serialNumber: unknown }).serialNumber = null;
    expect(abiErrorOf(() => encodeMessage(ActrIdSchema, id)).message).toBe(
      "cannot encode actr.ActrId: field serial_number: expected a 64-bit integer, got null",
    );
    const realm = create(RealmSchema);
    (realm as { realmId: unknown }).realmId = null;
    expect(abiErrorOf(() => encodeMessage(RealmSchema, realm)).message).toBe(
      "cannot encode actr.Realm: field realm_id: expected a uint32, got null",
    );
    const withNullRealm = create(ActrIdSchema);
    (withNullRealm as { realm: unknown }).realm = null;
    expect(abiErrorOf(() => encodeMessage(ActrIdSchema, withNullRealm)).message).toBe(
      "cannot encode actr.ActrId: field realm: expected a actr.Realm message, got null",
    );
  });

  it("still writes an absent (undefined) required field as its default", () => {
    const id = create(ActrIdSchema);
    expect(hex(encodeMessage(ActrIdSchema, id))).toBe("0a02080010001a060a0012001a00");
  });

  const bounds: [string, () => unknown, RegExp][] = [
    [
      "int64 below -2^63",
      () => encodeMessage(DataStreamSchema, create(DataStreamSchema, { timestampMs: -(2n ** 63n) - 1n })),
      /timestamp_ms: -9223372036854775809 is out of range for int64/,
    ],
    [
      "int64 above 2^63 - 1",
      () => encodeMessage(RpcEnvelopeSchema, create(RpcEnvelopeSchema, { timeoutMs: 2n ** 63n })),
      /timeout_ms: 9223372036854775808 is out of range for int64/,
    ],
    [
      "a negative uint64 bigint",
      () => encodeMessage(ActrIdSchema, create(ActrIdSchema, { serialNumber: -1n })),
      /serial_number: -1 is out of range for uint64/,
    ],
    [
      "a negative uint64 number",
      () => encodeMessage(ActrIdSchema, { ...create(ActrIdSchema), serialNumber: -1 as unknown as bigint }),
      /serial_number: -1 is out of range for uint64/,
    ],
    [
      "a uint64 above 2^64 - 1",
      () => encodeMessage(ActrIdSchema, create(ActrIdSchema, { serialNumber: 2n ** 64n })),
      /serial_number: 18446744073709551616 is out of range for uint64/,
    ],
    [
      "a 64-bit number beyond 2^53",
      () => encodeMessage(ActrIdSchema, { ...create(ActrIdSchema), serialNumber: (2 ** 53) as unknown as bigint }),
      /serial_number: expected a 64-bit integer, got number 9007199254740992/,
    ],
    [
      "int32 below -2^31",
      () => encodeMessage(AbiReplySchema, create(AbiReplySchema, { status: -(2 ** 31) - 1 })),
      /status: expected an int32, got number -2147483649/,
    ],
    [
      "int32 above 2^31 - 1",
      () => encodeMessage(AbiReplySchema, create(AbiReplySchema, { status: 2 ** 31 })),
      /status: expected an int32, got number 2147483648/,
    ],
    [
      "uint32 below 0",
      () => encodeMessage(RealmSchema, create(RealmSchema, { realmId: -1 })),
      /realm_id: expected a uint32, got number -1/,
    ],
    [
      "uint32 above 2^32 - 1",
      () => encodeMessage(RealmSchema, create(RealmSchema, { realmId: 2 ** 32 })),
      /realm_id: expected a uint32, got number 4294967296/,
    ],
    [
      "a fractional uint32",
      () => encodeMessage(RealmSchema, create(RealmSchema, { realmId: 1.5 })),
      /realm_id: expected a uint32, got number 1.5/,
    ],
    [
      "NaN in a uint32",
      () => encodeMessage(RealmSchema, create(RealmSchema, { realmId: NaN })),
      /realm_id: expected a uint32, got number NaN/,
    ],
    [
      "a string in a bool",
      () =>
        encodeMessage(DestV1Schema, {
          ...create(DestV1Schema),
          kind: { case: "shell", value: "yes" as unknown as boolean },
        }),
      /shell: expected a boolean, got "yes"/,
    ],
    [
      "an array that is not one",
      () => encodeMessage(DataStreamSchema, { ...create(DataStreamSchema), metadata: {} as never }),
      /metadata: expected an array, got an object/,
    ],
    [
      "an item of another type",
      () => encodeMessage(DataStreamSchema, { ...create(DataStreamSchema), metadata: [create(RealmSchema) as never] }),
      /^cannot encode actr.DataStream: field metadata: expected a actr.MetadataEntry message, got an object$/,
    ],
    [
      "an item of another type in an envelope",
      () =>
        encodeMessage(RpcEnvelopeSchema, { ...create(RpcEnvelopeSchema), metadata: [create(RealmSchema) as never] }),
      /^cannot encode actr.RpcEnvelope: field metadata: expected a actr.MetadataEntry message, got an object$/,
    ],
    [
      "bytes that are a string",
      () => encodeMessage(AbiFrameSchema, { ...create(AbiFrameSchema), payload: "ab" as unknown as Uint8Array }),
      /payload: expected a Uint8Array, got "ab"/,
    ],
  ];
  for (const [what, encode, message] of bounds) {
    it(`rejects ${what}`, () => {
      const err = abiErrorOf(encode);
      expect(err.status).toBe(code.PROTOCOL_ERROR);
      expect(err.message).toMatch(message);
    });
  }

  it("accepts the bounds themselves", () => {
    expect(hex(encodeMessage(DataStreamSchema, create(DataStreamSchema, { timestampMs: -(2n ** 63n) })))).toMatch(
      /2880808080808080808001$/,
    );
    expect(hex(encodeMessage(AbiReplySchema, create(AbiReplySchema, { status: -(2 ** 31) })))).toBe(
      "1080808080f8ffffffff01",
    );
    expect(hex(encodeMessage(ActrIdSchema, create(ActrIdSchema, { serialNumber: 2n ** 64n - 1n })))).toContain(
      "10ffffffffffffffffff01",
    );
    expect(hex(encodeMessage(RealmSchema, create(RealmSchema, { realmId: 2 ** 32 - 1 })))).toBe("08ffffffff0f");
  });
});

describe("UTF-8 on the way out", () => {
  const streamId = (text: string) =>
    hex(encodeMessage(HostRegisterStreamV1Schema, create(HostRegisterStreamV1Schema, { streamId: text })));
  it("writes the edges of each UTF-8 length", () => {
    expect(streamId("\u007f")).toBe("0a017f");
    expect(streamId("\u0080")).toBe("0a02c280");
    expect(streamId("\u07ff")).toBe("0a02dfbf");
    expect(streamId("\u0800")).toBe("0a03e0a080");
    expect(streamId("\uffff")).toBe("0a03efbfbf");
    expect(streamId("\ud800\udc00")).toBe("0a04f0908080");
    expect(streamId("\udbff\udfff")).toBe("0a04f48fbfbf");
  });

  it("rejects lone surrogates, whichever comes first", () => {
    for (const text of ["\udc00\udc00", "\ud800", "a\ud800b", "\udfff", "\ud800\ud800"]) {
      expect(abiErrorOf(() => streamId(text)).message).toMatch(/lone surrogate/);
    }
  });
});

describe("decode errors name the message, the field and the byte", () => {
  it("a varint cut off after its 5th byte", () => {
    const err = abiErrorOf(() => decodeMessage(HostRegisterStreamV1Schema, bytes("10ffffffffff")));
    expect(err.message).toBe("cannot decode actr.dynclib.v1.HostRegisterStreamV1: truncated varint at byte 1");
    expect(err.offset).toBe(1);
  });

  it("a length of 2^32 + 1 is not read modulo 2^32", () => {
    const err = abiErrorOf(() => decodeMessage(HostRegisterStreamV1Schema, bytes("0a818080801061")));
    expect(err.message).toBe(
      "cannot decode actr.dynclib.v1.HostRegisterStreamV1: field stream_id: length 4294967297 runs past the end of the input (1 bytes left) at byte 1",
    );
    expect(err.field).toBe("stream_id");
  });

  it("inside a frame's payload: offsets in frame terms, the enclosing field named", () => {
    // HOST_REGISTER_STREAM frame whose payload holds invalid UTF-8.
    const frame = bytes("080110051a040a02c328");
    const err = abiErrorOf(() => decodeHostOperation(frame));
    expect(err.message).toBe(
      "cannot decode actr.dynclib.v1.HostRegisterStreamV1: field stream_id: string is not valid UTF-8 at byte 8 (in AbiFrame.payload, which starts at byte 6)",
    );
    expect(err.offset).toBe(8);
    expect(err.messageName).toBe("actr.dynclib.v1.HostRegisterStreamV1");
    expect(err.field).toBe("stream_id");
  });

  it("a nested message's field, by its own message name", () => {
    const err = abiErrorOf(() => decodeMessage(HostSendDataStreamV1Schema, bytes("120422020f00")));
    expect(err.messageName).toBe("actr.MetadataEntry");
    expect(err.field).toBeUndefined();
    expect(err.message).toBe("cannot decode actr.MetadataEntry: invalid wire type 7 at byte 4");
  });

  it("a known field with the wrong wire type", () => {
    const err = abiErrorOf(() => decodeMessage(MetadataEntrySchema, bytes("0800")));
    expect(err.message).toBe(
      "cannot decode actr.MetadataEntry: field key: wire type 0 (varint) where length-delimited is expected at byte 0",
    );
  });

  it("the op of a frame that carries another payload", () => {
    const frame = decodeFrame(bytes("08011005"));
    expect(abiErrorOf(() => decodePayload(HostSendDataStreamV1Schema, frame)).field).toBe("op");
    expect(frame.op).toBe(op.HOST_REGISTER_STREAM);
  });
});

describe("bounds of a nested message (mutation-testing gaps)", () => {
  // HostSendDataStreamV1 { chunk (2): <DataStream bytes> } followed by payload_type (3) = 2:
  // the outer input goes on after the chunk, so reading past the chunk's end finds bytes.
  const withChunk = (chunk: string) => bytes(`12${(chunk.length / 2).toString(16).padStart(2, "0")}${chunk}1802`);

  it("a varint cut off at the end of its message, with bytes after it", () => {
    const err = abiErrorOf(() => decodeMessage(HostSendDataStreamV1Schema, withChunk("10ff")));
    expect(err.message).toBe("cannot decode actr.DataStream: field sequence: truncated varint at byte 3");
    const long = abiErrorOf(() => decodeMessage(HostSendDataStreamV1Schema, withChunk("10ffffffffff")));
    expect(long.message).toBe("cannot decode actr.DataStream: field sequence: truncated varint at byte 3");
  });

  it("a length cut off at the end of its message, with bytes after it", () => {
    const err = abiErrorOf(() => decodeMessage(HostSendDataStreamV1Schema, withChunk("0a")));
    expect(err.message).toBe("cannot decode actr.DataStream: field stream_id: truncated varint at byte 3");
  });

  it("a length that runs past its enclosing message", () => {
    const err = abiErrorOf(() => decodeMessage(HostSendDataStreamV1Schema, withChunk("0a05")));
    expect(err.message).toBe(
      "cannot decode actr.DataStream: field stream_id: length 5 runs past the end of its enclosing message (0 bytes left) at byte 3",
    );
  });

  it("an unclosed group at the end of its message, with bytes after it", () => {
    const err = abiErrorOf(() => decodeMessage(HostSendDataStreamV1Schema, withChunk("4b")));
    expect(err.message).toBe("cannot decode actr.DataStream: truncated varint at byte 3");
  });

  it("names every wire type a known field can wrongly arrive with", () => {
    const got = (input: string) => abiErrorOf(() => decodeMessage(AbiFrameSchema, bytes(input))).message;
    expect(got("1100")).toMatch(/field op: wire type 1 \(64-bit\) where varint is expected/);
    expect(got("1300")).toMatch(/field op: wire type 3 \(start-group\) where varint is expected/);
    expect(got("1400")).toMatch(/field op: wire type 4 \(end-group\) where varint is expected/);
    expect(got("1500")).toMatch(/field op: wire type 5 \(32-bit\) where varint is expected/);
    expect(got("1800")).toMatch(/field payload: wire type 0 \(varint\) where length-delimited is expected/);
  });
});

describe("short strings", () => {
  it("are the same strings whether decoded first or again, ASCII or not, at every length up to the short limit and past it", () => {
    for (let n = 0; n <= 70; n++) {
      for (const text of ["x".repeat(n), "é".repeat(Math.ceil(n / 2)), `${"a".repeat(n)}\u{1f980}`]) {
        const input = encodeMessage(
          HostRegisterStreamV1Schema,
          create(HostRegisterStreamV1Schema, { streamId: text }),
        ).slice();
        expect(decodeMessage(HostRegisterStreamV1Schema, input).streamId).toBe(text);
        expect(decodeMessage(HostRegisterStreamV1Schema, input).streamId).toBe(text);
      }
    }
  });

  it("two strings of the same length and hash slot are not confused", () => {
    const seen = new Map<string, string>();
    for (let i = 0; i < 3000; i++) {
      const text = `k${i.toString(36).padStart(4, "0")}`;
      const input = encodeMessage(
        HostRegisterStreamV1Schema,
        create(HostRegisterStreamV1Schema, { streamId: text }),
      ).slice();
      seen.set(text, decodeMessage(HostRegisterStreamV1Schema, input).streamId);
    }
    for (const [text, decoded] of seen) expect(decoded).toBe(text);
  });
});
