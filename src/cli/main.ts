#!/usr/bin/env node
/**
 * The `actr-abi` command: inspect, build and check DynClib ABI frames.
 *
 * @module
 */
import { runCli } from "./dispatch.js";

// A reader that stops early (`actr-abi check | head -1`) is not an error.
// Output that cannot be written (ENOSPC on a full disk) is one line on stderr.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  process.stderr.write(`actr-abi: cannot write the output: ${err.code ?? err.message}\n`);
  process.exit(1);
});
process.stderr.on("error", (err: NodeJS.ErrnoException) =>
  process.exit(err.code === "EPIPE" ? (process.exitCode ?? 0) : 1),
);

process.exitCode = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
