/**
 * `actr-abi check`: the conformance line protocol. Each input line is
 * `<MessageName> <hex>`; each output line is `ok <hex of the canonical
 * re-encoding>` or `err <reason>`, in input order.
 *
 * @module
 */
import { decodeMessage, encodeMessage } from "../codec.js";
import { AbiError } from "../errors.js";
import { messageSchemas } from "../schemas.js";
import { CliError } from "./errors.js";
import { bytesToHex, hexToBytes } from "./hex.js";

/**
 * The answer to one line of the protocol, without its newline. Anything from
 * the first TAB on is a comment and is ignored, as the prost oracle does.
 */
export function checkLine(input: string): string {
  const tab = input.indexOf("\t");
  const line = (tab === -1 ? input : input.slice(0, tab)).trimEnd();
  const space = line.indexOf(" ");
  const name = space === -1 ? line : line.slice(0, space);
  const hex = space === -1 ? "" : line.slice(space + 1).trim();
  const schema = messageSchemas.get(name);
  if (schema === undefined) return `err unknown message ${name}`;
  let bytes: Uint8Array;
  try {
    bytes = hexToBytes(hex);
  } catch (err) {
    return `err ${(err as Error).message}`;
  }
  try {
    return `ok ${bytesToHex(encodeMessage(schema, decodeMessage(schema, bytes)))}`;
  } catch (err) {
    if (err instanceof AbiError) return `err ${err.message}`;
    throw err;
  }
}

/** The help text of `actr-abi check`. */
export const checkUsage = `Usage: actr-abi check

Reads lines "<MessageName> <hex>" on stdin and answers each, in order, with
"ok <lowercase hex of the canonical re-encoding>" (decoded and re-encoded as
prost does; nothing after "ok " when that is empty) or "err <reason>".
MessageName is a bare name of the ABI's messages (AbiFrame, ActrId, ...);
anything after a TAB is ignored. This is the protocol of the prost oracle in
conformance/oracle.
`;

/** Runs `check` with its arguments; resolves to the exit code. */
export async function runCheck(args: string[], io: { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream }): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    io.stdout.write(checkUsage);
    return 0;
  }
  if (args.length > 0) throw new CliError(`check takes no arguments, got ${args.join(" ")}`);
  await answerLines(io.stdin, io.stdout);
  return 0;
}

/**
 * Answers every line of `input` on `output`, in order, writing the answers
 * of each chunk as soon as the chunk's complete lines are read (so a driver
 * that sends one line and waits for its answer does not deadlock).
 */
export async function answerLines(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<void> {
  let pending = "";
  input.setEncoding("utf8");
  for await (const chunk of input as AsyncIterable<string>) {
    pending += chunk;
    const last = pending.lastIndexOf("\n");
    if (last === -1) continue;
    const lines = pending.slice(0, last).split("\n");
    pending = pending.slice(last + 1);
    let answers = "";
    for (const line of lines) answers += checkLine(line) + "\n";
    if (!output.write(answers)) await drained(output);
  }
  if (pending.length > 0) output.write(checkLine(pending) + "\n");
}

/** Resolves when `output` can take more, or has closed or failed (then there is no one left to answer). */
function drained(output: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      output.off("drain", done);
      output.off("close", done);
      output.off("error", done);
      resolve();
    };
    output.once("drain", done);
    output.once("close", done);
    output.once("error", done);
  });
}
