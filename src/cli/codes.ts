/**
 * `actr-abi codes`: the code tables of the ABI (docs/abi.md section 2), read from the schema.
 *
 * @module
 */
import { type DescEnum, getOption, hasOption } from "@bufbuild/protobuf";
import { PayloadTypeSchema } from "../../gen/actr/actr_pb.js";
import {
  CodeSchema,
  ErrorCodeSchema,
  hook_event as hookEventOption,
  LifecycleHookSchema,
  OpSchema,
  type RuntimeHook,
  RuntimeHookSchema,
  VersionSchema,
  WebrtcPeerStatusSchema,
} from "../../gen/actr/dynclib/v1/codes_pb.js";
import { parseArgs } from "node:util";
import { namedValues } from "../enum-names.js";
import { payloadSchemaForOp, releasedNames } from "../schemas.js";
import type { CliIo } from "./io.js";

/** The help text of `actr-abi codes`. */
export const codesUsage = `Usage: actr-abi codes [--json]

Prints the ABI's code tables: status codes, ABI version, ops with their
payload messages, lifecycle hooks, runtime hooks with their event payloads,
WebRTC peer status, actr.PayloadType and the framework error codes; then the
names the released actr framework gives some of them (same numbers).

Options:
  --json       one JSON document: { table: { NAME: number } }, and
               ReleasedNames: { schema name: released name }
  -h, --help   show this help
`;

interface Table {
  readonly title: string;
  readonly desc: DescEnum;
  /** A third column: what goes with each value. */
  readonly note?: (value: number) => string | undefined;
}

const tables: Table[] = [
  { title: "Status codes (int32)", desc: CodeSchema },
  { title: "ABI version", desc: VersionSchema },
  { title: "Ops (uint32) and their payloads", desc: OpSchema, note: (v) => payloadSchemaForOp(v)?.typeName },
  { title: "Lifecycle hooks (GuestLifecycleV1.hook)", desc: LifecycleHookSchema },
  {
    title: "Runtime hooks (GuestHookV1.hook) and their event field",
    desc: RuntimeHookSchema,
    note: (v) => {
      const value = RuntimeHookSchema.value[v as RuntimeHook];
      return hasOption(value, hookEventOption) ? getOption(value, hookEventOption) : undefined;
    },
  },
  { title: "WebRTC peer status (PeerEventV1.status)", desc: WebrtcPeerStatusSchema },
  { title: "actr.PayloadType", desc: PayloadTypeSchema },
  { title: "Framework error codes (actr.ErrorResponse.code)", desc: ErrorCodeSchema },
];

/** Runs `codes`; resolves to the exit code. */
export function runCodes(args: string[], io: CliIo): number {
  const { values } = parseArgs({
    args,
    options: { json: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
  });
  if (values.help) {
    io.stdout.write(codesUsage);
    return 0;
  }
  if (values.json) {
    const doc: Record<string, Record<string, number | string>> = Object.fromEntries(
      tables.map((t) => [t.desc.name, Object.fromEntries(namedValues(t.desc).map((v) => [v.localName, v.number]))]),
    );
    doc.ReleasedNames = Object.fromEntries(releasedNames().map((n) => [n.schema, n.released]));
    io.stdout.write(JSON.stringify(doc, null, 2) + "\n");
    return 0;
  }
  const out: string[] = [];
  for (const table of tables) {
    out.push(table.title);
    const rows = namedValues(table.desc);
    const width = Math.max(...rows.map((v) => v.localName.length));
    for (const v of rows) {
      const note = table.note?.(v.number);
      out.push(
        `  ${v.localName.padEnd(width)}  ${String(v.number).padStart(4)}${note === undefined ? "" : `  ${note}`}`,
      );
    }
    out.push("");
  }
  const renamed = releasedNames();
  out.push("Names in the released actr framework (same numbers on the wire)");
  const width = Math.max(...renamed.map((n) => n.schema.length));
  for (const n of renamed) out.push(`  ${n.schema.padEnd(width)}  ${n.released}`);
  out.push("");
  io.stdout.write(out.join("\n"));
  return 0;
}
