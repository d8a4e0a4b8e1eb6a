/**
 * Where the command's bytes and JSON come from: an argument, `@path`, or stdin.
 *
 * @module
 */
import { constants } from "node:buffer";
import { readFileSync } from "node:fs";
import { CliError, UsageError } from "./errors.js";
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
const utf8Bom = "\u00ef\u00bb\u00bf"; // EF BB BF read as latin1

/** The ASCII bytes of hex digits and whitespace, for telling hex text from raw bytes without making a string. */
const hexTextBytes = new Uint8Array(256);
for (const c of "0123456789abcdefABCDEF \t\r\n\f\v") hexTextBytes[c.charCodeAt(0)] = 1;

/** True when `raw` (after a UTF-8 BOM) is nothing but hex digits and whitespace, with at least one digit. */
function looksLikeHexText(raw: Uint8Array): boolean {
  const start = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? 3 : 0;
  let digits = false;
  for (let i = start; i < raw.length; i++) {
    const b = raw[i]!;
    if (hexTextBytes[b] === 0) return false;
    if (b > 0x20) digits = true;
  }
  return digits;
}

/** `raw` as latin1 text, or a CliError when it is longer than a string can be. */
function textOf(raw: Buffer, where: string): string {
  if (raw.length > constants.MAX_STRING_LENGTH) {
    throw new CliError(
      `${where}: ${raw.length} bytes of text is more than this command can read as text (${constants.MAX_STRING_LENGTH}); pass raw bytes with --raw`,
    );
  }
  return raw.toString("latin1");
}

/**
 * The bytes of strict base64 text (either alphabet, padding optional):
 * refused when the length cannot be base64 or the text does not read back as
 * itself, so no character is silently dropped.
 */
function base64ToBytes(text: string, where: string): Uint8Array {
  const unpadded = text.replace(/={1,2}$/, "");
  const malformed = () => new CliError(`${where} is not base64 text`);
  if (
    /[^A-Za-z0-9+/_-]/.test(unpadded) ||
    unpadded.length % 4 === 1 ||
    (unpadded.length !== text.length && text.length % 4 !== 0)
  ) {
    throw malformed();
  }
  if (/[+/]/.test(unpadded) && /[-_]/.test(unpadded))
    throw new CliError(`${where} mixes the base64 and base64url alphabets`);
  const bytes = Buffer.from(unpadded, "base64");
  // Every character counts only when the text is the canonical encoding of what it decodes to (no stray trailing bits).
  const canonical = bytes.toString(/[-_]/.test(unpadded) ? "base64url" : "base64").replace(/=+$/, "");
  if (canonical !== unpadded)
    throw new CliError(`${where} is not canonical base64 (its last character carries bits that are not zero)`);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function fromText(text: string, format: "hex" | "base64", where: string): Uint8Array {
  const compact = (text.startsWith(utf8Bom) ? text.slice(utf8Bom.length) : text).replace(space, "");
  if (format === "base64") return base64ToBytes(compact, where);
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
export async function readBytes(
  input: string | undefined,
  format: InputFormat,
  stdin: NodeJS.ReadableStream,
): Promise<Uint8Array> {
  const fromStdin = input === undefined || input === "-";
  if (!fromStdin && !input.startsWith("@")) {
    if (format === "raw") throw new UsageError("--raw applies to @file or stdin input, not to an argument");
    return fromText(input, format === "base64" ? "base64" : "hex", "input");
  }
  const where = fromStdin ? "stdin" : input.slice(1);
  const raw = fromStdin ? await readStdin(stdin) : readPath(input.slice(1));
  const asBytes = () => new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (format) {
    case "raw":
      return asBytes();
    case "hex":
    case "base64":
      return fromText(textOf(raw, where), format, where);
    case "auto":
      return looksLikeHexText(raw) ? fromText(textOf(raw, where), "hex", where) : asBytes();
  }
}

/** The JSON text named by `input`: the argument itself, `@path`, or `-`/undefined for stdin. */
export async function readJson(input: string | undefined, stdin: NodeJS.ReadableStream): Promise<unknown> {
  const fromStdin = input === undefined || input === "-";
  const where = fromStdin ? "stdin" : input.startsWith("@") ? input.slice(1) : "the JSON argument";
  let text: string;
  if (fromStdin || input.startsWith("@")) {
    const raw = fromStdin ? await readStdin(stdin) : readPath(input.slice(1));
    if (raw.length > constants.MAX_STRING_LENGTH) {
      throw new CliError(
        `${where}: ${raw.length} bytes of JSON is more than this command can read (${constants.MAX_STRING_LENGTH})`,
      );
    }
    text = raw.toString("utf8");
  } else {
    text = input;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${where} is not valid JSON: ${(err as Error).message}`);
  }
  rejectInexactNumbers(json, where);
  return json;
}

/**
 * Refuses a JSON number beyond 2^53 - 1: `JSON.parse` has already rounded it
 * (9007199254740993 reads as ...992), so a 64-bit integer that large must be
 * written as a string, as the protobuf JSON mapping allows. Iterative, so
 * deeply nested JSON cannot overflow the stack.
 */
function rejectInexactNumbers(json: unknown, where: string): void {
  // Each entry: the value, and where it is (its key and its parent's entry), so a path is built only for an error.
  interface Entry {
    readonly value: unknown;
    readonly key: string | number | undefined;
    readonly parent: Entry | undefined;
  }
  const pathOf = (entry: Entry): string => {
    const keys: string[] = [];
    for (let e: Entry | undefined = entry; e?.key !== undefined; e = e.parent)
      keys.push(typeof e.key === "number" ? `[${e.key}]` : `.${e.key}`);
    return keys.reverse().join("").replace(/^\./, "");
  };
  const pending: Entry[] = [{ value: json, key: undefined, parent: undefined }];
  for (let entry = pending.pop(); entry !== undefined; entry = pending.pop()) {
    const value = entry.value;
    if (typeof value === "number") {
      if (!(Math.abs(value) <= Number.MAX_SAFE_INTEGER)) {
        const path = pathOf(entry);
        throw new CliError(
          `${where}: the number at ${path === "" ? "the top" : path} is beyond 2^53 - 1, where JSON numbers lose digits: write it as a string ("18446744073709551615", not 18446744073709551615)`,
        );
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => pending.push({ value: item, key: i, parent: entry }));
    } else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) pending.push({ value: item, key, parent: entry });
    }
  }
}
