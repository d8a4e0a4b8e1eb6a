// The prost oracle (conformance/oracle): where its binary is, and what is
// missing to build it. Shared by conformance/run.mjs and bench/run.mjs.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The oracle's cargo project. */
export const oracleDir = join(dirname(fileURLToPath(import.meta.url)), "oracle");
/** The oracle's binary, once built. */
export const oraclePath = join(oracleDir, "target/release/actr-abi-oracle");

/** How to install what the oracle needs (Debian, as root). */
export const installHint = `Install them (Debian, as root):
  apt-get update && apt-get install -y cargo librust-prost-dev librust-prost-derive-dev librust-bytes-dev`;

/** What is missing to build the oracle (a sentence), or undefined when nothing is. */
export function oracleToolchainProblem() {
  const cargo = spawnSync("cargo", ["--version"], { encoding: "utf8" });
  if (cargo.error || cargo.status !== 0) return "cargo is not installed; the prost oracle needs it";
  const registry = "/usr/share/cargo/registry";
  const crates = existsSync(registry) ? readdirSync(registry) : [];
  for (const crate of ["prost-0.11", "prost-derive-0.11", "bytes-1"]) {
    if (!crates.some((name) => name.startsWith(crate))) return `the Debian crate ${crate}.* is missing from ${registry}`;
  }
  return undefined;
}

/** Builds the oracle (cargo, offline); returns false when the build fails. */
export function buildOracle() {
  return spawnSync("cargo", ["build", "--release", "--offline", "--quiet"], { cwd: oracleDir, stdio: "inherit" }).status === 0;
}
