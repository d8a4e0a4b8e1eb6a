/**
 * The script of `actr-abi run --script FILE`: the calls of one session, one
 * a line, each written as the command's options or as a JSON object.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { CliError } from "./errors.js";
import { callOptions, type CallOptionValues, type GuestCall, parseGuestCall } from "./guest-calls.js";

/**
 * The words of a shell-like line: whitespace separates words; '…' quotes
 * anything; "…" quotes anything but `\"` and `\\`; no variables, no globs.
 *
 * @throws CliError for an unterminated quote.
 */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === " " || c === "\t") {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'" || c === '"') {
      let end = i + 1;
      let quoted = "";
      for (; end < line.length && line[end] !== c; end++) {
        if (c === '"' && line[end] === "\\" && (line[end + 1] === '"' || line[end + 1] === "\\")) end++;
        quoted += line[end];
      }
      if (end >= line.length) throw new CliError(`unterminated ${c} quote`);
      word = (word ?? "") + quoted;
      i = end;
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

const camelToOption = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * A JSON line as the options it stands for: each key is an option name
 * (`route`, `request-id` or `requestId`, ...); `metadata` may be an object or
 * a list of `key=value`; `event` and `data-stream` may be JSON values.
 */
function jsonLineOptions(json: unknown): CallOptionValues {
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new CliError("a JSON line must be an object");
  const values: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(json)) {
    const name = camelToOption(key);
    if (!(name in callOptions))
      throw new CliError(`unknown key "${key}" (one of ${Object.keys(callOptions).join(", ")})`);
    if (name === "metadata") {
      values.metadata = Array.isArray(value)
        ? value.map(String)
        : typeof value === "object" && value !== null
          ? Object.entries(value).map(([k, v]) => `${k}=${String(v)}`)
          : [String(value)];
    } else {
      values[name] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return values as CallOptionValues;
}

/** The options of a line written as the command's options (`--route echo --payload 6869`). */
function wordLineOptions(line: string): CallOptionValues {
  let parsed;
  try {
    parsed = parseArgs({ args: splitWords(line), options: callOptions, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs throws only for arguments it cannot read (an unknown option, a missing value).
    throw new CliError((err as Error).message);
  }
  const { values, positionals } = parsed;
  // A hook's event may follow it as a bare JSON argument, as on the command line.
  if (
    positionals.length > 1 ||
    (positionals.length === 1 && (values.hook === undefined || values.event !== undefined))
  ) {
    throw new CliError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  }
  return positionals.length === 1 ? { ...values, event: positionals[0] } : values;
}

/**
 * The calls of a script, in order. Empty lines and lines starting with `#`
 * are skipped.
 *
 * @throws CliError naming the line (`script line 3: ...`) that is wrong.
 */
export async function parseScript(text: string, stdin: NodeJS.ReadableStream): Promise<GuestCall[]> {
  const calls: GuestCall[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    try {
      let values: CallOptionValues;
      if (line.startsWith("{")) {
        let json: unknown;
        try {
          json = JSON.parse(line);
        } catch (err) {
          throw new CliError(`not valid JSON: ${(err as Error).message}`);
        }
        values = jsonLineOptions(json);
      } else {
        values = wordLineOptions(line);
      }
      const call = await parseGuestCall(values, calls.length + 1, stdin);
      if (call === undefined) throw new CliError("sends nothing (give --route, --lifecycle, --hook or --data-stream)");
      calls.push(call);
    } catch (err) {
      if (err instanceof CliError) throw new CliError(`script line ${i + 1}: ${(err as Error).message}`);
      throw err;
    }
  }
  if (calls.length === 0) throw new CliError("the script holds no call");
  return calls;
}
