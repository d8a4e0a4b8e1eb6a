// The hostile C guest (test/hostile/hostile.c), built with gcc into
// test/hostile/build/ (gitignored) in both ABI generations, for the host
// hardening tests (issue 24). Without gcc its tests skip with one line saying
// why; under CI (CI=true) that is an error instead, as for the Rust test guests.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, renameSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { underCI } from "./test-guest.js";

/** The directory of the C source and its README. */
export const hostileDir = fileURLToPath(new URL("../hostile/", import.meta.url));
/** Where the libraries are built (gitignored). */
export const hostileBuildDir = `${hostileDir}build`;

export type HostileBuild = { library: string } | { skip: string };

/** Whether gcc runs. */
const gcc = spawnSync("gcc", ["--version"], { stdio: "ignore" }).status === 0;

/**
 * Builds hostile.c for `generation` into `test/hostile/build/<name>` and
 * returns its path, or why it cannot be built. Each build goes to a file of
 * its own and is renamed into place, so that test files built in parallel
 * never load a half-written library.
 */
function build(generation: 1 | 2): HostileBuild {
  if (process.platform !== "linux")
    return { skip: `the hostile guest is built and run on Linux only (this is ${process.platform})` };
  if (!gcc) {
    if (underCI) throw new Error("CI is set, and the hostile-guest tests would skip: gcc is not installed");
    return { skip: "gcc is not installed" };
  }
  mkdirSync(hostileBuildDir, { recursive: true });
  const library = `${hostileBuildDir}/${generation === 1 ? "libhostile.so" : "libhostile-gen2.so"}`;
  const partial = `${library}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const defines = generation === 2 ? ["-DGEN2"] : [];
  execFileSync(
    "gcc",
    [
      "-shared",
      "-fPIC",
      "-O1",
      "-pthread",
      "-Wall",
      "-Wextra",
      "-Werror",
      ...defines,
      "-o",
      partial,
      `${hostileDir}hostile.c`,
    ],
    { stdio: "inherit" },
  );
  renameSync(partial, library);
  return { library };
}

/** The generation-1 hostile guest (two-slot vtable), or why its tests skip. */
export const hostileGuest = build(1);
/** The generation-2 hostile guest (`-DGEN2`: `actr_shutdown`, four-slot vtable, bridge tokens), or why its tests skip. */
export const hostileGuestGen2 = build(2);

/** Both, by generation. */
export const hostileGuests = [
  { generation: 1, build: hostileGuest },
  { generation: 2, build: hostileGuestGen2 },
] as const;
