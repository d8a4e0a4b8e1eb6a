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

/** How the bytes of an input are written. `auto`: hex text if it is hex text, else raw bytes. */
export type InputFormat = "auto" | "hex" | "base64" | "raw";

// ASCII whitespace only (JavaScript's \s also matches bytes such as 0xA0 read as latin1).
const space = /[ \t\r\n\f\v]+/g;
const hexText = /^[0-9a-fA-F \t\r\n\f\v]*$/;
const base64Text = /^[A-Za-z0-9+/_-]*={0,2}$/;
const utf8Bom = "\u00ef\u00bb\u00bf"; // EF BB BF read as latin1

function fromText(text: string, format: "hex" | "base64", where: string): Uint8Array {
  const compact = (text.startsWith(utf8Bom) ? text.slice(utf8Bom.length) : text).replace(space, "");
  if (format === "base64") {
    if (!base64Text.test(compact)) throw new CliError(`${where} is not base64 text`);
    return new Uint8Array(Buffer.from(compact, "base64"));
  }
  try {
    return hexToBytes(compact);
  } catch (err) {
    throw new CliError(`${where}: ${(err as Error).message}`);
  }
}

/**
 * The bytes named by `input`: hex text (or base64), `@path`, or `-`/undefined
 * for stdin. A file or stdin holds raw bytes or hex/base64 text: `auto` reads
 * it as hex when it is nothing but hex digits and whitespace (a UTF-8 BOM
 * allowed), else as raw bytes; `--raw`/`--hex` say which when that guess is
 * wrong (raw bytes that happen to be all hex digits).
 */
export async function readBytes(input: string | undefined, format: InputFormat, stdin: NodeJS.ReadableStream): Promise<Uint8Array> {
  const fromStdin = input === undefined || input === "-";
  if (!fromStdin && !input.startsWith("@")) {
    if (format === "raw") throw new CliError("--raw applies to @file or stdin input, not to an argument");
    return fromText(input, format === "base64" ? "base64" : "hex", "input");
  }
  const where = fromStdin ? "stdin" : input.slice(1);
  const raw = fromStdin ? await readStdin(stdin) : readPath(input.slice(1));
  if (format === "raw") return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  const text = raw.toString("latin1");
  if (format === "hex" || format === "base64") return fromText(text, format, where);
  if (raw.length > 0 && hexText.test(text.startsWith(utf8Bom) ? text.slice(utf8Bom.length) : text) && /[0-9a-fA-F]/.test(text)) {
    return fromText(text, "hex", where);
  }
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
