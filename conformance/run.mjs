// npm run conformance: differential fuzzing of this package against prost.
//
// Builds the Rust oracle (conformance/oracle), has it generate --count inputs
// from --seed (valid values of all 27 messages and damaged bytes), answers
// every input with both `actr-abi-oracle check` and `actr-abi check`, and
// fails on the first line where they disagree: one says ok and the other err,
// or both say ok with different bytes. (The reasons after `err` are each
// side's own words and are not compared.)
//
// Usage: node conformance/run.mjs [--seed N] [--count N]
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { buildOracle, installHint, oraclePath as oracle, oracleToolchainProblem } from "./oracle.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const cli = join(root, "dist/src/cli/main.js");

const { values } = parseArgs({
  options: { seed: { type: "string" }, count: { type: "string", default: "100000" } },
});
const seed = values.seed ?? String(Math.floor(Math.random() * 2 ** 32));
const count = Number(values.count);
if (!/^\d+$/.test(seed) || !Number.isSafeInteger(count) || count < 1) {
  console.error("usage: node conformance/run.mjs [--seed N] [--count N] (non-negative integers)");
  process.exit(2);
}

function requireToolchain() {
  const problem = oracleToolchainProblem();
  if (problem !== undefined) {
    console.error(`conformance: ${problem}.\n${installHint}`);
    process.exit(2);
  }
  if (!existsSync(cli)) {
    console.error("conformance: dist/ is missing; run `npm run build` first.");
    process.exit(2);
  }
}

function run(command, args, options) {
  const result = spawnSync(command, args, { stdio: ["ignore", "inherit", "inherit"], ...options });
  if (result.error || result.status !== 0) {
    console.error(
      `conformance: \`${command} ${args.join(" ")}\` failed (${result.error?.message ?? `exit ${result.status}`})`,
    );
    process.exit(1);
  }
}

/** Runs `command` with stdin from the file `input` and stdout to the file `output`. */
function pipeFiles(command, args, input, output) {
  const inFd = openSync(input, "r");
  const outFd = openSync(output, "w");
  try {
    run(command, args, { stdio: [inFd, outFd, "inherit"] });
  } finally {
    closeSync(inFd);
    closeSync(outFd);
  }
}

/** The lines of a file, read in 1 MiB chunks (the file is ASCII: hex and answers). */
function* readLines(path) {
  const fd = openSync(path, "r");
  const chunk = Buffer.alloc(1 << 20);
  let rest = "";
  try {
    for (let n; (n = readSync(fd, chunk)) > 0;) {
      const text = rest + chunk.toString("latin1", 0, n);
      const lines = text.split("\n");
      rest = lines.pop();
      yield* lines;
    }
    if (rest !== "") yield rest;
  } finally {
    closeSync(fd);
  }
}

requireToolchain();
if (!buildOracle()) {
  console.error("conformance: the prost oracle did not build");
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), "actr-conformance-"));
try {
  const started = performance.now();
  const inputs = join(work, "inputs.txt");
  const outFd = openSync(inputs, "w");
  run(oracle, ["gen", "--seed", seed, "--count", String(count)], { stdio: ["ignore", outFd, "inherit"] });
  closeSync(outFd);
  pipeFiles(oracle, ["check"], inputs, join(work, "prost.txt"));
  pipeFiles(process.execPath, [cli, "check"], inputs, join(work, "ts.txt"));

  // Compare line by line, streaming: a million inputs is more text than one string can hold.
  const inputLines = readLines(inputs);
  const prostLines = readLines(join(work, "prost.txt"));
  const ourLines = readLines(join(work, "ts.txt"));
  const verdict = (answer) => (answer.startsWith("ok") ? answer : "err");
  const tally = new Map();
  let seen = 0;
  for (const line of inputLines) {
    const prost = prostLines.next();
    const ours = ourLines.next();
    if (prost.done || ours.done) {
      console.error(`conformance: ${prost.done ? "prost" : "actr-abi"} answered only ${seen} of ${count} inputs`);
      process.exit(1);
    }
    seen++;
    const name = line.slice(0, line.indexOf(" "));
    if (verdict(prost.value) !== verdict(ours.value)) {
      console.error(`conformance: DISAGREEMENT at input ${seen} (seed ${seed})`);
      console.error(`  message:  ${name}`);
      console.error(`  input:    ${line.slice(name.length + 1)}`);
      console.error(`  prost:    ${prost.value}`);
      console.error(`  actr-abi: ${ours.value}`);
      process.exit(1);
    }
    const counts = tally.get(name) ?? { ok: 0, err: 0 };
    counts[prost.value.startsWith("ok") ? "ok" : "err"]++;
    tally.set(name, counts);
  }
  if (seen !== count || !prostLines.next().done || !ourLines.next().done) {
    console.error(`conformance: expected ${count} inputs and as many answers, got ${seen} inputs`);
    process.exit(1);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const okTotal = [...tally.values()].reduce((n, c) => n + c.ok, 0);
  console.log(
    `conformance: ${count} inputs (seed ${seed}), ${tally.size} messages, ${okTotal} ok / ${count - okTotal} err, 0 disagreements with prost in ${seconds}s`,
  );
  if (tally.size !== 27) {
    console.error(`conformance: only ${tally.size} of the 27 messages were generated`);
    process.exit(1);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
