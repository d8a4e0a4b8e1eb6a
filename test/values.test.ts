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
    expect(err.variant).toBe("DecodeFailure");
    expect(err.message).toBe("decode failure: destination kind is missing");
  });
});

describe("peerStatusFromV1", () => {
  it("known values pass, unknown and absent are undefined", () => {
    expect([0, 1, 2, 3].map(peerStatusFromV1)).toEqual([0, 1, 2, 3]);
    expect(peerStatusFromV1(4)).toBeUndefined();
    expect(peerStatusFromV1(undefined)).toBeUndefined();
  });
});

describe("timestamps", () => {
  it("keep nanoseconds exactly", () => {
    const v1 = timestampToV1({ seconds: 18446744073709551615n, nanos: 999_999_999 });
    expect(timestampFromV1(v1)).toEqual({ seconds: 18446744073709551615n, nanos: 999_999_999 });
    expect(hex(encodeMessage(TimestampV1Schema, v1))).toBe("08ffffffffffffffffff0110ff93ebdc03");
  });

  it("refuse a Date beyond the range of Date", () => {
    expect(() => timestampToDate(timestampToV1({ seconds: 2n ** 63n }))).toThrow(/beyond the range of Date/);
  });

  it("convert a Date at millisecond precision", () => {
    const v1 = timestampToV1(new Date(1_700_000_000_123));
    expect(timestampFromV1(v1)).toEqual({ seconds: 1_700_000_000n, nanos: 123_000_000 });
    expect(timestampToDate(v1).getTime()).toBe(1_700_000_000_123);
  });

  it("refuse what a TimestampV1 cannot hold", () => {
    expect(() => timestampToV1(new Date(-1))).toThrow(/1969-12-31T23:59:59.999Z is before the epoch/);
    expect(() => timestampToV1({ seconds: -1 })).toThrow(/timestamp seconds must be within 0\.\./);
    expect(() => timestampToV1(new Date(Number.NaN))).toThrow(/invalid Date/);
    expect(() => timestampToV1({ seconds: 1, nanos: 1_000_000_000 })).toThrow(/nanos/);
    expect(() => timestampToV1({ seconds: 1.5 })).toThrow(ActrError);
    expect(() => timestampToV1({ seconds: 2n ** 64n })).toThrow(ActrError);
  });
});

describe("lifecycleContext", () => {
  it("is the Rust host's context: no caller, request id lifecycle:<hook>", () => {
    expect(lifecycleContext(id, lifecycleHook.ON_START)).toEqual(invocationContext({ selfId: id, requestId: "lifecycle:on_start" }));
    expect(lifecycleContext(id, lifecycleHook.ON_READY).requestId).toBe("lifecycle:on_ready");
    expect(lifecycleContext(id, lifecycleHook.ON_STOP).requestId).toBe("lifecycle:on_stop");
    expect(() => lifecycleContext(id, 9)).toThrow(/unknown lifecycle hook 9/);
  });
});

describe("builders", () => {
  it("actrId and actrType set every required field", () => {
    expect(hex(encodeMessage(ActrIdSchema, id))).toBe("0a02080110021a110a0461636d6512046563686f1a03312e30");
    expect(actrId({ realm: 1, serialNumber: 2, type: actrType({ manufacturer: "acme", name: "echo", version: "1.0" }) })).toEqual(id);
  });

  it("actrId refuses a serial number that is not a u64", () => {
    const type = { manufacturer: "", name: "", version: "" };
    expect(() => actrId({ realm: 0, serialNumber: -1, type })).toThrow(/ActrId serialNumber/);
    expect(() => actrId({ realm: 0, serialNumber: 0.5, type })).toThrow(ActrError);
  });

  it("invocationContext leaves callerId absent unless given", () => {
    const ctx = invocationContext({ selfId: id, requestId: "lifecycle:on_start" });
    expect(ctx.callerId).toBeUndefined();
    const withCaller = invocationContext({ selfId: id, callerId: id });
    expect(withCaller.callerId).toEqual(id);
    const idHex = hex(encodeMessage(ActrIdSchema, id));
    expect(hex(encodeMessage(InvocationContextV1Schema, ctx))).toBe(`0a19${idHex}1a126c6966656379636c653a6f6e5f7374617274`);
    expect(hex(encodeMessage(InvocationContextV1Schema, withCaller))).toBe(`0a19${idHex}1219${idHex}`);
  });

  it("dataStream keeps the payload by reference and writes metadata and timestamp", () => {
    const payload = new Uint8Array([1, 2, 3]);
    const chunk = dataStream({ streamId: "s", sequence: 7, payload, metadata: [{ key: "k", value: "v" }], timestampMs: -1 });
    expect(chunk.payload).toBe(payload);
    expect(hex(encodeMessage(DataStreamSchema, chunk))).toBe(
      "0a0173" + "1007" + "1a03010203" + "2206" + "0a016b" + "120176" + "28ffffffffffffffffff01",
    );
  });
});
