// Every field of every message of the schema, one by one: a decoding or
// encoding failure in a field names the message, the field and (decoding)
// the byte offset. Driven by the schema, so a new field is covered the day it
// is added. That prost rejects the same inputs is the conformance run's and
// the golden vectors' job; this file checks what our errors say.
import { create, type DescField, type DescMessage, isFieldSet, isMessage, ScalarType } from "@bufbuild/protobuf";
import { FeatureSet_FieldPresence } from "@bufbuild/protobuf/wkt";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { describe, expect, it } from "vitest";
import { AbiError, decodeMessage, encodedMessageOf, encodeMessage, messageSchemas } from "../../src/index.js";

/** The wire type prost expects for `field`. */
function wireTypeOf(field: DescField): WireType {
  const lengthDelimited =
    field.fieldKind === "message" ||
    field.fieldKind === "list" ||
    (field.fieldKind === "scalar" && (field.scalar === ScalarType.STRING || field.scalar === ScalarType.BYTES));
  return lengthDelimited ? WireType.LengthDelimited : WireType.Varint;
}

/** The bytes of `field`'s key with `wireType` (protobuf-es writes them). */
const key = (field: DescField, wireType: WireType) =>
  Array.from(new BinaryWriter().tag(field.number, wireType).finish());

/** A value of the wrong type for `field`, and what the encoder says it expected and got. */
function wrongValue(field: DescField): { value: unknown; expected: string; got: string } {
  switch (field.fieldKind) {
    case "list":
      return { value: "not an array", expected: "an array", got: '"not an array"' };
    case "message":
      return { value: "not a message", expected: `a ${field.message.typeName} message`, got: '"not a message"' };
    case "enum":
      return { value: { not: "a number" }, expected: "an int32", got: "an object" };
    case "scalar": {
      const expected = {
        [ScalarType.UINT32]: "a uint32",
        [ScalarType.INT32]: "an int32",
        [ScalarType.UINT64]: "a 64-bit integer",
        [ScalarType.INT64]: "a 64-bit integer",
        [ScalarType.BOOL]: "a boolean",
        [ScalarType.STRING]: "a string",
        [ScalarType.BYTES]: "a Uint8Array",
      }[field.scalar as number];
      if (expected === undefined) throw new Error(`${field.toString()}: a scalar type this test does not know`);
      // A bytes field that carries an encoded message also takes that message (encoded in place).
      const held = encodedMessageOf(field);
      return {
        value: { not: "a scalar" },
        expected: held === undefined ? expected : `${expected} or a ${held.typeName} message`,
        got: "an object",
      };
    }
    default:
      throw new Error(`${field.toString()}: map fields are not in the schema`);
  }
}

/** Decoding `bytes` as `desc` fails with an AbiError; returns it. */
function decodeError(desc: DescMessage, bytes: number[]): AbiError {
  try {
    decodeMessage(desc, Uint8Array.from(bytes));
  } catch (e) {
    expect(e).toBeInstanceOf(AbiError);
    return e as AbiError;
  }
  throw new Error(`decoding ${Buffer.from(bytes).toString("hex")} as ${desc.typeName} did not fail`);
}

/** Encoding `message` as `desc` fails with an AbiError; returns it. */
function encodeError(desc: DescMessage, message: unknown): AbiError {
  try {
    encodeMessage(desc, message as never);
  } catch (e) {
    expect(e).toBeInstanceOf(AbiError);
    return e as AbiError;
  }
  throw new Error(
    `encoding ${JSON.stringify(message, (_, v: unknown) => (typeof v === "bigint" ? String(v) : v))} as ${desc.typeName} did not fail`,
  );
}

const cases = [...messageSchemas.values()].flatMap((desc) =>
  desc.fields.map((field) => [`${desc.typeName}.${field.name}`, desc, field] as const),
);

describe("every field of the schema", () => {
  it("covers every field of the 27 messages", () => {
    expect(cases.length).toBe([...messageSchemas.values()].reduce((n, desc) => n + desc.fields.length, 0));
    expect(cases.length).toBeGreaterThan(60);
  });

  it.each(cases)("%s: the wrong wire type is refused, naming the message, the field and byte 0", (_, desc, field) => {
    const expected = wireTypeOf(field);
    const [wrong, rest, got, want] =
      expected === WireType.LengthDelimited
        ? [WireType.Varint, [1], "wire type 0 (varint)", "length-delimited"]
        : [WireType.LengthDelimited, [0], "wire type 2 (length-delimited)", "varint"];
    const error = decodeError(desc, [...key(field, wrong), ...rest]);
    expect(error.message).toBe(
      `cannot decode ${desc.typeName}: field ${field.name}: ${got} where ${want} is expected at byte 0`,
    );
    expect(error.messageName).toBe(desc.typeName);
    expect(error.field).toBe(field.name);
    expect(error.offset).toBe(0);
  });

  it.each(cases)(
    "%s: a value cut off after its key is refused, naming the field and where the value starts",
    (_, desc, field) => {
      const k = key(field, wireTypeOf(field));
      const error = decodeError(desc, [...k, 0x80]);
      expect(error.message).toBe(
        `cannot decode ${desc.typeName}: field ${field.name}: truncated varint at byte ${k.length}`,
      );
      expect(error.messageName).toBe(desc.typeName);
      expect(error.field).toBe(field.name);
      expect(error.offset).toBe(k.length);
    },
  );

  it.each(cases)(
    "%s: a value of the wrong type is refused by the encoder, naming the message and the field",
    (_, desc, field) => {
      const message = create(desc) as unknown as Record<string, unknown>;
      const { value, expected, got } = wrongValue(field);
      if (field.oneof !== undefined) message[field.oneof.localName] = { case: field.localName, value };
      else message[field.localName] = value;
      let error: unknown;
      try {
        encodeMessage(desc, message as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AbiError);
      expect((error as AbiError).message).toBe(
        `cannot encode ${desc.typeName}: field ${field.name}: expected ${expected}, got ${got}`,
      );
      expect((error as AbiError).messageName).toBe(desc.typeName);
      expect((error as AbiError).field).toBe(field.name);
    },
  );
});

/** The message type a field holds: a message field's, a message list's items', or the message an encoded-message bytes field also takes. */
function heldMessage(field: DescField): DescMessage | undefined {
  if (field.fieldKind === "message") return field.message;
  if (field.fieldKind === "list" && field.listKind === "message") return field.message;
  return field.fieldKind === "scalar" ? encodedMessageOf(field) : undefined;
}

const messageTypedFields = cases.filter(([, , field]) => heldMessage(field) !== undefined);

/** `message` of `desc` with `value` in `field` (as the item of a list, or the case of a oneof). */
function withValue(desc: DescMessage, field: DescField, value: unknown): unknown {
  const message = create(desc) as unknown as Record<string, unknown>;
  if (field.oneof !== undefined) message[field.oneof.localName] = { case: field.localName, value };
  else message[field.localName] = field.fieldKind === "list" ? [value] : value;
  return message;
}

describe("every field that holds a message, and its type check", () => {
  it("covers the message fields, the message lists and the encoded-message bytes fields", () => {
    const kinds = new Set(messageTypedFields.map(([, , field]) => field.fieldKind));
    expect([...kinds].sort()).toEqual(["list", "message", "scalar"]);
  });

  it.each(messageTypedFields)(
    "%s: null, a number and a message of another type are refused, naming the message and the field",
    (_, desc, field) => {
      const held = heldMessage(field)!;
      const other = [...messageSchemas.values()].find((schema) => schema !== held)!;
      const expected =
        field.fieldKind === "scalar" ? `a Uint8Array or a ${held.typeName} message` : `a ${held.typeName} message`;
      for (const [value, got] of [
        [null, "null"],
        [7, "number 7"],
        [create(other), "an object"],
      ] as const) {
        const error = encodeError(desc, withValue(desc, field, value));
        expect(error.message).toBe(
          `cannot encode ${desc.typeName}: field ${field.name}: expected ${expected}, got ${got}`,
        );
        expect(error.field).toBe(field.name);
      }
    },
  );

  it.each(messageTypedFields)(
    "%s: a function that carries the right $typeName is not a message, as isMessage has it",
    (_, desc, field) => {
      const held = heldMessage(field)!;
      const impostor = Object.assign(() => 0, { $typeName: held.typeName });
      expect(isMessage(impostor, held)).toBe(false);
      expect(() => encodeMessage(desc, withValue(desc, field, impostor) as never)).toThrow(
        new RegExp(
          `^cannot encode ${desc.typeName}: field ${field.name}: expected a (Uint8Array or a )?${held.typeName} message, got function`,
        ),
      );
    },
  );

  it.each(messageTypedFields)(
    "%s: a message whose $typeName is an equal string, not the schema's own, encodes as the schema's message",
    (_, desc, field) => {
      const held = heldMessage(field)!;
      const message = create(held) as unknown as Record<string, unknown>;
      // Built at run time, so that it is another string object than the schema's typeName.
      const copy = { ...message, $typeName: held.typeName.split(".").join(".") };
      const hex = (value: unknown) =>
        Buffer.from(encodeMessage(desc, withValue(desc, field, value) as never)).toString("hex");
      expect(hex(copy)).toBe(hex(message));
    },
  );
});

const messages = [...messageSchemas.values()].map((desc) => [desc.typeName, desc] as const);

describe("every message of the schema", () => {
  it.each(messages)("%s: a key with field number 0 is refused, naming the message", (_, desc) => {
    const error = decodeError(desc, [0x00, 0x01]);
    expect(error.message).toBe(`cannot decode ${desc.typeName}: invalid field number 0 at byte 0`);
    expect(error.messageName).toBe(desc.typeName);
  });

  it.each(messages)("%s: an unknown field cut short is refused, naming the message", (_, desc) => {
    // Field 2000 is in no message; wire type I64 with two of its eight bytes.
    const unknown = Array.from(new BinaryWriter().tag(2000, WireType.Bit64).finish());
    expect(desc.fields.some((field) => field.number === 2000)).toBe(false);
    const error = decodeError(desc, [...unknown, 1, 2]);
    expect(error.message).toBe(`cannot decode ${desc.typeName}: truncated 64-bit value at byte ${unknown.length}`);
    expect(error.messageName).toBe(desc.typeName);
  });

  it.each(messages)(
    "%s: an object holding none of its fields (but its lists) encodes as the message with every field at its default",
    (_, desc) => {
      // A missing list is refused ("expected an array"); every other missing field reads as its default.
      const bare = Object.fromEntries([
        ["$typeName", desc.typeName],
        ...desc.fields.filter((field) => field.fieldKind === "list").map((field) => [field.localName, []]),
      ]);
      expect(Buffer.from(encodeMessage(desc, bare as never)).toString("hex")).toBe(
        Buffer.from(encodeMessage(desc, create(desc))).toString("hex"),
      );
    },
  );

  it.each(messages)(
    "%s: decoding no bytes leaves every field with explicit presence unset (not even an own undefined)",
    (_, desc) => {
      const decoded = decodeMessage(desc, new Uint8Array(0));
      for (const field of desc.fields) {
        if (field.fieldKind !== "scalar" && field.fieldKind !== "enum") continue;
        if (field.presence !== FeatureSet_FieldPresence.EXPLICIT) continue;
        expect(Object.hasOwn(decoded, field.localName), field.name).toBe(false);
        expect(isFieldSet(decoded, field), field.name).toBe(false);
      }
    },
  );
});

/** A message of `desc` with every field set to a value other than its default (the first case of a oneof; one element in a list). */
function filled(desc: DescMessage, depth = 0): Record<string, unknown> {
  const message = create(desc) as unknown as Record<string, unknown>;
  for (const field of desc.fields) {
    let value: unknown;
    switch (field.fieldKind) {
      case "message":
        value = depth < 3 ? filled(field.message, depth + 1) : create(field.message);
        break;
      case "enum":
        value = field.enum.values.find((v) => v.number !== 0)?.number ?? 0;
        break;
      case "list":
        value = field.listKind === "message" ? [filled(field.message, depth + 1)] : [];
        break;
      case "scalar":
        value = {
          [ScalarType.UINT32]: 7,
          [ScalarType.INT32]: -3,
          [ScalarType.UINT64]: 5n,
          [ScalarType.INT64]: -5n,
          [ScalarType.BOOL]: true,
          [ScalarType.STRING]: `${field.name}-x`,
          [ScalarType.BYTES]: new Uint8Array([field.number, 1]),
        }[field.scalar as number];
        break;
    }
    if (field.oneof === undefined) message[field.localName] = value;
    else if (
      message[field.oneof.localName] === undefined ||
      (message[field.oneof.localName] as { case?: unknown }).case === undefined
    ) {
      message[field.oneof.localName] = { case: field.localName, value };
    }
  }
  return message;
}

const messageFields = [...messageSchemas.values()].flatMap((desc) =>
  desc.fields
    .filter((field) => field.fieldKind === "message")
    .map((field) => [`${desc.typeName}.${field.name}`, desc, field] as const),
);

describe("every message field of the schema", () => {
  it.each(messageFields)(
    "%s: a second, empty occurrence merges into the first and changes nothing (prost merges)",
    (_, desc, field) => {
      if (field.fieldKind !== "message") throw new Error("not a message field");
      const inner = encodeMessage(field.message, filled(field.message) as never);
      const once = new BinaryWriter().tag(field.number, WireType.LengthDelimited).bytes(inner).finish();
      const twice = new BinaryWriter()
        .tag(field.number, WireType.LengthDelimited)
        .bytes(inner)
        .tag(field.number, WireType.LengthDelimited)
        .bytes(new Uint8Array(0))
        .finish();
      const expected = decodeMessage(desc, once);
      const merged = decodeMessage(desc, twice);
      expect(Buffer.from(encodeMessage(desc, merged)).toString("hex")).toBe(
        Buffer.from(encodeMessage(desc, expected)).toString("hex"),
      );
      expect(Buffer.from(encodeMessage(desc, merged)).length).toBeGreaterThan(inner.length);
    },
  );
});

describe("every message field of the schema, and the recursion limit", () => {
  /** `desc` holding, in `field`, a message made of `levels` nested unknown groups (field 2000). */
  const groupsIn = (field: DescField, levels: number) => {
    const start = new BinaryWriter().tag(2000, WireType.StartGroup).finish();
    const end = new BinaryWriter().tag(2000, WireType.EndGroup).finish();
    const inner = new Uint8Array(levels * (start.length + end.length));
    for (let i = 0; i < levels; i++) {
      inner.set(start, i * start.length);
      inner.set(end, levels * start.length + i * end.length);
    }
    return new BinaryWriter().tag(field.number, WireType.LengthDelimited).bytes(inner).finish();
  };

  it.each(messageFields)(
    "%s: the nested message takes one level of the budget: 99 group levels fit inside it, 100 do not",
    (_, desc, field) => {
      expect(() => decodeMessage(desc, groupsIn(field, 99))).not.toThrow();
      expect(decodeError(desc, Array.from(groupsIn(field, 100))).message).toMatch(/recursion limit of 100 reached/);
    },
  );
});

const int64Fields = [...messageSchemas.values()].flatMap((desc) =>
  desc.fields
    .filter(
      (field) =>
        field.fieldKind === "scalar" && (field.scalar === ScalarType.UINT64 || field.scalar === ScalarType.INT64),
    )
    .map((field) => [`${desc.typeName}.${field.name}`, desc, field] as const),
);

describe("every 64-bit field of the schema", () => {
  it.each(int64Fields)("%s: the number 0 encodes as 0n does", (_, desc, field) => {
    const withValue = (value: unknown) => {
      const message = create(desc) as unknown as Record<string, unknown>;
      if (field.oneof !== undefined) message[field.oneof.localName] = { case: field.localName, value };
      else message[field.localName] = value;
      return Buffer.from(encodeMessage(desc, message as never)).toString("hex");
    };
    expect(withValue(0)).toBe(withValue(0n));
    expect(withValue(300)).toBe(withValue(300n));
  });
});
const stringFields = cases.filter(
  ([, , field]) => (field.fieldKind === "scalar" || field.fieldKind === "list") && field.scalar === ScalarType.STRING,
);

/** The value of `field` in a decoded `message` (a list's only item). */
function valueOf(message: unknown, field: DescField): unknown {
  const value = (message as Record<string, unknown>)[field.localName];
  return field.fieldKind === "list" ? (value as unknown[])[0] : value;
}

/**
 * Strings around the limits of the generated encoders' in-line path (short
 * strings, fewer than 43 UTF-16 units, written before they are measured):
 * 42, 43 and 44 units of one-, two- and three-byte characters (43 three-byte
 * units are 129 bytes, a two-byte length), surrogate pairs, and the first
 * characters of each UTF-8 length.
 */
const edgeStrings = [
  "\u007f",
  "\u0080",
  "\u07ff",
  "\u0800",
  "\uffff",
  "\u{10000}",
  "\u{10ffff}",
  ...[42, 43, 44].flatMap((n) => ["a".repeat(n), "é".repeat(n), "€".repeat(n)]),
  "😀".repeat(21),
  "a" + "😀".repeat(21),
  "😀".repeat(22),
  "a".repeat(42) + "€",
  "x".repeat(1000),
];

describe("every string field of the schema", () => {
  it("covers the 18 string fields", () => {
    expect(stringFields.length).toBe(18);
  });

  it.each(stringFields)(
    "%s: strings at the limits of the in-line path are written as their UTF-8 bytes with their length, and decode back",
    (_, desc, field) => {
      const utf8 = new TextEncoder();
      for (const text of edgeStrings) {
        const bytes = encodeMessage(desc, withValue(desc, field, text) as never);
        const body = utf8.encode(text);
        const written = [
          ...key(field, WireType.LengthDelimited),
          ...new BinaryWriter().uint32(body.length).finish(),
          ...body,
        ];
        expect(Buffer.from(bytes).toString("hex"), `${text.length} units`).toContain(
          Buffer.from(written).toString("hex"),
        );
        expect(valueOf(decodeMessage(desc, bytes), field), `${text.length} units`).toBe(text);
      }
    },
  );

  it.each(stringFields)(
    "%s: a lone surrogate in a short string is refused, naming the message and the field",
    (_, desc, field) => {
      for (const text of ["ab\uD800", "\uDC00", "é\uDBFF"]) {
        expect(encodeError(desc, withValue(desc, field, text)).message, JSON.stringify(text)).toBe(
          `cannot encode ${desc.typeName}: field ${field.name}: string holds a lone surrogate, which has no UTF-8 encoding`,
        );
      }
    },
  );

  it.each(stringFields)(
    "%s: a value that is not a string but has a length (bytes, an array) is refused, naming the field",
    (_, desc, field) => {
      for (const [value, got] of [
        [new Uint8Array(3), "3 bytes"],
        [["a"], "an object"],
      ] as const) {
        expect(encodeError(desc, withValue(desc, field, value)).message).toBe(
          `cannot encode ${desc.typeName}: field ${field.name}: expected a string, got ${got}`,
        );
      }
    },
  );
});
