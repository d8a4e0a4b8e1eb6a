// The Rust test guest (test/guest), built once per test process with cargo,
// offline from Debian's crates as CI does; and a C compiler, when there is one.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { root } from "./run-cli.js";

export interface TestGuest {
  /** The built library; undefined when it cannot be built here. */
  readonly path: string | undefined;
  /** Why the tests that need it are skipped (names the missing tool), when they are. */
  readonly skipReason: string | undefined;
  /** A C compiler command (cc or gcc), when one is installed. */
  readonly cc: string | undefined;
}

const installed = (command: string) => spawnSync(command, ["--version"], { stdio: "ignore" }).status === 0;

let built: TestGuest | undefined;

/** Builds the test guest (a no-op when it is up to date). A build failure with cargo present fails loudly. */
export function testGuest(): TestGuest {
  if (built !== undefined) return built;
  const cc = ["cc", "gcc"].find(installed);
  if (!installed("cargo")) {
    built = { path: undefined, skipReason: " (skipped: cargo is not installed)", cc };
    return built;
  }
  const dir = join(root, "test/guest");
  // cargo reads .cargo/config.toml (the offline Debian registry) from the directory it runs in.
  const cargo = spawnSync("cargo", ["build", "--release", "--offline", "--quiet"], { cwd: dir, encoding: "utf8" });
  if (cargo.status !== 0) throw new Error(`cargo build of test/guest failed:\n${cargo.stderr}`);
  built = { path: join(dir, "target/release/libactr_test_guest.so"), skipReason: undefined, cc };
  return built;
}
