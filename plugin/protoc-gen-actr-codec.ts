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
 * lengths, unknown fields, value checks) live in `src/decoder.ts` and
 * `src/encoder.ts`.
 *
 * @module
 */
import { type DescField, type DescFile, type DescMessage, type DescOneof, getOption, hasOption, ScalarType } from "@bufbuild/protobuf";
import { nestedTypes } from "@bufbuild/protobuf/reflect";
import { WireType } from "@bufbuild/protobuf/wire";
import { FeatureSet_FieldPresence } from "@bufbuild/protobuf/wkt";
import { createEcmaScriptPlugin, type GeneratedFile, type ImportSymbol, type Printable, runNodeJs, type Schema } from "@bufbuild/protoplugin";
import { encoded_message } from "../gen/actr/dynclib/v1/codes_pb.js";
import { SLACK } from "../src/codec-limits.js";
import { unsupportedReason } from "../src/supported.js";


/**
 * The directory of the codec runtime's entry module (src/codec-runtime.ts),
 * the one module of the package the generated code imports, from the
 * output root: option `runtime_dir` (default `../src`, for `gen/`).
 */
let runtimeDir = "../src";
const decoderModule = () => `${runtimeDir}/codec-runtime.js`;
const encoderModule = () => `${runtimeDir}/codec-runtime.js`;
const codecModule = () => `${runtimeDir}/codec-runtime.js`;

/** A field of a message as the generator sees it: one of four presence rules. */
type Presence = "implicit" | "explicit" | "required" | "oneof";

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

/** The value kind of a singular field, or of the items of a repeated one. */
type Kind = "uint32" | "int32" | "uint64" | "int64" | "bool" | "string" | "bytes" | "message";

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

/** The varint bytes of a field key. */
function keyBytes(field: DescField, kind: Kind): number[] {
  let v = ((field.number << 3) | wireTypeOf(kind)) >>> 0;
  const out: number[] = [];
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

function keyOf(field: DescField, kind: Kind): number {
  return ((field.number << 3) | wireTypeOf(kind)) >>> 0;
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

/** Every message of the files being generated and their imports, by full name. */
let messagesByName = new Map<string, DescMessage>();

/**
 * The message an implicit `bytes` field holds encoded (its
 * `(actr.dynclib.v1.encoded_message)` option), or undefined. Such a field
 * may also hold the message itself: it is then encoded in place, as the
 * nested message field it is on the wire.
 */
function encodedMessageOf(field: DescField): DescMessage | undefined {
  if (!hasOption(field, encoded_message)) return undefined;
  const name = getOption(field, encoded_message);
  const desc = messagesByName.get(name);
  if (desc === undefined) throw new Error(`${field.toString()}: (actr.dynclib.v1.encoded_message) names unknown message ${name}`);
  if (field.fieldKind !== "scalar" || field.scalar !== ScalarType.BYTES || presenceOf(field) !== "implicit") {
    throw new Error(`${field.toString()}: (actr.dynclib.v1.encoded_message) is supported on implicit bytes fields only`);
  }
  return desc;
}

/** Names of the generated functions and constants of one message. */
interface Names {
  encode: Printable;
  decode: Printable;
  empty: Printable;
}

const plugin = createEcmaScriptPlugin({
  name: "protoc-gen-actr-codec",
  version: "v1",
  parseOptions(options: { key: string; value: string }[]): object {
    for (const { key, value } of options) {
      if (key !== "runtime_dir") throw new Error(`unknown option ${key}`);
      runtimeDir = value;
    }
    return {};
  },
  generateTs(schema: Schema) {
    messagesByName = new Map(schema.allFiles.flatMap((file) => [...nestedTypes(file)].filter((t) => t.kind === "message").map((t) => [t.typeName, t])));
    for (const file of schema.files) if (file.messages.length > 0) generateFile(schema, file);
  },
});

function generateFile(schema: Schema, file: DescFile): void {
  const f = schema.generateFile(`${file.name}_codec.ts`);
  f.preamble(file);
  const names = (desc: DescMessage): Names => {
    const shape = f.importShape(desc).name;
    // Functions of this file by name; those of another file imported from its codec module.
    const symbol = (name: string): Printable => (desc.file === file ? name : f.import(name, `./${desc.file.name}_codec.js`));
    return {
      encode: symbol(`encode${shape}`),
      decode: symbol(`decode${shape}`),
      empty: symbol(`empty${shape}`),
    };
  };
  const codecs: string[] = [];
  for (const desc of file.messages) {
    generateMessage(f, desc, names);
    codecs.push(`${f.importShape(desc).name}Codec`);
  }
  f.print(f.jsDoc(`The codecs of every message of ${file.proto.name}.`));
  f.print`export const codecs: readonly ${f.import("MessageCodec", codecModule(), true)}<any>[] = [${codecs.join(", ")}];`;
}

/** The fields of `desc` in field-number order, as prost writes them. */
function byNumber(desc: DescMessage): DescField[] {
  return desc.fields.concat().sort((a, b) => a.number - b.number);
}

/** Does `desc` have a required field (so that its encoding is never empty)? */
function hasRequired(desc: DescMessage): boolean {
  return desc.fields.some((field) => presenceOf(field) === "required");
}

/** Does a decoded `desc` need protobuf-es's prototype of zero values (an explicit scalar that may be absent)? */
function needsPrototype(desc: DescMessage): boolean {
  return desc.fields.some((field) => presenceOf(field) === "explicit" && field.fieldKind !== "message");
}

/**
 * The type name of `message` as its schema holds it. Generated code writes
 * and compares that one string, never a copy of it, so that every message
 * built by protobuf-es's `create`, by this package or by a decoder carries
 * the same string object, and a type check is a pointer comparison.
 */
function typeNameOf(f: GeneratedFile, message: DescMessage): Printable {
  return [f.importSchema(message), ".typeName"];
}

/**
 * The statement that throws with `fail` (encoder.ts's `wrongMessage` or
 * `wrongEncodedMessage`) unless `v` is a message of type `message`. The
 * test is written out in each encoder rather than shared in a helper: V8
 * keeps what a property load has seen per call site, and a load shared by
 * every message type is megamorphic (several times slower) where each of
 * these sees one type.
 */
function messageCheck(f: GeneratedFile, message: DescMessage, fail: ImportSymbol, M: string, F: string): Printable {
  const T = typeNameOf(f, message);
  return ['if (typeof v !== "object" || v === null || (v as { $typeName?: unknown }).$typeName !== ', T, ") ", fail, "(v, ", T, `, ${M}, ${F});`];
}

function generateMessage(f: GeneratedFile, desc: DescMessage, namesOf: (desc: DescMessage) => Names): void {
  const shape = f.importShape(desc);
  const typeName = desc.typeName;
  const M = JSON.stringify(typeName);

  // ---- empty: what an absent required field of this type encodes as ----
  f.print(f.jsDoc(`An empty \`${typeName}\`: what an unset required field of this type encodes as (never returned).`));
  const emptyFields = [
    ...desc.fields.filter((field) => field.fieldKind === "list").map((field) => `, ${field.localName}: []`),
    ...desc.oneofs.map((oneof) => `, ${oneof.localName}: { case: undefined }`),
  ];
  f.print`export const empty${shape.name} = { $typeName: ${typeNameOf(f, desc)}${emptyFields.join("")} } as unknown as ${shape};`;
  f.print();

  generateEncode(f, desc, shape, namesOf, M);
  generateDecode(f, desc, shape, namesOf, M);

  f.print(f.jsDoc(`The generated codec of \`${typeName}\`.`));
  f.print`export const ${shape.name}Codec: ${f.import("MessageCodec", codecModule(), true)}<${shape}> = {`;
  f.print`  schema: ${f.importSchema(desc)},`;
  f.print`  encode: encode${shape.name},`;
  f.print`  decode: decode${shape.name},`;
  f.print`};`;
  f.print();
}

/** The oneofs of `desc` with the TypeScript test that a value is none of their cases. */
function oneofCheck(oneof: DescOneof): string {
  const cases = oneof.fields.map((field) => `${oneofVar(oneof)}.case !== ${JSON.stringify(field.localName)}`);
  return `${oneofVar(oneof)}.case !== undefined && ${cases.join(" && ")}`;
}

function oneofVar(oneof: DescOneof): string {
  return `${oneof.localName}$`;
}

/**
 * The most bytes `generateEncode`'s code for `field` writes without checking
 * the buffer's room: its key and a scalar, or its key and the bytes kept for
 * a length (up to 5 for a nested message; strings, bytes and nested
 * messages check their own room).
 */
function uncheckedBytes(field: DescField, kind: Kind): number {
  const key = keyBytes(field, kind).length;
  switch (kind) {
    case "uint32":
    case "int32":
    case "uint64":
    case "int64":
      return key + 10;
    case "message":
      return key + 5;
    default:
      return key + (encodedMessageOf(field) === undefined ? 1 : 5);
  }
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

function generateEncode(f: GeneratedFile, desc: DescMessage, shape: ImportSymbol, namesOf: (d: DescMessage) => Names, M: string): void {
  const enc = (name: string) => f.import(name, encoderModule());
  const Writer = f.import("Writer", encoderModule(), true);
  const fields = byNumber(desc);
  // Every field's unchecked bytes may follow one room check (see src/encoder.ts).
  const unchecked = fields.reduce((sum, field) => sum + uncheckedBytes(field, kindOf(field)), 0);
  if (unchecked > SLACK) throw new Error(`${desc.typeName}: its fields may write ${unchecked} bytes between room checks, more than SLACK (${SLACK})`);
  // The bytes kept for the length of each message nested here, one per site, as `endNested` last set them.
  const nestedSites = fields.filter((field) => kindOf(field) === "message" || encodedMessageOf(field) !== undefined).length;
  const keptBytes = `lengthBytesIn${shape.name}`;
  let sites = 0;
  if (nestedSites > 0) {
    f.print(f.jsDoc(`The bytes \`encode${shape.name}\` keeps for the length of the message at each place it nests one, as the last such length took (see \`endNested\`).`));
    f.print`const ${keptBytes} = new Uint8Array(${nestedSites}).fill(1);`;
    f.print();
  }
  f.print(
    f.jsDoc(
      `Checks every value of a \`${desc.typeName}\` and writes its fields (no length prefix) into \`w.buf\` at \`pos\`, growing the buffer as needed; returns the position after them.`,
    ),
  );
  f.print`export function encode${shape.name}(m: ${shape}, w: ${Writer}, pos: number): number {`;
  f.print`  let buf = ${enc("room")}(w, pos);`;
  for (const oneof of desc.oneofs) {
    const v = oneofVar(oneof);
    f.print`  const ${v} = m.${oneof.localName} as { case?: unknown; value?: unknown } | undefined | null;`;
    f.print`  if (${v} === null || (${v} !== undefined && (typeof ${v} !== "object" || (${oneofCheck(oneof)})))) ${enc("invalidOneof")}(${v}, ${M}, ${JSON.stringify(oneof.name)});`;
  }
  for (const field of fields) {
    const kind = kindOf(field);
    const F = JSON.stringify(field.name);
    const key = keyBytes(field, kind);
    const tag = key.map((b) => `buf[pos++] = ${b};`).join(" ");
    const presence = presenceOf(field);
    const encoded = encodedMessageOf(field);
    const holds = encoded === undefined ? "" : `, or the ${encoded.typeName} it holds`;
    f.print`  // ${field.number}: ${field.name} (${presence} ${field.fieldKind === "list" ? "repeated " : ""}${kind}${holds})`;
    // A nested message, inline with a direct call so that each call site sees
    // one message type, after the bytes kept for its length at this site.
    const nested = (child: DescMessage, indent: string): void => {
      const site = sites++;
      f.print`${indent}${tag}`;
      f.print`${indent}const at = pos;`;
      f.print`${indent}const body = at + ${keptBytes}[${site}]!;`;
      f.print`${indent}pos = ${enc("endNested")}(w, at, body, ${namesOf(child).encode}(v as ${f.importShape(child)}, w, body), ${keptBytes}, ${site});`;
      f.print`${indent}buf = w.buf;`;
    };
    if (field.fieldKind === "list") {
      f.print`  {`;
      f.print`    const items: unknown = m.${field.localName};`;
      f.print`    ${enc("checkArray")}(items, ${M}, ${F});`;
      f.print`    for (let i = 0; i < items.length; i++) {`;
      f.print`      const v = items[i];`;
      f.print`      ${messageCheck(f, field.message!, enc("wrongMessage"), M, F)}`;
      nested(field.message!, "      ");
      f.print`    }`;
      f.print`  }`;
      continue;
    }
    const { read, test } = valueAccess(field, kind, presence, namesOf);
    f.print`  {`;
    f.print`    ${read}`;
    if (encoded !== undefined) {
      // The bytes, or the message they hold, written as a nested message (left out when empty, as empty bytes are).
      f.print`    if (v instanceof Uint8Array) {`;
      f.print`      if (v.length !== 0) {`;
      f.print`        ${tag}`;
      f.print`        pos = ${enc("encodeBytes")}(w, pos, v, ${M}, ${F});`;
      f.print`        buf = w.buf;`;
      f.print`      }`;
      f.print`    } else if (v !== undefined) {`;
      f.print`      ${messageCheck(f, encoded, enc("wrongEncodedMessage"), M, F)}`;
      nested(encoded, "      ");
      // An empty encoding is left out, key and all; a message with a required field is never empty.
      if (!hasRequired(encoded)) f.print`      if (pos === at + 1) pos = at - ${key.length};`;
      f.print`    }`;
      f.print`  }`;
      continue;
    }
    if (test === "true") f.print`    {`;
    else f.print`    if (${test}) {`;
    if (kind === "message") {
      f.print`      ${messageCheck(f, field.message!, enc("wrongMessage"), M, F)}`;
      nested(field.message!, "      ");
    } else if (kind === "string") {
      f.print`      ${tag}`;
      shortAsciiString(f, enc, M, F);
    } else {
      const writer = scalarWriters[kind];
      f.print`      ${tag}`;
      f.print`      pos = ${enc(writer.fn)}(${writer.grows ? "w" : "buf"}, pos, v, ${writer.signed ?? ""}${M}, ${F});`;
      if (writer.grows) f.print`      buf = w.buf;`;
    }
    f.print`    }`;
    f.print`  }`;
  }
  if (sites !== nestedSites) throw new Error(`${desc.typeName}: ${sites} nested messages written, ${nestedSites} counted`);
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
function shortAsciiString(f: GeneratedFile, enc: (name: string) => ImportSymbol, M: string, F: string): void {
  f.print`      if (typeof v === "string" && v.length < ${enc("SHORT_STRING")} && pos + ${enc("SHORT_STRING_ROOM")} <= buf.length) {`;
  f.print`        const at = pos++;`;
  f.print`        let units = 0;`;
  f.print`        for (let i = 0; i < v.length; i++) units |= buf[pos++] = v.charCodeAt(i);`;
  f.print`        if (units < 0x80) buf[at] = v.length;`;
  f.print`        else pos = ${enc("writeShortUtf8")}(buf, at, v, ${M}, ${F});`;
  f.print`      } else {`;
  f.print`        pos = ${enc("encodeString")}(w, pos, v, ${M}, ${F});`;
  f.print`        buf = w.buf;`;
  f.print`      }`;
}

/**
 * How a field's value is read into `v` and when it is written: implicit
 * fields when present and not zero, explicit fields when set (an own
 * property), required fields always (an absent one as its zero or empty
 * message), oneof members when their case is selected.
 */
function valueAccess(field: DescField, kind: Kind, presence: Presence, namesOf: (d: DescMessage) => Names): { read: Printable; test: string } {
  const name = field.localName;
  switch (presence) {
    case "oneof": {
      const v = oneofVar(field.oneof!);
      return {
        read: `const v = ${v} == null ? undefined : ${v}.case === ${JSON.stringify(name)} ? ${v}.value : undefined;`,
        test: `${v} != null && ${v}.case === ${JSON.stringify(name)}`,
      };
    }
    case "required":
      return {
        read: [`const v: unknown = m.${name} === undefined ? `, kind === "message" ? namesOf(field.message!).empty : zeroOf(kind), ` : m.${name};`],
        test: "true",
      };
    case "explicit":
      return {
        read: `const v: unknown = ${kind === "message" ? `m.${name}` : `Object.hasOwn(m, ${JSON.stringify(name)}) ? m.${name} : undefined`};`,
        test: "v !== undefined",
      };
    default:
      return { read: `const v: unknown = m.${name};`, test: kind === "message" ? "v !== undefined" : `v !== undefined && ${notZero(kind, "v")}` };
  }
}

function readExpr(f: GeneratedFile, kind: Kind, M: string, F: string): Printable {
  const read = {
    uint32: "readUint32",
    int32: "readInt32",
    uint64: "readUint64",
    int64: "readInt64",
    bool: "readBool",
    string: "readString",
    bytes: "readBytes",
  } as const;
  if (kind === "message") throw new Error("message fields are decoded by their own function");
  return [f.import(read[kind], decoderModule()), `(r, end, ${M}, ${F})`];
}

/** The local variable holding a field's value while decoding. */
function local(field: DescField): string {
  return `${field.localName}$`;
}

function generateDecode(f: GeneratedFile, desc: DescMessage, shape: ImportSymbol, namesOf: (d: DescMessage) => Names, M: string): void {
  const dec = (name: string) => f.import(name, decoderModule());
  const Reader = f.import("Reader", decoderModule(), true);
  const fields = byNumber(desc);
  f.print(
    f.jsDoc(
      `Decodes the fields of a \`${desc.typeName}\` in \`[r.pos, end)\` as prost does, merging into \`into\` when given; \`budget\` is what is left of the recursion limit.`,
    ),
  );
  f.print`export function decode${shape.name}(r: ${Reader}, end: number, budget: number, into?: ${shape}): ${shape} {`;
  // Locals, starting from `into` (a repeated occurrence of a message field merges into the first).
  for (const field of fields) {
    if (field.oneof !== undefined) continue;
    const kind = kindOf(field);
    const name = field.localName;
    const type: Printable = [shape, `[${JSON.stringify(name)}]`];
    if (field.fieldKind === "list") {
      f.print`  const ${local(field)}: ${type} = into === undefined ? [] : into.${name};`;
    } else if (field.fieldKind === "message") {
      f.print`  let ${local(field)}: ${type} = into === undefined ? undefined : into.${name};`;
    } else if (presenceOf(field) === "explicit") {
      f.print`  let ${local(field)}: ${type} | undefined = into !== undefined && Object.hasOwn(into, ${JSON.stringify(name)}) ? into.${name} : undefined;`;
    } else if (kind === "bytes") {
      // The empty default is made at the end, only when the field was absent.
      f.print`  let ${local(field)}: ${type} | undefined = into === undefined ? undefined : into.${name};`;
    } else {
      f.print`  let ${local(field)}: ${type} = into === undefined ? ${zeroOf(kind)} : into.${name};`;
    }
  }
  for (const oneof of desc.oneofs) {
    f.print`  let ${oneofVar(oneof)}: ${shape}[${JSON.stringify(oneof.localName)}] = into === undefined ? { case: undefined } : into.${oneof.localName};`;
  }
  f.print`  while (r.pos < end) {`;
  f.print`    const at = r.pos;`;
  f.print`    const key = ${dec("readKey")}(r, end, ${M});`;
  f.print`    switch (key) {`;
  for (const field of fields) {
    const kind = kindOf(field);
    const F = JSON.stringify(field.name);
    f.print`      case ${keyOf(field, kind)}: {`;
    if (kind === "message") {
      const child = namesOf(field.message!);
      f.print`        ${dec("enterMessage")}(r, budget, ${M}, ${F});`;
      f.print`        const stop = ${dec("readLength")}(r, end, ${M}, ${F});`;
      if (field.fieldKind === "list") {
        f.print`        ${local(field)}.push(${child.decode}(r, stop, budget - 1));`;
      } else if (field.oneof !== undefined) {
        const v = oneofVar(field.oneof);
        const name = JSON.stringify(field.localName);
        f.print`        ${v} = { case: ${name}, value: ${child.decode}(r, stop, budget - 1, ${v}.case === ${name} ? ${v}.value : undefined) };`;
      } else {
        f.print`        ${local(field)} = ${child.decode}(r, stop, budget - 1, ${local(field)});`;
      }
    } else if (field.oneof !== undefined) {
      f.print`        ${oneofVar(field.oneof)} = { case: ${JSON.stringify(field.localName)}, value: ${readExpr(f, kind, M, F)} };`;
    } else {
      f.print`        ${local(field)} = ${readExpr(f, kind, M, F)};`;
    }
    f.print`        break;`;
    f.print`      }`;
  }
  f.print`      default:`;
  if (fields.length > 0) {
    f.print`        switch (key >>> 3) {`;
    for (const field of fields) {
      const kind = kindOf(field);
      f.print`          case ${field.number}:`;
      f.print`            ${dec("wrongWireType")}(r, at, key, ${M}, ${JSON.stringify(field.name)}, ${wireTypeOf(kind)});`;
    }
    f.print`        }`;
  }
  f.print`        ${dec("skipField")}(r, end, key, budget, ${M}, at);`;
  f.print`    }`;
  f.print`  }`;
  // The message, every property in one fixed order.
  // An absent required message reads as its default: what decoding no bytes gives.
  const properties: [string, Printable][] = fields
    .filter((field) => field.oneof === undefined && !(presenceOf(field) === "explicit" && field.fieldKind !== "message"))
    .map((field) => [
      field.localName,
      presenceOf(field) === "required" && field.fieldKind === "message"
        ? [`${local(field)} ?? `, namesOf(field.message!).decode, "(r, r.pos, 0)"]
        : field.fieldKind === "scalar" && field.scalar === ScalarType.BYTES
          ? `${local(field)} ?? ${zeroOf("bytes")}`
          : local(field),
    ]);
  for (const oneof of desc.oneofs) properties.push([oneof.localName, oneofVar(oneof)]);
  const values: Printable[] = properties.map(([name, value]) => [`, ${name}: `, value]);
  if (!needsPrototype(desc)) {
    f.print`  return { $typeName: ${typeNameOf(f, desc)}${values} };`;
  } else {
    // Explicit scalars that were not seen stay unset: protobuf-es reads them from the prototype of zero values.
    const zeros = desc.fields
      .filter((field) => field.oneof === undefined && field.fieldKind !== "message" && field.fieldKind !== "list")
      .map((field) => `${field.localName}: ${zeroOf(kindOf(field))}`);
    f.print`  const m = Object.create(${shape.name}$zero) as ${shape};`;
    f.print`  (m as { $typeName: string }).$typeName = ${typeNameOf(f, desc)};`;
    for (const [name, value] of properties) f.print`  m.${name} = ${value};`;
    for (const field of fields) {
      if (field.oneof !== undefined || presenceOf(field) !== "explicit" || field.fieldKind === "message") continue;
      f.print`  if (${local(field)} !== undefined) m.${field.localName} = ${local(field)};`;
    }
    f.print`  return m;`;
    f.print`}`;
    f.print();
    f.print`const ${shape.name}$zero = { ${zeros.join(", ")} };`;
    f.print();
    return;
  }
  f.print`}`;
  f.print();
}

runNodeJs(plugin);
