// npm run vectors: writes test/vectors/prost.tsv, the golden vectors, from the
// prost oracle: its curated inputs (`actr-abi-oracle vectors`) with prost's
// answers (`actr-abi-oracle check`). Vitest checks them with no Rust installed.
//
// Columns: message, input hex, prost's verdict (`ok` or `err`), the canonical
// re-encoding (ok) or prost's reason (err), and what the vector is about.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildOracle, oraclePath } from "./oracle.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const oracle = oraclePath;

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 1 << 30, ...options });
  if (result.error || result.status !== 0) {
    console.error(`vectors: \`${command} ${args.join(" ")}\` failed: ${result.error?.message ?? result.stderr}`);
    process.exit(1);
  }
  return result.stdout;
}

if (!buildOracle()) process.exit(1);
const inputs = run(oracle, ["vectors"]).trimEnd().split("\n");
const answers = run(oracle, ["check"], { input: inputs.join("\n") + "\n" })
  .trimEnd()
  .split("\n");
if (answers.length !== inputs.length) throw new Error(`${inputs.length} vectors but ${answers.length} answers`);

const rows = inputs.map((line, i) => {
  const [input, description = ""] = line.split("\t");
  const space = input.indexOf(" ");
  const [name, hex] = space === -1 ? [input, ""] : [input.slice(0, space), input.slice(space + 1)];
  const answer = answers[i];
  const verdict = answer.startsWith("ok") ? "ok" : "err";
  return [name, hex, verdict, answer.slice(verdict.length + 1), description].join("\t");
});
const out = join(here, "../test/vectors/prost.tsv");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, ["message\tinput\tverdict\toutput\tdescription", ...rows].join("\n") + "\n");
console.log(`vectors: wrote ${rows.length} vectors to test/vectors/prost.tsv`);
