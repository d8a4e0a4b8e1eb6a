// npm run bench: the host hot paths of this package side by side with plain
// protobuf-es, protobufjs and prost (the conformance oracle's `bench`).
//
// Every implementation must produce the same bytes as every other (and as
// prost) before anything is timed. Each timed sample runs a batch of calls;
// the result is the median over the samples, in ns per call; the
// implementations of a case take turns in rounds of about 2 ms. Writes
// bench/results.json; --readme rewrites the table in bench/README.md.
//
// Then the host runtime's cases (bench/host.mjs), and bench/hostile.mjs (the
// hostile-input cost against prost) unless --skip-hostile or --case is given.
// --case takes codec and host case ids alike; with it only those cases run.
//
// Usage: node bench/run.mjs [--time MS] [--case ID]... [--impl ID]... [--readme] [--skip-hostile]
// (--impl picks the JS implementations timed beside this package's)
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildOracle, oraclePath as oracle, oracleToolchainProblem } from "../conformance/oracle.mjs";
import { caseIds, implementations } from "./cases.mjs";
import { hostBench, hostCaseIds, hostTable } from "./host.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

const { values } = parseArgs({
  options: {
    time: { type: "string", default: "1000" },
    case: { type: "string", multiple: true },
    impl: { type: "string", multiple: true },
    readme: { type: "boolean", default: false },
    "skip-hostile": { type: "boolean", default: false },
  },
});
for (const id of values.case ?? []) {
  if (!caseIds.includes(id) && !hostCaseIds.includes(id))
    throw new Error(`unknown case ${id} (one of ${[...caseIds, ...hostCaseIds].join(", ")})`);
}
/** The codec cases to run, and the host cases (bench/host.mjs). */
const cases = values.case === undefined ? caseIds : values.case.filter((id) => caseIds.includes(id));
const hostCases = values.case === undefined ? hostCaseIds : values.case.filter((id) => hostCaseIds.includes(id));

const hex = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");

// ---- same bytes everywhere, before timing -----------------------------------------

const impls = Object.fromEntries(
  Object.entries(implementations()).filter(
    ([impl]) => values.impl === undefined || impl === "actr-dynclib-abi" || values.impl.includes(impl),
  ),
);
const reference = impls["actr-dynclib-abi"];
for (const id of cases) {
  for (const [impl, byCase] of Object.entries(impls)) {
    const { input, run } = byCase[id];
    if (hex(input) !== hex(reference[id].input))
      throw new Error(`${impl} builds other bytes than actr-dynclib-abi for ${id}`);
    const out = run();
    if (id === "guest-handle-encode" && hex(out) !== hex(input))
      throw new Error(`${impl} encodes other bytes for ${id}`);
  }
}

function prostAvailable() {
  const problem = oracleToolchainProblem();
  if (problem !== undefined) return problem;
  return buildOracle() ? undefined : "the oracle did not build";
}

const results = [];
const prostMissing = cases.length === 0 ? "no codec case was asked for" : prostAvailable();
if (cases.length === 0) {
  // only host cases
} else if (prostMissing !== undefined) {
  console.log(`bench: prost rows skipped: ${prostMissing}`);
} else {
  const dump = spawnSync(oracle, ["bench", "--dump-inputs"], { encoding: "utf8", maxBuffer: 1 << 26 });
  for (const line of dump.stdout.trim().split("\n")) {
    const [id, bytes] = line.split(" ");
    if (cases.includes(id) && bytes !== hex(reference[id].input))
      throw new Error(`prost's bytes differ from ours for ${id}`);
  }
}

/** One run of the oracle's timing of case `id` (prost), in ns per call. */
function timeProst(id) {
  const out = spawnSync(oracle, ["bench", "--case", id], { encoding: "utf8" }).stdout;
  const ns = Number(
    out
      .split("\n")
      .find((l) => l.startsWith(`${id} `))
      ?.split(" ")[1],
  );
  if (!Number.isFinite(ns)) throw new Error(`the oracle printed no time for ${id}:\n${out}`);
  return ns;
}

// ---- timing ---------------------------------------------------------------------------

/** Calls per timed sample, so that one sample takes about 50 µs. */
function batchSize(run) {
  const start = process.hrtime.bigint();
  let n = 0;
  while (process.hrtime.bigint() - start < 20_000_000n) {
    run();
    n++;
  }
  const ns = Number(process.hrtime.bigint() - start) / n;
  return Math.max(1, Math.round(50_000 / ns));
}

// The implementations of a case take turns, one round of about 2 ms each, so
// that a change in the machine's load during the run weighs on all of them
// alike; each sample is one batch of calls, and the result is the median sample.
// The case's time is cut in PROST_RUNS parts, each after a run of the oracle
// (its own process): prost's row is the median of those runs, each timed
// seconds from a part of the JavaScript samples.
const ROUND_NS = 2_000_000;
const PROST_RUNS = 3;
let sink;
for (const id of cases) {
  const entries = Object.entries(impls).map(([impl, byCase]) => {
    const run = byCase[id].run;
    for (let i = 0; i < 1000; i++) sink = run(); // warm-up
    return { impl, run, batch: batchSize(run), samples: [] };
  });
  const prost = [];
  const part = BigInt(Math.round((Number(values.time) * entries.length) / PROST_RUNS)) * 1_000_000n;
  let partsDone = 0;
  let until = process.hrtime.bigint();
  while (partsDone < PROST_RUNS || process.hrtime.bigint() < until || entries.some((e) => e.samples.length < 20)) {
    if (partsDone < PROST_RUNS && process.hrtime.bigint() >= until) {
      if (prostMissing === undefined) prost.push(timeProst(id));
      partsDone++;
      until = process.hrtime.bigint() + part;
    }
    for (const entry of entries) {
      const { run, batch, samples } = entry;
      const roundEnd = process.hrtime.bigint() + BigInt(ROUND_NS);
      do {
        const t = process.hrtime.bigint();
        for (let i = 0; i < batch; i++) sink = run();
        samples.push(Number(process.hrtime.bigint() - t) / batch);
      } while (process.hrtime.bigint() < roundEnd);
    }
  }
  for (const { impl, samples } of entries) {
    samples.sort((x, y) => x - y);
    results.push({ case: id, impl, nsPerOp: samples[samples.length >> 1] });
  }
  if (prost.length > 0)
    results.push({ case: id, impl: "prost", nsPerOp: prost.sort((x, y) => x - y)[prost.length >> 1] });
}
if (cases.length > 0 && sink === undefined) throw new Error("nothing ran");

// ---- report -----------------------------------------------------------------------------

results.sort((a, b) => caseIds.indexOf(a.case) - caseIds.indexOf(b.case));
// The host runtime's round trips (bench/host.mjs): all of them, or those --case named.
const hostRows = hostCases.length > 0 ? await hostBench({ time: Number(values.time), cases: hostCases }) : [];
results.push(...hostRows);
for (const r of results) r.nsPerOp = Math.round(r.nsPerOp * 10) / 10;
writeFileSync(path.join(here, "results.json"), JSON.stringify(results, null, 2) + "\n");

const ns = (id, impl) => results.find((r) => r.case === id && r.impl === impl)?.nsPerOp;
const ratio = (a, b) => (a === undefined || b === undefined ? "–" : `${(a / b).toFixed(2)}×`);
const format = (n) => (n === undefined ? "–" : n >= 10_000 ? `${Math.round(n).toLocaleString("en-US")}` : n.toFixed(0));
const machine = `${os.cpus()[0]?.model.trim() ?? "unknown CPU"}, ${os.cpus().length} cores, Node.js ${process.version}`;
const date = new Date().toISOString().slice(0, 10);
const impls4 = ["actr-dynclib-abi", "protobuf-es", "protobufjs", "protobufjs-static", "prost"];
const lines = [
  `Measured ${date} on ${machine} (\`npm run bench\`; median ns per call; ratio = this implementation's time over protobufjs's, protobufjs static code's or prost's).`,
  "",
  "| case | impl | ns/op | × protobufjs | × protobufjs-static | × prost |",
  "|---|---|---:|---:|---:|---:|",
];
for (const id of cases) {
  for (const impl of impls4) {
    const n = ns(id, impl);
    if (n === undefined) continue;
    lines.push(
      `| ${id} | ${impl} | ${format(n)} | ${ratio(n, ns(id, "protobufjs"))} | ${ratio(n, ns(id, "protobufjs-static"))} | ${ratio(n, ns(id, "prost"))} |`,
    );
  }
}
/** The geometric mean over the cases of impl's time over base's. */
const geomean = (impl, base) => {
  const ratios = cases.map((id) => ns(id, impl) / ns(id, base)).filter((r) => Number.isFinite(r));
  return ratios.length === 0 ? undefined : Math.exp(ratios.reduce((sum, r) => sum + Math.log(r), 0) / ratios.length);
};
const mean = (impl, base) => {
  const g = geomean(impl, base);
  return g === undefined ? "–" : `${g.toFixed(2)}×`;
};
for (const impl of impls4.filter((i) => i !== "prost")) {
  lines.push(
    `| geometric mean | ${impl} | | ${mean(impl, "protobufjs")} | ${mean(impl, "protobufjs-static")} | ${mean(impl, "prost")} |`,
  );
}
const codecTable =
  cases.length > 0 ? lines.join("\n") : `Measured ${date} on ${machine} (host cases only; median ns per call).`;
const table = [codecTable, hostRows.length > 0 ? hostTable(hostRows) : ""].filter((t) => t !== "").join("\n\n");
console.log(`\n${table}\n\nbench: wrote bench/results.json (${results.length} rows)`);

if (!values["skip-hostile"] && values.case === undefined) {
  const args = ["--expose-gc", path.join(here, "hostile.mjs")];
  if (prostMissing === undefined) args.push("--oracle", oracle);
  const hostile = spawnSync(process.execPath, args, { stdio: "inherit" });
  if (hostile.status !== 0) throw new Error("bench/hostile.mjs failed");
}

if (values.readme) {
  const readmePath = path.join(here, "README.md");
  const readme = readFileSync(readmePath, "utf8");
  const updated = readme.replace(
    /<!-- bench:start -->[\s\S]*<!-- bench:end -->/,
    `<!-- bench:start -->\n${table}\n<!-- bench:end -->`,
  );
  if (updated === readme) throw new Error("bench/README.md has no <!-- bench:start --> ... <!-- bench:end --> section");
  writeFileSync(readmePath, updated);
  console.log("bench: updated the table in bench/README.md");
}
