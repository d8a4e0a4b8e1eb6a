/**
 * The ABI's message schemas by name, and the op ↔ payload binding read from
 * the schema's `(actr.dynclib.v1.op)` message option.
 *
 * @module
 */
import { type DescMessage, getOption, hasOption } from "@bufbuild/protobuf";
import { file_actr_actr } from "../gen/actr/actr_pb.js";
import { file_actr_dynclib_v1_abi } from "../gen/actr/dynclib/v1/abi_pb.js";
import { op as opOption } from "../gen/actr/dynclib/v1/codes_pb.js";

/**
 * Every message of the ABI (spec sections 3 and 5), by its bare name as the
 * spec and the line protocol spell it: `"AbiFrame"`, `"ActrId"`, ...
 */
export const messageSchemas: ReadonlyMap<string, DescMessage> = new Map(
  [...file_actr_actr.messages, ...file_actr_dynclib_v1_abi.messages].map((desc) => [desc.name, desc]),
);

/** The schema of the message named `name` (bare, `"ActrId"`, or full, `"actr.ActrId"`), or undefined. */
export function messageSchema(name: string): DescMessage | undefined {
  return messageSchemas.get(name) ?? messageSchemas.get(name.slice(name.lastIndexOf(".") + 1));
}

/** The op that frames messages of `schema` (its `(actr.dynclib.v1.op)` option), or undefined for an unframed message. */
export function payloadOp(schema: DescMessage): number | undefined {
  return hasOption(schema, opOption) ? getOption(schema, opOption) : undefined;
}

const payloadSchemas: ReadonlyMap<number, DescMessage> = new Map(
  [...messageSchemas.values()].flatMap((desc) => {
    const op = payloadOp(desc);
    return op === undefined ? [] : [[op, desc] as const];
  }),
);

/** The payload schema that `op` carries (`op.HOST_CALL` → `HostCallV1Schema`), or undefined for an unknown op. */
export function payloadSchemaForOp(op: number): DescMessage | undefined {
  return payloadSchemas.get(op);
}
