// The README's `actr-abi run` session is real: each `$ npx actr-abi run ...`
// line in a console block after `<!-- readme-run -->` runs against the test
// guest and prints what the README shows under it (trace and response, as a
// terminal shows them), durations aside. It exits 1 when the README's last
// line is the failure line, else 0.
import { describe, expect, it } from "vitest";
import { consoleSessions } from "../support/readme.js";
import { actrAbi } from "./run-cli.js";
import { testGuest } from "../host/test-guest.js";

const sessions = consoleSessions("readme-run");

/** The text with each duration replaced by `T`: only durations may differ from the README. */
const untimed = (text: string) => text.replace(/\d+(\.\d+)? (µs|ms)/g, "T");

const skip = "skip" in testGuest ? ` (skipped: ${testGuest.skip})` : undefined;

describe("README: actr-abi run", () => {
  it("shows a session against the test guest", () => {
    expect(sessions.length).toBeGreaterThan(0);
    expect(
      sessions.every((s) => s.command.startsWith("npx actr-abi run test/guest/target/release/libactr_test_guest.so")),
    ).toBe(true);
  });

  for (const { command, output } of sessions) {
    it.skipIf(skip !== undefined)(`${command}${skip ?? ""}`, () => {
      const [npx, bin, ...args] = command.split(/\s+/);
      expect([npx, bin]).toEqual(["npx", "actr-abi"]);
      const result = actrAbi(args);
      const shown = args.includes("--json") ? result.stdout + result.stderr : result.stderr + result.stdout;
      expect(untimed(shown)).toBe(untimed(output));
      expect(result.status).toBe(/^actr-abi run: .*\n$/.test(output.split("\n").slice(-2).join("\n")) ? 1 : 0);
    });
  }
});
