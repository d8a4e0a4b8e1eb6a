// What `npm pack` puts in the tarball, and that checking the package leaves a
// user's own tarball alone.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { relativeLinksOf } from "../../scripts/check-references.js";
import { packTarball, repoRoot, type PackedTarball } from "../support/pack.js";

let work: string;
let tarball: PackedTarball;
let unpacked: string;
let shipped: Set<string>;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "actr-tarball-"));
  tarball = packTarball(work);
  execFileSync("tar", ["-xzf", tarball.path, "-C", work]);
  unpacked = join(work, "package");
  shipped = new Set(tarball.files.map((f) => f.path));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the tarball", () => {
  it("ships the license, the contract, the changelog, the schema and the command", () => {
    for (const file of [
      "LICENSE",
      "README.md",
      "CHANGELOG.md",
      "docs/abi.md",
      "package.json",
      "bin/actr-abi.js",
      "dist/src/index.js",
      "dist/src/index.d.ts",
      "proto/actr/dynclib/v1/abi.proto",
    ]) {
      expect(shipped, file).toContain(file);
    }
    expect(readFileSync(join(unpacked, "LICENSE"), "utf8")).toContain(
      "Apache License\n                           Version 2.0, January 2004",
    );
  });

  it("ships the user documents, and not the maintainers' ones", () => {
    const docs = [...shipped].filter((f) => f.endsWith(".md")).sort();
    expect(docs).toEqual([
      "CHANGELOG.md",
      "README.md",
      "docs/abi.md",
      "docs/cli.md",
      "docs/conformance.md",
      "docs/errors.md",
      "docs/host-runtime.md",
    ]);
  });

  it("ships every file a shipped document links to", () => {
    const missing: string[] = [];
    for (const doc of [...shipped].filter((f) => f.endsWith(".md"))) {
      for (const { path } of relativeLinksOf(readFileSync(join(unpacked, doc), "utf8"))) {
        if (path === "") continue; // a heading of the same file
        if (!shipped.has(posix.normalize(posix.join(posix.dirname(doc), path)))) missing.push(`${doc} -> ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("ships no tests, benchmarks, conformance oracle or API reference", () => {
    const outside = [...shipped].filter((f) => /^(test|bench|conformance|docs\/api|examples|scripts)\//.test(f));
    expect(outside).toEqual([]);
  });

  it("has a package.json that runs no script on install and says its license", () => {
    const pkg = JSON.parse(readFileSync(join(unpacked, "package.json"), "utf8")) as {
      scripts?: Record<string, string>;
      license?: string;
    };
    const installScripts = Object.keys(pkg.scripts ?? {}).filter((s) =>
      ["preinstall", "install", "postinstall", "prepare"].includes(s),
    );
    expect(installScripts).toEqual([]);
    expect(pkg.license).toBe("Apache-2.0");
  });

  it("ships the bin as an executable file", () => {
    const bin = tarball.files.find((f) => f.path === "bin/actr-abi.js");
    expect(bin!.mode & 0o111).toBe(0o111);
  });

  it("ships every source map a file points to, and every source a map names", () => {
    const dangling: string[] = [];
    for (const file of shipped) {
      if (!/\.(js|d\.ts)$/.test(file) || !file.startsWith("dist/")) continue;
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(unpacked, file), "utf8"))?.[1];
      if (url === undefined) continue;
      const map = posix.join(posix.dirname(file), url);
      if (!shipped.has(map)) {
        dangling.push(`${file} -> ${map}`);
        continue;
      }
      const { sources } = JSON.parse(readFileSync(join(unpacked, map), "utf8")) as { sources: string[] };
      for (const source of sources) {
        const path = posix.join(posix.dirname(map), source);
        if (!shipped.has(path)) dangling.push(`${map} -> ${path}`);
      }
    }
    expect(dangling).toEqual([]);
    expect([...shipped].filter((f) => f.endsWith(".map")).length).toBeGreaterThan(0);
  });
});

describe("npm run check:package", () => {
  it("leaves a tarball in the working tree where it is", () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
    const mine = join(repoRoot, `actr-dynclib-abi-${version}.tgz`); // the name `npm pack` gives it
    const before = existsSync(mine) ? readFileSync(mine) : undefined;
    writeFileSync(mine, "a tarball the user made");
    try {
      execFileSync("node", [join(repoRoot, "scripts/check-package.mjs")], { cwd: repoRoot, stdio: "pipe" });
      expect(readFileSync(mine, "utf8")).toBe("a tarball the user made");
    } finally {
      if (before === undefined) rmSync(mine, { force: true });
      else writeFileSync(mine, before);
    }
  });
});
