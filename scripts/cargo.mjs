// The one home for how this repository builds its Rust crates (the test
// guest, the prost oracle, the Rust bench host, and any crate added later):
// every script and test that runs cargo goes through cargoBuild() here, or
// through `node scripts/cargo.mjs build DIR...` from a shell.
//
// Two routes (CONTRIBUTING.md, "Building the Rust parts"):
//   - crates.io (the default): `cargo build --release --locked`, with cargo
//     from rustup; the committed Cargo.lock pins every crate and its checksum.
//   - Debian, offline: ACTR_CARGO_REGISTRY=debian. cargo is given
//     `--offline` and `--config` options that replace crates.io with the
//     crates Debian's librust-*-dev packages install in
//     /usr/share/cargo/registry, so the same Cargo.lock builds from them.
//     Debian records no checksum for some crates ("Could not get crate
//     checksum"); for those, the build reads Debian's registry through a view
//     in the crate's target/ directory that gives the crate the checksum
//     Cargo.lock holds for its version. Nothing else differs.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The environment variable that selects the registry: `crates-io` (default) or `debian`. */
export const registryVariable = "ACTR_CARGO_REGISTRY";
/** Where Debian's librust-*-dev packages put their crates. */
export const debianRegistry = "/usr/share/cargo/registry";
/** The Debian packages with every crate the repository's Rust parts use. */
export const debianPackages = [
  "cargo",
  "librust-prost-dev",
  "librust-prost-derive-dev",
  "librust-bytes-dev",
  "librust-libloading-dev",
  "librust-tokio-dev",
];
/** Where the instructions for both routes are. */
export const docs = 'CONTRIBUTING.md, "Building the Rust parts"';

/** The registry cargo takes crates from: `crates-io` unless ACTR_CARGO_REGISTRY says `debian`. */
export function cargoRegistry(env = process.env) {
  const value = env[registryVariable] ?? "";
  if (value === "" || value === "crates-io") return "crates-io";
  if (value === "debian") return "debian";
  throw new Error(`${registryVariable} must be crates-io or debian, got ${JSON.stringify(value)}`);
}

/** What keeps cargo from building here (one sentence), or undefined. */
export function cargoProblem(env = process.env) {
  const cargo = spawnSync("cargo", ["--version"], { encoding: "utf8", env });
  if (cargo.error || cargo.status !== 0) return "cargo is not installed";
  if (cargoRegistry(env) === "debian" && !existsSync(debianRegistry)) {
    return `${registryVariable}=debian, but ${debianRegistry} does not exist (apt-get install ${debianPackages.join(" ")})`;
  }
  return undefined;
}

/** `name-version` → checksum, from a Cargo.lock. */
function lockedChecksums(lockFile) {
  const checksums = new Map();
  if (!existsSync(lockFile)) return checksums;
  for (const block of readFileSync(lockFile, "utf8").split("[[package]]")) {
    const field = (key) => new RegExp(`^${key} = "([^"]*)"`, "m").exec(block)?.[1];
    const [name, version, checksum] = [field("name"), field("version"), field("checksum")];
    if (name !== undefined && version !== undefined && checksum !== undefined)
      checksums.set(`${name}-${version}`, checksum);
  }
  return checksums;
}

/** The `package` checksum Debian recorded for a crate of its registry. */
function debianChecksum(crateDir) {
  try {
    return JSON.parse(readFileSync(join(crateDir, ".cargo-checksum.json"), "utf8")).package;
  } catch {
    return undefined;
  }
}

/**
 * Debian's registry as the crate at `crateDir` builds from it: a directory
 * of links to Debian's crates, where a crate Debian recorded no checksum for
 * gets the one Cargo.lock holds. Built once per lock file and registry
 * content, then reused; safe when several builds start at once.
 */
export function debianRegistryView(crateDir) {
  const locked = lockedChecksums(join(crateDir, "Cargo.lock"));
  const crates = readdirSync(debianRegistry).sort();
  const patches = [];
  for (const crate of crates) {
    const wanted = locked.get(crate);
    const recorded = debianChecksum(join(debianRegistry, crate));
    if (wanted !== undefined && recorded !== wanted && !/^[0-9a-f]{64}$/.test(recorded ?? ""))
      patches.push([crate, wanted]);
  }
  const key = createHash("sha256")
    .update(JSON.stringify([crates, patches]))
    .digest("hex")
    .slice(0, 16);
  const view = join(crateDir, "target", `debian-registry-${key}`);
  if (existsSync(view)) return view;
  const work = `${view}.${process.pid}.${Date.now()}`;
  mkdirSync(work, { recursive: true });
  const patched = new Map(patches);
  for (const crate of crates) {
    const source = join(debianRegistry, crate);
    const checksum = patched.get(crate);
    if (checksum === undefined) {
      symlinkSync(source, join(work, crate));
      continue;
    }
    mkdirSync(join(work, crate));
    for (const child of readdirSync(source)) {
      if (child !== ".cargo-checksum.json") symlinkSync(join(source, child), join(work, crate, child));
    }
    writeFileSync(join(work, crate, ".cargo-checksum.json"), JSON.stringify({ package: checksum, files: {} }));
  }
  try {
    renameSync(work, view);
  } catch {
    rmSync(work, { recursive: true, force: true }); // another build made it first
  }
  return view;
}

/**
 * The arguments for `cargo <args>` in the crate at `crateDir`, by the
 * registry chosen: `--locked` always (Cargo.lock is the truth), and for
 * Debian `--offline` with the `--config` options that replace crates.io.
 */
export function cargoArguments(crateDir, args, env = process.env) {
  if (cargoRegistry(env) === "crates-io") return [...args, "--locked"];
  const view = debianRegistryView(crateDir);
  return [
    "--config",
    'source.crates-io.replace-with="actr-debian"',
    "--config",
    `source.actr-debian.directory=${JSON.stringify(view)}`,
    ...args,
    "--locked",
    "--offline",
  ];
}

/**
 * Builds the crate at `crateDir` (`cargo build --release`, quiet) from the
 * registry chosen. Resolves to `{ ok: true }`, or `{ ok: false, reason }`
 * with one line saying why (cargo missing, or the build failed: cargo's first
 * error line, and for crates.io the hint to build offline from Debian's
 * packages). cargo's own output goes to stderr when `echo` is true or the
 * build fails and `echoFailure` is true.
 */
export function cargoBuild(crateDir, { env = process.env, echo = false, echoFailure = false } = {}) {
  const name = relative(root, crateDir) || crateDir;
  let registry;
  try {
    registry = cargoRegistry(env);
  } catch (error) {
    return { ok: false, reason: error.message };
  }
  const problem = cargoProblem(env);
  if (problem !== undefined) return { ok: false, reason: `${problem} (to build ${name}; see ${docs})` };
  const args = cargoArguments(crateDir, ["build", "--release", "--quiet"], env);
  const result = spawnSync("cargo", args, {
    cwd: crateDir,
    env,
    encoding: "utf8",
    stdio: ["ignore", "inherit", "pipe"],
  });
  if (echo || (echoFailure && result.status !== 0)) process.stderr.write(result.stderr ?? "");
  if (result.status === 0) return { ok: true };
  const lines = (result.stderr ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const first =
    lines.find((line) => line.startsWith("error")) ??
    lines[0] ??
    result.error?.message ??
    `cargo exited with ${result.status}`;
  const cause = lines.at(-1);
  const why = cause !== undefined && cause !== first ? `${first} (${cause})` : first;
  const hint =
    registry === "crates-io"
      ? `; offline, set ${registryVariable}=debian to build from Debian's packages (${docs})`
      : "";
  return { ok: false, reason: `${name} did not build from ${registry}: ${why}${hint}` };
}

// node scripts/cargo.mjs build DIR...   builds each crate, or says why not and exits 1
// node scripts/cargo.mjs debian-packages  prints the Debian packages, for apt-get
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command, ...dirs] = process.argv.slice(2);
  if (command === "debian-packages" && dirs.length === 0) {
    console.log(debianPackages.join(" "));
  } else if (command === "build" && dirs.length > 0) {
    for (const dir of dirs) {
      const built = cargoBuild(resolve(dir), { echoFailure: true });
      if (!built.ok) {
        console.error(`cargo: ${built.reason}`);
        process.exit(1);
      }
    }
  } else {
    console.error("usage: node scripts/cargo.mjs build DIR... | debian-packages");
    process.exit(2);
  }
}
