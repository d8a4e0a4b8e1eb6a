// The README's examples run as written: each ```ts block after a
// `<!-- readme-example: NAME -->` marker is written to a module and imported
// (`@actr/dynclib-abi` resolves to src/ through the Vitest alias).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const readme = readFileSync(join(import.meta.dirname, "../README.md"), "utf8");
const examples = [...readme.matchAll(/<!-- readme-example: ([\w-]+) -->\s*```ts\n([\s\S]*?)```/g)].map((m) => ({
  name: m[1]!,
  code: m[2]!,
}));
const dir = join(import.meta.dirname, ".readme-examples");

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("README examples", () => {
  it("has the host example", () => {
    expect(examples.map((e) => e.name)).toContain("host");
  });

  for (const example of examples) {
    it(`${example.name} runs`, async () => {
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${example.name}.ts`);
      writeFileSync(file, example.code);
      await import(file);
    });
  }
});
