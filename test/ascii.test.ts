// asciiString: every length it handles, built at an offset, and refused at
// every position of a non-ASCII byte; the lengths either side of its range;
// and, on any bytes, the same text as a TextDecoder or undefined.
// (test/scripts/generate-ascii.test.ts: src/ascii.ts is what its generator writes.)
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { asciiString, MAX_ASCII_STRING } from "../src/ascii.js";

/** `n` printable ASCII bytes after `offset` filler bytes of 0xff (never read). */
function asciiAt(offset: number, n: number): Uint8Array {
  const bytes = new Uint8Array(offset + n + 3).fill(0xff);
  for (let i = 0; i < n; i++) bytes[offset + i] = 0x20 + ((i * 7 + n) % 95);
  return bytes;
}

const text = (bytes: Uint8Array, start: number, n: number) =>
  new TextDecoder().decode(bytes.subarray(start, start + n));

describe("asciiString", () => {
  it("builds every length from 1 to MAX_ASCII_STRING from the bytes at the offset, and nothing around them", () => {
    expect(MAX_ASCII_STRING).toBe(32);
    for (let n = 1; n <= MAX_ASCII_STRING; n++) {
      const bytes = asciiAt(5, n);
      const s = asciiString(bytes, 5, n);
      expect(s).toBe(text(bytes, 5, n));
      expect(s).toHaveLength(n);
    }
  });

  it("keeps the edges of ASCII: NUL and DEL", () => {
    for (let n = 1; n <= MAX_ASCII_STRING; n++) {
      const bytes = new Uint8Array(n).fill(0x7f);
      bytes[0] = 0;
      expect(asciiString(bytes, 0, n)).toBe("\0" + "\x7f".repeat(n - 1));
    }
  });

  it("answers undefined when any one byte, at any position, is 0x80 or above", () => {
    for (let n = 1; n <= MAX_ASCII_STRING; n++) {
      for (let k = 0; k < n; k++) {
        for (const high of [0x80, 0xc3, 0xff]) {
          const bytes = asciiAt(2, n);
          bytes[2 + k] = high;
          expect(asciiString(bytes, 2, n), `length ${n}, byte ${k} = ${high}`).toBeUndefined();
        }
      }
    }
  });

  it("answers undefined for a lone 0x80 among NUL bytes (the bytes or'ed together are exactly 0x80)", () => {
    for (let n = 1; n <= MAX_ASCII_STRING; n++) {
      for (let k = 0; k < n; k++) {
        const bytes = new Uint8Array(n);
        bytes[k] = 0x80;
        expect(asciiString(bytes, 0, n), `length ${n}, byte ${k}`).toBeUndefined();
      }
    }
  });

  it("refuses a length it does not handle", () => {
    const bytes = new Uint8Array(64);
    expect(() => asciiString(bytes, 0, 0)).toThrow(new RangeError("asciiString: length 0 is outside 1..32"));
    expect(() => asciiString(bytes, 0, MAX_ASCII_STRING + 1)).toThrow(
      new RangeError("asciiString: length 33 is outside 1..32"),
    );
  });

  it("refuses a negative, fractional or NaN length, and an out-of-range one whatever the bytes", () => {
    const bytes = new Uint8Array(64);
    for (const n of [-1, 0.5, 1.5, MAX_ASCII_STRING - 0.5, NaN, Infinity]) {
      expect(() => asciiString(bytes, 0, n), `length ${n}`).toThrow(
        new RangeError(`asciiString: length ${n} is outside 1..32`),
      );
    }
    expect(() => asciiString(new Uint8Array(0), 0, 0)).toThrow(RangeError);
    expect(() => asciiString(new Uint8Array(0), 0, 1000)).toThrow(RangeError);
  });

  it("builds the first and last lengths of its range (1 and MAX_ASCII_STRING) in a view at an offset into a larger buffer", () => {
    const whole = new Uint8Array(80).fill(0xff);
    whole.set(new TextEncoder().encode("x".repeat(MAX_ASCII_STRING)), 9);
    const view = whole.subarray(7, 7 + 2 + MAX_ASCII_STRING);
    expect(asciiString(view, 2, 1)).toBe("x");
    expect(asciiString(view, 2, MAX_ASCII_STRING)).toBe("x".repeat(MAX_ASCII_STRING));
    expect(asciiString(view, 1, 1)).toBeUndefined();
  });

  it("on any bytes, any start and any length it handles: the TextDecoder's text when every byte is ASCII, else undefined", () => {
    const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: MAX_ASCII_STRING + 8 }),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        (bytes, a, b, mostlyAscii) => {
          // Half the runs with the high bits cleared, so that the ASCII answer is tested as often as the other.
          if (mostlyAscii) for (let i = 0; i < bytes.length; i++) bytes[i] = bytes[i]! & 0x7f;
          const s = a % bytes.length;
          const n = 1 + (b % Math.min(MAX_ASCII_STRING, bytes.length - s));
          const slice = bytes.subarray(s, s + n);
          const expected = slice.every((byte) => byte < 0x80) ? decoder.decode(slice) : undefined;
          expect(asciiString(bytes, s, n)).toBe(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
