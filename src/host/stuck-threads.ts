/**
 * A thread left inside a guest that never returned (past `callTimeoutMs`)
 * would hold the process forever at its exit, where Node joins its worker
 * threads: one stuck in native code never ends. Once there is such a
 * thread, the process ends at its `exit` event with `_exit`, which joins
 * nothing (the `exit` listeners added before this one have run; output
 * written to pipes, files and terminals is already out, as Node writes them
 * synchronously on POSIX).
 *
 * @module
 */
import { exitNow } from "./native-memory.js";

let stuckThreads = 0;

/** Notes one more thread stuck in a guest; from the first, the process exits without joining threads. */
export function noteStuckThread(): void {
  if (stuckThreads++ > 0) return;
  process.on("exit", (exitCode) => exitNow(typeof exitCode === "number" ? exitCode : 0));
}
