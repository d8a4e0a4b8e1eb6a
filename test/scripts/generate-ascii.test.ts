// scripts/generate-ascii.ts: src/ascii.ts is exactly what it writes (so that
// an edit by hand, or to the generator alone, fails here as in `npm run
// check:gen`), with one case for every length it handles.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { asciiPath, asciiSource, MAX_ASCII_STRING } from "../../scripts/generate-ascii.js";
import * as ascii from "../../src/ascii.js";

describe("scripts/generate-ascii.ts", () => {
  it("wrote src/ascii.ts as it is committed", () => {
    expect(readFileSync(asciiPath, "utf8")).toBe(asciiSource());
  });

  it("writes one case per length from 1 to MAX_ASCII_STRING, the module's own limit", () => {
    expect(ascii.MAX_ASCII_STRING).toBe(MAX_ASCII_STRING);
    const cases = [...asciiSource().matchAll(/^ {4}case (\d+): \{$/gm)].map((m) => Number(m[1]));
    expect(cases).toEqual(Array.from({ length: MAX_ASCII_STRING }, (_, i) => i + 1));
  });
});
