#!/usr/bin/env node
/**
 * The `actr-abi` command: inspect, build and check DynClib ABI frames.
 *
 * @module
 */
import { runCli } from "./run.js";

process.exitCode = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
