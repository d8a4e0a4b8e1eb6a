// `npm run breaking` guards the v1 wire contract: it passes on the committed
// schema and fails when any message has a field renumbered.
import { execSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messageSchemas } from "../../src/index.js";

const root = resolve(import.meta.dirname, "../..");
const breakingScript: string = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts.breaking;
const env = { ...process.env, PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH}` };

/** Runs the package's `breaking` script in `dir`; returns its exit code and output. */
function runBreaking(dir: string): { status: number; output: string } {
  try {
    const output = execSync(breakingScript, { cwd: dir, env, stdio: "pipe", encoding: "utf8" });
    return { status: 0, output };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { status: e.status, output: e.stdout + e.stderr };
  }
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "actr-breaking-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A copy of the schema in a fresh directory, with `edit` applied to the file declaring `message`. */
function copyWithEdit(name: string, edit: (source: string) => string, file: string): string {
  const dir = join(work, name);
  cpSync(join(root, "proto"), join(dir, "proto"), { recursive: true });
  cpSync(join(root, "buf.yaml"), join(dir, "buf.yaml"));
  const path = join(dir, "proto", file);
  const before = readFileSync(path, "utf8");
  const after = edit(before);
  expect(after).not.toBe(before);
  writeFileSync(path, after);
  return dir;
}

describe("npm run breaking", () => {
  it("passes on the committed schema", () => {
    const result = runBreaking(root);
    expect(result.output).not.toMatch(/Field|changed/);
    expect(result.status).toBe(0);
  });

  // One renumbering per message: its first field moves to number 900.
  for (const [name, schema] of messageSchemas) {
    const field = schema.fields[0]!;
    it(`fails when ${name}.${field.name} is renumbered`, () => {
      const file = schema.file.name + ".proto";
      const pattern = new RegExp(`(message ${name} \\{[^}]*?\\s${field.name} = )${field.number}\\b`);
      const dir = copyWithEdit(name, (src) => src.replace(pattern, "$1900"), file);
      const result = runBreaking(dir);
      expect(result.status).not.toBe(0);
      expect(result.output).toContain(name);
    });
  }
});
