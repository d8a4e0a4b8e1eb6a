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
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const oracleDir = join(here, "oracle");
const oracle = join(oracleDir, "target/release/actr-abi-oracle");
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

const installHint = `Install them (Debian, as root):
  apt-get update && apt-get install -y cargo librust-prost-dev librust-prost-derive-dev librust-bytes-dev`;

function requireToolchain() {
  const cargo = spawnSync("cargo", ["--version"], { encoding: "utf8" });
  if (cargo.error || cargo.status !== 0) {
    console.error(`conformance: cargo is not installed; the prost oracle needs it.\n${installHint}`);
    process.exit(2);
  }
  const registry = "/usr/share/cargo/registry";
  const crates = existsSync(registry) ? readdirSync(registry) : [];
  for (const crate of ["prost-0.11", "prost-derive-0.11", "bytes-1"]) {
    if (!crates.some((name) => name.startsWith(crate))) {
      console.error(`conformance: the Debian crate ${crate}.* is missing from ${registry}.\n${installHint}`);
      process.exit(2);
    }
  }
  if (!existsSync(cli)) {
    console.error("conformance: dist/ is missing; run `npm run build` first.");
    process.exit(2);
  }
}

function run(command, args, options) {
  const result = spawnSync(command, args, { stdio: ["ignore", "inherit", "inherit"], ...options });
  if (result.error || result.status !== 0) {
    console.error(`conformance: \`${command} ${args.join(" ")}\` failed (${result.error?.message ?? `exit ${result.status}`})`);
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

requireToolchain();
run("cargo", ["build", "--release", "--offline", "--quiet"], { cwd: oracleDir });

const work = mkdtempSync(join(tmpdir(), "actr-conformance-"));
try {
  const started = performance.now();
  const inputs = join(work, "inputs.txt");
  const outFd = openSync(inputs, "w");
  run(oracle, ["gen", "--seed", seed, "--count", String(count)], { stdio: ["ignore", outFd, "inherit"] });
  closeSync(outFd);
  pipeFiles(oracle, ["check"], inputs, join(work, "prost.txt"));
  pipeFiles(process.execPath, [cli, "check"], inputs, join(work, "ts.txt"));

  const lines = readFileSync(inputs, "utf8").split("\n");
  const prost = readFileSync(join(work, "prost.txt"), "utf8").split("\n");
  const ours = readFileSync(join(work, "ts.txt"), "utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (lines.length !== count || prost.length !== count + 1 || ours.length !== count + 1) {
    console.error(`conformance: expected ${count} answers, got ${prost.length - 1} from prost and ${ours.length - 1} from actr-abi`);
    process.exit(1);
  }
  const verdict = (answer) => (answer.startsWith("ok") ? answer : "err");
  const tally = new Map();
  for (let i = 0; i < count; i++) {
    const name = lines[i].slice(0, lines[i].indexOf(" "));
    if (verdict(prost[i]) !== verdict(ours[i])) {
      console.error(`conformance: DISAGREEMENT at input ${i + 1} (seed ${seed})`);
      console.error(`  message:  ${name}`);
      console.error(`  input:    ${lines[i].slice(name.length + 1)}`);
      console.error(`  prost:    ${prost[i]}`);
      console.error(`  actr-abi: ${ours[i]}`);
      process.exit(1);
    }
    const counts = tally.get(name) ?? { ok: 0, err: 0 };
    counts[prost[i].startsWith("ok") ? "ok" : "err"]++;
    tally.set(name, counts);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const okTotal = [...tally.values()].reduce((n, c) => n + c.ok, 0);
  console.log(`conformance: ${count} inputs (seed ${seed}), ${tally.size} messages, ${okTotal} ok / ${count - okTotal} err, 0 disagreements with prost in ${seconds}s`);
  if (tally.size !== 27) {
    console.error(`conformance: only ${tally.size} of the 27 messages were generated`);
    process.exit(1);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
