/**
 * Argument dispatch of the `actr-abi` command.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { runCheck } from "./check.js";

/** Where the command reads and writes. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** A usage error or bad input: one line on stderr, exit code 1. */
export class CliError extends Error {}

const packageVersion = (): string =>
  (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }).version;

const usage = `Usage: actr-abi <command> [options]

Inspect, build and check actr DynClib ABI frames.

Commands:
  decode [INPUT]            decode an AbiFrame (or --as MessageName) and show it
  encode NAME|--op OP JSON  build a message or a frame from JSON, print hex
  check                     the conformance line protocol on stdin/stdout
  codes                     the ABI code tables

Options:
  -h, --help     show help (also after a command: actr-abi decode --help)
  -V, --version  show the version
`;

/** Runs the command with `args`; resolves to the exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case undefined:
      case "-h":
      case "--help":
        io.stdout.write(usage);
        return command === undefined ? 1 : 0;
      case "-V":
      case "--version":
        io.stdout.write(`${packageVersion()}\n`);
        return 0;
      case "check":
        if (rest.includes("--help") || rest.includes("-h")) {
          io.stdout.write(checkUsage);
          return 0;
        }
        if (rest.length > 0) throw new CliError(`check takes no arguments, got ${rest.join(" ")}`);
        await runCheck(io.stdin, io.stdout);
        return 0;
      default:
        throw new CliError(`unknown command "${command}" (try actr-abi --help)`);
    }
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr.write(`actr-abi: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

const checkUsage = `Usage: actr-abi check

Reads lines "<MessageName> <hex>" on stdin and answers each, in order, with
"ok <hex of the canonical re-encoding>" or "err <reason>".
MessageName is a bare message name of the ABI (AbiFrame, ActrId, ...).
`;
