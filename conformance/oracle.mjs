// The prost oracle (conformance/oracle): where its binary is, and what is
// missing to build it. Shared by conformance/run.mjs and bench/run.mjs.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cargoBuild, cargoProblem, docs, registryVariable } from "../scripts/cargo.mjs";

/** The oracle's cargo project. */
export const oracleDir = join(dirname(fileURLToPath(import.meta.url)), "oracle");
/** The oracle's binary, once built. */
export const oraclePath = join(oracleDir, "target/release/actr-abi-oracle");

/** How to get what the oracle needs: cargo from rustup (crates.io), or Debian's packages offline. */
export const installHint = `Install Rust with rustup (https://rustup.rs) to build from crates.io, or, offline on Debian (as root):
  apt-get update && apt-get install -y cargo librust-prost-dev librust-prost-derive-dev librust-bytes-dev
and set ${registryVariable}=debian (see ${docs}).`;

/** What is missing to build the oracle (a sentence), or undefined when nothing is. */
export function oracleToolchainProblem() {
  const problem = cargoProblem();
  return problem === undefined ? undefined : `${problem}; the prost oracle needs it`;
}

/** Builds the oracle (scripts/cargo.mjs); returns false, with cargo's output and why on stderr, when the build fails. */
export function buildOracle() {
  const built = cargoBuild(oracleDir, { echoFailure: true });
  if (!built.ok) console.error(built.reason);
  return built.ok;
}
