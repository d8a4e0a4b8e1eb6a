// Properties of the error conversions on anything a guest can send: every
// status and payload of a reply, every framework code and message text, in
// any Uint8Array subclass or offset view, gives an ActrError (or, for bytes
// that do not decode, an AbiError), never anything else.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AbiError, ActrError, decodeReply, replyToActrError, wireCodeToActrError } from "../src/index.js";

const runs = { numRuns: 500 };

/** `bytes` as a plain Uint8Array, a Buffer, or a view at an offset into a larger buffer. */
const asAnyView = (bytes: Uint8Array, kind: number): Uint8Array => {
  if (kind === 0) return bytes;
  if (kind === 1) return Buffer.from(bytes);
  const padded = new Uint8Array(bytes.length + 7);
  padded.set(bytes, 5);
  return padded.subarray(5, 5 + bytes.length);
};

describe("replyToActrError on any reply bytes", () => {
  it("decodeReply throws only AbiError; a decoded reply always converts to an ActrError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 2 }), (bytes, kind) => {
        let reply;
        try {
          reply = decodeReply(asAnyView(bytes, kind));
        } catch (err) {
          expect(err).toBeInstanceOf(AbiError);
          return;
        }
        const err = replyToActrError(reply);
        expect(err).toBeInstanceOf(ActrError);
        expect(["Internal", "DecodeFailure", "NotImplemented"]).toContain(err.code);
      }),
      runs,
    );
  });
});

/** The retry hint as the Display writes it, read without a regex: the first `retry_after_ms=Some(` followed by digits and `)`. */
function expectedHint(message: string): string {
  const marker = "retry_after_ms=Some(";
  for (let at = message.indexOf(marker); at !== -1; at = message.indexOf(marker, at + 1)) {
    let end = at + marker.length;
    while (end < message.length && message[end]! >= "0" && message[end]! <= "9") end++;
    if (end === at + marker.length || message[end] !== ")") continue;
    const value = BigInt(message.slice(at + marker.length, end));
    return value <= 2n ** 64n - 1n ? `Some(${value})` : "None";
  }
  return "None";
}

describe("wireCodeToActrError on any code and text", () => {
  it("gives an ActrError whose message is its Display text, and reads back the same", () => {
    const text = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc
        .array(
          fc.tuple(fc.string({ maxLength: 5 }), fc.stringMatching(/^0{0,3}\d{0,22}$/), fc.constantFrom(")", "", "x")),
          { minLength: 1, maxLength: 3 },
        )
        .map((parts) =>
          parts.map(([before, digits, after]) => `${before}retry_after_ms=Some(${digits}${after}`).join(""),
        ),
    );
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 10000, max: 10012 }), fc.integer()), text, (code, message) => {
        const err = wireCodeToActrError(code, message);
        expect(err).toBeInstanceOf(ActrError);
        if (err.code === "ConnectionNotReady")
          expect(err.message).toBe(`connection not ready: retry_after_ms=${expectedHint(message)}`);
        // What a host sends back out (ErrorResponse.message) reads back as the same variant.
        const again = wireCodeToActrError(code, err.message);
        expect(again.code).toBe(err.code);
      }),
      runs,
    );
  });
});
