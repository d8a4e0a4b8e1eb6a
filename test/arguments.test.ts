// The contract for a caller's wrong argument: a TypeError (or RangeError)
// whose message starts with the function and names the argument; never a
// bare error from deep inside, and never an AbiError (that is for bytes).
import { create, isMessage } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { describeValue, isUint8Array, requireInt32, requireMessage } from "../src/arguments.js";
import {
  AbiFrameSchema,
  decodeFrame,
  decodeMessage,
  decodePayload,
  decodeReply,
  encodeFrame,
  encodeMessage,
  HostCallV1Schema,
  messageSchema,
  toFrame,
} from "../src/index.js";

describe("isUint8Array", () => {
  it("accepts real Uint8Arrays, Buffers and views at an offset", () => {
    const shared = new Uint8Array(new SharedArrayBuffer(4));
    for (const bytes of [new Uint8Array(2), Buffer.from([1]), new Uint8Array(8).subarray(3, 5), shared])
      expect(isUint8Array(bytes)).toBe(true);
  });

  it("refuses look-alikes that pass `instanceof`, and other typed arrays", () => {
    const lookAlikes: unknown[] = [
      new Proxy(new Uint8Array(2), {}),
      Object.create(Uint8Array.prototype),
      Object.defineProperty(Object.create(Uint8Array.prototype), Symbol.toStringTag, { value: "Uint8Array" }),
      new Uint8ClampedArray(2),
      new Int8Array(2),
      new DataView(new ArrayBuffer(2)),
      new ArrayBuffer(2),
      [1, 2],
      null,
      undefined,
      "0801",
    ];
    expect(new Proxy(new Uint8Array(2), {}) instanceof Uint8Array).toBe(true);
    for (const value of lookAlikes) expect(isUint8Array(value), describeValue(value)).toBe(false);
  });

  it("describes a value briefly, without printing a huge one", () => {
    expect([null, undefined, 5, 5n, "x", [1], {}, new Int8Array(1), () => 0].map(describeValue)).toEqual([
      "null",
      "undefined",
      "number 5",
      "bigint 5",
      'string "x"',
      "an Array",
      "an object",
      "a Int8Array",
      "a function",
    ]);
    expect(describeValue("x".repeat(1000))).toBe("a string of length 1000");
    // 40 characters are still shown; 41 are not.
    expect(describeValue("x".repeat(40))).toBe(`string "${"x".repeat(40)}"`);
    expect(describeValue("x".repeat(41))).toBe("a string of length 41");
  });

  it("describes an object by its class, and one with no class or no prototype as an object", () => {
    expect(describeValue(new Map())).toBe("an object of class Map");
    expect(describeValue(Object.create(null))).toBe("an object");
    expect(describeValue(Object.create(Object.create(null)))).toBe("an object");
    expect(describeValue(Object.create({ constructor: { name: 5 } }))).toBe("an object");
  });
});

describe("requireMessage", () => {
  const frame = create(AbiFrameSchema);
  const inherits = Object.create(frame) as object; // $typeName from its prototype, as `in` sees it
  const values: unknown[] = [
    frame,
    inherits,
    { $typeName: AbiFrameSchema.typeName },
    { $typeName: `${AbiFrameSchema.typeName}` + "" },
    create(HostCallV1Schema),
    { $typeName: 5 },
    {},
    Object.create(null),
    Object.assign(() => 0, { $typeName: AbiFrameSchema.typeName }),
    null,
    undefined,
    AbiFrameSchema.typeName,
    [frame],
  ];

  it("accepts exactly what isMessage(value, schema) accepts", () => {
    for (const value of values) {
      const accepted = (() => {
        try {
          requireMessage(value, AbiFrameSchema, "fn", "arg");
          return true;
        } catch {
          return false;
        }
      })();
      expect(accepted, describeValue(value)).toBe(isMessage(value, AbiFrameSchema));
    }
    expect(values.filter((v) => isMessage(v, AbiFrameSchema))).toHaveLength(4);
  });

  it("names the function, the argument and the message expected", () => {
    expect(() => requireMessage(create(HostCallV1Schema), AbiFrameSchema, "decodePayload", "frame")).toThrow(
      new TypeError("decodePayload: frame must be an actr.dynclib.v1.AbiFrame message, got an object"),
    );
  });
});

describe("requireInt32", () => {
  it("takes int32's two ends and refuses the integers just past them with a RangeError", () => {
    for (const value of [-0x8000_0000, 0x7fff_ffff]) expect(() => requireInt32(value, "f", "x")).not.toThrow();
    for (const value of [-0x8000_0001, 0x8000_0000]) {
      expect(() => requireInt32(value, "f", "x")).toThrow(
        new RangeError(`f: x must be within int32 (-2147483648..2147483647), got ${value}`),
      );
    }
  });
});

describe("codec and frame functions name a wrong argument", () => {
  const frame = create(AbiFrameSchema, { abiVersion: 1, op: 1 });
  const rows: [string, () => unknown, TypeErrorConstructor, string][] = [
    [
      "decodeMessage(null, bytes)",
      () => decodeMessage(null as never, new Uint8Array()),
      TypeError,
      "decodeMessage: schema must be a message schema (such as AbiFrameSchema), got null",
    ],
    [
      "decodeMessage(schema, Proxy)",
      () => decodeMessage(AbiFrameSchema, new Proxy(new Uint8Array(), {})),
      TypeError,
      "decodeMessage: bytes must be a Uint8Array, got an object of class Uint8Array",
    ],
    [
      "encodeMessage(undefined, message)",
      () => encodeMessage(undefined as never, frame as never),
      TypeError,
      "encodeMessage: schema must be a message schema (such as AbiFrameSchema), got undefined",
    ],
    [
      "encodeFrame(null, payload)",
      () => encodeFrame(null as never, frame as never),
      TypeError,
      "encodeFrame: schema must be a message schema (such as AbiFrameSchema), got null",
    ],
    [
      "toFrame('HostCallV1', payload)",
      () => toFrame("HostCallV1" as never, frame as never),
      TypeError,
      'toFrame: schema must be a message schema (such as AbiFrameSchema), got string "HostCallV1"',
    ],
    [
      "decodePayload(schema, null)",
      () => decodePayload(HostCallV1Schema, null as never),
      TypeError,
      "decodePayload: frame must be an actr.dynclib.v1.AbiFrame message, got null",
    ],
    [
      "decodeFrame(Object.create(Uint8Array.prototype))",
      () => decodeFrame(Object.create(Uint8Array.prototype) as Uint8Array),
      TypeError,
      "decodeFrame: bytes must be a Uint8Array, got an object of class Uint8Array",
    ],
    [
      "decodeReply([8, 1])",
      () => decodeReply([8, 1] as never),
      TypeError,
      "decodeReply: bytes must be a Uint8Array, got an Array",
    ],
    [
      "messageSchema(null)",
      () => messageSchema(null as never),
      TypeError,
      "messageSchema: name must be a string, got null",
    ],
  ];
  for (const [what, call, type, message] of rows) {
    it(what, () => {
      expect(call).toThrow(type);
      expect(call).toThrow(message);
    });
  }
});
