// The documentation's host runtime examples (the README's "Running a guest",
// and any in the other files of `exampleFiles`) run as written, against the test
// guest: each ```ts block after a `<!-- readme-host-example: NAME -->` marker
// is written to a module and imported. They need the guest built with cargo,
// so they live here (and skip, saying why, without cargo) rather than in
// test/readme.test.ts.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exampleText } from "../support/readme.js";
import { testGuest, testGuestGen2 } from "./test-guest.js";

const examples = [...exampleText.matchAll(/<!-- readme-host-example: ([\w-]+) -->\s*```ts\n([\s\S]*?)```/g)].map(
  (m) => ({
    name: m[1]!,
    code: m[2]!,
  }),
);
const dir = join(import.meta.dirname, ".readme-examples");
const skip = "skip" in testGuest ? testGuest.skip : "skip" in testGuestGen2 ? testGuestGen2.skip : undefined;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("README host examples", () => {
  it("has the running-a-guest example", () => {
    expect(examples.map((e) => e.name)).toContain("running-a-guest");
  });

  for (const example of examples) {
    it.skipIf(skip !== undefined)(
      `${example.name} runs${skip === undefined ? "" : ` (skipped: ${skip})`}`,
      async () => {
        mkdirSync(dir, { recursive: true });
        const file = join(dir, `${example.name}.ts`);
        writeFileSync(file, example.code);
        await import(file);
      },
    );
  }
});
