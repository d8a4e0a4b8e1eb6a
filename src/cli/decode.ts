/**
 * `actr-abi decode`: show what crossed the ABI.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { AbiFrameSchema } from "../../gen/actr/dynclib/v1/abi_pb.js";
import { decodeMessage } from "../codec.js";
import { messageSchema } from "../schemas.js";
import { CliError, UsageError } from "./errors.js";
import { formatMessage } from "./format.js";
import { readBytes } from "./input.js";
import { messageToJson, writeJson } from "./json.js";
import type { CliIo } from "./io.js";

/** The help text of `actr-abi decode`. */
export const decodeUsage = `Usage: actr-abi decode [INPUT] [options]

Decodes an AbiFrame (or the message named by --as) and shows it: op and
status by name and number, the payload decoded by its op, a GUEST_HANDLE's
rpc_envelope decoded as actr.RpcEnvelope, 64-bit integers exact, bytes as hex.

INPUT is hex text, base64 text with --base64, @path (a file of raw bytes, or
of hex/base64 text), or - (stdin, the default). A file or stdin is read as
hex when it holds nothing but hex digits and whitespace, else as raw bytes;
--raw or --hex overrides that guess.

Options:
  --as NAME          decode as this message (AbiReply, actr.ActrId, ...); default AbiFrame
  --base64           INPUT text is base64, not hex
  --hex              a file or stdin holds hex text
  --raw              a file or stdin holds raw bytes
  --json             print the protobuf JSON mapping instead (one document;
                     encoded messages as objects with "@type")
  --bytes-limit N    hex bytes shown before eliding (default 32; digits only)
  -h, --help         show this help

Examples:
  actr-abi decode 080110051a0a0a0863616d6572612d31
  actr-abi decode --as AbiReply 080110fdffffffffffffffff011a03626164
  actr-abi decode --json @frame.bin
`;

/** A count given on the command line: decimal digits only (not `""`, `-1`, `0x10` or `1e3`), at most 2^53 - 1. */
export function parseCount(text: string, option: string): number {
  const count = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isNaN(count))
    throw new UsageError(`${option} must be a non-negative integer in decimal digits, got ${JSON.stringify(text)}`);
  return count;
}

/** Runs `decode` with its arguments; resolves to the exit code. */
export async function runDecode(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      as: { type: "string" },
      base64: { type: "boolean", default: false },
      hex: { type: "boolean", default: false },
      raw: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      "bytes-limit": { type: "string", default: "32" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    io.stdout.write(decodeUsage);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`decode takes one INPUT, got ${positionals.length}`);
  const bytesLimit = parseCount(values["bytes-limit"], "--bytes-limit");
  const schema = values.as === undefined ? AbiFrameSchema : messageSchema(values.as);
  if (schema === undefined)
    throw new CliError(`unknown message "${values.as}" (try actr-abi codes, or a name such as AbiFrame)`);
  const formats = (["base64", "hex", "raw"] as const).filter((f) => values[f]);
  if (formats.length > 1) throw new UsageError(`--${formats.join(" and --")} cannot be used together`);
  const input = await readBytes(positionals[0], formats[0] ?? "auto", io.stdin);
  const message = decodeMessage(schema, input);
  if (values.json) {
    await writeJson(messageToJson(schema, message, input), io.stdout);
  } else {
    io.stdout.write(formatMessage(schema, message, input, { bytesLimit }).join("\n") + "\n");
  }
  return 0;
}
