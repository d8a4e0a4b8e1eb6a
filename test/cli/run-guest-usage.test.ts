// `actr-abi run` usage errors: exit status 2 and one line, before any guest is loaded.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { runGuestWith, runUsage } from "../../src/cli/run-guest.js";

const work = mkdtempSync(join(tmpdir(), "actr-abi-run-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `actr-abi run ...args` in process; loading a guest fails the test. */
async function run(args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c) => (out += c));
  stderr.on("data", (c) => (err += c));
  const status = await runGuestWith(args, { stdin: Readable.from([]), stdout, stderr }, () => {
    throw new Error("a usage error must not load a guest");
  });
  return { status, stdout: out, stderr: err };
}

const file = (name: string, text: string) => {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
};

describe("actr-abi run usage", () => {
  it("--help prints the usage and exits 0", async () => {
    expect(await run(["--help"])).toEqual({ status: 0, stdout: runUsage, stderr: "" });
  });

  const bad: [string, () => string[], RegExp][] = [
    ["no guest", () => [], /run needs the path of a guest shared library/],
    ["an unknown option", () => ["g.so", "--rout", "x"], /Unknown option '--rout'/],
    ["a missing value", () => ["g.so", "--route"], /Option '--route <value>' argument missing/],
    ["an extra argument", () => ["g.so", "--route", "echo", "extra"], /unexpected argument "extra"/],
    [
      "two calls",
      () => ["g.so", "--route", "echo", "--lifecycle", "on_start"],
      /--route and --lifecycle cannot be sent in one call/,
    ],
    [
      "a script with call options",
      () => ["g.so", "--script", file("s.txt", "--lifecycle on_start\n"), "--route", "x"],
      /--script cannot be combined/,
    ],
    ["a missing script", () => ["g.so", "--script", join(work, "none.txt")], /cannot read .*none.txt: ENOENT/],
    [
      "a bad script line",
      () => ["g.so", "--script", file("bad.txt", "--lifecycle on_start\n--lifecycle on_pause\n")],
      /script line 2: unknown lifecycle hook "on_pause"/,
    ],
    ["a missing answers file", () => ["g.so", "--answers", join(work, "none.json")], /cannot read .*none.json: ENOENT/],
    ["answers that are not JSON", () => ["g.so", "--answers", file("a.json", "[{")], /a.json is not valid JSON/],
    [
      "a bad answers rule",
      () => ["g.so", "--answers", file("b.json", '[{"kind": "call", "reply": {"done": true}}, {"reply": {}}]')],
      /rule 2: reply must hold exactly one of/,
    ],
    [
      "init JSON that does not fit",
      () => ["g.so", "--init", '{"version": "x"}'],
      /JSON does not fit actr.dynclib.v1.InitPayloadV1/,
    ],
    ["a --self that is not an ActrId", () => ["g.so", "--self", '{"realm": 1}'], /JSON does not fit actr.ActrId/],
    ["a bad --bytes-limit", () => ["g.so", "--bytes-limit=-1"], /--bytes-limit must be a non-negative integer, got -1/],
    [
      "an option value that looks like an option",
      () => ["g.so", "--bytes-limit", "-1"],
      /argument is ambiguous\. Did you forget/,
    ],
    ["a hook event without --hook", () => ["g.so", "{}"], /unexpected argument "\{\}"/],
  ];
  for (const [what, args, message] of bad) {
    it(`exits 2 with one line for ${what}`, async () => {
      const result = await run(args());
      expect(result.status).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^actr-abi run: [^\n]+\n$/);
      expect(result.stderr).toMatch(message);
    });
  }
});
