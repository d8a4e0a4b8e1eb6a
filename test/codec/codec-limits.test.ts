// The sizes the generated encoders write by (src/codec-limits.ts): a short
// string written in line, with the room checked once, must fit in that room.
import { describe, expect, it } from "vitest";
import { SHORT_STRING, SHORT_STRING_ROOM, SLACK } from "../../src/codec-limits.js";

describe("the codec's limits", () => {
  it("SHORT_STRING: every shorter string has a one-byte length prefix (under 128 UTF-8 bytes at 3 a unit)", () => {
    expect(3 * (SHORT_STRING - 1)).toBeLessThan(128);
  });

  it("SHORT_STRING_ROOM: the longest short string of 3-byte units, its length byte and SLACK after it, fit", () => {
    const worst = 1 + 3 * (SHORT_STRING - 1);
    expect(worst + SLACK).toBeLessThanOrEqual(SHORT_STRING_ROOM);
    // and no more than a unit's worth over it
    expect(SHORT_STRING_ROOM - (worst + SLACK)).toBeLessThanOrEqual(3);
  });
});
