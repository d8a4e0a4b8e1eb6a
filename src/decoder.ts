/**
 * A protobuf decoder that accepts exactly what prost accepts (spec section 4),
 * driven by the schema: one plan per message type, compiled on first use.
 *
 * It reads straight into protobuf-es messages, with these prost rules that
 * `fromBinary` does not follow: a known field with the wrong wire type is an
 * error; unknown fields (groups included) are checked and dropped; a varint's
 * tenth byte must be 0 or 1; strings must be valid UTF-8 (a BOM is kept);
 * messages and groups share prost's recursion budget of 100; absent required
 * fields are filled with their defaults. `bytes` fields are views into the
 * input, never copies. Every rejection is an `AbiError` naming the message,
 * the field and the byte offset.
 *
 * @module
 * @internal
 */
import {
  create,
  type DescField,
  type DescMessage,
  type Message,
  protoInt64,
  ScalarType,
} from "@bufbuild/protobuf";
import { scalarZeroValue } from "@bufbuild/protobuf/reflect";
import { code } from "./codes.js";
import { AbiError } from "./errors.js";
import { assertSupported } from "./supported.js";

/** prost's `RECURSION_LIMIT`: nested messages and groups share this budget. */
export const RECURSION_LIMIT = 100;

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_SGROUP = 3;
const WIRE_EGROUP = 4;
const WIRE_I32 = 5;

const wireTypeNames = ["varint", "64-bit", "length-delimited", "start-group", "end-group", "32-bit"];

/** Mutable decoding state over one input buffer. */
class Reader {
  pos = 0;
  /** Low and high 32 bits of the last varint read. */
  lo = 0;
  hi = 0;
  constructor(readonly buf: Uint8Array) {}
}

/** What a field's reader needs to name the field in an error. */
type Where = { readonly message: string; readonly field?: string };

function fail(where: Where, offset: number, what: string): never {
  const field = where.field === undefined ? "" : ` field ${where.field}:`;
  throw new AbiError(code.PROTOCOL_ERROR, `cannot decode ${where.message}:${field} ${what} at byte ${offset}`, {
    messageName: where.message,
    field: where.field,
    offset,
  });
}

/**
 * Reads a varint into `r.lo`/`r.hi`, within `end`: at most ten bytes, the
 * tenth at most 1 (prost's overflow check).
 */
function readVarint(r: Reader, end: number, where: Where): void {
  const buf = r.buf;
  const start = r.pos;
  let pos = start;
  let lo = 0;
  let hi = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= end) fail(where, start, "truncated varint");
    const b = buf[pos++]!;
    lo |= (b & 0x7f) << shift;
    if (b < 0x80) {
      r.pos = pos;
      r.lo = lo >>> 0;
      r.hi = 0;
      return;
    }
  }
  if (pos >= end) fail(where, start, "truncated varint");
  let b = buf[pos++]!;
  lo |= (b & 0x0f) << 28;
  hi = (b & 0x7f) >> 4;
  if (b >= 0x80) {
    for (let shift = 3; shift <= 31; shift += 7) {
      if (pos >= end) fail(where, start, "truncated varint");
      b = buf[pos++]!;
      if (shift === 31 && b > 1) fail(where, start, "varint overflows 64 bits");
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
  }
  r.pos = pos;
  r.lo = lo >>> 0;
  r.hi = hi >>> 0;
}

/** Reads a length prefix and checks that the data it announces is inside `end`. */
function readLength(r: Reader, end: number, where: Where): number {
  const at = r.pos;
  readVarint(r, end, where);
  const left = end - r.pos;
  if (r.hi !== 0 || r.lo > left) {
    const len = protoInt64.uDec(r.lo, r.hi);
    const scope = end === r.buf.length ? "the input" : "its enclosing message";
    fail(where, at, `length ${len} runs past the end of ${scope} (${left} bytes left)`);
  }
  return r.lo;
}

function skipFixed(r: Reader, end: number, size: number, where: Where): void {
  if (end - r.pos < size) fail(where, r.pos, `truncated ${size * 8}-bit value`);
  r.pos += size;
}

/**
 * Skips one unknown field whose key was just read, as prost's `skip_field`:
 * a group is read up to its matching end tag, one budget step per level.
 */
function skipField(r: Reader, end: number, wireType: number, fieldNo: number, budget: number, where: Where, keyAt: number): void {
  if (budget === 0) fail(where, keyAt, `recursion limit of ${RECURSION_LIMIT} reached`);
  switch (wireType) {
    case WIRE_VARINT:
      readVarint(r, end, where);
      return;
    case WIRE_I64:
      skipFixed(r, end, 8, where);
      return;
    case WIRE_I32:
      skipFixed(r, end, 4, where);
      return;
    case WIRE_LEN: {
      const len = readLength(r, end, where);
      r.pos += len;
      return;
    }
    case WIRE_SGROUP:
      for (;;) {
        const innerAt = r.pos;
        const innerKey = readKey(r, end, where);
        const innerNo = innerKey >>> 3;
        const innerWire = innerKey & 7;
        if (innerWire === WIRE_EGROUP) {
          if (innerNo !== fieldNo) fail(where, innerAt, `end-group tag ${innerNo} does not match start-group ${fieldNo}`);
          return;
        }
        skipField(r, end, innerWire, innerNo, budget - 1, where, innerAt);
      }
    default: // WIRE_EGROUP
      fail(where, keyAt, `unexpected end-group tag ${fieldNo}`);
  }
}

/**
 * Reads a field key: a varint of at most 32 bits, wire type 0..5, field
 * number at least 1. Returns the key (`fieldNo << 3 | wireType`), unsigned.
 */
function readKey(r: Reader, end: number, where: Where): number {
  const at = r.pos;
  const b = r.pos < end ? r.buf[r.pos]! : 0x80;
  let key: number;
  if (b < 0x80) {
    r.pos++;
    key = b;
  } else {
    readVarint(r, end, where);
    if (r.hi !== 0) fail(where, at, `field key ${protoInt64.uDec(r.lo, r.hi)} does not fit in 32 bits`);
    key = r.lo;
  }
  if ((key & 7) > 5) fail(where, at, `invalid wire type ${key & 7}`);
  if (key < 8) fail(where, at, "invalid field number 0");
  return key;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function readString(r: Reader, end: number, where: Where): string {
  const len = readLength(r, end, where);
  const start = r.pos;
  const stop = start + len;
  const buf = r.buf;
  r.pos = stop;
  if (len <= 64) {
    // Short ASCII strings, the common case, without a TextDecoder call.
    let text = "";
    let i = start;
    for (; i < stop; i++) {
      const b = buf[i]!;
      if (b >= 0x80) break;
      text += String.fromCharCode(b);
    }
    if (i === stop) return text;
  }
  try {
    return utf8.decode(buf.subarray(start, stop));
  } catch {
    return fail(where, start, "string is not valid UTF-8");
  }
}

/** Reads one scalar value of `type`, whose wire type has been checked. */
type ScalarRead = (r: Reader, end: number, where: Where) => unknown;

function scalarReader(type: ScalarType): { wireType: number; read: ScalarRead } {
  const varint = (convert: (r: Reader) => unknown) => ({
    wireType: WIRE_VARINT,
    read: (r: Reader, end: number, where: Where) => {
      readVarint(r, end, where);
      return convert(r);
    },
  });
  switch (type) {
    case ScalarType.UINT32:
      return varint((r) => r.lo);
    case ScalarType.INT32:
      return varint((r) => r.lo | 0);
    case ScalarType.UINT64:
      return varint((r) => protoInt64.uDec(r.lo, r.hi));
    case ScalarType.INT64:
      return varint((r) => protoInt64.dec(r.lo, r.hi));
    case ScalarType.BOOL:
      return varint((r) => r.lo !== 0 || r.hi !== 0);
    case ScalarType.STRING:
      return { wireType: WIRE_LEN, read: readString };
    case ScalarType.BYTES:
      return {
        wireType: WIRE_LEN,
        read: (r, end, where) => {
          const len = readLength(r, end, where);
          const start = r.pos;
          r.pos = start + len;
          return r.buf.subarray(start, start + len);
        },
      };
    default:
      throw new Error(`unsupported scalar type ${ScalarType[type]}`); // refused earlier by assertSupported
  }
}

// Messages are plain protobuf-es objects; the decoder writes their fields by local name.
type AnyMessage = Record<string, unknown>;

/** Reads the value of one known field (key already read and wire type checked) into `msg`. */
type FieldRead = (r: Reader, end: number, msg: AnyMessage, budget: number) => void;

interface FieldPlan {
  readonly wireType: number;
  readonly where: Where;
  readonly read: FieldRead;
}

/** Sets an absent required field of `msg` to its default. */
type FillRequired = (msg: AnyMessage) => void;

interface MessagePlan {
  readonly desc: DescMessage;
  readonly where: Where;
  /** Indexed by field number. */
  readonly fields: ReadonlyArray<FieldPlan | undefined>;
  readonly required: readonly FillRequired[];
}

const plans = new WeakMap<DescMessage, MessagePlan>();

function planOf(desc: DescMessage): MessagePlan {
  let plan = plans.get(desc);
  if (plan === undefined) {
    const fields: (FieldPlan | undefined)[] = [];
    const required: FillRequired[] = [];
    plan = { desc, where: { message: desc.typeName }, fields, required };
    // Register before compiling fields, so that recursive types find this plan.
    plans.set(desc, plan);
    for (const field of desc.fields) {
      fields[field.number] = fieldPlan(field);
      if (field.presence === LEGACY_REQUIRED) required.push(requiredFiller(field));
    }
  }
  return plan;
}

// google.protobuf.FeatureSet.FieldPresence.LEGACY_REQUIRED
const LEGACY_REQUIRED = 3;

function requiredFiller(field: DescField): FillRequired {
  const name = field.localName;
  switch (field.fieldKind) {
    case "message": {
      const child = field.message;
      return (msg) => {
        if (msg[name] === undefined) msg[name] = defaultMessage(child);
      };
    }
    case "scalar": {
      const type = field.scalar;
      return (msg) => {
        if (!Object.prototype.hasOwnProperty.call(msg, name)) msg[name] = scalarZeroValue(type, false);
      };
    }
    case "enum": {
      const zero = field.enum.values[0]?.number ?? 0;
      return (msg) => {
        if (!Object.prototype.hasOwnProperty.call(msg, name)) msg[name] = zero;
      };
    }
    default:
      throw new Error(`unsupported required ${field.fieldKind} field ${field.toString()}`);
  }
}

/** The default value of a message as prost has it: every required field set, recursively. */
export function defaultMessage(desc: DescMessage): AnyMessage {
  const msg = create(desc) as unknown as AnyMessage;
  fillRequired(planOf(desc), msg);
  return msg;
}

function fillRequired(plan: MessagePlan, msg: AnyMessage): void {
  const required = plan.required;
  for (let i = 0; i < required.length; i++) required[i]!(msg);
}

function fieldPlan(field: DescField): FieldPlan {
  const where: Where = { message: field.parent.typeName, field: field.name };
  const name = field.localName;
  if (field.fieldKind === "message" || (field.fieldKind === "list" && field.listKind === "message")) {
    const child = field.message;
    const decodeChild = (r: Reader, end: number, into: AnyMessage | undefined, budget: number): AnyMessage => {
      if (budget === 0) fail(where, r.pos, `recursion limit of ${RECURSION_LIMIT} reached`);
      const len = readLength(r, end, where);
      const msg = into ?? (create(child) as unknown as AnyMessage);
      decodeFields(planOf(child), r, r.pos + len, msg, budget - 1);
      return msg;
    };
    let read: FieldRead;
    if (field.fieldKind === "list") {
      read = (r, end, msg, budget) => {
        (msg[name] as AnyMessage[]).push(decodeChild(r, end, undefined, budget));
      };
    } else if (field.oneof !== undefined) {
      const oneofName = field.oneof.localName;
      read = (r, end, msg, budget) => {
        const current = msg[oneofName] as { case: string | undefined; value?: AnyMessage };
        const into = current.case === name ? current.value : undefined;
        msg[oneofName] = { case: name, value: decodeChild(r, end, into, budget) };
      };
    } else {
      read = (r, end, msg, budget) => {
        msg[name] = decodeChild(r, end, msg[name] as AnyMessage | undefined, budget);
      };
    }
    return { wireType: WIRE_LEN, where, read };
  }
  let scalar: { wireType: number; read: ScalarRead };
  if (field.fieldKind === "scalar") scalar = scalarReader(field.scalar);
  else if (field.fieldKind === "enum") scalar = scalarReader(ScalarType.INT32);
  else throw new Error(`unsupported ${field.fieldKind} field ${field.toString()}: the decoder reads singular fields and repeated messages`);
  const readValue = scalar.read;
  if (field.oneof !== undefined) {
    const oneofName = field.oneof.localName;
    return {
      wireType: scalar.wireType,
      where,
      read: (r, end, msg) => {
        msg[oneofName] = { case: name, value: readValue(r, end, where) };
      },
    };
  }
  return {
    wireType: scalar.wireType,
    where,
    read: (r, end, msg) => {
      msg[name] = readValue(r, end, where);
    },
  };
}

/** Decodes the fields in `[r.pos, end)` into `msg`, then fills its absent required fields. */
function decodeFields(plan: MessagePlan, r: Reader, end: number, msg: AnyMessage, budget: number): void {
  const fields = plan.fields;
  while (r.pos < end) {
    const keyAt = r.pos;
    const key = readKey(r, end, plan.where);
    const fieldNo = key >>> 3;
    const wireType = key & 7;
    const field = fields[fieldNo];
    if (field === undefined) {
      skipField(r, end, wireType, fieldNo, budget, plan.where, keyAt);
    } else if (field.wireType !== wireType) {
      fail(
        field.where,
        keyAt,
        `wire type ${wireType} (${wireTypeNames[wireType]}) where ${wireTypeNames[field.wireType]} is expected`,
      );
    } else {
      field.read(r, end, msg, budget);
    }
  }
  fillRequired(plan, msg);
}

/**
 * Decodes `bytes` as a message of `desc`, as prost does; throws `AbiError`
 * (PROTOCOL_ERROR) on anything prost rejects.
 */
export function decodeWithPlan<T extends Message>(desc: DescMessage, bytes: Uint8Array): T {
  assertSupported(desc);
  const r = new Reader(bytes);
  const msg = create(desc) as unknown as AnyMessage;
  decodeFields(planOf(desc), r, bytes.length, msg, RECURSION_LIMIT);
  return msg as unknown as T;
}
