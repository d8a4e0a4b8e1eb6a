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
import { constants } from "node:buffer";
import { UsageError } from "./errors.js";
import { drained } from "./output.js";
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

const maxStringLength = constants.MAX_STRING_LENGTH;

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
export async function runCheck(
  args: string[],
  io: { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream },
): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    io.stdout.write(checkUsage);
    return 0;
  }
  if (args.length > 0) throw new UsageError(`check takes no arguments, got ${args.join(" ")}`);
  await answerLines(io.stdin, io.stdout);
  return 0;
}

/**
 * Answers every line of `input` on `output`, in order, writing the answers
 * of each chunk as soon as the chunk's complete lines are read (so a driver
 * that sends one line and waits for its answer does not deadlock). Linear in
 * the input: a chunk is searched for newlines once, and the pieces of a line
 * that spans chunks are joined once, when its newline arrives. A line longer
 * than a string can be is answered with `err` and not kept in memory.
 */
export async function answerLines(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<void> {
  const line = new LineAssembler();
  input.setEncoding("utf8");
  for await (const chunk of input as AsyncIterable<string>) {
    let answers = "";
    let start = 0;
    for (let newline = chunk.indexOf("\n"); newline !== -1; newline = chunk.indexOf("\n", start)) {
      answers += line.answer(chunk.slice(start, newline)) + "\n";
      start = newline + 1;
    }
    line.add(chunk.slice(start));
    if (answers.length > 0 && !output.write(answers)) await drained(output);
  }
  if (!line.isEmpty()) output.write(line.answer("") + "\n");
}

/** The start of the current line, from earlier chunks: kept while it can still become a string. */
class LineAssembler {
  private pieces: string[] = [];
  private length = 0;

  add(piece: string): void {
    this.length += piece.length;
    if (this.length > maxStringLength)
      this.pieces = []; // too long to answer but with err: keep only the count
    else if (piece.length > 0) this.pieces.push(piece);
  }

  isEmpty(): boolean {
    return this.length === 0;
  }

  /** The answer to the line that ends with `last`; starts the next line. */
  answer(last: string): string {
    const length = this.length + last.length;
    const text = length > maxStringLength ? undefined : this.pieces.join("") + last;
    this.pieces = [];
    this.length = 0;
    return text === undefined
      ? `err a line of ${length} characters is longer than this command can read (${maxStringLength})`
      : checkLine(text);
  }
}
