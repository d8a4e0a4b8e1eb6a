// Packs the package as `npm pack` would publish it, into a directory of the
// caller's (never the working tree), from the dist/ the Vitest global setup built.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** What `npm pack --json` reports about one tarball. */
export interface PackedTarball {
  /** Absolute path of the `.tgz`. */
  readonly path: string;
  /** The files in the tarball, relative to the package root, with their modes. */
  readonly files: readonly { readonly path: string; readonly mode: number }[];
}

/** Runs `npm pack` (lifecycle scripts skipped: dist/ is already built) into `destination`. */
export function packTarball(destination: string): PackedTarball {
  const out = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", destination], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  const [packed] = JSON.parse(out) as { filename: string; files: { path: string; mode: number }[] }[];
  return { path: join(destination, packed!.filename), files: packed!.files };
}
