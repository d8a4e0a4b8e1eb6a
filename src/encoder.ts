/**
 * A protobuf encoder that writes what prost writes, driven by the schema: one
 * plan per message type, compiled on first use.
 *
 * It sizes the whole message first, then writes it into one buffer of
 * exactly that size (no growing, no copying). Fields go in number order;
 * implicit fields only when not zero; explicit fields whenever set; required
 * fields always, an unset one as prost's default (an unset required message
 * as its default, with its own required fields). Values are checked on the
 * way: a number outside its field's range, a string with a lone surrogate
 * (which has no UTF-8 form) or a value of the wrong type is an `AbiError`
 * naming the field, never a silently changed byte.
 *
 * @module
 * @internal
 */
import { create, type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { scalarZeroValue } from "@bufbuild/protobuf/reflect";
import { code } from "./codes.js";
import { AbiError } from "./errors.js";
import { assertSupported } from "./supported.js";

// google.protobuf.FeatureSet.FieldPresence
const EXPLICIT = 1;
const IMPLICIT = 2;
const LEGACY_REQUIRED = 3;

type AnyMessage = Record<string, unknown>;

/**
 * Encoding state: the pre-order list of nested message and string byte
 * lengths found while sizing, read back in the same order while writing.
 */
class Encoding {
  lengths: number[] = [];
  cursor = 0;
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
}

/** Sizes the fields of `msg` (pushing nested lengths); returns the byte count. */
type SizeFn = (msg: AnyMessage, e: Encoding) => number;
/** Writes the fields of `msg` at `e.pos`. */
type WriteFn = (msg: AnyMessage, e: Encoding) => void;

interface MessagePlan {
  readonly desc: DescMessage;
  size: SizeFn;
  write: WriteFn;
  /** A message with no field set: what an unset required message field encodes as. */
  readonly empty: AnyMessage;
}

function fail(field: DescField, what: string): never {
  throw new AbiError(code.PROTOCOL_ERROR, `cannot encode ${field.parent.typeName}: field ${field.name}: ${what}`, {
    messageName: field.parent.typeName,
    field: field.name,
  });
}

/** The size of `v` (an unsigned 32-bit integer) as a varint. */
export function varintSize32(v: number): number {
  // v is an unsigned 32-bit integer
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x20_0000) return 3;
  if (v < 0x1000_0000) return 4;
  return 5;
}

function varintSize64(lo: number, hi: number): number {
  if (hi === 0) return varintSize32(lo);
  // 35 bits from the low word and the first 3 of the high word fit in 5 bytes.
  if (hi < 0x8) return 5;
  if (hi < 0x400) return 6;
  if (hi < 0x2_0000) return 7;
  if (hi < 0x100_0000) return 8;
  if (hi < 0x8000_0000) return 9;
  return 10;
}

/** Writes `v` (an unsigned 32-bit integer) as a varint at `pos`; returns the position after it. */
export function writeVarint32At(buf: Uint8Array, pos: number, v: number): number {
  while (v > 0x7f) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

function writeVarint32(e: Encoding, v: number): void {
  e.pos = writeVarint32At(e.buf, e.pos, v);
}

function writeVarint64(e: Encoding, lo: number, hi: number): void {
  const buf = e.buf;
  let pos = e.pos;
  while (hi !== 0 || lo > 0x7f) {
    buf[pos++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  buf[pos++] = lo;
  e.pos = pos;
}

/** The UTF-8 byte length of `s`; -1 when it holds a lone surrogate. */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return -1;
      n += 2; // 4 bytes for 2 UTF-16 units
      i++;
    } else n += 2;
  }
  return n;
}

function writeUtf8(e: Encoding, s: string): void {
  const buf = e.buf;
  let pos = e.pos;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[pos++] = c;
    } else if (c < 0x800) {
      buf[pos++] = 0xc0 | (c >> 6);
      buf[pos++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdbff) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      buf[pos++] = 0xf0 | (c >> 18);
      buf[pos++] = 0x80 | ((c >> 12) & 0x3f);
      buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
      buf[pos++] = 0x80 | (c & 0x3f);
    } else {
      buf[pos++] = 0xe0 | (c >> 12);
      buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
      buf[pos++] = 0x80 | (c & 0x3f);
    }
  }
  e.pos = pos;
}

function tagBytes(fieldNo: number, wireType: number): Uint8Array {
  let v = ((fieldNo << 3) | wireType) >>> 0;
  const out: number[] = [];
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return new Uint8Array(out);
}

function writeTag(e: Encoding, tag: Uint8Array): void {
  for (let i = 0; i < tag.length; i++) e.buf[e.pos++] = tag[i]!;
}

const U32_MAX = 0xffff_ffff;
const I32_MIN = -0x8000_0000;
const I32_MAX = 0x7fff_ffff;

const TWO_32 = 4294967296;

/**
 * Pushes the low and high 32-bit words (two's complement) of a 64-bit value
 * onto `e.lengths`, where the write pass finds them; returns its varint size.
 */
function size64(field: DescField, value: unknown, signed: boolean, e: Encoding): number {
  let n: number;
  if (typeof value === "bigint") n = Number(value);
  else if (typeof value === "number") n = value;
  else return fail(field, `expected a 64-bit integer, got ${describe(value)}`);
  let lo: number;
  let hi: number;
  if (Number.isSafeInteger(n)) {
    if (n < 0 && !signed) fail(field, `${String(value)} is out of range for uint64`);
    lo = n >>> 0;
    hi = Math.floor(n / TWO_32) >>> 0;
  } else {
    if (typeof value !== "bigint") fail(field, `expected a 64-bit integer, got ${describe(value)}`);
    if (signed ? value < -(2n ** 63n) || value >= 2n ** 63n : value < 0n || value >= 2n ** 64n) {
      fail(field, `${value} is out of range for ${signed ? "int64" : "uint64"}`);
    }
    const u = BigInt.asUintN(64, value);
    lo = Number(u & 0xffff_ffffn);
    hi = Number(u >> 32n);
  }
  e.lengths.push(lo, hi);
  return varintSize64(lo, hi);
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 20 ? value.slice(0, 20) + "…" : value);
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (value === undefined || value === null) return String(value);
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

/** Sizes and writes the value of one field kind (without its tag). */
interface ValueCodec {
  readonly wireType: number;
  /** True when `value` is the zero value (an implicit field then writes nothing). */
  isZero(value: unknown): boolean;
  size(value: unknown, e: Encoding): number;
  write(value: unknown, e: Encoding): void;
}

function scalarCodec(field: DescField, type: ScalarType): ValueCodec {
  const uint32: ValueCodec = {
    wireType: 0,
    isZero: (v) => v === 0,
    size(v) {
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > U32_MAX) fail(field, `expected a uint32, got ${describe(v)}`);
      return varintSize32(v);
    },
    write: (v, e) => writeVarint32(e, v as number),
  };
  const int32: ValueCodec = {
    wireType: 0,
    isZero: (v) => v === 0,
    size(v) {
      if (typeof v !== "number" || !Number.isInteger(v) || v < I32_MIN || v > I32_MAX) fail(field, `expected an int32, got ${describe(v)}`);
      return v < 0 ? 10 : varintSize32(v);
    },
    write: (v, e) => ((v as number) < 0 ? writeVarint64(e, (v as number) >>> 0, U32_MAX) : writeVarint32(e, v as number)),
  };
  const int64 = (signed: boolean): ValueCodec => ({
    wireType: 0,
    isZero: (v) => v === 0n || v === 0,
    size: (v, e) => size64(field, v, signed, e),
    write(_v, e) {
      const lo = e.lengths[e.cursor++]!;
      const hi = e.lengths[e.cursor++]!;
      writeVarint64(e, lo, hi);
    },
  });
  switch (type) {
    case ScalarType.UINT32:
      return uint32;
    case ScalarType.INT32:
      return int32;
    case ScalarType.UINT64:
      return int64(false);
    case ScalarType.INT64:
      return int64(true);
    case ScalarType.BOOL:
      return {
        wireType: 0,
        isZero: (v) => v === false,
        size(v) {
          if (typeof v !== "boolean") fail(field, `expected a boolean, got ${describe(v)}`);
          return 1;
        },
        write: (v, e) => {
          e.buf[e.pos++] = v ? 1 : 0;
        },
      };
    case ScalarType.STRING:
      return {
        wireType: 2,
        isZero: (v) => v === "",
        size(v, e) {
          if (typeof v !== "string") fail(field, `expected a string, got ${describe(v)}`);
          const n = utf8Length(v);
          if (n < 0) fail(field, "string holds a lone surrogate, which has no UTF-8 encoding");
          e.lengths.push(n);
          return varintSize32(n) + n;
        },
        write(v, e) {
          writeVarint32(e, e.lengths[e.cursor++]!);
          writeUtf8(e, v as string);
        },
      };
    case ScalarType.BYTES:
      return {
        wireType: 2,
        isZero: (v) => v instanceof Uint8Array && v.length === 0,
        size(v) {
          if (!(v instanceof Uint8Array)) fail(field, `expected a Uint8Array, got ${describe(v)}`);
          return varintSize32(v.length) + v.length;
        },
        write(v, e) {
          const bytes = v as Uint8Array;
          writeVarint32(e, bytes.length);
          e.buf.set(bytes, e.pos);
          e.pos += bytes.length;
        },
      };
    default:
      throw new Error(`unsupported scalar type ${ScalarType[type]} in ${field.toString()}`);
  }
}

function messageCodec(field: DescField, desc: DescMessage): ValueCodec {
  return {
    wireType: 2,
    isZero: () => false,
    size(v, e) {
      if (typeof v !== "object" || v === null || (v as { $typeName?: unknown }).$typeName !== desc.typeName) {
        fail(field, `expected a ${desc.typeName} message, got ${describe(v)}`);
      }
      const plan = planOf(desc);
      const at = e.lengths.length;
      e.lengths.push(0);
      const n = plan.size(v as AnyMessage, e);
      e.lengths[at] = n;
      return varintSize32(n) + n;
    },
    write(v, e) {
      writeVarint32(e, e.lengths[e.cursor++]!);
      planOf(desc).write(v as AnyMessage, e);
    },
  };
}

interface FieldStep {
  size: SizeFn;
  write: WriteFn;
}

function fieldStep(field: DescField): FieldStep {
  const name = field.localName;
  if (field.fieldKind === "list") {
    if (field.listKind !== "message") throw new Error(`unsupported repeated scalar field ${field.toString()}`);
    const codec = messageCodec(field, field.message);
    const tag = tagBytes(field.number, 2);
    return {
      size(msg, e) {
        const items = msg[name];
        if (!Array.isArray(items)) fail(field, `expected an array, got ${describe(items)}`);
        let n = 0;
        for (const item of items) n += tag.length + codec.size(item, e);
        return n;
      },
      write(msg, e) {
        for (const item of msg[name] as unknown[]) {
          writeTag(e, tag);
          codec.write(item, e);
        }
      },
    };
  }
  if (field.fieldKind === "map") throw new Error(`unsupported map field ${field.toString()}`);
  const codec =
    field.fieldKind === "message"
      ? messageCodec(field, field.message)
      : scalarCodec(field, field.fieldKind === "enum" ? ScalarType.INT32 : field.scalar);
  const tag = tagBytes(field.number, codec.wireType);
  if (field.oneof !== undefined) {
    const oneofName = field.oneof.localName;
    return {
      size(msg, e) {
        const selected = msg[oneofName] as { case?: string; value?: unknown } | undefined;
        return selected?.case === name ? tag.length + codec.size(selected.value, e) : 0;
      },
      write(msg, e) {
        const selected = msg[oneofName] as { case?: string; value?: unknown } | undefined;
        if (selected?.case !== name) return;
        writeTag(e, tag);
        codec.write(selected.value, e);
      },
    };
  }
  if (field.presence === IMPLICIT) {
    // An absent (undefined) implicit field carries no value: it is not written.
    const skip = (value: unknown) => value === undefined || codec.isZero(value);
    return {
      size: (msg, e) => (skip(msg[name]) ? 0 : tag.length + codec.size(msg[name], e)),
      write(msg, e) {
        if (skip(msg[name])) return;
        writeTag(e, tag);
        codec.write(msg[name], e);
      },
    };
  }
  if (field.presence === EXPLICIT) {
    const isSet = (msg: AnyMessage) => msg[name] !== undefined && Object.prototype.hasOwnProperty.call(msg, name);
    return {
      size: (msg, e) => (isSet(msg) ? tag.length + codec.size(msg[name], e) : 0),
      write(msg, e) {
        if (!isSet(msg)) return;
        writeTag(e, tag);
        codec.write(msg[name], e);
      },
    };
  }
  if (field.presence !== LEGACY_REQUIRED) throw new Error(`unknown presence of ${field.toString()}`);
  // Required: always written; an unset field as its default (prost has no "unset").
  const fallback = field.fieldKind === "message" ? undefined : scalarZeroValue(field.fieldKind === "enum" ? ScalarType.INT32 : field.scalar, false);
  const valueOf =
    field.fieldKind === "message"
      ? (msg: AnyMessage) => msg[name] ?? planOf(field.message).empty
      : (msg: AnyMessage) => msg[name] ?? fallback;
  return {
    size: (msg, e) => tag.length + codec.size(valueOf(msg), e),
    write(msg, e) {
      writeTag(e, tag);
      codec.write(valueOf(msg), e);
    },
  };
}

const plans = new WeakMap<DescMessage, MessagePlan>();

function planOf(desc: DescMessage): MessagePlan {
  let plan = plans.get(desc);
  if (plan === undefined) {
    const steps: FieldStep[] = [];
    plan = {
      desc,
      empty: create(desc) as unknown as AnyMessage,
      size(msg, e) {
        let n = 0;
        for (let i = 0; i < steps.length; i++) n += steps[i]!.size(msg, e);
        return n;
      },
      write(msg, e) {
        for (let i = 0; i < steps.length; i++) steps[i]!.write(msg, e);
      },
    };
    // Register before compiling fields, so that recursive types find this plan.
    plans.set(desc, plan);
    for (const field of desc.fields.concat().sort((a, b) => a.number - b.number)) steps.push(fieldStep(field));
  }
  return plan;
}

// Outputs up to POOLED_MAX bytes are cut from shared 64 KiB slabs, as Node's
// Buffer pool does: allocating many small ArrayBuffers costs far more than
// one view each. A slab is never reused; it lives while any view into it does.
const SLAB_SIZE = 64 * 1024;
const POOLED_MAX = 4 * 1024;
let slab = new ArrayBuffer(0);
let slabUsed = 0;

/** `size` fresh bytes (zeroed): up to 4 KiB a view into a shared slab, never handed out twice; beyond, a buffer of their own. */
export function allocate(size: number): Uint8Array {
  if (size > POOLED_MAX) return new Uint8Array(size);
  if (slabUsed + size > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabUsed = 0;
  }
  const out = new Uint8Array(slab, slabUsed, size);
  slabUsed = (slabUsed + size + 7) & ~7; // keep each output 8-byte aligned
  return out;
}

let spare: Encoding | undefined = new Encoding();

/**
 * Encodes `message` as a message of `desc`, after a prefix that
 * `prefix.write` fills in once the body's size is known (used to write a
 * frame's header and its payload into one buffer).
 *
 * The result may be a view into a shared buffer: pass it on with its
 * `byteOffset` and `byteLength` (as any `Uint8Array`), not as `.buffer` alone.
 *
 * @throws AbiError (PROTOCOL_ERROR) naming the field of a value that cannot be encoded.
 */
export function encodeWithPlan(
  desc: DescMessage,
  message: unknown,
  prefix?: { size(bodySize: number): number; write(buf: Uint8Array, bodySize: number): number },
): Uint8Array {
  if (typeof message !== "object" || message === null || (message as { $typeName?: unknown }).$typeName !== desc.typeName) {
    throw new AbiError(code.PROTOCOL_ERROR, `cannot encode ${desc.typeName}: expected a ${desc.typeName} message, got ${describe(message)}`, {
      messageName: desc.typeName,
    });
  }
  assertSupported(desc);
  const plan = planOf(desc);
  // One Encoding is kept for reuse; a nested call (from a getter, say) gets its own.
  const e = spare ?? new Encoding();
  spare = undefined;
  try {
    e.lengths.length = 0;
    e.cursor = 0;
    const bodySize = plan.size(message as AnyMessage, e);
    const prefixSize = prefix === undefined ? 0 : prefix.size(bodySize);
    const out = allocate(prefixSize + bodySize);
    e.buf = out;
    e.pos = prefix === undefined ? 0 : prefix.write(out, bodySize);
    plan.write(message as AnyMessage, e);
    if (e.pos !== out.length) throw new Error(`encoder defect: wrote ${e.pos} of ${out.length} bytes for ${desc.typeName}`);
    return out;
  } finally {
    e.buf = empty;
    spare = e;
  }
}

const empty = new Uint8Array(0);
