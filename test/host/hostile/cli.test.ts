// Host hardening (issue 24), item 11: `actr-abi run` (the built command, in a
// child process with a timeout) against the hostile guest (test/hostile/).
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { hostileGuest, hostileGuests } from "../hostile-guest.js";
import { childEnv, root } from "./run-scenario.js";

const main = `${root}dist/src/cli/main.js`;

/** `actr-abi run GUEST ...args` with HOSTILE_MODE=`mode`, killed after `timeoutMs`. */
function run(library: string, mode: string, args: string[], timeoutMs = 20_000) {
  const started = performance.now();
  const child = spawnSync(process.execPath, [main, "run", library, ...args], {
    cwd: root,
    env: childEnv({ HOSTILE_MODE: mode }),
    encoding: "utf8",
    timeout: timeoutMs,
    killSignal: "SIGKILL",
  });
  const lines = child.stderr.split("\n").filter((line) => line !== "");
  const shown = `status ${child.status}, signal ${child.signal}\nstdout: ${child.stdout}\nstderr: ${child.stderr}`;
  return {
    ...child,
    lines,
    shown,
    elapsedMs: performance.now() - started,
    timedOut: (child.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT",
  };
}

const skip = "skip" in hostileGuest ? hostileGuest.skip : undefined;
const gen1 = "library" in hostileGuest ? hostileGuest.library : "";

describe.skipIf(skip !== undefined)(
  `actr-abi run against hostile guests${skip === undefined ? "" : ` (skipped: ${skip})`}`,
  () => {
    it("a refused free_host_buf (a pointer the host never handed out) shows in the trace as a free, not as an invoke", () => {
      const r = run(gen1, "bad-free", ["--route", "x", "--brief"]);
      expect(r.timedOut, r.shown).toBe(false);
      expect(r.status, r.shown).toBe(0); // the guest still answered "freed"
      const frees = r.lines.filter((line) => line.includes("free_host_buf"));
      expect(frees, r.shown).toHaveLength(1);
      expect(
        r.lines.filter((line) => /invoke/i.test(line)),
        r.shown,
      ).toEqual([]);
    });

    for (const { generation, build } of hostileGuests) {
      const library = "library" in build ? build.library : "";
      it(`generation ${generation}: --timeout 500 with a guest whose actr_handle never returns exits 1 with one line on stderr naming the timeout, within the bound`, () => {
        const r = run(library, "hang", ["--route", "x", "--brief", "--timeout", "500"], 20_000);
        expect(r.timedOut, r.shown).toBe(false);
        expect(r.status, r.shown).toBe(1);
        const mentions = r.lines.filter((line) => /time(d)?[ -]?out|--timeout/i.test(line));
        expect(mentions, r.shown).toHaveLength(1);
        expect(mentions[0]).toMatch(/^actr-abi run: /);
        expect(r.lines.at(-1)).toBe(mentions[0]);
        expect(r.elapsedMs).toBeLessThan(500 + 5000);
      });
    }

    it("a guest that crashes the process (SIGSEGV in actr_handle): one line naming the signal, and a non-zero exit", () => {
      const r = run(gen1, "segv-handle", ["--route", "x", "--brief"]);
      expect(r.timedOut, r.shown).toBe(false);
      expect(r.status === 0 && r.signal === null, r.shown).toBe(false);
      expect(
        r.lines.filter((line) => line.includes("SIGSEGV")),
        r.shown,
      ).toHaveLength(1);
    });
  },
);
