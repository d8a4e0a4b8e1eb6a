/**
 * Where the command's bytes and JSON come from: an argument, `@path`, or stdin.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { CliError } from "./errors.js";
import { hexToBytes } from "./hex.js";

/** Reads all of stdin. */
async function readStdin(stdin: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin as AsyncIterable<Buffer | string>) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks);
}

function readPath(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

const hexText = /^[0-9a-fA-F\s]*$/;
const base64Text = /^[A-Za-z0-9+/_\-\s]*={0,2}\s*$/;

function fromText(text: string, base64: boolean, where: string): Uint8Array {
  if (base64) {
    if (!base64Text.test(text)) throw new CliError(`${where} is not base64 text`);
    return new Uint8Array(Buffer.from(text.replace(/\s+/g, ""), "base64"));
  }
  try {
    return hexToBytes(text.replace(/\s+/g, ""));
  } catch (err) {
    throw new CliError(`${where}: ${(err as Error).message}`);
  }
}

/**
 * The bytes named by `input`: hex text (or base64 with `base64`), `@path` (a
 * file of raw bytes, or of hex/base64 text), or `-`/undefined for stdin (raw
 * bytes, or hex/base64 text).
 */
export async function readBytes(input: string | undefined, base64: boolean, stdin: NodeJS.ReadableStream): Promise<Uint8Array> {
  if (input !== undefined && input !== "-" && !input.startsWith("@")) return fromText(input, base64, "input");
  const where = input === undefined || input === "-" ? "stdin" : input.slice(1);
  const raw = input === undefined || input === "-" ? await readStdin(stdin) : readPath(input.slice(1));
  const text = raw.toString("latin1");
  if (base64) return fromText(text, true, where);
  // Text of hex digits is hex; anything else is the raw bytes themselves.
  if (raw.length > 0 && hexText.test(text) && /[0-9a-fA-F]/.test(text)) return fromText(text, false, where);
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}

/** The JSON text named by `input`: the argument itself, `@path`, or `-`/undefined for stdin. */
export async function readJson(input: string | undefined, stdin: NodeJS.ReadableStream): Promise<unknown> {
  const where = input === undefined || input === "-" ? "stdin" : input.startsWith("@") ? input.slice(1) : "the JSON argument";
  const text =
    input === undefined || input === "-"
      ? (await readStdin(stdin)).toString("utf8")
      : input.startsWith("@")
        ? readPath(input.slice(1)).toString("utf8")
        : input;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`${where} is not valid JSON: ${(err as Error).message}`);
  }
}
