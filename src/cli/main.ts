#!/usr/bin/env node
/**
 * The `actr-abi` command: inspect, build and check DynClib ABI frames.
 *
 * @module
 */
import { runCli } from "./run.js";

// A reader that stops early (`actr-abi check | head -1`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
