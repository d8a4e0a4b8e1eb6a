#!/usr/bin/env -S npx tsx
/**
 * protoc-gen-actr-codec: a protoc plugin (on `@bufbuild/protoplugin`) that
 * writes, for every `.proto` file, a `<name>_codec.ts` module with an encode
 * and a decode function per message, encoding and decoding exactly as
 * prost does (docs/abi.md section 4). Run by `buf generate` next to
 * protoc-gen-es, whose message types and schemas the generated code uses.
 *
 * The generated code is straight-line: fixed property names, one `switch` on
 * the field key per message, nested messages decoded by direct calls on one
 * reader, no reflection at run time. The shared rules (varints, keys,
 * lengths, unknown fields, value checks) live in the codec runtime, whose
 * one entry module (src/codec-runtime.ts) is all the generated code imports
 * from this package.
 *
 * The plugin depends only on the schema it is given and on modules of
 * `src/` that import nothing generated (src/codec-limits.ts,
 * src/supported.ts), so that `gen/` can be generated from nothing
 * (scripts/check-generated.mjs checks it). It works in two steps: the
 * analysis (`analyseFile`) reads the schema into plans of plain data and
 * refuses what the codec cannot handle; the emission (`emitFile`) prints
 * those plans, and decides nothing about the schema.
 *
 * @module
 */
import {
  type DescExtension,
  type DescField,
  type DescFile,
  type DescMessage,
  type DescOneof,
  getOption,
  hasOption,
  ScalarType,
} from "@bufbuild/protobuf";
import { nestedTypes } from "@bufbuild/protobuf/reflect";
import { WireType } from "@bufbuild/protobuf/wire";
import { FeatureSet_FieldPresence } from "@bufbuild/protobuf/wkt";
import {
  createEcmaScriptPlugin,
  type GeneratedFile,
  type ImportSymbol,
  type Printable,
  runNodeJs,
  type Schema,
} from "@bufbuild/protoplugin";
import { SLACK } from "../src/codec-limits.js";
import { unsupportedReason } from "../src/supported.js";

// ---- options ------------------------------------------------------------------------

/** The plugin's own options (protoplugin parses the standard ones, `target` and so on). */
interface Options {
  /**
   * The directory of the codec runtime's entry module (src/codec-runtime.ts)
   * from the output root: option `runtime_dir`, default `../src` (for `gen/`).
   */
  readonly runtimeDir: string;
}

function parseOptions(rawOptions: { key: string; value: string }[]): Options {
  let runtimeDir = "../src";
  for (const { key, value } of rawOptions) {
    switch (key) {
      case "runtime_dir":
        runtimeDir = value;
        break;
      default:
        throw new Error(`unknown option ${key}`);
    }
  }
  return { runtimeDir };
}

const plugin = createEcmaScriptPlugin<Options>({
  name: "protoc-gen-actr-codec",
  version: "v1",
  parseOptions,
  generateTs(schema: Schema<Options>) {
    const messagesByName = new Map<string, DescMessage>();
    let encodedMessageOption: DescExtension | undefined;
    for (const file of schema.allFiles) {
      for (const type of nestedTypes(file)) {
        if (type.kind === "message") messagesByName.set(type.typeName, type);
        else if (type.kind === "extension" && type.typeName === ENCODED_MESSAGE_OPTION) encodedMessageOption = type;
      }
    }
    const context: Context = { messagesByName, encodedMessageOption };
    for (const file of schema.files) {
      const plan = analyseFile(file, context);
      if (plan.messages.length > 0)
        emitFile(schema.generateFile(`${file.name}_codec.ts`), plan, schema.options.runtimeDir);
    }
  },
});

// ---- analysis: the schema as plans of plain data --------------------------------------

/** The full name of the option that marks a bytes field as holding an encoded message (proto/actr/dynclib/v1/codes.proto). */
const ENCODED_MESSAGE_OPTION = "actr.dynclib.v1.encoded_message";

/** What the analysis looks up across files: every message by full name, and the option's declaration when the schema has it. */
interface Context {
  readonly messagesByName: ReadonlyMap<string, DescMessage>;
  readonly encodedMessageOption: DescExtension | undefined;
}

/** A field of a message as the generator sees it: one of four presence rules. */
type Presence = "implicit" | "explicit" | "required" | "oneof";

/** The value kind of a singular field, or of the items of a repeated one. */
type Kind = "uint32" | "int32" | "uint64" | "int64" | "bool" | "string" | "bytes" | "message";

/** One field, everything its code needs. */
interface FieldPlan {
  readonly field: DescField;
  /** The name on the wire and in errors (`realm_id`) and the property name (`realmId`). */
  readonly name: string;
  readonly localName: string;
  readonly number: number;
  readonly kind: Kind;
  readonly presence: Presence;
  readonly repeated: boolean;
  readonly wireType: WireType;
  /** The field's key, and its varint bytes. */
  readonly key: number;
  readonly keyBytes: readonly number[];
  /** The message type of a message field (or of the items of a repeated one). */
  readonly message: DescMessage | undefined;
  /** The message an implicit `bytes` field holds encoded (its `encoded_message` option). */
  readonly encoded: DescMessage | undefined;
  /** Can that message's encoding be empty (it has no required field)? The field is then left out, key and all. */
  readonly encodedMayBeEmpty: boolean;
  /** The index of this field's nested message among the message's nesting sites (see `lengthBytesIn`), when it has one. */
  readonly site: number | undefined;
  /** The oneof the field belongs to. */
  readonly oneof: DescOneof | undefined;
}

/** One message, everything its code needs. */
interface MessagePlan {
  readonly desc: DescMessage;
  /** The full name (`actr.ActrId`). */
  readonly typeName: string;
  /** Its fields in field-number order, as prost writes them. */
  readonly fields: readonly FieldPlan[];
  /** Its fields in declaration order (the order of the properties of its prototype of zero values). */
  readonly declared: readonly FieldPlan[];
  readonly oneofs: readonly DescOneof[];
  /** The places where its encoder nests a message (the size of its `lengthBytesIn` table). */
  readonly nestedSites: number;
  /** Does it have a required field (so that its encoding is never empty)? */
  readonly hasRequired: boolean;
  /** Does a decoded message need protobuf-es's prototype of zero values (an explicit scalar that may be absent)? */
  readonly needsPrototype: boolean;
}

/** One file: its messages, in declaration order. */
interface FilePlan {
  readonly file: DescFile;
  readonly messages: readonly MessagePlan[];
}

function analyseFile(file: DescFile, context: Context): FilePlan {
  return { file, messages: file.messages.map((desc) => analyseMessage(desc, context)) };
}

function analyseMessage(desc: DescMessage, context: Context): MessagePlan {
  let sites = 0;
  const fields = desc.fields
    .concat()
    .sort((a, b) => a.number - b.number)
    .map((field): FieldPlan => {
      const kind = kindOf(field);
      const presence = presenceOf(field);
      const encoded = encodedMessageOf(field, presence, context);
      const wireType = wireTypeOf(kind);
      const key = ((field.number << 3) | wireType) >>> 0;
      return {
        field,
        name: field.name,
        localName: field.localName,
        number: field.number,
        kind,
        presence,
        repeated: field.fieldKind === "list",
        wireType,
        key,
        keyBytes: varintBytes(key),
        message: field.message,
        encoded,
        encodedMayBeEmpty: encoded !== undefined && !encoded.fields.some((f) => presenceOf(f) === "required"),
        site: kind === "message" || encoded !== undefined ? sites++ : undefined,
        oneof: field.oneof,
      };
    });
  // Every field's unchecked bytes may follow one room check (see src/encoder.ts).
  const unchecked = fields.reduce((sum, field) => sum + uncheckedBytes(field), 0);
  if (unchecked > SLACK)
    throw new Error(
      `${desc.typeName}: its fields may write ${unchecked} bytes between room checks, more than SLACK (${SLACK})`,
    );
  return {
    desc,
    typeName: desc.typeName,
    fields,
    declared: desc.fields.map((field) => fields.find((plan) => plan.field === field)!),
    oneofs: desc.oneofs,
    nestedSites: sites,
    hasRequired: fields.some((field) => field.presence === "required"),
    needsPrototype: fields.some((field) => field.presence === "explicit" && field.kind !== "message"),
  };
}

function presenceOf(field: DescField): Presence {
  if (field.oneof !== undefined) return "oneof";
  if (field.fieldKind === "list") return "implicit";
  switch (field.presence) {
    case FeatureSet_FieldPresence.IMPLICIT:
      return "implicit";
    case FeatureSet_FieldPresence.EXPLICIT:
      return "explicit";
    case FeatureSet_FieldPresence.LEGACY_REQUIRED:
      return "required";
    default:
      throw new Error(`${field.toString()}: unknown field presence ${field.presence}`);
  }
}

function kindOf(field: DescField): Kind {
  const reason = unsupportedReason(field);
  if (reason !== undefined) throw new Error(`cannot generate a codec for ${field.toString()}: ${reason}`);
  switch (field.fieldKind) {
    case "message":
    case "list":
      return "message";
    case "enum":
      return "int32";
    case "scalar":
      return ScalarType[field.scalar].toLowerCase() as Kind;
    default:
      throw new Error(`cannot generate a codec for ${field.toString()}`);
  }
}

function wireTypeOf(kind: Kind): WireType {
  return kind === "string" || kind === "bytes" || kind === "message" ? WireType.LengthDelimited : WireType.Varint;
}

/** The varint bytes of `v` (a field key). */
function varintBytes(v: number): number[] {
  const out: number[] = [];
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

/**
 * The message an implicit `bytes` field holds encoded (its
 * `(actr.dynclib.v1.encoded_message)` option), or undefined. Such a field
 * may also hold the message itself: it is then encoded in place, as the
 * nested message field it is on the wire. The option is read with its
 * declaration from the schema being generated (a field can only carry it
 * when its file imports that declaration).
 */
function encodedMessageOf(field: DescField, presence: Presence, context: Context): DescMessage | undefined {
  const option = context.encodedMessageOption;
  if (option === undefined || !hasOption(field, option)) return undefined;
  const name = getOption(field, option);
  if (typeof name !== "string") throw new Error(`${field.toString()}: (${ENCODED_MESSAGE_OPTION}) is not a string`);
  const desc = context.messagesByName.get(name);
  if (desc === undefined)
    throw new Error(`${field.toString()}: (${ENCODED_MESSAGE_OPTION}) names unknown message ${name}`);
  if (field.fieldKind !== "scalar" || field.scalar !== ScalarType.BYTES || presence !== "implicit") {
    throw new Error(`${field.toString()}: (${ENCODED_MESSAGE_OPTION}) is supported on implicit bytes fields only`);
  }
  return desc;
}

/**
 * The most bytes the encoder's code for `field` writes without checking
 * the buffer's room: its key and a scalar, or its key and the bytes kept for
 * a length (up to 5 for a nested message; strings, bytes and nested
 * messages check their own room).
 */
function uncheckedBytes(field: FieldPlan): number {
  const key = field.keyBytes.length;
  switch (field.kind) {
    case "uint32":
    case "int32":
    case "uint64":
    case "int64":
      return key + 10;
    case "message":
      return key + 5;
    default:
      return key + (field.encoded === undefined ? 1 : 5);
  }
}

// ---- emission: the plans as TypeScript ------------------------------------------------

/** What emitted code calls a message by: its functions, its empty value and its type name. */
interface Names {
  readonly encode: Printable;
  readonly decode: Printable;
  readonly empty: Printable;
  /** The module-level constant holding the type name (see `emitTypeNames`). */
  readonly typeName: string;
  /** The TypeScript type of the message. */
  readonly shape: ImportSymbol;
}

/** The emitter of one generated file: the file, the plan and how to name things in it. */
interface Emitter {
  readonly f: GeneratedFile;
  readonly file: DescFile;
  /** An import from the codec runtime's entry module. */
  readonly runtime: (name: string, typeOnly?: boolean) => ImportSymbol;
  readonly namesOf: (desc: DescMessage) => Names;
}

function emitFile(f: GeneratedFile, plan: FilePlan, runtimeDir: string): void {
  const runtimeModule = `${runtimeDir}/codec-runtime.js`;
  const e: Emitter = {
    f,
    file: plan.file,
    runtime: (name, typeOnly = false) => f.import(name, runtimeModule, typeOnly),
    namesOf: (desc) => {
      const shape = f.importShape(desc);
      // Functions of this file by name; those of another file imported from its codec module.
      const symbol = (name: string): Printable =>
        desc.file === plan.file ? name : f.import(name, `./${desc.file.name}_codec.js`);
      return {
        encode: symbol(`encode${shape.name}`),
        decode: symbol(`decode${shape.name}`),
        empty: symbol(`empty${shape.name}`),
        typeName: `${shape.name}$typeName`,
        shape,
      };
    },
  };
  f.preamble(plan.file);
  emitTypeNames(e, plan);
  for (const message of plan.messages) emitMessage(e, message);
  f.print(f.jsDoc(`The codecs of every message of ${plan.file.proto.name}.`));
  f.print`export const codecs: readonly ${e.runtime("MessageCodec", true)}<any>[] = [${plan.messages.map((m) => `${e.namesOf(m.desc).shape.name}Codec`).join(", ")}];`;
}

/**
 * The type name of every message the file's code writes or checks, once
 * each, as its schema holds it. Generated code writes and compares that one
 * string, never a copy of it, so that every message built by protobuf-es's
 * `create`, by this package or by a decoder carries the same string object,
 * and a type check is a pointer comparison. The same constant names the
 * message in errors.
 */
function emitTypeNames(e: Emitter, plan: FilePlan): void {
  const used: DescMessage[] = plan.messages.map((m) => m.desc);
  for (const message of plan.messages) {
    for (const field of message.fields) {
      for (const desc of [field.message, field.encoded])
        if (desc !== undefined && !used.includes(desc)) used.push(desc);
    }
  }
  const constants = new Map<string, DescMessage>();
  for (const desc of used) {
    const name = e.namesOf(desc).typeName;
    const other = constants.get(name);
    if (other !== undefined)
      throw new Error(`${e.file.name}: ${desc.typeName} and ${other.typeName} would share the constant ${name}`);
    constants.set(name, desc);
  }
  e.f.print(
    e.f.jsDoc(
      "The type name of each message this file writes or checks, as its schema holds it: the one string object every message of the type carries.",
    ),
  );
  for (const [name, desc] of constants) e.f.print`const ${name} = ${e.f.importSchema(desc)}.typeName;`;
  e.f.print();
}

function emitMessage(e: Emitter, message: MessagePlan): void {
  const { f } = e;
  const { shape, typeName: T } = e.namesOf(message.desc);

  // ---- empty: what an absent required field of this type encodes as ----
  f.print(
    f.jsDoc(`An empty \`${message.typeName}\`: what an unset required field of this type encodes as (never returned).`),
  );
  const emptyFields = [
    ...message.fields.filter((field) => field.repeated).map((field) => `, ${field.localName}: []`),
    ...message.oneofs.map((oneof) => `, ${oneof.localName}: { case: undefined }`),
  ];
  f.print`export const empty${shape.name} = { $typeName: ${T}${emptyFields.join("")} } as unknown as ${shape};`;
  f.print();

  emitEncode(e, message);
  emitDecode(e, message);

  f.print(f.jsDoc(`The generated codec of \`${message.typeName}\`.`));
  f.print`export const ${shape.name}Codec: ${e.runtime("MessageCodec", true)}<${shape}> = {`;
  f.print`  schema: ${f.importSchema(message.desc)},`;
  f.print`  encode: encode${shape.name},`;
  f.print`  decode: decode${shape.name},`;
  f.print`};`;
  f.print();
}

/** The TypeScript test that a value of `oneof` is none of its cases. */
function oneofCheck(oneof: DescOneof): string {
  const cases = oneof.fields.map((field) => `${oneofVar(oneof)}.case !== ${JSON.stringify(field.localName)}`);
  return `${oneofVar(oneof)}.case !== undefined && ${cases.join(" && ")}`;
}

function oneofVar(oneof: DescOneof): string {
  return `${oneof.localName}$`;
}

/** The zero value of a scalar kind, as TypeScript source. */
function zeroOf(kind: Kind): string {
  switch (kind) {
    case "uint64":
    case "int64":
      return "0n";
    case "bool":
      return "false";
    case "string":
      return '""';
    case "bytes":
      return "new Uint8Array(0)";
    case "message":
      return "undefined";
    default:
      return "0";
  }
}

/** The test that a present value of an implicit field is not its zero (the field is then written). */
function notZero(kind: Kind, v: string): string {
  switch (kind) {
    case "uint64":
    case "int64":
      return `${v} !== 0n && ${v} !== 0`;
    case "bool":
      return `${v} !== false`;
    case "string":
      return `${v} !== ""`;
    case "bytes":
      return `!(${v} instanceof Uint8Array && ${v}.length === 0)`;
    default:
      return `${v} !== 0`;
  }
}

/**
 * The statement that throws with `fail` (encoder.ts's `wrongMessage` or
 * `wrongEncodedMessage`) unless `v` is a message of type `child`. The
 * test is written out in each encoder rather than shared in a helper: V8
 * keeps what a property load has seen per call site, and a load shared by
 * every message type is megamorphic (several times slower) where each of
 * these sees one type.
 */
function messageCheck(e: Emitter, child: DescMessage, fail: ImportSymbol, M: string, F: string): Printable {
  const T = e.namesOf(child).typeName;
  return [
    `if (typeof v !== "object" || v === null || (v as { $typeName?: unknown }).$typeName !== ${T}) `,
    fail,
    `(v, ${T}, ${M}, ${F});`,
  ];
}

/**
 * The checked writer (src/encoder.ts) of each scalar kind, and whether it
 * may grow the buffer (it then takes the writer, and the caller reloads `buf`).
 */
const scalarWriters: Record<Exclude<Kind, "message">, { fn: string; grows: boolean; signed?: string }> = {
  uint32: { fn: "encodeUint32", grows: false },
  int32: { fn: "encodeInt32", grows: false },
  uint64: { fn: "encode64", grows: false, signed: "false, " },
  int64: { fn: "encode64", grows: false, signed: "true, " },
  bool: { fn: "encodeBool", grows: false },
  string: { fn: "encodeString", grows: true },
  bytes: { fn: "encodeBytes", grows: true },
};

function emitEncode(e: Emitter, message: MessagePlan): void {
  const { f, runtime: rt } = e;
  const { shape, typeName: M } = e.namesOf(message.desc);
  // The bytes kept for the length of each message nested here, one per site, as `endNested` last set them.
  const keptBytes = `lengthBytesIn${shape.name}`;
  if (message.nestedSites > 0) {
    f.print(
      f.jsDoc(
        `The bytes \`encode${shape.name}\` keeps for the length of the message at each place it nests one, as the last such length took (see \`endNested\`).`,
      ),
    );
    f.print`const ${keptBytes} = new Uint8Array(${message.nestedSites}).fill(1);`;
    f.print();
  }
  f.print(
    f.jsDoc(
      `Checks every value of a \`${message.typeName}\` and writes its fields (no length prefix) into \`w.buf\` at \`pos\`, growing the buffer as needed; returns the position after them.`,
    ),
  );
  f.print`export function encode${shape.name}(m: ${shape}, w: ${rt("Writer", true)}, pos: number): number {`;
  f.print`  let buf = ${rt("room")}(w, pos);`;
  for (const oneof of message.oneofs) {
    const v = oneofVar(oneof);
    f.print`  const ${v} = m.${oneof.localName} as { case?: unknown; value?: unknown } | undefined | null;`;
    f.print`  if (${v} === null || (${v} !== undefined && (typeof ${v} !== "object" || (${oneofCheck(oneof)})))) ${rt("invalidOneof")}(${v}, ${M}, ${JSON.stringify(oneof.name)});`;
  }
  for (const field of message.fields) {
    const { kind, presence, encoded } = field;
    const F = JSON.stringify(field.name);
    const tag = field.keyBytes.map((b) => `buf[pos++] = ${b};`).join(" ");
    const holds = encoded === undefined ? "" : `, or the ${encoded.typeName} it holds`;
    f.print`  // ${field.number}: ${field.name} (${presence} ${field.repeated ? "repeated " : ""}${kind}${holds})`;
    // A nested message, inline with a direct call so that each call site sees
    // one message type, after the bytes kept for its length at this site.
    const nested = (child: DescMessage, indent: string): void => {
      const names = e.namesOf(child);
      f.print`${indent}${tag}`;
      f.print`${indent}const at = pos;`;
      f.print`${indent}const body = at + ${keptBytes}[${field.site!}]!;`;
      f.print`${indent}pos = ${rt("endNested")}(w, at, body, ${names.encode}(v as ${names.shape}, w, body), ${keptBytes}, ${field.site!});`;
      f.print`${indent}buf = w.buf;`;
    };
    if (field.repeated) {
      f.print`  {`;
      f.print`    const items: unknown = m.${field.localName};`;
      f.print`    ${rt("checkArray")}(items, ${M}, ${F});`;
      f.print`    for (let i = 0; i < items.length; i++) {`;
      f.print`      const v = items[i];`;
      f.print`      ${messageCheck(e, field.message!, rt("wrongMessage"), M, F)}`;
      nested(field.message!, "      ");
      f.print`    }`;
      f.print`  }`;
      continue;
    }
    const { read, test } = valueAccess(e, field);
    f.print`  {`;
    f.print`    ${read}`;
    if (encoded !== undefined) {
      // The bytes, or the message they hold, written as a nested message (left out when empty, as empty bytes are).
      f.print`    if (v instanceof Uint8Array) {`;
      f.print`      if (v.length !== 0) {`;
      f.print`        ${tag}`;
      f.print`        pos = ${rt("encodeBytes")}(w, pos, v, ${M}, ${F});`;
      f.print`        buf = w.buf;`;
      f.print`      }`;
      f.print`    } else if (v !== undefined) {`;
      f.print`      ${messageCheck(e, encoded, rt("wrongEncodedMessage"), M, F)}`;
      nested(encoded, "      ");
      // An empty encoding is left out, key and all; a message with a required field is never empty.
      if (field.encodedMayBeEmpty) f.print`      if (pos === at + 1) pos = at - ${field.keyBytes.length};`;
      f.print`    }`;
      f.print`  }`;
      continue;
    }
    if (test === "true") f.print`    {`;
    else f.print`    if (${test}) {`;
    if (kind === "message") {
      f.print`      ${messageCheck(e, field.message!, rt("wrongMessage"), M, F)}`;
      nested(field.message!, "      ");
    } else if (kind === "string") {
      f.print`      ${tag}`;
      shortAsciiString(e, M, F);
    } else {
      const writer = scalarWriters[kind];
      f.print`      ${tag}`;
      f.print`      pos = ${rt(writer.fn)}(${writer.grows ? "w" : "buf"}, pos, v, ${writer.signed ?? ""}${M}, ${F});`;
      if (writer.grows) f.print`      buf = w.buf;`;
    }
    f.print`    }`;
    f.print`  }`;
  }
  f.print`  return pos;`;
  f.print`}`;
  f.print();
}

/**
 * Prints the writing of the string field value `v` after its key: a short
 * string (under `SHORT_STRING` units) with the room it may need is written in
 * line, each unit as a byte, and its length put in front; when a unit was
 * not ASCII (the OR of all units is 0x80 or more), `writeShortUtf8` writes it
 * again as UTF-8 over those bytes. Anything else goes to `encodeString`,
 * which checks its type and grows the buffer. In line, as a hand-written
 * codec does: a call per string cost a fifth of encoding an `ActrId`.
 */
function shortAsciiString(e: Emitter, M: string, F: string): void {
  const { f, runtime: rt } = e;
  f.print`      if (typeof v === "string" && v.length < ${rt("SHORT_STRING")} && pos + ${rt("SHORT_STRING_ROOM")} <= buf.length) {`;
  f.print`        const at = pos++;`;
  f.print`        let units = 0;`;
  f.print`        for (let i = 0; i < v.length; i++) units |= buf[pos++] = v.charCodeAt(i);`;
  f.print`        if (units < 0x80) buf[at] = v.length;`;
  f.print`        else pos = ${rt("writeShortUtf8")}(buf, at, v, ${M}, ${F});`;
  f.print`      } else {`;
  f.print`        pos = ${rt("encodeString")}(w, pos, v, ${M}, ${F});`;
  f.print`        buf = w.buf;`;
  f.print`      }`;
}

/**
 * How a field's value is read into `v` and when it is written: implicit
 * fields when present and not zero, explicit fields when set (an own
 * property), required fields always (an absent one as its zero or empty
 * message), oneof members when their case is selected.
 */
function valueAccess(e: Emitter, field: FieldPlan): { read: Printable; test: string } {
  const { localName: name, kind } = field;
  switch (field.presence) {
    case "oneof": {
      const v = oneofVar(field.oneof!);
      return {
        read: `const v = ${v} == null ? undefined : ${v}.case === ${JSON.stringify(name)} ? ${v}.value : undefined;`,
        test: `${v} != null && ${v}.case === ${JSON.stringify(name)}`,
      };
    }
    case "required":
      return {
        read: [
          `const v: unknown = m.${name} === undefined ? `,
          kind === "message" ? e.namesOf(field.message!).empty : zeroOf(kind),
          ` : m.${name};`,
        ],
        test: "true",
      };
    case "explicit":
      return {
        read: `const v: unknown = ${kind === "message" ? `m.${name}` : `Object.hasOwn(m, ${JSON.stringify(name)}) ? m.${name} : undefined`};`,
        test: "v !== undefined",
      };
    case "implicit":
      return {
        read: `const v: unknown = m.${name};`,
        test: kind === "message" ? "v !== undefined" : `v !== undefined && ${notZero(kind, "v")}`,
      };
  }
}

/** The checked reader (src/decoder.ts) of each scalar kind. */
const scalarReaders: Record<Exclude<Kind, "message">, string> = {
  uint32: "readUint32",
  int32: "readInt32",
  uint64: "readUint64",
  int64: "readInt64",
  bool: "readBool",
  string: "readString",
  bytes: "readBytes",
};

function readExpr(e: Emitter, kind: Kind, M: string, F: string): Printable {
  if (kind === "message") throw new Error("message fields are decoded by their own function");
  return [e.runtime(scalarReaders[kind]), `(r, end, ${M}, ${F})`];
}

/** The local variable holding a field's value while decoding. */
function local(field: FieldPlan): string {
  return `${field.localName}$`;
}

function emitDecode(e: Emitter, message: MessagePlan): void {
  const { f, runtime: rt } = e;
  const { shape, typeName: M } = e.namesOf(message.desc);
  const { fields } = message;
  f.print(
    f.jsDoc(
      `Decodes the fields of a \`${message.typeName}\` in \`[r.pos, end)\` as prost does, merging into \`into\` when given; \`budget\` is what is left of the recursion limit.`,
    ),
  );
  f.print`export function decode${shape.name}(r: ${rt("Reader", true)}, end: number, budget: number, into?: ${shape}): ${shape} {`;
  // Locals, starting from `into` (a repeated occurrence of a message field merges into the first).
  for (const field of fields) {
    if (field.oneof !== undefined) continue;
    const name = field.localName;
    const type: Printable = [shape, `[${JSON.stringify(name)}]`];
    if (field.repeated) {
      f.print`  const ${local(field)}: ${type} = into === undefined ? [] : into.${name};`;
    } else if (field.kind === "message") {
      f.print`  let ${local(field)}: ${type} = into === undefined ? undefined : into.${name};`;
    } else if (field.presence === "explicit") {
      f.print`  let ${local(field)}: ${type} | undefined = into !== undefined && Object.hasOwn(into, ${JSON.stringify(name)}) ? into.${name} : undefined;`;
    } else if (field.kind === "bytes") {
      // The empty default is made at the end, only when the field was absent.
      f.print`  let ${local(field)}: ${type} | undefined = into === undefined ? undefined : into.${name};`;
    } else {
      f.print`  let ${local(field)}: ${type} = into === undefined ? ${zeroOf(field.kind)} : into.${name};`;
    }
  }
  for (const oneof of message.oneofs) {
    f.print`  let ${oneofVar(oneof)}: ${shape}[${JSON.stringify(oneof.localName)}] = into === undefined ? { case: undefined } : into.${oneof.localName};`;
  }
  f.print`  while (r.pos < end) {`;
  f.print`    const at = r.pos;`;
  f.print`    const key = ${rt("readKey")}(r, end, ${M});`;
  f.print`    switch (key) {`;
  for (const field of fields) {
    const F = JSON.stringify(field.name);
    f.print`      case ${field.key}: {`;
    if (field.kind === "message") {
      const child = e.namesOf(field.message!);
      f.print`        ${rt("enterMessage")}(r, budget, ${M}, ${F});`;
      f.print`        const stop = ${rt("readLength")}(r, end, ${M}, ${F});`;
      if (field.repeated) {
        f.print`        ${local(field)}.push(${child.decode}(r, stop, budget - 1));`;
      } else if (field.oneof !== undefined) {
        const v = oneofVar(field.oneof);
        const name = JSON.stringify(field.localName);
        f.print`        ${v} = { case: ${name}, value: ${child.decode}(r, stop, budget - 1, ${v}.case === ${name} ? ${v}.value : undefined) };`;
      } else {
        f.print`        ${local(field)} = ${child.decode}(r, stop, budget - 1, ${local(field)});`;
      }
    } else if (field.oneof !== undefined) {
      f.print`        ${oneofVar(field.oneof)} = { case: ${JSON.stringify(field.localName)}, value: ${readExpr(e, field.kind, M, F)} };`;
    } else {
      f.print`        ${local(field)} = ${readExpr(e, field.kind, M, F)};`;
    }
    f.print`        break;`;
    f.print`      }`;
  }
  // A known field number with another wire type is an error; any other field is skipped.
  f.print`      default:`;
  if (fields.length > 0) {
    f.print`        switch (key >>> 3) {`;
    for (const field of fields) {
      f.print`          case ${field.number}:`;
      f.print`            ${rt("wrongWireType")}(r, at, key, ${M}, ${JSON.stringify(field.name)}, ${field.wireType});`;
      f.print`            break;`;
    }
    f.print`        }`;
  }
  f.print`        ${rt("skipField")}(r, end, key, budget, ${M}, at);`;
  f.print`        break;`;
  f.print`    }`;
  f.print`  }`;
  // The message, every property in one fixed order.
  // An absent required message reads as its default: what decoding no bytes gives.
  const properties: [string, Printable][] = fields
    .filter((field) => field.oneof === undefined && !(field.presence === "explicit" && field.kind !== "message"))
    .map((field) => [
      field.localName,
      field.presence === "required" && field.kind === "message"
        ? [`${local(field)} ?? `, e.namesOf(field.message!).decode, "(r, r.pos, 0)"]
        : field.kind === "bytes"
          ? `${local(field)} ?? ${zeroOf("bytes")}`
          : local(field),
    ]);
  for (const oneof of message.oneofs) properties.push([oneof.localName, oneofVar(oneof)]);
  const values: Printable[] = properties.map(([name, value]) => [`, ${name}: `, value]);
  if (!message.needsPrototype) {
    f.print`  return { $typeName: ${M}${values} };`;
    f.print`}`;
    f.print();
    return;
  }
  // Explicit scalars that were not seen stay unset: protobuf-es reads them from the prototype of zero values.
  const zeros = message.declared
    .filter((field) => field.oneof === undefined && field.kind !== "message")
    .map((field) => `${field.localName}: ${zeroOf(field.kind)}`);
  f.print`  const m = Object.create(${shape.name}$zero) as ${shape};`;
  f.print`  (m as { $typeName: string }).$typeName = ${M};`;
  for (const [name, value] of properties) f.print`  m.${name} = ${value};`;
  for (const field of fields) {
    if (field.oneof !== undefined || field.presence !== "explicit" || field.kind === "message") continue;
    f.print`  if (${local(field)} !== undefined) m.${field.localName} = ${local(field)};`;
  }
  f.print`  return m;`;
  f.print`}`;
  f.print();
  f.print`const ${shape.name}$zero = { ${zeros.join(", ")} };`;
  f.print();
}

runNodeJs(plugin);
