// Field order with a schema that does not declare its fields in number order
// (test/fixtures/proto/fixture/v1/order.proto, generated into test/gen by the
// same plugin): prost writes fields by number, whatever the declaration order.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { decodeWith, encodeWith } from "../../src/codec.js";
import { UnorderedCodec } from "../gen/fixture/v1/order_codec.js";
import { UnorderedSchema } from "../gen/fixture/v1/order_pb.js";

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");

describe("a schema declared out of number order", () => {
  it("is declared 3, 5, 4, 1, 2, 6", () => {
    expect(UnorderedSchema.fields.map((f) => f.number)).toEqual([3, 5, 4, 1, 2, 6]);
  });

  it("is encoded in number order", () => {
    const child = create(UnorderedSchema, { first: 1 });
    const message = create(UnorderedSchema, {
      third: "c",
      choice: { case: "fifth", value: 5 },
      first: 1,
      second: new Uint8Array([2]),
      child,
    });
    expect(hex(encodeWith(UnorderedCodec, message))).toBe("0801" + "120102" + "1a0163" + "2805" + "32020801");
    message.choice = { case: "fourth", value: true };
    expect(hex(encodeWith(UnorderedCodec, message))).toBe("0801" + "120102" + "1a0163" + "2001" + "32020801");
  });

  it("decodes fields in any order", () => {
    const input = new Uint8Array(Buffer.from("32020801" + "2805" + "1a0163" + "120102" + "0801", "hex"));
    const message = decodeWith(UnorderedCodec, input, undefined);
    expect(message.first).toBe(1);
    expect([...message.second]).toEqual([2]);
    expect(message.third).toBe("c");
    expect(message.choice).toEqual({ case: "fifth", value: 5 });
    expect(message.child?.first).toBe(1);
    expect(hex(encodeWith(UnorderedCodec, message))).toBe("0801" + "120102" + "1a0163" + "2805" + "32020801");
  });
});

describe("a recursive message (the fixture's child field)", () => {
  /** `levels` messages, each the `child` (field 6) of the one before: `32 len (32 len (... 0801))`. */
  const chain = (levels: number): Uint8Array => {
    let inner = [0x08, 0x01];
    for (let i = 0; i < levels; i++) inner = [0x32, ...varint(inner.length), ...inner];
    return Uint8Array.from(inner);
  };
  const varint = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...varint(n >>> 7)]);

  it("decodes 100 levels of nesting below the top message and refuses 101, as prost's recursion limit does, naming the field", () => {
    let message = decodeWith(UnorderedCodec, chain(100), undefined);
    for (let i = 0; i < 100; i++) message = message.child!;
    expect(message.first).toBe(1);
    expect(message.child).toBeUndefined();
    expect(() => decodeWith(UnorderedCodec, chain(101), undefined)).toThrow(
      /^cannot decode fixture\.v1\.Unordered: field child: recursion limit of 100 reached at byte \d+$/,
    );
  });
});
