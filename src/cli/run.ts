/**
 * Argument dispatch of the `actr-abi` command. Every failure it can foresee
 * (bad arguments, bad input, bytes that do not decode) is one line on stderr
 * and exit code 1, never a stack trace.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { AbiError } from "../errors.js";
import { runCheck } from "./check.js";
import { runCodes } from "./codes.js";
import { runDecode } from "./decode.js";
import { runEncode } from "./encode.js";
import { CliError } from "./errors.js";

/** Where the command reads and writes. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** The version of this package, from its package.json. */
export function packageVersion(): string {
  const url = new URL("../../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
}

/** The help text of `actr-abi` itself. */
export const usage = `Usage: actr-abi <command> [options]

Inspect, build and check actr DynClib ABI frames. The wire contract is
docs/abi.md in this package (node_modules/@actr/dynclib-abi/docs/abi.md).

Commands:
  decode [INPUT]              show an AbiFrame (or --as MessageName), decoded
  encode NAME|--op OP [JSON]  build a message or an op's frame from JSON, print hex
  check                       the conformance line protocol on stdin/stdout
  codes                       the ABI's code tables

Options:
  -h, --help     show help (also per command: actr-abi decode --help)
  -V, --version  show the version

Example:
  actr-abi decode @examples/guest-handle.bin
`;

const commands = new Map<string, (args: string[], io: CliIo) => number | Promise<number>>([
  ["decode", runDecode],
  ["encode", runEncode],
  ["check", runCheck],
  ["codes", runCodes],
]);

function describe(err: unknown): string | undefined {
  if (err instanceof CliError || err instanceof AbiError) return err.message;
  // parseArgs reports unknown options and missing values with a code.
  const codeOf = (err as { code?: unknown }).code;
  if (err instanceof Error && typeof codeOf === "string" && codeOf.startsWith("ERR_PARSE_ARGS")) return err.message;
  return undefined;
}

/** Runs the command with `args`; resolves to the exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined) {
    io.stderr.write(usage);
    return 1;
  }
  if (name === "-h" || name === "--help" || name === "help") {
    io.stdout.write(usage);
    return 0;
  }
  if (name === "-V" || name === "--version") {
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const command = commands.get(name);
  try {
    if (command === undefined) throw new CliError(`unknown command "${name}" (see actr-abi --help)`);
    return await command(rest, io);
  } catch (err) {
    const message = describe(err);
    if (message === undefined) throw err;
    io.stderr.write(`${command === undefined ? "actr-abi" : `actr-abi ${name}`}: ${message}\n`);
    return 1;
  }
}
