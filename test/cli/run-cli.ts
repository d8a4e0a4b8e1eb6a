// Runs the built `actr-abi` command as a child process.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../..", import.meta.url));
const main = fileURLToPath(new URL("../../dist/src/cli/main.js", import.meta.url));

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `actr-abi ...args` in the repository root, with `input` on stdin. */
export function actrAbi(args: string[], input?: string | Uint8Array): CliResult {
  const result = spawnSync(process.execPath, [main, ...args], {
    cwd: root,
    input,
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Asserts-free helper: a failed run (exit 1, or 2 for a usage error) whose stderr is one line naming the problem, with no stack trace. */
export function isOneLineError(result: CliResult): boolean {
  return (
    (result.status === 1 || result.status === 2) &&
    result.stdout === "" &&
    /^actr-abi[^\n]*: [^\n]+\n$/.test(result.stderr) &&
    !result.stderr.includes("    at ")
  );
}
