/**
 * The command dispatcher of `actr-abi`: picks the command from the
 * arguments and runs it. Every failure it can foresee
 * (bad arguments, bad input, bytes that do not decode) is one line on stderr,
 * never a stack trace: exit code 2 for a usage error, 1 for a failed
 * operation, 0 for success (see errors.ts).
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { AbiError } from "../errors.js";
import { runCheck } from "./check.js";
import { runCodes } from "./codes.js";
import { runDecode } from "./decode.js";
import { runEncode } from "./encode.js";
import { CliError, exitCodeOf, UsageError } from "./errors.js";
import type { CliIo } from "./io.js";
import { runGuest } from "./run-guest.js";

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
  run GUEST.so [CALL]         load a guest, send it calls, answer its invokes,
                              and trace every frame that crosses (strace for the ABI)

Options:
  -h, --help     show help (also per command: actr-abi help decode,
                 actr-abi decode --help)
  -V, --version  show the version

Examples:
  actr-abi decode 080110051a0a0a0863616d6572612d31
  actr-abi encode --op HOST_REGISTER_STREAM '{"streamId": "camera-1"}'
`;

const commands = new Map<string, (args: string[], io: CliIo) => number | Promise<number>>([
  ["decode", runDecode],
  ["encode", runEncode],
  ["check", runCheck],
  ["codes", runCodes],
  ["run", runGuest],
]);

/**
 * The one-line text of a failure the command foresees, or undefined for a
 * defect (shown with its stack). Foreseen: its own and the ABI's errors,
 * parseArgs's (`ERR_PARSE_ARGS_*`), Node's and the system's (a `code` such as
 * `ERR_STRING_TOO_LONG` or `ENOSPC`), and running out of room for an input
 * (a `RangeError` from an allocation).
 */
function describe(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  if (err instanceof CliError || err instanceof AbiError) return err.message;
  const codeOf = (err as { code?: unknown }).code;
  if (typeof codeOf === "string" && /^(ERR_|E[A-Z]+$)/.test(codeOf)) return `${err.message} (${codeOf})`;
  if (err instanceof RangeError && /allocation failed|Invalid (string|array|typed array) length/.test(err.message)) {
    return `the input is too large for this command: ${err.message}`;
  }
  return undefined;
}

/** `text` on one line: parseArgs and Node put newlines in some messages. */
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, " ");

/** Runs the command with `args`; resolves to the exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined) {
    io.stderr.write(usage);
    return 2;
  }
  if (name === "-h" || name === "--help") {
    io.stdout.write(usage);
    return 0;
  }
  if (name === "help") return help(rest, io);
  if (name === "-V" || name === "--version") {
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const command = commands.get(name);
  try {
    if (command === undefined) throw new UsageError(`unknown command "${name}" (see actr-abi --help)`);
    return await command(rest, io);
  } catch (err) {
    const message = describe(err);
    if (message === undefined) throw err;
    io.stderr.write(`${command === undefined ? "actr-abi" : `actr-abi ${name}`}: ${oneLine(message)}\n`);
    return exitCodeOf(err);
  }
}

/** `actr-abi help [COMMAND]`: the help of the command, or of `actr-abi` itself. */
async function help(args: readonly string[], io: CliIo): Promise<number> {
  const [topic, ...extra] = args;
  if (topic === undefined) {
    io.stdout.write(usage);
    return 0;
  }
  const command = commands.get(topic);
  if (command === undefined || extra.length > 0) {
    const problem = command === undefined ? `unknown command "${topic}"` : `help takes one COMMAND, got ${args.length}`;
    io.stderr.write(`actr-abi help: ${oneLine(problem)} (commands: ${[...commands.keys()].join(", ")})\n`);
    return 2;
  }
  return command(["--help"], io);
}
