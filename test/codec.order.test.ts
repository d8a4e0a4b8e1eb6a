// Field order with a schema that does not declare its fields in number order
// (test/fixtures/proto/fixture/v1/order.proto, generated into test/gen by the
// same plugin): prost writes fields by number, whatever the declaration order.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { decodeWith, encodeWith } from "../src/codec.js";
import { UnorderedCodec } from "./gen/fixture/v1/order_codec.js";
import { UnorderedSchema } from "./gen/fixture/v1/order_pb.js";

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
