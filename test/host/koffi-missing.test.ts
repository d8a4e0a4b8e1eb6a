// Without koffi installed, importing @actr/dynclib-abi/host fails with one
// error naming what to install, and the root export still loads.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
// The built package (test/support/build-dist.ts builds it first) beside a node_modules without koffi.
const dir = mkdtempSync(join(tmpdir(), "actr-no-koffi-"));
cpSync(join(root, "dist"), join(dir, "dist"), { recursive: true });
cpSync(join(root, "package.json"), join(dir, "package.json"));
mkdirSync(join(dir, "node_modules/@bufbuild"), { recursive: true });
symlinkSync(join(root, "node_modules/@bufbuild/protobuf"), join(dir, "node_modules/@bufbuild/protobuf"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const importIn = (specifier: string) =>
  spawnSync(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(specifier)});`], {
    cwd: dir,
    encoding: "utf8",
  });

describe("without koffi", () => {
  it("the host export fails with what to install", () => {
    const result = importIn("./dist/src/host/index.js");
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("@actr/dynclib-abi/host needs koffi 3.x");
    expect(result.stderr).toContain("npm install koffi@^3");
  });

  it("the root export loads", () => {
    expect(importIn("./dist/src/index.js").status).toBe(0);
  });
});
