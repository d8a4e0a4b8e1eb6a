// Runs a hostile-guest scenario (scenario.mjs) in a child process, with a
// timeout, and reads back its RESULT line, how it ended, and how long it took.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hostileBuildDir } from "../hostile-guest.js";

const scenarioScript = fileURLToPath(new URL("./scenario.mjs", import.meta.url));
export const root = fileURLToPath(new URL("../../..", import.meta.url));

/** An error as the scenario reports it. */
export interface ReportedError {
  readonly name: string;
  readonly abiError: boolean;
  readonly status?: number;
  readonly message: string;
  readonly typeError: boolean;
  /** Milliseconds since the scenario started. */
  readonly at: number;
  readonly operation?: string;
}

/** How a call settled in the scenario. */
export type Outcome =
  | { readonly ok: true; readonly value: string; readonly at: number }
  | { readonly ok: false; readonly error: ReportedError; readonly at: number };

/** The RESULT line: what the scenario printed, with the host errors reported and the handler's calls. */
export interface ScenarioResult {
  readonly hostErrors: ReportedError[];
  readonly handlerCalls: { kind: string; at: number; callReturned?: boolean }[];
  readonly [key: string]: unknown;
}

export interface ScenarioRun {
  /** The parsed RESULT line; undefined when the child printed none. */
  readonly result: ScenarioResult | undefined;
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when the child was killed at the timeout. */
  readonly timedOut: boolean;
  /** Wall-clock milliseconds from spawn to exit. */
  readonly elapsedMs: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The HOSTILE_* variables of the hostile guest (test/hostile/README.md). */
export interface HostileEnv {
  readonly HOSTILE_MODE: string;
  readonly HOSTILE_SLEEP_MS?: string;
  readonly HOSTILE_COUNT?: string;
  readonly HOSTILE_OUT?: string;
  readonly TMPDIR?: string;
}

/** The environment of a child: this one's without any HOSTILE_* variable, plus `env`. */
export function childEnv(env: Partial<HostileEnv> = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("HOSTILE_")));
  return { ...base, ...env };
}

/**
 * Runs `scenario` (a key of scenario.mjs's table) with `args` in a child
 * `node`, killed with SIGKILL after `timeoutMs`.
 */
export function runScenario(
  args: { scenario: string; library: string; threading?: "worker" | "same-thread"; [key: string]: unknown },
  env: Partial<HostileEnv>,
  timeoutMs: number,
): ScenarioRun {
  const started = performance.now();
  const child = spawnSync(process.execPath, [scenarioScript, JSON.stringify(args)], {
    cwd: root,
    env: childEnv(env),
    encoding: "utf8",
    timeout: timeoutMs,
    killSignal: "SIGKILL",
    maxBuffer: 1 << 26,
  });
  const elapsedMs = performance.now() - started;
  const line = child.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  return {
    result: line === undefined ? undefined : (JSON.parse(line.slice("RESULT ".length)) as ScenarioResult),
    status: child.status,
    signal: child.signal,
    timedOut: (child.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT",
    elapsedMs,
    stdout: child.stdout,
    stderr: child.stderr,
  };
}

/** A fresh directory under test/hostile/build/ (on the same file system as the built guests, so hard links work). */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(hostileBuildDir, `${prefix}-`));
}

/** What to show when a child's outcome is not the one expected. */
export function explain(run: ScenarioRun): string {
  return `status ${run.status}, signal ${run.signal}${run.timedOut ? " (killed at the timeout)" : ""}, ${Math.round(run.elapsedMs)} ms\nstdout: ${run.stdout.slice(0, 4000)}\nstderr: ${run.stderr.slice(0, 4000)}`;
}
