// Every field of every message of the schema, one by one: a decoding or
// encoding failure in a field names the message, the field and (decoding)
// the byte offset. Driven by the schema, so a new field is covered the day it
// is added. That prost rejects the same inputs is the conformance run's and
// the golden vectors' job; this file checks what our errors say.
import { create, type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { describe, expect, it } from "vitest";
import { AbiError, decodeMessage, encodedMessageOf, encodeMessage, messageSchemas } from "../src/index.js";

/** The wire type prost expects for `field`. */
function wireTypeOf(field: DescField): WireType {
  const lengthDelimited =
    field.fieldKind === "message" || field.fieldKind === "list" || (field.fieldKind === "scalar" && (field.scalar === ScalarType.STRING || field.scalar === ScalarType.BYTES));
  return lengthDelimited ? WireType.LengthDelimited : WireType.Varint;
}

/** The bytes of `field`'s key with `wireType` (protobuf-es writes them). */
const key = (field: DescField, wireType: WireType) => Array.from(new BinaryWriter().tag(field.number, wireType).finish());

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
      return { value: { not: "a scalar" }, expected: held === undefined ? expected : `${expected} or a ${held.typeName} message`, got: "an object" };
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

const cases = [...messageSchemas.values()].flatMap((desc) => desc.fields.map((field) => [`${desc.typeName}.${field.name}`, desc, field] as const));

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
    expect(error.message).toBe(`cannot decode ${desc.typeName}: field ${field.name}: ${got} where ${want} is expected at byte 0`);
    expect(error.messageName).toBe(desc.typeName);
    expect(error.field).toBe(field.name);
    expect(error.offset).toBe(0);
  });

  it.each(cases)("%s: a value cut off after its key is refused, naming the field and where the value starts", (_, desc, field) => {
    const k = key(field, wireTypeOf(field));
    const error = decodeError(desc, [...k, 0x80]);
    expect(error.message).toBe(`cannot decode ${desc.typeName}: field ${field.name}: truncated varint at byte ${k.length}`);
    expect(error.messageName).toBe(desc.typeName);
    expect(error.field).toBe(field.name);
    expect(error.offset).toBe(k.length);
  });

  it.each(cases)("%s: a value of the wrong type is refused by the encoder, naming the message and the field", (_, desc, field) => {
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
    expect((error as AbiError).message).toBe(`cannot encode ${desc.typeName}: field ${field.name}: expected ${expected}, got ${got}`);
    expect((error as AbiError).messageName).toBe(desc.typeName);
    expect((error as AbiError).field).toBe(field.name);
  });
});
