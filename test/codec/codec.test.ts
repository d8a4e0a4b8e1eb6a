import { create, isFieldSet } from "@bufbuild/protobuf";
import { TypeSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import {
  AbiFrameSchema,
  AbiReplySchema,
  ActrIdSchema,
  BackpressureEventV1Schema,
  code,
  DataStreamSchema,
  decodeHostOperation,
  decodeMessage,
  decodeMessageIn,
  DestV1Schema,
  encodeMessage,
  GuestHandleV1Schema,
  HostRegisterStreamV1Schema,
  InvocationContextV1Schema,
  MetadataEntrySchema,
  PeerEventV1Schema,
  RealmSchema,
  RpcEnvelopeSchema,
} from "../../src/index.js";
import { abiErrorOf } from "../support/thrown.js";

const bytes = (hex: string) => new Uint8Array(Buffer.from(hex, "hex"));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("decodeMessage rejects what prost rejects", () => {
  const rejections: [string, string, RegExp][] = [
    [
      "op as a length-delimited record",
      "120100",
      /AbiFrame: field op: wire type 2 \(length-delimited\) where varint is expected at byte 0/,
    ],
    ["field number 0", "0001", /invalid field number 0 at byte 0/],
    ["wire type 6", "0e", /invalid wire type 6/],
    ["wire type 7", "0f", /invalid wire type 7/],
    ["truncated varint", "08ff", /truncated varint at byte 1/],
    // Cut after each of the nine bytes a 64-bit varint may continue after.
    ...Array.from({ length: 9 }, (_, k): [string, string, RegExp] => [
      `a varint cut after ${k + 1} continued bytes`,
      "08" + "80".repeat(k + 1),
      /truncated varint at byte 1$/,
    ]),
    ["truncated length", "1a", /truncated varint at byte 1/],
    ["length past the buffer", "1a0501", /length 5 runs past the end of the input \(1 bytes left\) at byte 1/],
    ["an 11-byte varint", "08ffffffffffffffffffff01", /varint overflows 64 bits at byte 1/],
    ["a tenth varint byte above 1", "08ffffffffffffffffff02", /varint overflows 64 bits at byte 1/],
    ["an end-group tag with no start", "4c", /unexpected end-group tag 9 at byte 0/],
    ["a mismatched end-group tag", "4b54", /end-group tag 10 does not match start-group 9 at byte 1/],
    ["a key wider than 32 bits", "8080808010", /field key 4294967296 does not fit in 32 bits/],
    ["a truncated 64-bit unknown field", "490102", /truncated 64-bit value at byte 1/],
  ];
  for (const [what, input, message] of rejections) {
    it(what, () => {
      const err = abiErrorOf(() => decodeMessage(AbiFrameSchema, bytes(input)));
      expect(err.status).toBe(code.PROTOCOL_ERROR);
      expect(err.message).toMatch(message);
      expect(err.messageName).toBe("actr.dynclib.v1.AbiFrame");
      expect(typeof err.offset).toBe("number");
    });
  }

  it("invalid UTF-8 in a string, naming the field", () => {
    const err = abiErrorOf(() => decodeMessage(HostRegisterStreamV1Schema, bytes("0a02c328")));
    expect(err.message).toBe(
      "cannot decode actr.dynclib.v1.HostRegisterStreamV1: field stream_id: string is not valid UTF-8 at byte 2",
    );
    expect(err.field).toBe("stream_id");
  });

  it("names the innermost message and field, with the offset in the whole input", () => {
    // GuestHandleV1.ctx.self_id.realm.realm_id sent as a length-delimited record.
    const err = abiErrorOf(() => decodeMessage(GuestHandleV1Schema, bytes("0a060a040a020a00")));
    expect(err.messageName).toBe("actr.Realm");
    expect(err.field).toBe("realm_id");
    expect(err.offset).toBe(6);
  });

  it("a 4 GiB length prefix in a 10-byte input is an error, not an allocation", () => {
    const err = abiErrorOf(() => decodeMessage(AbiFrameSchema, bytes("1affffffff0f00000000")));
    expect(err.message).toMatch(/length 4294967295 runs past the end of the input \(4 bytes left\)/);
  });

  it("groups: 100 nested levels are accepted at the top, 101 are rejected (prost's recursion limit)", () => {
    const nested = (levels: number) => bytes("4b".repeat(levels) + "4c".repeat(levels));
    expect(hex(encodeMessage(AbiFrameSchema, decodeMessage(AbiFrameSchema, nested(100))))).toBe("");
    expect(abiErrorOf(() => decodeMessage(AbiFrameSchema, nested(101))).message).toMatch(
      /recursion limit of 100 reached/,
    );
  });

  it("a million nested groups is an AbiError, not a stack overflow or a hang", () => {
    const input = new Uint8Array(2_000_000).fill(0x4b, 0, 1_000_000).fill(0x4c, 1_000_000);
    expect(abiErrorOf(() => decodeMessage(AbiFrameSchema, input)).message).toMatch(/recursion limit/);
  });

  it("the recursion budget is shared by messages and groups", () => {
    // Realm is 3 levels deep in GuestHandleV1 (ctx.self_id.realm): 97 group levels fit there, 98 do not.
    const inRealm = (levels: number) => {
      const realm = "4b".repeat(levels) + "4c".repeat(levels);
      const realmLen = realm.length / 2;
      const selfId = "0a" + varintHex(realmLen) + realm;
      const ctx = "0a" + varintHex(selfId.length / 2) + selfId;
      return bytes("0a" + varintHex(ctx.length / 2) + ctx);
    };
    expect(() => decodeMessage(GuestHandleV1Schema, inRealm(97))).not.toThrow();
    expect(abiErrorOf(() => decodeMessage(GuestHandleV1Schema, inRealm(98))).message).toMatch(/recursion limit/);
  });

  it("a non-Uint8Array input is the caller's mistake: a TypeError naming the function and argument", () => {
    expect(() => decodeMessage(AbiFrameSchema, "0801" as unknown as Uint8Array)).toThrow(
      new TypeError('decodeMessage: bytes must be a Uint8Array, got string "0801"'),
    );
    expect(() => decodeMessage(AbiFrameSchema, null as never)).toThrow(
      new TypeError("decodeMessage: bytes must be a Uint8Array, got null"),
    );
    for (const fake of [
      new Proxy(new Uint8Array([8, 1]), {}),
      Object.create(Uint8Array.prototype) as Uint8Array,
      new DataView(new ArrayBuffer(2)),
    ]) {
      expect(() => decodeMessage(AbiFrameSchema, fake as Uint8Array)).toThrow(
        /^decodeMessage: bytes must be a Uint8Array, got (an object of class Uint8Array|an object of class DataView)$/,
      );
    }
  });
});

function varintHex(n: number): string {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out).toString("hex");
}

describe("decodeMessage accepts what prost accepts", () => {
  it("drops unknown fields of every wire type, groups included", () => {
    // op = 5, then unknown fields 9 (varint), 10 (64-bit), 11 (len), 12 (group with a field), 13 (32-bit).
    const input = bytes("1005" + "4801" + "510102030405060708" + "5a0161" + "63680164" + "6d01020304");
    expect(hex(encodeMessage(AbiFrameSchema, decodeMessage(AbiFrameSchema, input)))).toBe("1005");
  });

  it("fills absent required fields with their defaults and writes them back", () => {
    const id = decodeMessage(ActrIdSchema, new Uint8Array());
    expect(id.realm?.realmId).toBe(0);
    expect(id.type?.manufacturer).toBe("");
    expect(isFieldSet(id, ActrIdSchema.field.serialNumber)).toBe(true);
    expect(hex(encodeMessage(ActrIdSchema, id))).toBe("0a02080010001a060a0012001a00");
  });

  it("takes the last value of a repeated scalar and merges a repeated message", () => {
    // serial_number 1 then 2; realm {realm_id 7} then realm {} (merge keeps 7).
    const id = decodeMessage(ActrIdSchema, bytes("1001" + "0a020807" + "1002" + "0a00"));
    expect(id.serialNumber).toBe(2n);
    expect(id.realm?.realmId).toBe(7);
  });

  it("oneof: the last member wins; the same message member merges", () => {
    expect(decodeMessage(DestV1Schema, bytes("0801" + "1000")).kind.case).toBe("local");
    const merged = decodeMessage(DestV1Schema, bytes("1a021007" + "1a020a00"));
    expect(merged.kind.case).toBe("actor");
    expect(merged.kind.case === "actor" && merged.kind.value.serialNumber).toBe(7n);
    // A different member in between resets the actor.
    const reset = decodeMessage(DestV1Schema, bytes("1a021007" + "0801" + "1a00"));
    expect(reset.kind.case === "actor" && reset.kind.value.serialNumber).toBe(0n);
  });

  it("reads shell = false as the shell case", () => {
    const dest = decodeMessage(DestV1Schema, bytes("0800"));
    expect(dest.kind).toEqual({ case: "shell", value: false });
    expect(hex(encodeMessage(DestV1Schema, dest))).toBe("0800");
  });

  it("truncates a 64-bit varint in a uint32 field, but not in a bool", () => {
    // op = 2^32 + 5 → 5.
    expect(decodeMessage(AbiFrameSchema, bytes("108580808010")).op).toBe(5);
    // relayed = 2^32 → true (prost compares the whole u64 with 0).
    expect(decodeMessage(PeerEventV1Schema, bytes("108080808010")).relayed).toBe(true);
  });

  it("keeps 64-bit values exact", () => {
    const max = decodeMessage(BackpressureEventV1Schema, bytes("08ffffffffffffffffff01"));
    expect(max.queueLen).toBe(18446744073709551615n);
    const ts = decodeMessage(DataStreamSchema, bytes("28ffffffffffffffff7f"));
    expect(ts.timestampMs).toBe(9223372036854775807n);
    expect(decodeMessage(DataStreamSchema, bytes("2880808080808080808001")).timestampMs).toBe(-9223372036854775808n);
  });

  it("accepts overlong varints (padding with continuation bytes)", () => {
    expect(decodeMessage(AbiFrameSchema, bytes("108180808000")).op).toBe(1);
  });

  it("keeps a leading BOM in a string", () => {
    const msg = decodeMessage(HostRegisterStreamV1Schema, bytes("0a03efbbbf"));
    expect(msg.streamId).toBe("\uFEFF");
  });

  it("returns bytes fields as views into the input, not copies", () => {
    const input = bytes("1a0401020304");
    const frame = decodeMessage(AbiFrameSchema, input);
    expect(frame.payload.buffer).toBe(input.buffer);
    expect(frame.payload.byteOffset).toBe(input.byteOffset + 2);
    input[2] = 9;
    expect(frame.payload[0]).toBe(9);
  });
});

describe("encodeMessage", () => {
  it("writes unset required fields as prost's defaults without modifying the message", () => {
    const ctx = create(InvocationContextV1Schema, { requestId: "r" });
    expect(hex(encodeMessage(InvocationContextV1Schema, ctx))).toBe("0a0e0a02080010001a060a0012001a001a0172");
    expect(ctx.selfId).toBeUndefined();
  });

  it("writes a negative int32 in ten bytes", () => {
    const reply = create(AbiReplySchema, { status: code.PROTOCOL_ERROR });
    expect(hex(encodeMessage(AbiReplySchema, reply))).toBe("10fbffffffffffffffff01");
    expect(decodeMessage(AbiReplySchema, bytes("10fbffffffffffffffff01")).status).toBe(-5);
  });

  it("rejects a message of another type with an AbiError", () => {
    const err = abiErrorOf(() => encodeMessage(AbiFrameSchema, create(RealmSchema) as never));
    expect(err.status).toBe(code.PROTOCOL_ERROR);
    expect(err.message).toMatch(/cannot encode actr.dynclib.v1.AbiFrame/);
  });

  it("rejects a value its field cannot carry with an AbiError", () => {
    const bad = create(AbiFrameSchema, { op: 1 });
    (bad as { op: number }).op = 2 ** 40;
    expect(abiErrorOf(() => encodeMessage(AbiFrameSchema, bad)).message).toMatch(
      /cannot encode actr.dynclib.v1.AbiFrame/,
    );
  });
});

describe("decodeMessageIn", () => {
  // A frame at byte 5 of a larger buffer; its payload (HostRegisterStreamV1) holds a stream_id that is not UTF-8.
  const buffer = new Uint8Array([0xee, 0xee, 0xee, 0xee, 0xee, ...Buffer.from("080110051a030a01ff", "hex"), 0xee]);
  const frame = buffer.subarray(5, 14);
  const payload = frame.subarray(6, 9);

  it("counts a failure's offset from the start of the enclosing input, and names the holder", () => {
    const err = abiErrorOf(() => decodeMessageIn(HostRegisterStreamV1Schema, payload, frame, "AbiFrame.payload"));
    expect(err.offset).toBe(8);
    expect(err.message).toBe(
      "cannot decode actr.dynclib.v1.HostRegisterStreamV1: field stream_id: string is not valid UTF-8 at byte 8 (in AbiFrame.payload, which starts at byte 6)",
    );
  });

  it("counts from the bytes themselves when they are not a view into the input", () => {
    const err = abiErrorOf(() =>
      decodeMessageIn(HostRegisterStreamV1Schema, payload.slice(), frame, "AbiFrame.payload"),
    );
    expect(err.offset).toBe(2);
    expect(err.message).not.toMatch(/AbiFrame.payload/);
  });

  it("decodes what decodeMessage decodes", () => {
    const ok = encodeMessage(HostRegisterStreamV1Schema, create(HostRegisterStreamV1Schema, { streamId: "s-1" }));
    expect(decodeMessageIn(HostRegisterStreamV1Schema, ok, ok, "x").streamId).toBe("s-1");
  });

  it("decodes bytes given with no enclosing input as they are", () => {
    const err = abiErrorOf(() =>
      decodeMessageIn(HostRegisterStreamV1Schema, payload, undefined as never, "AbiFrame.payload"),
    );
    expect(err.offset).toBe(2);
    expect(err.message).not.toMatch(/AbiFrame.payload/);
  });

  it("names itself and the argument when given something else", () => {
    expect(() => decodeMessageIn({} as never, payload, frame, "h")).toThrow(/^decodeMessageIn: schema must be/);
    expect(() => decodeMessageIn(HostRegisterStreamV1Schema, [1] as never, frame, "h")).toThrow(
      /^decodeMessageIn: bytes must be a Uint8Array/,
    );
  });
});

describe("decoding a frame's payload in place", () => {
  it("counts a payload failure's offset from the frame's start when the frame itself sits inside a larger buffer", () => {
    const buffer = new Uint8Array([0xee, 0xee, 0xee, ...Buffer.from("080110051a030a01ff", "hex")]);
    const err = abiErrorOf(() => decodeHostOperation(buffer.subarray(3)));
    expect(err.offset).toBe(8);
    expect(err.message).toMatch(/at byte 8 \(in AbiFrame.payload, which starts at byte 6\)$/);
  });
});

describe("encodeMessage's argument", () => {
  it("anything but a message of the schema is an AbiError naming the schema", () => {
    const cases: [unknown, string][] = [
      [undefined, "undefined"],
      [null, "null"],
      [5, "number 5"],
      ["x", '"x"'],
      [{}, "an object"],
      [create(RealmSchema), "an object"],
    ];
    for (const [message, got] of cases) {
      const err = abiErrorOf(() => encodeMessage(AbiFrameSchema, message as never));
      expect(err.status).toBe(code.PROTOCOL_ERROR);
      expect(err.message).toBe(
        `cannot encode actr.dynclib.v1.AbiFrame: expected a actr.dynclib.v1.AbiFrame message, got ${got}`,
      );
      expect(err.messageName).toBe("actr.dynclib.v1.AbiFrame");
    }
  });

  it("a schema that is not one is the caller's mistake: a TypeError naming the function", () => {
    expect(() => encodeMessage({} as never, create(RealmSchema) as never)).toThrow(/^encodeMessage: schema must be/);
    expect(() => decodeMessage({} as never, new Uint8Array(0))).toThrow(/^decodeMessage: schema must be/);
  });

  it("an encoding started while another one runs (from a getter) gets its own state: both come out right", () => {
    const inner = create(RealmSchema, { realmId: 300 });
    let innerBytes: Uint8Array | undefined;
    const outer = {
      ...create(HostRegisterStreamV1Schema),
      get streamId() {
        innerBytes = encodeMessage(RealmSchema, inner);
        return "stream-1";
      },
    };
    expect(hex(encodeMessage(HostRegisterStreamV1Schema, outer))).toBe("0a0873747265616d2d31");
    expect(hex(innerBytes!)).toBe("08ac02");
    // And the kept state still works afterwards.
    expect(hex(encodeMessage(RealmSchema, inner))).toBe("08ac02");
  });
});

describe("schemas the codec does not handle", () => {
  it("are refused with an AbiError naming the type: only the ABI's messages have a generated codec", () => {
    const encodeErr = abiErrorOf(() => encodeMessage(TypeSchema, create(TypeSchema, { name: "T", oneofs: ["o"] })));
    expect(encodeErr.status).toBe(code.UNSUPPORTED_OP);
    expect(encodeErr.message).toBe(
      "cannot encode or decode google.protobuf.Type: it is not a message of the ABI's schema",
    );
    expect(encodeErr.messageName).toBe("google.protobuf.Type");
    const decodeErr = abiErrorOf(() => decodeMessage(TypeSchema, bytes("0a0154")));
    expect(decodeErr.status).toBe(code.UNSUPPORTED_OP);
    expect(decodeErr.messageName).toBe("google.protobuf.Type");
  });
});

describe("encodeMessage checks values instead of changing them", () => {
  it("rejects a string with a lone surrogate, naming the field", () => {
    const msg = create(HostRegisterStreamV1Schema, { streamId: "a\uD800b" });
    const err = abiErrorOf(() => encodeMessage(HostRegisterStreamV1Schema, msg));
    expect(err.message).toBe(
      "cannot encode actr.dynclib.v1.HostRegisterStreamV1: field stream_id: string holds a lone surrogate, which has no UTF-8 encoding",
    );
    expect(err.field).toBe("stream_id");
  });

  it("rejects every lone surrogate: high then not low, low first (even before another low), high at the end, in short strings and in long ones", () => {
    // Strings under 43 UTF-16 units are written first and measured after; longer ones are measured first.
    for (const pad of ["", "é".repeat(50)]) {
      for (const lone of [
        "\uD800\uE000",
        "\uDBFF\uFFFF",
        "\uD800a",
        "\uDC00\uD800",
        "\uDC00\uDC00",
        "\uDFFF\uDFFF",
        "\uDFFF",
        "ab\uDBFF",
        "\uDBFF\uDC00\uDC00",
      ]) {
        const streamId = pad + lone;
        const msg = create(HostRegisterStreamV1Schema, { streamId });
        expect(
          abiErrorOf(() => encodeMessage(HostRegisterStreamV1Schema, msg)).message,
          JSON.stringify(streamId),
        ).toMatch(/string holds a lone surrogate/);
      }
      // A pair at either end of the surrogate ranges is whole.
      for (const pair of ["\uD800\uDC00", "\uDBFF\uDFFF"]) {
        const msg = create(HostRegisterStreamV1Schema, { streamId: pad + pair });
        expect(Buffer.from(encodeMessage(HostRegisterStreamV1Schema, msg)).toString("hex")).toContain(
          pair === "\uD800\uDC00" ? "f0908080" : "f48fbfbf",
        );
      }
    }
  });

  it("describes the value a field cannot carry: strings cut at 20 characters, bytes by length, null, objects", () => {
    const registerStream = (streamId: unknown) => () =>
      encodeMessage(HostRegisterStreamV1Schema, {
        ...create(HostRegisterStreamV1Schema),
        streamId: streamId as string,
      });
    const frameOp = (op: unknown) => () =>
      encodeMessage(AbiFrameSchema, { ...create(AbiFrameSchema), op: op as number });
    const cases: [() => unknown, string][] = [
      [frameOp("x".repeat(20)), 'AbiFrame: field op: expected a uint32, got "xxxxxxxxxxxxxxxxxxxx"'],
      [frameOp("y".repeat(21)), 'AbiFrame: field op: expected a uint32, got "yyyyyyyyyyyyyyyyyyyy…"'],
      [registerStream(new Uint8Array(3)), "HostRegisterStreamV1: field stream_id: expected a string, got 3 bytes"],
      [registerStream(null), "HostRegisterStreamV1: field stream_id: expected a string, got null"],
      [registerStream({}), "HostRegisterStreamV1: field stream_id: expected a string, got an object"],
      [registerStream(7), "HostRegisterStreamV1: field stream_id: expected a string, got number 7"],
    ];
    for (const [fn, message] of cases) expect(abiErrorOf(fn).message).toBe(`cannot encode actr.dynclib.v1.${message}`);
  });

  it("rejects an int32 that is not an integer number, whatever its value", () => {
    for (const status of ["5", 1n, 1.5, -0.5, true]) {
      const err = abiErrorOf(() =>
        encodeMessage(AbiReplySchema, { ...create(AbiReplySchema), status: status as number }),
      );
      expect(err.message, String(status)).toMatch(
        /^cannot encode actr.dynclib.v1.AbiReply: field status: expected an int32, got /,
      );
    }
  });

  it("rejects a oneof value that is not a { case, value } object, or names no case", () => {
    const dest = (kind: unknown) => () => encodeMessage(DestV1Schema, { ...create(DestV1Schema), kind: kind as never });
    expect(abiErrorOf(dest(5)).message).toBe(
      "cannot encode actr.dynclib.v1.DestV1: field kind: expected a oneof { case, value }, got number 5",
    );
    expect(abiErrorOf(dest(null)).message).toBe(
      "cannot encode actr.dynclib.v1.DestV1: field kind: expected a oneof { case, value }, got null",
    );
    expect(abiErrorOf(dest({ case: "nope", value: true })).message).toBe(
      'cannot encode actr.dynclib.v1.DestV1: field kind: unknown oneof case "nope"',
    );
  });

  it("a bytes field carrying an encoded message takes that message, and refuses a message of another type", () => {
    const envelope = create(RpcEnvelopeSchema, { routeKey: "r", payload: new Uint8Array([1, 2]), requestId: "q" });
    const inPlace = { ...create(GuestHandleV1Schema), rpcEnvelope: envelope as never };
    const twoStep = create(GuestHandleV1Schema, { rpcEnvelope: encodeMessage(RpcEnvelopeSchema, envelope).slice() });
    expect(hex(encodeMessage(GuestHandleV1Schema, inPlace))).toBe(hex(encodeMessage(GuestHandleV1Schema, twoStep)));
    // A default one (its required fields written), and a long one (a 2-byte length, with a long payload inside).
    for (const held of [
      create(RpcEnvelopeSchema),
      create(RpcEnvelopeSchema, { routeKey: "r".repeat(140), payload: new Uint8Array(300).fill(7) }),
    ]) {
      const bytes = encodeMessage(GuestHandleV1Schema, { ...create(GuestHandleV1Schema), rpcEnvelope: held as never });
      const expected = create(GuestHandleV1Schema, { rpcEnvelope: encodeMessage(RpcEnvelopeSchema, held).slice() });
      expect(hex(bytes)).toBe(hex(encodeMessage(GuestHandleV1Schema, expected)));
    }
    const wrong = { ...create(GuestHandleV1Schema), rpcEnvelope: create(RealmSchema) as never };
    expect(abiErrorOf(() => encodeMessage(GuestHandleV1Schema, wrong)).message).toBe(
      "cannot encode actr.dynclib.v1.GuestHandleV1: field rpc_envelope: expected a Uint8Array or a actr.RpcEnvelope message, got an object",
    );
  });

  it("an encoding that failed after a long bytes value leaves nothing behind for the next one", () => {
    const payload = new Uint8Array(200).fill(9);
    const bad = create(DataStreamSchema, {
      streamId: "s",
      payload,
      metadata: [create(MetadataEntrySchema, { key: "k" })],
    });
    (bad.metadata[0] as { value: unknown }).value = 5;
    expect(abiErrorOf(() => encodeMessage(DataStreamSchema, bad)).message).toBe(
      "cannot encode actr.MetadataEntry: field value: expected a string, got number 5",
    );
    const good = create(HostRegisterStreamV1Schema, { streamId: "x" });
    expect(hex(encodeMessage(HostRegisterStreamV1Schema, good))).toBe("0a0178");
  });

  it("writes surrogate pairs and BMP text as UTF-8", () => {
    const msg = create(HostRegisterStreamV1Schema, { streamId: "é日🦀\uFEFF" });
    expect(hex(encodeMessage(HostRegisterStreamV1Schema, msg))).toBe(
      "0a0c" + "c3a9" + "e697a5" + "f09fa680" + "efbbbf",
    );
  });

  it("rejects numbers outside the field's type, naming the field", () => {
    const cases: [() => unknown, RegExp][] = [
      [
        () => encodeMessage(AbiFrameSchema, { ...create(AbiFrameSchema), op: -1 }),
        /field op: expected a uint32, got number -1/,
      ],
      [() => encodeMessage(AbiFrameSchema, { ...create(AbiFrameSchema), op: 1.5 }), /field op: expected a uint32/],
      [
        () => encodeMessage(AbiReplySchema, { ...create(AbiReplySchema), status: 2 ** 31 }),
        /field status: expected an int32/,
      ],
      [
        () => encodeMessage(BackpressureEventV1Schema, { ...create(BackpressureEventV1Schema), queueLen: -1n }),
        /field queue_len: -1 is out of range for uint64/,
      ],
      [
        () => encodeMessage(BackpressureEventV1Schema, { ...create(BackpressureEventV1Schema), queueLen: 2n ** 64n }),
        /field queue_len: 18446744073709551616 is out of range for uint64/,
      ],
      [
        () => encodeMessage(DataStreamSchema, { ...create(DataStreamSchema), timestampMs: 2n ** 63n }),
        /field timestamp_ms: .* out of range for int64/,
      ],
      [
        () => encodeMessage(AbiFrameSchema, { ...create(AbiFrameSchema), payload: "x" as unknown as Uint8Array }),
        /field payload: expected a Uint8Array, got "x"/,
      ],
      [
        () => encodeMessage(PeerEventV1Schema, { ...create(PeerEventV1Schema), peer: create(RealmSchema) as never }),
        /field peer: expected a actr.ActrId message/,
      ],
    ];
    for (const [fn, message] of cases) expect(abiErrorOf(fn).message).toMatch(message);
  });

  it("writes the extremes of each integer type exactly", () => {
    const max = create(BackpressureEventV1Schema, { queueLen: 2n ** 64n - 1n, threshold: 2n ** 53n + 1n });
    expect(hex(encodeMessage(BackpressureEventV1Schema, max))).toBe("08ffffffffffffffffff01" + "108180808080808010");
    const min = create(DataStreamSchema, { timestampMs: -(2n ** 63n) });
    expect(hex(encodeMessage(DataStreamSchema, min))).toBe("0a0010001a00" + "2880808080808080808001");
    const negative = create(DataStreamSchema, { timestampMs: -1n });
    expect(hex(encodeMessage(DataStreamSchema, negative))).toBe("0a0010001a00" + "28ffffffffffffffffff01");
    expect(hex(encodeMessage(AbiFrameSchema, create(AbiFrameSchema, { op: 0xffffffff })))).toBe("10ffffffff0f");
  });

  it("returns a fresh view of exactly the encoded size, even when pooled", () => {
    const a = encodeMessage(AbiFrameSchema, create(AbiFrameSchema, { op: 1 }));
    const b = encodeMessage(AbiFrameSchema, create(AbiFrameSchema, { op: 2 }));
    expect([a.length, b.length]).toEqual([2, 2]);
    b[1] = 9;
    expect(hex(a)).toBe("1001");
    const big = encodeMessage(AbiFrameSchema, create(AbiFrameSchema, { payload: new Uint8Array(70_000) }));
    expect(big.length).toBe(70_004);
    expect(big.byteLength).toBe(big.buffer.byteLength);
  });
});
