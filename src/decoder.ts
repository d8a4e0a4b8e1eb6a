/**
 * The reading half of the generated codecs (`gen/**\/*_codec.ts`): a reader
 * over one input and the prost rules every generated decoder shares.
 *
 * What prost accepts, and so what these accept (docs/abi.md section 4): a
 * varint of at most ten bytes whose tenth byte is 0 or 1; a field key of at
 * most 32 bits with a wire type 0..5 and a field number of at least 1; a
 * length that stays inside its enclosing message; strings that are valid
 * UTF-8 (a byte-order mark is kept); unknown fields of any valid wire type,
 * groups included, checked and dropped; messages and groups sharing one
 * recursion budget of 100. Every rejection is an `AbiError`
 * (PROTOCOL_ERROR) naming the message, the field and the byte offset.
 *
 * @module
 * @internal
 */
import { protoInt64 } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import { asciiString, MAX_ASCII_STRING } from "./ascii.js";
import { code } from "./codes.js";
import { AbiError } from "./errors.js";
import { utf8TextOrUndefined } from "./utf8.js";

/** prost's `RECURSION_LIMIT`: nested messages and groups share this budget. */
export const RECURSION_LIMIT = 100;

/** Where the bytes a reader reads sit inside a larger input, for error offsets. */
export interface Enclosing {
  /** The byte offset of the reader's first byte inside the larger input. */
  readonly base: number;
  /** The field that holds the bytes, e.g. `"AbiFrame.payload"`. */
  readonly holder: string;
}

/** Decoding state over one input: the position and the last varint read. */
export class Reader {
  /** The position of the next byte to read. */
  pos = 0;
  /** The low 32 bits of the last varint read, unsigned. */
  lo = 0;
  /** The high 32 bits of the last varint read, unsigned. */
  hi = 0;

  /**
   * @param buf the input, a plain `Uint8Array` (so that a view cut from it is one too)
   * @param enclosing where `buf` sits inside a larger input, when it does
   */
  constructor(
    readonly buf: Uint8Array,
    readonly enclosing?: Enclosing,
  ) {}
}

/** Throws the AbiError for a rejection at `offset` (counted from the reader's start). */
export function fail(r: Reader, offset: number, message: string, field: string | undefined, what: string): never {
  const inField = field === undefined ? "" : ` field ${field}:`;
  const enclosing = r.enclosing;
  const at = enclosing === undefined ? offset : enclosing.base + offset;
  const where = enclosing === undefined ? "" : ` (in ${enclosing.holder}, which starts at byte ${enclosing.base})`;
  throw new AbiError(code.PROTOCOL_ERROR, `cannot decode ${message}:${inField} ${what} at byte ${at}${where}`, {
    messageName: message,
    field,
    offset: at,
  });
}

/**
 * Reads a varint into `r.lo`/`r.hi`, within `end`: at most ten bytes, the
 * tenth at most 1 (prost's overflow check).
 */
export function readVarint(r: Reader, end: number, message: string, field: string | undefined): void {
  const buf = r.buf;
  const start = r.pos;
  let pos = start;
  let lo = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= end) fail(r, start, message, field, "truncated varint");
    const b = buf[pos++]!;
    lo |= (b & 0x7f) << shift;
    if (b < 0x80) {
      r.pos = pos;
      r.lo = lo >>> 0;
      r.hi = 0;
      return;
    }
  }
  if (pos >= end) fail(r, start, message, field, "truncated varint");
  let b = buf[pos++]!;
  lo |= (b & 0x0f) << 28;
  let hi = (b & 0x7f) >> 4;
  if (b >= 0x80) {
    for (let shift = 3; shift <= 31; shift += 7) {
      if (pos >= end) fail(r, start, message, field, "truncated varint");
      b = buf[pos++]!;
      if (shift === 31 && b > 1) fail(r, start, message, field, "varint overflows 64 bits");
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
  }
  r.pos = pos;
  r.lo = lo >>> 0;
  r.hi = hi >>> 0;
}

/**
 * Reads a one-byte varint, the common case: its value, or -1 (the reader
 * not moved) when the next varint is longer or the data ends.
 */
function readOneByte(r: Reader, end: number): number {
  const pos = r.pos;
  if (pos < end) {
    const b = r.buf[pos]!;
    if (b < 0x80) {
      r.pos = pos + 1;
      return b;
    }
  }
  return -1;
}

/** Reads a `uint32` (the low 32 bits of a varint, as prost truncates). */
export function readUint32(r: Reader, end: number, message: string, field: string): number {
  const b = readOneByte(r, end);
  if (b >= 0) return b;
  readVarint(r, end, message, field);
  return r.lo;
}

/** Reads an `int32` or enum value (the low 32 bits of a varint, signed). */
export function readInt32(r: Reader, end: number, message: string, field: string): number {
  return readUint32(r, end, message, field) | 0;
}

/**
 * The bigints 0..127, shared: a one-byte varint (a sequence number, a small
 * id) reads as one of these instead of a new bigint. Bigints are immutable,
 * so sharing them is invisible.
 */
const oneByteBigInts: readonly bigint[] = Array.from({ length: 0x80 }, (_, i) => BigInt(i));

/** Reads a `uint64`. */
export function readUint64(r: Reader, end: number, message: string, field: string): bigint {
  const b = readOneByte(r, end);
  if (b >= 0) return oneByteBigInts[b]!;
  readVarint(r, end, message, field);
  return protoInt64.uDec(r.lo, r.hi);
}

/** Reads an `int64`. */
export function readInt64(r: Reader, end: number, message: string, field: string): bigint {
  const b = readOneByte(r, end);
  if (b >= 0) return oneByteBigInts[b]!;
  readVarint(r, end, message, field);
  return protoInt64.dec(r.lo, r.hi);
}

/** Reads a `bool`: any non-zero 64-bit varint is true, as prost has it (no truncation to 32 bits). */
export function readBool(r: Reader, end: number, message: string, field: string): boolean {
  readVarint(r, end, message, field);
  return r.lo !== 0 || r.hi !== 0;
}

/**
 * Reads a length prefix and checks that the data it announces lies inside
 * `end`; returns the end of that data (the reader is then at its start).
 */
export function readLength(r: Reader, end: number, message: string, field: string | undefined): number {
  const at = r.pos;
  if (at < end && r.buf[at]! < 0x80) {
    r.lo = r.buf[at]!;
    r.hi = 0;
    r.pos = at + 1;
  } else {
    readVarint(r, end, message, field);
  }
  const left = end - r.pos;
  if (r.hi !== 0 || r.lo > left) {
    const scope = end === r.buf.length ? "the input" : "its enclosing message";
    fail(
      r,
      at,
      message,
      field,
      `length ${protoInt64.uDec(r.lo, r.hi)} runs past the end of ${scope} (${left} bytes left)`,
    );
  }
  return r.pos + r.lo;
}

/**
 * Checks the recursion budget before a nested message is read, as prost's
 * `DecodeContext::limit_reached`.
 */
export function enterMessage(r: Reader, budget: number, message: string, field: string): void {
  if (budget === 0) fail(r, r.pos, message, field, `recursion limit of ${RECURSION_LIMIT} reached`);
}

/**
 * Reads a field key: a varint of at most 32 bits, wire type 0..5, field
 * number at least 1. Returns the key (`fieldNo << 3 | wireType`), unsigned.
 */
export function readKey(r: Reader, end: number, message: string): number {
  const at = r.pos;
  const b = r.buf[at]!; // the caller checked at < end
  let key: number;
  if (b < 0x80) {
    r.pos = at + 1;
    key = b;
  } else {
    readVarint(r, end, message, undefined);
    if (r.hi !== 0) fail(r, at, message, undefined, `field key ${protoInt64.uDec(r.lo, r.hi)} does not fit in 32 bits`);
    key = r.lo;
  }
  if ((key & 7) > 5) fail(r, at, message, undefined, `invalid wire type ${key & 7}`);
  if (key < 8) fail(r, at, message, undefined, "invalid field number 0");
  return key;
}

const wireTypeNames = ["varint", "64-bit", "length-delimited", "start-group", "end-group", "32-bit"];

/** Rejects a known field that arrived with another wire type than its own. */
export function wrongWireType(
  r: Reader,
  keyAt: number,
  key: number,
  message: string,
  field: string,
  expected: WireType,
): never {
  const got = key & 7;
  return fail(
    r,
    keyAt,
    message,
    field,
    `wire type ${got} (${wireTypeNames[got]}) where ${wireTypeNames[expected]} is expected`,
  );
}

function skipFixed(r: Reader, end: number, size: number, message: string): void {
  if (end - r.pos < size) fail(r, r.pos, message, undefined, `truncated ${size * 8}-bit value`);
  r.pos += size;
}

/**
 * Skips one unknown field whose key (at `keyAt`) was just read, as prost's
 * `skip_field`: a group is read up to its matching end tag, one budget step
 * per level, and an end tag is accepted only there.
 */
export function skipField(r: Reader, end: number, key: number, budget: number, message: string, keyAt: number): void {
  const fieldNo = key >>> 3;
  if (budget === 0) fail(r, keyAt, message, undefined, `recursion limit of ${RECURSION_LIMIT} reached`);
  switch ((key & 7) as WireType) {
    case WireType.Varint:
      readVarint(r, end, message, undefined);
      return;
    case WireType.Bit64:
      skipFixed(r, end, 8, message);
      return;
    case WireType.Bit32:
      skipFixed(r, end, 4, message);
      return;
    case WireType.LengthDelimited:
      r.pos = readLength(r, end, message, undefined);
      return;
    case WireType.StartGroup:
      for (;;) {
        const innerAt = r.pos;
        if (innerAt >= end) fail(r, innerAt, message, undefined, "truncated varint");
        const innerKey = readKey(r, end, message);
        if ((innerKey & 7) === WireType.EndGroup) {
          const innerNo = innerKey >>> 3;
          if (innerNo !== fieldNo)
            fail(r, innerAt, message, undefined, `end-group tag ${innerNo} does not match start-group ${fieldNo}`);
          return;
        }
        skipField(r, end, innerKey, budget - 1, message, innerAt);
      }
    default: // WireType.EndGroup: readKey has rejected 6 and 7
      fail(r, keyAt, message, undefined, `unexpected end-group tag ${fieldNo}`);
  }
}

/** Reads a `string`: valid UTF-8, a byte-order mark kept (as Rust's `String::from_utf8`). */
export function readString(r: Reader, end: number, message: string, field: string): string {
  const stop = readLength(r, end, message, field);
  const start = r.pos;
  const buf = r.buf;
  r.pos = stop;
  const n = stop - start;
  if (n === 0) return "";
  if (n <= MAX_ASCII_STRING) {
    const text = asciiString(buf, start, n);
    if (text !== undefined) return text;
  }
  return utf8TextOrUndefined(buf.subarray(start, stop)) ?? fail(r, start, message, field, "string is not valid UTF-8");
}

/** Reads a `bytes` field: a plain `Uint8Array` view into the input, never a copy. */
export function readBytes(r: Reader, end: number, message: string, field: string): Uint8Array {
  const stop = readLength(r, end, message, field);
  const start = r.pos;
  r.pos = stop;
  // `subarray` of a plain Uint8Array is the cheapest view V8 makes: no `.buffer` read.
  return r.buf.subarray(start, stop);
}
