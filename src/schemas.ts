/**
 * The ABI's message schemas by name, and the op ↔ payload binding read from
 * the schema's `(actr.dynclib.v1.op)` message option.
 *
 * @module
 */
import {
  createRegistry,
  type DescEnum,
  type DescField,
  type DescMessage,
  getOption,
  hasOption,
  type Registry,
} from "@bufbuild/protobuf";
import { file_actr_actr } from "../gen/actr/actr_pb.js";
import { requireString } from "./arguments.js";
import { file_actr_dynclib_v1_abi } from "../gen/actr/dynclib/v1/abi_pb.js";
import {
  code_table as codeTableOption,
  encoded_message as encodedMessageOption,
  file_actr_dynclib_v1_codes,
  op as opOption,
  released_field_name as releasedFieldNameOption,
  released_message_name as releasedMessageNameOption,
  released_name as releasedNameOption,
  released_type_name as releasedTypeNameOption,
} from "../gen/actr/dynclib/v1/codes_pb.js";

/** Every type of the ABI's schema (messages, enums, extensions), by full name. */
export const abiRegistry: Registry = createRegistry(
  file_actr_actr,
  file_actr_dynclib_v1_codes,
  file_actr_dynclib_v1_abi,
);

/**
 * Every message of the ABI (docs/abi.md sections 3 and 5), by its bare name as
 * the contract and the line protocol spell it: `"AbiFrame"`, `"ActrId"`, ...
 */
export const messageSchemas: ReadonlyMap<string, DescMessage> = new Map(
  [...file_actr_actr.messages, ...file_actr_dynclib_v1_abi.messages].map((desc) => [desc.name, desc]),
);

/** The schema of the message named `name` (bare, `"ActrId"`, or full, `"actr.ActrId"`), or undefined. */
export function messageSchema(name: string): DescMessage | undefined {
  requireString(name, "messageSchema", "name");
  return name.includes(".") ? abiRegistry.getMessage(name) : messageSchemas.get(name);
}

/** The framed payloads and their ops, read once from the `(actr.dynclib.v1.op)` options. */
const payloadOps: ReadonlyMap<DescMessage, number> = new Map(
  [...messageSchemas.values()].flatMap((desc) =>
    hasOption(desc, opOption) ? [[desc, getOption(desc, opOption)] as const] : [],
  ),
);

const payloadSchemas: ReadonlyMap<number, DescMessage> = new Map([...payloadOps].map(([desc, op]) => [op, desc]));

/**
 * The op that frames messages of `schema` (its `(actr.dynclib.v1.op)`
 * option), or undefined for an unframed message (or a schema that is not one
 * of this package's).
 */
export function payloadOp(schema: DescMessage): number | undefined {
  return payloadOps.get(schema);
}

/** The payload schema that `op` carries (`op.HOST_CALL` → `HostCallV1Schema`), or undefined for an unknown op. */
export function payloadSchemaForOp(op: number): DescMessage | undefined {
  return payloadSchemas.get(op);
}

/**
 * The type a field option names (by full name), resolved in `abiRegistry`
 * and cached per field: reading an option parses the field's options each
 * time, and the command asks for every field it shows.
 */
function optionTarget<T>(
  cache: WeakMap<DescField, T | undefined>,
  field: DescField,
  option: typeof codeTableOption,
  resolve: (name: string) => T | undefined,
): T | undefined {
  if (cache.has(field)) return cache.get(field);
  let target: T | undefined;
  if (hasOption(field, option)) {
    const name = getOption(field, option);
    target = resolve(name);
    if (target === undefined) throw new Error(`schema defect: ${field.toString()} names unknown type ${name}`);
  }
  cache.set(field, target);
  return target;
}

const codeTables = new WeakMap<DescField, DescEnum | undefined>();
const encodedMessages = new WeakMap<DescField, DescMessage | undefined>();

/**
 * The enum that names the numbers of an integer code field (its
 * `(actr.dynclib.v1.code_table)` option, e.g. `Op` for `AbiFrame.op`), or
 * undefined for a field that carries no code.
 */
export function codeTableOf(field: DescField): DescEnum | undefined {
  return optionTarget(codeTables, field, codeTableOption, (name) => abiRegistry.getEnum(name));
}

/**
 * The message that a `bytes` field holds encoded (its
 * `(actr.dynclib.v1.encoded_message)` option, e.g. `actr.RpcEnvelope` for
 * `GuestHandleV1.rpc_envelope`), or undefined.
 */
export function encodedMessageOf(field: DescField): DescMessage | undefined {
  return optionTarget(encodedMessages, field, encodedMessageOption, (name) => abiRegistry.getMessage(name));
}

/** One name of the schema that the released actr framework spells otherwise (the same number on the wire). */
export interface ReleasedName {
  /** The schema's name: a full message name, `Enum.VALUE`, or `Message.field` (with the field's type for a type name). */
  readonly schema: string;
  /** The released framework's name. */
  readonly released: string;
}

/**
 * Every name of the schema that the released actr framework (0.4.15 and
 * later) spells otherwise, read from the schema's `released_*` options:
 * messages, enum values, oneof cases and field types, in schema order.
 */
export function releasedNames(): ReleasedName[] {
  const names: ReleasedName[] = [];
  for (const file of [file_actr_actr, file_actr_dynclib_v1_codes, file_actr_dynclib_v1_abi]) {
    for (const desc of file.enums) {
      for (const value of desc.values) {
        if (hasOption(value, releasedNameOption))
          names.push({ schema: `${desc.typeName}.${value.name}`, released: getOption(value, releasedNameOption) });
      }
    }
    for (const desc of file.messages) {
      if (hasOption(desc, releasedMessageNameOption))
        names.push({ schema: desc.typeName, released: getOption(desc, releasedMessageNameOption) });
      for (const field of desc.fields) {
        if (hasOption(field, releasedFieldNameOption))
          names.push({ schema: `${desc.typeName}.${field.name}`, released: getOption(field, releasedFieldNameOption) });
        if (hasOption(field, releasedTypeNameOption) && field.message !== undefined) {
          const schema = field.message.typeName;
          if (!names.some((n) => n.schema === schema))
            names.push({ schema, released: getOption(field, releasedTypeNameOption) });
        }
      }
    }
  }
  return names;
}
