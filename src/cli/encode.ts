/**
 * `actr-abi encode`: build a message, or the frame for an op, from JSON.
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { OpSchema } from "../../gen/actr/dynclib/v1/codes_pb.js";
import { encodeMessage } from "../codec.js";
import { encodeFrame } from "../frames.js";
import { namedValues } from "../enum-names.js";
import { messageSchema, payloadSchemaForOp } from "../schemas.js";
import { CliError, UsageError } from "./errors.js";
import { bytesToHex } from "./hex.js";
import { readJson } from "./input.js";
import { messageFromJson } from "./json.js";
import type { CliIo } from "./io.js";

/** The help text of `actr-abi encode`. */
export const encodeUsage = `Usage: actr-abi encode NAME [JSON] [options]
       actr-abi encode --op OP [JSON] [options]

Builds the message NAME (AbiFrame, actr.ActrId, ...) from its protobuf JSON,
or with --op the AbiFrame for OP (GUEST_HANDLE, host-call, 101, ...) whose
payload is given as JSON, and prints the bytes as hex. The JSON of
\`actr-abi decode --json\` is accepted as it is.

JSON is the argument itself, @path, or - (stdin, the default).

Options:
  --op OP        build the frame for this op; JSON is its payload
  --out FILE     write the raw bytes to FILE instead of printing hex
  -h, --help     show this help

Examples:
  actr-abi encode --op HOST_REGISTER_STREAM '{"streamId": "s1"}'
  actr-abi encode AbiReply '{"abiVersion": 1, "status": -3, "payload": "YmFk"}'
`;

/** The op named `text`: a number, or an op name in any case with - or _ (`guest-handle`, `OP_GUEST_HANDLE`). */
export function parseOp(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const wanted = text.toUpperCase().replace(/-/g, "_").replace(/^OP_/, "");
  const ops = namedValues(OpSchema);
  const found = ops.find((v) => v.localName === wanted);
  if (found === undefined) {
    const names = ops.map((v) => v.localName);
    throw new CliError(`unknown op "${text}" (one of ${names.join(", ")})`);
  }
  return found.number;
}

/** Runs `encode` with its arguments; resolves to the exit code. */
export async function runEncode(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      op: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    io.stdout.write(encodeUsage);
    return 0;
  }
  let bytes: Uint8Array;
  if (values.op !== undefined) {
    if (positionals.length > 1) throw new UsageError(`encode --op takes one JSON argument, got ${positionals.length}`);
    const op = parseOp(values.op);
    const schema = payloadSchemaForOp(op);
    if (schema === undefined) throw new CliError(`op ${op} has no payload message`);
    const payload = messageFromJson(schema, await readJson(positionals[0], io.stdin));
    bytes = encodeFrame(schema, payload);
  } else {
    const [name, json, ...extra] = positionals;
    if (name === undefined) throw new UsageError("encode needs a message NAME or --op OP (see actr-abi encode --help)");
    if (extra.length > 0)
      throw new UsageError(`encode takes NAME and one JSON argument, got ${positionals.length} arguments`);
    const schema = messageSchema(name);
    if (schema === undefined) throw new CliError(`unknown message "${name}"`);
    bytes = encodeMessage(schema, messageFromJson(schema, await readJson(json, io.stdin)));
  }
  if (values.out !== undefined) {
    try {
      writeFileSync(values.out, bytes);
    } catch (err) {
      throw new CliError(
        `cannot write ${values.out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  } else {
    io.stdout.write(bytesToHex(bytes) + "\n");
  }
  return 0;
}
