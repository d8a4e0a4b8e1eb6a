import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  ActrError,
  actrId,
  ActrIdSchema,
  actrType,
  dataStream,
  destFromV1,
  destToV1,
  DestV1Schema,
  encodeMessage,
  invocationContext,
  lifecycleContext,
  lifecycleHook,
  peerStatusFromV1,
  timestampFromV1,
  timestampToDate,
  timestampToV1,
  TimestampV1Schema,
  DataStreamSchema,
  InvocationContextV1Schema,
} from "../src/index.js";
import { thrown } from "./support/thrown.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const id = actrId({ realm: 1, serialNumber: 2n, type: { manufacturer: "acme", name: "echo", version: "1.0" } });

describe("destinations", () => {
  it("destToV1 writes true for shell and local, as Rust senders do", () => {
    expect(hex(encodeMessage(DestV1Schema, destToV1({ kind: "shell" })))).toBe("0801");
    expect(hex(encodeMessage(DestV1Schema, destToV1({ kind: "local" })))).toBe("1001");
    expect(destToV1({ kind: "actor", id }).kind).toEqual({ case: "actor", value: id });
  });

  it("destFromV1 takes the case whatever the bool says", () => {
    expect(destFromV1(create(DestV1Schema, { kind: { case: "shell", value: false } }))).toEqual({ kind: "shell" });
    expect(destFromV1(create(DestV1Schema, { kind: { case: "local", value: false } }))).toEqual({ kind: "local" });
    expect(destFromV1(destToV1({ kind: "actor", id }))).toEqual({ kind: "actor", id });
  });

  it("a missing kind is DecodeFailure('destination kind is missing')", () => {
    const err = thrown(() => destFromV1(create(DestV1Schema)), ActrError);
    expect(err.code).toBe("DecodeFailure");
    expect(err.message).toBe("decode failure: destination kind is missing");
  });
});

describe("peerStatusFromV1", () => {
  it("known values pass, unknown and absent are undefined", () => {
    expect([0, 1, 2, 3].map(peerStatusFromV1)).toEqual([0, 1, 2, 3]);
    expect(peerStatusFromV1(4)).toBeUndefined();
    expect(peerStatusFromV1(undefined)).toBeUndefined();
  });

  it("only a number is a status: a string that names a value's number is not", () => {
    expect(peerStatusFromV1("1" as never)).toBeUndefined();
    expect(peerStatusFromV1(1.5)).toBeUndefined();
    expect(peerStatusFromV1(-1)).toBeUndefined();
  });
});

describe("timestamps", () => {
  it("keep nanoseconds exactly", () => {
    const v1 = timestampToV1({ seconds: 18446744073709551615n, nanos: 999_999_999 });
    expect(timestampFromV1(v1)).toEqual({ seconds: 18446744073709551615n, nanos: 999_999_999 });
    expect(hex(encodeMessage(TimestampV1Schema, v1))).toBe("08ffffffffffffffffff0110ff93ebdc03");
  });

  it("refuse a Date beyond the range of Date", () => {
    expect(() => timestampToDate(timestampToV1({ seconds: 2n ** 63n }))).toThrow(
      new RangeError("timestampToDate: v1 (9223372036854775808 seconds) is beyond the range of Date (year 275760)"),
    );
    expect(timestampToDate(timestampToV1({ seconds: 8_640_000_000_000n })).toISOString()).toBe(
      "+275760-09-13T00:00:00.000Z",
    );
    expect(() => timestampToDate(timestampToV1({ seconds: 8_640_000_000_000n, nanos: 1_000_000 }))).toThrow(RangeError);
  });

  it("convert a Date at millisecond precision", () => {
    const v1 = timestampToV1(new Date(1_700_000_000_123));
    expect(timestampFromV1(v1)).toEqual({ seconds: 1_700_000_000n, nanos: 123_000_000 });
    expect(timestampToDate(v1).getTime()).toBe(1_700_000_000_123);
  });

  it("refuse what a TimestampV1 cannot hold, naming the argument", () => {
    expect(() => timestampToV1(new Date(-1))).toThrow(
      new RangeError("timestampToV1: time 1969-12-31T23:59:59.999Z is before the epoch"),
    );
    expect(() => timestampToV1({ seconds: -1 })).toThrow(
      new RangeError("timestampToV1: time.seconds must be within uint64 (0..18446744073709551615), got -1"),
    );
    expect(() => timestampToV1(new Date(Number.NaN))).toThrow(new RangeError("timestampToV1: time is an invalid Date"));
    expect(() => timestampToV1({ seconds: 1, nanos: 1_000_000_000 })).toThrow(
      new RangeError("timestampToV1: time.nanos must be an integer within 0..999999999, got 1000000000"),
    );
    expect(() => timestampToV1({ seconds: 1, nanos: "5" as never })).toThrow(
      new TypeError('timestampToV1: time.nanos must be a number, got string "5"'),
    );
    expect(() => timestampToV1({ seconds: 1.5 })).toThrow(RangeError);
    expect(() => timestampToV1({ seconds: 2n ** 64n })).toThrow(RangeError);
    expect(() => timestampToV1(null as never)).toThrow(
      new TypeError("timestampToV1: time must be an object, got null"),
    );
    expect(() => timestampToV1({} as never)).toThrow(
      new TypeError("timestampToV1: time.seconds must be a number or bigint, got undefined"),
    );
  });

  it("take the epoch itself, and refuse nanos that are negative or not integers", () => {
    expect(timestampFromV1(timestampToV1(new Date(0)))).toEqual({ seconds: 0n, nanos: 0 });
    expect(timestampFromV1(timestampToV1({ seconds: 0 }))).toEqual({ seconds: 0n, nanos: 0 });
    expect(() => timestampToV1({ seconds: 1, nanos: -1 })).toThrow(
      new RangeError("timestampToV1: time.nanos must be an integer within 0..999999999, got -1"),
    );
    expect(() => timestampToV1({ seconds: 1, nanos: 0.5 })).toThrow(
      new RangeError("timestampToV1: time.nanos must be an integer within 0..999999999, got 0.5"),
    );
    expect(() => timestampToV1({ seconds: 1, nanos: Number.NaN })).toThrow(RangeError);
  });

  it("read only TimestampV1 messages", () => {
    expect(() => timestampFromV1({ seconds: 1n, nanoseconds: 0 } as never)).toThrow(
      new TypeError("timestampFromV1: v1 must be an actr.dynclib.v1.TimestampV1 message, got an object"),
    );
    expect(() => timestampToDate(undefined as never)).toThrow(
      /timestampToDate: v1 must be an actr.dynclib.v1.TimestampV1 message, got undefined/,
    );
  });
});

describe("lifecycleContext", () => {
  it("is the Rust host's context: no caller, request id lifecycle:<hook>", () => {
    expect(lifecycleContext(id, lifecycleHook.ON_START)).toEqual(
      invocationContext({ selfId: id, requestId: "lifecycle:on_start" }),
    );
    expect(lifecycleContext(id, lifecycleHook.ON_READY).requestId).toBe("lifecycle:on_ready");
    expect(lifecycleContext(id, lifecycleHook.ON_STOP).requestId).toBe("lifecycle:on_stop");
    expect(() => lifecycleContext(id, 9)).toThrow(
      new RangeError("lifecycleContext: hook must be a lifecycleHook value (1, 2, 3), got 9"),
    );
    expect(() => lifecycleContext(id, "1" as never)).toThrow(
      new TypeError('lifecycleContext: hook must be a lifecycleHook value, got string "1"'),
    );
    expect(() => lifecycleContext(null as never, 1)).toThrow(
      /lifecycleContext: selfId must be an actr.ActrId message, got null/,
    );
  });
});

describe("builders", () => {
  it("actrId and actrType set every required field", () => {
    expect(hex(encodeMessage(ActrIdSchema, id))).toBe("0a02080110021a110a0461636d6512046563686f1a03312e30");
    expect(
      actrId({ realm: 1, serialNumber: 2, type: actrType({ manufacturer: "acme", name: "echo", version: "1.0" }) }),
    ).toEqual(id);
  });

  it("actrId refuses a serial number that is not a u64", () => {
    const type = { manufacturer: "", name: "", version: "" };
    expect(() => actrId({ realm: 0, serialNumber: -1, type })).toThrow(
      new RangeError("actrId: init.serialNumber must be within uint64 (0..18446744073709551615), got -1"),
    );
    expect(() => actrId({ realm: 0, serialNumber: 0.5, type })).toThrow(RangeError);
    expect(() => actrId({ realm: 0, serialNumber: 2 ** 53, type })).toThrow(
      /must be an integer \(a bigint beyond 2\^53\)/,
    );
  });

  it("actrId and actrType name what is missing or mistyped", () => {
    const type = { manufacturer: "acme", name: "echo", version: "1" };
    expect(() => actrId({ realm: 1, serialNumber: 1n } as never)).toThrow(
      new TypeError("actrId: init.type must be an object, got undefined"),
    );
    expect(() => actrId({ realm: 1, serialNumber: 1n, type: { manufacturer: "a", name: "b" } } as never)).toThrow(
      new TypeError("actrId: init.type.version must be a string, got undefined"),
    );
    expect(() => actrId(null as never)).toThrow(new TypeError("actrId: init must be an object, got null"));
    expect(() => actrId({ realm: 2 ** 32, serialNumber: 1n, type })).toThrow(
      new RangeError("actrId: init.realm must be within uint32 (0..4294967295), got 4294967296"),
    );
    expect(() => actrId({ realm: "1" as never, serialNumber: 1n, type })).toThrow(
      new TypeError('actrId: init.realm must be a number or bigint, got string "1"'),
    );
    expect(actrId({ realm: 4294967295, serialNumber: 1n, type }).realm?.realmId).toBe(4294967295); // u32::MAX itself
    expect(() => actrType({ manufacturer: "m", version: "v" } as never)).toThrow(
      new TypeError("actrType: init.name must be a string, got undefined"),
    );
    expect(() => actrType({ manufacturer: 1, name: "n", version: "v" } as never)).toThrow(
      new TypeError("actrType: init.manufacturer must be a string, got number 1"),
    );
  });

  it("destToV1 and destFromV1 name a wrong argument", () => {
    expect(() => destFromV1(null as never)).toThrow(
      new TypeError("destFromV1: v1 must be an actr.dynclib.v1.DestV1 message, got null"),
    );
    expect(() => destToV1({ kind: "bogus" } as never)).toThrow(
      new TypeError('destToV1: dest.kind must be "shell", "local" or "actor", got string "bogus"'),
    );
    expect(() => destToV1(null as never)).toThrow(new TypeError("destToV1: dest must be an object, got null"));
    expect(() => destToV1({ kind: "actor" } as never)).toThrow(
      new TypeError("destToV1: dest.id must be an actr.ActrId message, got undefined"),
    );
  });

  it("invocationContext and dataStream name a wrong argument", () => {
    expect(() => invocationContext({} as never)).toThrow(
      new TypeError("invocationContext: init.selfId must be an actr.ActrId message, got undefined"),
    );
    expect(() => invocationContext({ selfId: id, requestId: 5 } as never)).toThrow(
      new TypeError("invocationContext: init.requestId must be a string, got number 5"),
    );
    expect(() => invocationContext(null as never)).toThrow(
      new TypeError("invocationContext: init must be an object, got null"),
    );
    expect(() => invocationContext({ selfId: id, callerId: {} } as never)).toThrow(
      new TypeError("invocationContext: init.callerId must be an actr.ActrId message, got an object"),
    );
    expect(() => dataStream(undefined as never)).toThrow(
      new TypeError("dataStream: init must be an object, got undefined"),
    );
    expect(() => dataStream({ sequence: 1, payload: new Uint8Array() } as never)).toThrow(
      new TypeError("dataStream: init.streamId must be a string, got undefined"),
    );
    expect(() => dataStream({ streamId: "s", sequence: -1, payload: new Uint8Array() })).toThrow(
      new RangeError("dataStream: init.sequence must be within uint64 (0..18446744073709551615), got -1"),
    );
    expect(() =>
      dataStream({
        streamId: "s",
        sequence: 1,
        payload: new Uint8Array(),
        metadata: { key: "k", value: "v" },
      } as never),
    ).toThrow(new TypeError("dataStream: init.metadata must be an array of { key, value }, got an object"));
    expect(() =>
      dataStream({
        streamId: "s",
        sequence: 1,
        payload: new Uint8Array(),
        metadata: [{ key: "k", value: "v" }, null],
      } as never),
    ).toThrow(new TypeError("dataStream: init.metadata[1] must be an object, got null"));
    expect(() =>
      dataStream({
        streamId: "s",
        sequence: 1,
        payload: new Uint8Array(),
        metadata: [{ key: 1, value: "v" }],
      } as never),
    ).toThrow(new TypeError("dataStream: init.metadata[0].key must be a string, got number 1"));
    expect(() => dataStream({ streamId: "s", sequence: 1, payload: [1, 2] } as never)).toThrow(
      new TypeError("dataStream: init.payload must be a Uint8Array, got an Array"),
    );
    expect(() =>
      dataStream({ streamId: "s", sequence: 1, payload: new Uint8Array(), metadata: [{ key: "k" }] } as never),
    ).toThrow(new TypeError("dataStream: init.metadata[0].value must be a string, got undefined"));
    expect(() => dataStream({ streamId: "s", sequence: 1, payload: new Uint8Array(), timestampMs: 2n ** 63n })).toThrow(
      /dataStream: init.timestampMs must be within int64/,
    );
  });

  it("invocationContext leaves callerId absent unless given", () => {
    const ctx = invocationContext({ selfId: id, requestId: "lifecycle:on_start" });
    expect(ctx.callerId).toBeUndefined();
    const withCaller = invocationContext({ selfId: id, callerId: id });
    expect(withCaller.callerId).toEqual(id);
    const idHex = hex(encodeMessage(ActrIdSchema, id));
    expect(hex(encodeMessage(InvocationContextV1Schema, ctx))).toBe(
      `0a19${idHex}1a126c6966656379636c653a6f6e5f7374617274`,
    );
    expect(hex(encodeMessage(InvocationContextV1Schema, withCaller))).toBe(`0a19${idHex}1219${idHex}`);
  });

  it("dataStream keeps the payload by reference and writes metadata and timestamp", () => {
    const payload = new Uint8Array([1, 2, 3]);
    const chunk = dataStream({
      streamId: "s",
      sequence: 7,
      payload,
      metadata: [{ key: "k", value: "v" }],
      timestampMs: -1,
    });
    expect(chunk.payload).toBe(payload);
    expect(hex(encodeMessage(DataStreamSchema, chunk))).toBe(
      "0a0173" + "1007" + "1a03010203" + "2206" + "0a016b" + "120176" + "28ffffffffffffffffff01",
    );
  });
});
