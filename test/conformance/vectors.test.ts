// The golden vectors of test/vectors/prost.tsv: inputs curated by the prost
// oracle, with prost's answers. Every ok must re-encode to prost's bytes, every
// err must be an AbiError; and the vectors must cover what the issue asks.
import { type DescMessage, isFieldSet, type Message } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { AbiError, code, type DestV1, decodeMessage, encodeMessage, messageSchemas } from "../../src/index.js";
import { goldenVectors } from "../support/golden-vectors.js";

const vectors = goldenVectors;

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const schemaOf = (name: string): DescMessage => {
  const schema = messageSchemas.get(name);
  if (schema === undefined) throw new Error(`unknown message ${name}`);
  return schema;
};

describe("golden vectors from prost", () => {
  for (const name of messageSchemas.keys()) {
    const mine = vectors.filter((v) => v.message === name);
    it(`${name}: ${mine.length} vectors agree with prost`, () => {
      expect(mine.length).toBeGreaterThan(0);
      const disagreements: string[] = [];
      for (const v of mine) {
        const schema = schemaOf(v.message);
        let answer: string;
        try {
          answer = `ok ${hex(encodeMessage(schema, decodeMessage(schema, Buffer.from(v.input, "hex"))))}`;
        } catch (err) {
          if (!(err instanceof AbiError) || err.status !== code.PROTOCOL_ERROR) throw err;
          answer = "err";
        }
        const expected = v.verdict === "ok" ? `ok ${v.output}` : "err";
        if (answer !== expected) {
          disagreements.push(
            `line ${v.line} (${v.description}): prost ${expected.slice(0, 80)}, actr-abi ${answer.slice(0, 80)}`,
          );
        }
      }
      expect(disagreements).toEqual([]);
    });
  }
});

describe("the vectors cover", () => {
  it("all 27 messages, each with accepted and rejected inputs", () => {
    for (const name of messageSchemas.keys()) {
      const verdicts = new Set(vectors.filter((v) => v.message === name).map((v) => v.verdict));
      expect([name, [...verdicts].sort()]).toEqual([name, ["err", "ok"]]);
    }
    expect(new Set(vectors.map((v) => v.message)).size).toBe(27);
  });

  // Spec section 4, by prost's own words for each rejection.
  const rejectionClasses: Record<string, RegExp> = {
    "field number 0": /invalid tag value: 0/,
    "wire type 6": /invalid wire type value: 6/,
    "wire type 7": /invalid wire type value: 7/,
    "bad or overlong varint, truncation": /invalid varint/,
    "length past the buffer": /buffer underflow/,
    "known field with the wrong wire type": /invalid wire type: \w+ \(expected \w+\)/,
    "invalid UTF-8": /invalid string value: data is not UTF-8 encoded/,
    "mismatched end-group tag": /unexpected end group tag/,
    "groups nested deeper than the recursion limit": /recursion limit reached/,
    "sub-message overrun": /delimited length exceeded/,
    "key wider than 32 bits": /invalid key value/,
  };
  for (const [what, pattern] of Object.entries(rejectionClasses)) {
    it(`rejection class: ${what}`, () => {
      expect(vectors.some((v) => v.verdict === "err" && pattern.test(v.output))).toBe(true);
    });
  }

  const accepted = vectors
    .filter((v) => v.verdict === "ok")
    .map((v) => ({ v, msg: decodeMessage(schemaOf(v.message), Buffer.from(v.input, "hex")) as Message }));

  it("every oneof case of DestV1, and no case", () => {
    const cases = new Set(
      accepted.filter(({ v }) => v.message === "DestV1").map(({ msg }) => String((msg as DestV1).kind.case)),
    );
    expect([...cases].sort()).toEqual(["actor", "local", "shell", "undefined"]);
  });

  it("every field of every message set in some accepted input", () => {
    const unset: string[] = [];
    for (const [name, schema] of messageSchemas) {
      for (const field of schema.fields) {
        const seen = accepted.some(({ v, msg }) => {
          if (v.message !== name) return false;
          if (field.oneof)
            return (
              (msg as unknown as Record<string, { case?: string }>)[field.oneof.localName]?.case === field.localName
            );
          return (
            isFieldSet(msg, field) ||
            (field.fieldKind === "list" && (msg as unknown as Record<string, unknown[]>)[field.localName]!.length > 0)
          );
        });
        if (!seen) unset.push(`${name}.${field.name}`);
      }
    }
    expect(unset).toEqual([]);
  });

  it("every explicit scalar field set to its zero value (present on the wire)", () => {
    const explicitScalars = [...messageSchemas].flatMap(([name, schema]) =>
      schema.fields
        .filter((f) => f.fieldKind === "scalar" && f.presence === 1 && f.oneof === undefined)
        .map((f) => ({ name, field: f })),
    );
    expect(explicitScalars.length).toBeGreaterThan(0);
    for (const { name, field } of explicitScalars) {
      const zeroSet = accepted.some(({ v, msg }) => {
        const value = (msg as unknown as Record<string, unknown>)[field.localName];
        return (
          v.message === name &&
          isFieldSet(msg, field) &&
          (value === 0 ||
            value === 0n ||
            value === false ||
            value === "" ||
            (value instanceof Uint8Array && value.length === 0))
        );
      });
      expect([`${name}.${field.name}`, zeroSet]).toEqual([`${name}.${field.name}`, true]);
    }
  });

  it("the empty input of every message (required fields absent, read as defaults)", () => {
    for (const name of messageSchemas.keys()) {
      expect(vectors.some((v) => v.message === name && v.input === "" && v.verdict === "ok")).toBe(true);
    }
  });
});
