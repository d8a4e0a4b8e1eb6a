// The packed tarball, installed into an empty project as a user would (the
// README's install line, with the tarball in place of the registry name), and
// as a linked folder: the README's examples and the `actr-abi` command run
// there, against the installed package. Offline when npm's cache has
// @bufbuild/protobuf (it does after `npm ci` here).
import { execFileSync, spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packTarball, repoRoot } from "../support/pack.js";
import { readme, readmeExamples } from "../support/readme.js";

const { version } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
const installLine = /^npm install @actr\/dynclib-abi( .*)?$/m.exec(readme);

let work: string;
let tarballPath: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "actr-install-"));
  tarballPath = packTarball(work).path;
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function npm(cwd: string, args: string[]): void {
  execFileSync("npm", [...args, "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd,
    stdio: "pipe",
  });
}

function emptyProject(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }));
  return dir;
}

/** Writes the README's examples into `dir` as JavaScript and runs each with node; returns the failures. */
function runReadmeExamples(dir: string): { name: string; stderr: string }[] {
  const failures: { name: string; stderr: string }[] = [];
  for (const { name, code } of readmeExamples) {
    const js = ts.transpileModule(code, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const file = join(dir, `readme-${name}.mjs`);
    writeFileSync(file, js);
    const run = spawnSync(process.execPath, [file], { cwd: dir, encoding: "utf8" });
    if (run.status !== 0) failures.push({ name, stderr: run.stderr });
  }
  return failures;
}

function npx(dir: string, args: string[]) {
  return spawnSync("npx", ["--no-install", "actr-abi", ...args], { cwd: dir, encoding: "utf8" });
}

describe("the README's install line", () => {
  it("installs @bufbuild/protobuf with the package", () => {
    expect(installLine?.[0]).toBe("npm install @actr/dynclib-abi @bufbuild/protobuf");
  });
});

describe("an install of the tarball", () => {
  let app: string;
  beforeAll(() => {
    app = emptyProject("host-app");
    const args = installLine![0]
      .split(" ")
      .slice(1)
      .map((word) => (word === "@actr/dynclib-abi" ? tarballPath : word));
    npm(app, args);
  }, 120_000);

  it("runs the README's examples", () => {
    expect(readmeExamples.length).toBeGreaterThan(0);
    expect(runReadmeExamples(app)).toEqual([]);
  });

  it("type-checks the README's examples against the shipped declarations", () => {
    for (const { name, code } of readmeExamples) writeFileSync(join(app, `readme-${name}.ts`), code);
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: "nodenext",
          target: "es2022",
          typeRoots: [join(repoRoot, "node_modules/@types")],
          types: ["node"],
        },
        include: ["readme-*.ts"],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", app], {
      encoding: "utf8",
    });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });

  it("runs `npx actr-abi` from the project", () => {
    expect(npx(app, ["--version"]).stdout).toBe(`${version}\n`);
    const decoded = npx(app, ["decode", "080110051a0a0a0863616d6572612d31"]);
    expect(decoded.stderr).toBe("");
    expect(decoded.stdout).toContain("op: 5 (HOST_REGISTER_STREAM)");
  });

  it("has the wire contract where `actr-abi --help` says", () => {
    const where = /node_modules\/@actr\/dynclib-abi\/docs\/abi\.md/.exec(npx(app, ["--help"]).stdout);
    expect(where).not.toBeNull();
    expect(readFileSync(join(app, where![0]), "utf8")).toMatch(/^## 7\. Hosting a guest$/m);
  });
});

describe("a linked install of the unpacked package", () => {
  let app: string;
  beforeAll(() => {
    // A linked folder brings its own dependencies, as a checkout does.
    const linked = join(work, "linked");
    mkdirSync(linked);
    execFileSync("tar", ["-xzf", tarballPath, "-C", linked]);
    npm(join(linked, "package"), ["install", "--omit=dev", "--ignore-scripts"]);
    app = emptyProject("linked-app");
    npm(app, ["install", "--install-links=false", join(linked, "package")]);
  }, 120_000);

  it("is a symlink to the folder", () => {
    expect(lstatSync(join(app, "node_modules/@actr/dynclib-abi")).isSymbolicLink()).toBe(true);
  });

  it("needs @bufbuild/protobuf in the project, as the install line says, then runs the README's examples", () => {
    const without = runReadmeExamples(app);
    expect(without.map((f) => f.name)).toContain("host");
    expect(without.find((f) => f.name === "host")!.stderr).toContain("Cannot find package '@bufbuild/protobuf'");
    npm(app, ["install", "@bufbuild/protobuf"]);
    expect(runReadmeExamples(app)).toEqual([]);
  }, 60_000);

  it("runs `npx actr-abi` from the project", () => {
    expect(npx(app, ["--version"]).stdout).toBe(`${version}\n`);
  });
});
