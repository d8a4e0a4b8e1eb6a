// `npx actr-abi` keeps working after `npm run build`. The first `npx` in a
// project links the project's own bin once (in npm's npx cache), making its
// target executable; a rebuild deletes dist/ and tsc writes the command back
// without an execute bit, so a bin pointing into dist/ then fails with
// "Permission denied". The bin is therefore the committed launcher
// bin/actr-abi.js. Run in a copy of the sources (sharing node_modules), so
// rebuilding never disturbs the dist/ other tests use.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/pack.js";

const { version, bin } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  version: string;
  bin: Record<string, string>;
};

let copy: string;

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), "actr-bin-"));
  for (const entry of ["package.json", "bin", "src", "gen", "tsconfig.json", "tsconfig.build.json"]) {
    cpSync(join(repoRoot, entry), join(copy, entry), { recursive: true });
  }
  symlinkSync(join(repoRoot, "node_modules"), join(copy, "node_modules"), "dir");
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

function build(): void {
  execFileSync("npm", ["run", "build"], { cwd: copy, stdio: "pipe" });
}

function npxVersion() {
  return spawnSync("npx", ["--no-install", "actr-abi", "--version"], { cwd: copy, encoding: "utf8" });
}

describe("the actr-abi bin", () => {
  it("is the committed launcher, executable in git", () => {
    expect(bin).toEqual({ "actr-abi": "./bin/actr-abi.js" });
    const staged = execFileSync("git", ["ls-files", "-s", "bin/actr-abi.js"], { cwd: repoRoot, encoding: "utf8" });
    expect(staged).toMatch(/^100755 /);
  });

  it("runs through npx after a build and after a rebuild", () => {
    build();
    // tsc writes the compiled command without an execute bit: the reason for the launcher.
    expect(statSync(join(copy, "dist/src/cli/main.js")).mode & 0o111).toBe(0);
    expect(npxVersion()).toMatchObject({ status: 0, stdout: `${version}\n`, stderr: "" });
    build();
    expect(npxVersion()).toMatchObject({ status: 0, stdout: `${version}\n`, stderr: "" });
  }, 120_000);
});
