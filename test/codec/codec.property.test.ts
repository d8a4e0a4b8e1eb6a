// Properties, for every message type: encode then decode is the identity on
// random valid values, decode then encode keeps valid bytes, and random or
// damaged bytes never make a decode entry point throw anything but AbiError,
// whatever Uint8Array holds them.
import { create, type DescMessage, equals, isMessage } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AbiError,
  AbiFrameSchema,
  abiRegistry,
  decodeFrame,
  decodeMessageIn,
  encodeFrame,
  decodeHostOperation,
  decodeMessage,
  decodePayload,
  decodeReply,
  encodeMessage,
  messageSchemas,
  payloadOp,
} from "../../src/index.js";
import { damaged, messageArbitrary } from "../support/arbitrary.js";

/** `n` runs, or fewer when a global fast-check configuration (the mutation run's) asks for fewer. */
const runsOf = (n: number) => ({ numRuns: Math.min(n, fc.readConfigureGlobal().numRuns ?? n) });
const runs = runsOf(300);

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
          onlyAbiErrors(() =>
            decodePayload(schema, { ...decodeFrame(new Uint8Array()), op: payloadOp(schema)!, payload: bytes }),
          );
        }
      }),
      runs,
    );
  });
});

/** The ways a host may hold bytes: any Uint8Array subclass, at any offset of a larger or shared buffer. */
const holders: [string, (bytes: Uint8Array) => Uint8Array][] = [
  ["Uint8Array", (b) => b.slice()],
  ["Buffer", (b) => Buffer.from(b)],
  [
    "offset view",
    (b) => {
      const big = new Uint8Array(b.length + 13);
      big.set(b, 7);
      return big.subarray(7, 7 + b.length);
    },
  ],
  [
    "SharedArrayBuffer view",
    (b) => {
      const shared = new Uint8Array(new SharedArrayBuffer(b.length + 3), 3, b.length);
      shared.set(b);
      return shared;
    },
  ],
  [
    "subclass",
    (b) => {
      class Bytes extends Uint8Array {}
      return new Bytes(b);
    },
  ],
];

/** Fails unless every `bytes` field of `value` (at any depth) is a plain Uint8Array. */
function expectPlainBytes(value: unknown): void {
  if (value instanceof Uint8Array) {
    expect(Object.getPrototypeOf(value)).toBe(Uint8Array.prototype);
  } else if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) expectPlainBytes(v);
  }
}

/**
 * Every public decode entry point on `bytes` held as `hold`: the value it
 * returns, or the AbiError it throws. Anything else thrown fails the test.
 */
function outcomes(bytes: Uint8Array, schema: DescMessage): [string, unknown][] {
  const attempt = (fn: () => unknown): unknown => {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof AbiError)) throw err;
      return err;
    }
  };
  const framed = payloadOp(schema);
  return [
    ["decodeMessage", attempt(() => decodeMessage(schema, bytes))],
    ["decodeFrame", attempt(() => decodeFrame(bytes))],
    ["decodeReply", attempt(() => decodeReply(bytes))],
    ["decodeHostOperation", attempt(() => decodeHostOperation(bytes))],
    ["decodeMessageIn", attempt(() => decodeMessageIn(schema, bytes.subarray(1), bytes, "test"))],
    ...(framed === undefined
      ? []
      : ([
          [
            "decodePayload",
            attempt(() => decodePayload(schema, create(AbiFrameSchema, { op: framed, payload: bytes }))),
          ],
        ] as [string, unknown][])),
  ];
}

describe("every public decode entry point", () => {
  const schemas = [...messageSchemas.values()];
  const input = fc.constantFrom(...schemas).chain((schema) => {
    const valid = messageArbitrary(schema).map((v) => encodeMessage(schema, v).slice());
    const frames =
      payloadOp(schema) === undefined
        ? valid
        : messageArbitrary(schema).map((v) => encodeFrame(schema, v as never).slice());
    return fc.record({
      schema: fc.constant(schema),
      bytes: fc.oneof(valid, frames, damaged(valid), damaged(frames), fc.uint8Array({ maxLength: 64 })),
      holder: fc.constantFrom(...holders),
    });
  });

  it("gives a value or an AbiError for any bytes in any holder, the same as for a plain copy, with plain bytes fields that re-encode", () => {
    fc.assert(
      fc.property(input, ({ schema, bytes, holder: [, hold] }) => {
        const plain = outcomes(bytes, schema);
        const held = outcomes(hold(bytes), schema);
        for (let i = 0; i < plain.length; i++) {
          const [entry, a] = plain[i]!;
          const b = held[i]![1];
          if (a instanceof AbiError) {
            expect(b, entry).toBeInstanceOf(AbiError);
            expect((b as AbiError).message, entry).toBe(a.message);
            continue;
          }
          expect(b, entry).not.toBeInstanceOf(AbiError);
          expectPlainBytes(b);
          if (isMessage(b)) {
            const desc = abiRegistry.getMessage(b.$typeName)!;
            // What decodes re-encodes, and decodes again to the same value.
            const again = decodeMessage(desc, encodeMessage(desc, b));
            expect(equals(desc, again, b), entry).toBe(true);
          }
        }
      }),
      runsOf(1500),
    );
  });

  it("decodes every valid encoding to the value encoded, in every holder", () => {
    const values = fc
      .constantFrom(...schemas)
      .chain((schema) => fc.tuple(fc.constant(schema), messageArbitrary(schema), fc.constantFrom(...holders)));
    fc.assert(
      fc.property(values, ([schema, value, [, hold]]) => {
        const bytes = hold(encodeMessage(schema, value));
        const back = decodeMessage(schema, bytes);
        expect(equals(schema, back, value)).toBe(true);
        expectPlainBytes(back);
        const framed = payloadOp(schema);
        if (framed !== undefined) {
          const frame = hold(encodeFrame(schema, value as never));
          const payload = decodePayload(schema, decodeFrame(frame));
          expect(equals(schema, payload, value)).toBe(true);
          expectPlainBytes(payload);
        }
      }),
      runsOf(500),
    );
  });
});
