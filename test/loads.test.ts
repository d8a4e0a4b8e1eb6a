// Every core module loads. Under mutation testing, a mutant that breaks a
// module's top-level code makes the other test files fail to load, which the
// vitest runner reports as "no tests"; this file turns that into a failed test.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const modules = [
  ...readdirSync(`${root}src`)
    .filter((name) => name.endsWith(".ts"))
    .map((name) => `${root}src/${name}`),
  ...readdirSync(`${root}gen`, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".ts"))
    .map((name) => `${root}gen/${name}`),
];

describe("every module", () => {
  it("finds the core and generated modules", () => {
    expect(modules.some((path) => path.endsWith("gen/actr/dynclib/v1/abi_codec.ts"))).toBe(true);
  });
  for (const path of modules) {
    it(`${path.slice(root.length)} loads`, async () => {
      expect(typeof (await import(path))).toBe("object");
    });
  }
});
