// Properties, for every message type: encode then decode is the identity on
// random valid values, decode then encode keeps valid bytes, and random or
// damaged bytes never make a decode function throw anything but AbiError.
import { equals } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AbiError,
  decodeFrame,
  decodeHostOperation,
  decodeMessage,
  decodePayload,
  decodeReply,
  encodeMessage,
  messageSchemas,
  payloadOp,
  replyToActrError,
} from "../src/index.js";
import { checkLine } from "../src/cli/check.js";
import { damaged, messageArbitrary } from "./support/arbitrary.js";

const runs = { numRuns: 300 };

/** Runs `fn`; anything it throws must be an AbiError. */
function onlyAbiErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof AbiError)) throw err;
  }
}

describe.each([...messageSchemas])("%s", (_name, schema) => {
  it("decode(encode(v)) equals v, and encode(decode(bytes)) equals bytes", () => {
    fc.assert(
      fc.property(messageArbitrary(schema), (value) => {
        const bytes = encodeMessage(schema, value);
        const back = decodeMessage(schema, bytes);
        expect(equals(schema, back, value)).toBe(true);
        expect(Buffer.from(encodeMessage(schema, back)).equals(Buffer.from(bytes))).toBe(true);
      }),
      runs,
    );
  });

  it("damaged encodings and random bytes throw nothing but AbiError", () => {
    const valid = messageArbitrary(schema).map((v) => encodeMessage(schema, v));
    fc.assert(
      fc.property(fc.oneof(damaged(valid), fc.uint8Array({ maxLength: 64 })), (bytes) => {
        onlyAbiErrors(() => encodeMessage(schema, decodeMessage(schema, bytes)));
        if (payloadOp(schema) !== undefined) {
          onlyAbiErrors(() => decodePayload(schema, { ...decodeFrame(new Uint8Array()), op: payloadOp(schema)!, payload: bytes }));
        }
      }),
      runs,
    );
  });
});

describe("frame and reply decoders", () => {
  it("random and damaged bytes throw nothing but AbiError", () => {
    const frames = [...messageSchemas.values()]
      .filter((s) => payloadOp(s) !== undefined)
      .map((s) => messageArbitrary(s).map((v) => encodeMessage(s, v)));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), ...frames.map(damaged)), (bytes) => {
        onlyAbiErrors(() => decodeFrame(bytes));
        onlyAbiErrors(() => decodeHostOperation(bytes));
        onlyAbiErrors(() => replyToActrError(decodeReply(bytes)));
        const answer = checkLine(`AbiFrame ${Buffer.from(bytes).toString("hex")}`);
        expect(answer).toMatch(/^(ok [0-9a-f]*|err .+)$/);
      }),
      { numRuns: 1000 },
    );
  });
});
