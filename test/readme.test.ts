// The README's examples run as written: each ```ts block after a
// `<!-- readme-example: NAME -->` marker is written to a module and imported
// (`@actr/dynclib-abi` resolves to src/ through the Vitest alias;
// test/package/install.test.ts runs them against the installed tarball).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { actrAbi } from "./cli/run-cli.js";
import { consoleSessions, readmeExamples as examples } from "./support/readme.js";

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

// Each `$ npx actr-abi ...` line in a console block after `<!-- readme-cli -->`
// runs as written and prints what the README shows under it.

const sessions = consoleSessions("readme-cli");

/** Splits a shell command line into words, honouring single quotes. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

describe("README commands", () => {
  it("shows the main job", () => {
    expect(sessions.map((s) => s.command)).toContain("npx actr-abi decode @examples/guest-handle.bin");
  });

  for (const { command, output } of sessions) {
    it(command, () => {
      const [npx, bin, ...args] = shellWords(command);
      expect([npx, bin]).toEqual(["npx", "actr-abi"]);
      const result = actrAbi(args);
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(output);
    });
  }
});
