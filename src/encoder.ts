/**
 * The writing half of the generated codecs (`gen/**\/*_codec.ts`): the
 * sizing and writing state and the value checks every generated encoder
 * shares.
 *
 * A message is sized first, then written into one buffer of exactly that
 * size. The sizing pass checks every value (a number outside its field's
 * range, a string with a lone surrogate, a value of the wrong type, an
 * unknown oneof case are `AbiError`s naming the message and the field) and
 * records, in order, what the writing pass needs again: the length of each
 * nested message and string and the two 32-bit words of each 64-bit integer.
 *
 * @module
 * @internal
 */
import { code } from "./codes.js";
import { AbiError } from "./errors.js";
import { I64_MAX, I64_MIN, U64_MAX } from "./integers.js";

/**
 * What the sizing pass of one encoding recorded for its writing pass: the
 * writing pass writes into a buffer of its own (`buf`, `pos` in, the next
 * `pos` out) and reads these records back in the order they were made.
 */
export class Writer {
  /** What the sizing pass recorded for the writing pass, in order. */
  readonly sizes: number[] = [];
  /** How many entries of `sizes` this encoding has recorded (the array is kept between encodings). */
  recorded = 0;
  /** The next entry of `sizes` the writing pass reads. */
  cursor = 0;
}

/** Throws the AbiError for a value that field `field` of `message` cannot carry. */
export function invalid(message: string, field: string, what: string): never {
  throw new AbiError(code.PROTOCOL_ERROR, `cannot encode ${message}: field ${field}: ${what}`, { messageName: message, field });
}

/** A short description of `value` for an error message. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 20 ? value.slice(0, 20) + "…" : value);
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (value === undefined || value === null) return String(value);
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

/** The size of `v` (an unsigned 32-bit integer) as a varint. */
export function varintSize32(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x20_0000) return 3;
  if (v < 0x1000_0000) return 4;
  return 5;
}

/** The size of the 64-bit value with words `lo` and `hi` (unsigned) as a varint. */
export function varintSize64(lo: number, hi: number): number {
  if (hi === 0) return varintSize32(lo);
  // 35 bits from the low word and the first 3 of the high word fit in 5 bytes.
  if (hi < 0x8) return 5;
  if (hi < 0x400) return 6;
  if (hi < 0x2_0000) return 7;
  if (hi < 0x100_0000) return 8;
  if (hi < 0x8000_0000) return 9;
  return 10;
}

/** Checks a `uint32` value; returns its varint size. */
export function sizeUint32(v: unknown, message: string, field: string): number {
  if (typeof v !== "number" || !(v >= 0 && v <= 0xffff_ffff) || v % 1 !== 0) invalid(message, field, `expected a uint32, got ${describe(v)}`);
  return varintSize32(v);
}

/** Checks an `int32` or enum value; returns its varint size (10 for a negative value, as prost writes it). */
export function sizeInt32(v: unknown, message: string, field: string): number {
  if (typeof v !== "number" || !(v >= -0x8000_0000 && v <= 0x7fff_ffff) || v % 1 !== 0) invalid(message, field, `expected an int32, got ${describe(v)}`);
  return v < 0 ? 10 : varintSize32(v);
}

/** Checks a `bool` value; returns its varint size. */
export function sizeBool(v: unknown, message: string, field: string): number {
  if (typeof v !== "boolean") invalid(message, field, `expected a boolean, got ${describe(v)}`);
  return 1;
}

const TWO_32 = 4294967296;

/**
 * Checks a 64-bit integer (`uint64` when `signed` is false, `int64`
 * otherwise, as a `bigint` or a safe integer `number`), records its two
 * words for the writing pass, and returns its varint size.
 */
export function size64(v: unknown, signed: boolean, w: Writer, message: string, field: string): number {
  let n: number;
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) invalid(message, field, `expected a 64-bit integer, got ${describe(v)}`);
    n = v;
  } else if (typeof v === "bigint") {
    n = Number(v);
    if (!Number.isSafeInteger(n)) return sizeBig64(v, signed, w, message, field);
  } else {
    return invalid(message, field, `expected a 64-bit integer, got ${describe(v)}`);
  }
  if (n < 0 && !signed) invalid(message, field, `${String(v)} is out of range for uint64`);
  // The two's complement words of a safe integer, without BigInt arithmetic.
  const lo = n >>> 0;
  const hi = Math.floor(n / TWO_32) >>> 0;
  w.sizes[w.recorded++] = lo;
  w.sizes[w.recorded++] = hi;
  return varintSize64(lo, hi);
}

/** `size64` of a bigint beyond the safe integers: range-checked, then split with BigInt arithmetic. */
function sizeBig64(v: bigint, signed: boolean, w: Writer, message: string, field: string): number {
  if (v < (signed ? I64_MIN : 0n) || v > (signed ? I64_MAX : U64_MAX)) {
    invalid(message, field, `${v} is out of range for ${signed ? "int64" : "uint64"}`);
  }
  const u = BigInt.asUintN(64, v);
  const lo = Number(u & 0xffff_ffffn);
  const hi = Number(u >> 32n);
  w.sizes[w.recorded++] = lo;
  w.sizes[w.recorded++] = hi;
  return varintSize64(lo, hi);
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

/** Checks a `string` value and records its UTF-8 length; returns the size of the length prefix and the bytes. */
export function sizeString(v: unknown, w: Writer, message: string, field: string): number {
  if (typeof v !== "string") invalid(message, field, `expected a string, got ${describe(v)}`);
  const n = utf8Length(v);
  if (n < 0) invalid(message, field, "string holds a lone surrogate, which has no UTF-8 encoding");
  w.sizes[w.recorded++] = n;
  return varintSize32(n) + n;
}

/** Checks a `bytes` value; returns the size of the length prefix and the bytes. */
export function sizeBytes(v: unknown, message: string, field: string): number {
  if (!(v instanceof Uint8Array)) invalid(message, field, `expected a Uint8Array, got ${describe(v)}`);
  return varintSize32(v.length) + v.length;
}

/** Checks that `v` is a message of type `typeName` (for a message field of `message`). */
export function checkMessage(v: unknown, typeName: string, message: string, field: string): void {
  if (!isMessageOf(v, typeName)) invalid(message, field, `expected a ${typeName} message, got ${describe(v)}`);
}

function isMessageOf(v: unknown, typeName: string): boolean {
  return typeof v === "object" && v !== null && (v as { $typeName?: unknown }).$typeName === typeName;
}

/**
 * Checks that `v` is a message of type `typeName`, held by a `bytes` field of
 * `message` that the schema marks as carrying that message encoded (and that
 * takes either).
 */
export function checkEncodedMessage(v: unknown, typeName: string, message: string, field: string): void {
  if (!isMessageOf(v, typeName)) invalid(message, field, `expected a Uint8Array or a ${typeName} message, got ${describe(v)}`);
}

/** Checks that `v` is an array (of a repeated field of `message`). */
export function checkArray(v: unknown, message: string, field: string): asserts v is unknown[] {
  if (!Array.isArray(v)) invalid(message, field, `expected an array, got ${describe(v)}`);
}

/** Rejects a oneof value that names no case of the oneof, or is not a `{ case, value }` object. */
export function invalidOneof(v: unknown, message: string, oneof: string): never {
  if (typeof v !== "object" || v === null) return invalid(message, oneof, `expected a oneof { case, value }, got ${describe(v)}`);
  return invalid(message, oneof, `unknown oneof case ${describe((v as { case?: unknown }).case)}`);
}

/** Records a place for a nested message's length; returns its index in `w.sizes`. */
export function reserveSize(w: Writer): number {
  const at = w.recorded++;
  w.sizes[at] = 0;
  return at;
}

/** Writes `v` (an unsigned 32-bit integer) as a varint at `pos`; returns the position after it. */
export function writeVarint32(buf: Uint8Array, pos: number, v: number): number {
  while (v > 0x7f) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

/** Writes an `int32` or enum value at `pos`, a negative one as ten bytes as prost does; returns the position after it. */
export function writeInt32(buf: Uint8Array, pos: number, v: number): number {
  return v >= 0 ? writeVarint32(buf, pos, v) : writeVarint64(buf, pos, v >>> 0, 0xffff_ffff);
}

/** Writes the 64-bit value with words `lo` and `hi` as a varint at `pos`; returns the position after it. */
export function writeVarint64(buf: Uint8Array, pos: number, lo: number, hi: number): number {
  while (hi !== 0 || lo > 0x7f) {
    buf[pos++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  buf[pos++] = lo;
  return pos;
}

/** Writes, at `pos`, the next 64-bit value the sizing pass recorded in `w`; returns the position after it. */
export function write64(w: Writer, buf: Uint8Array, pos: number): number {
  const lo = w.sizes[w.cursor++]!;
  const hi = w.sizes[w.cursor++]!;
  return writeVarint64(buf, pos, lo, hi);
}

/** Writes, at `pos`, the next length the sizing pass recorded in `w`; returns the position after it. */
export function writeSize(w: Writer, buf: Uint8Array, pos: number): number {
  return writeVarint32(buf, pos, w.sizes[w.cursor++]!);
}

/**
 * Writes `s` with its length prefix at `pos`, its UTF-8 length being the
 * next record of `w` (the sizing pass checked `s`); returns the position after it.
 */
export function writeString(w: Writer, buf: Uint8Array, pos: number, s: string): number {
  const n = w.sizes[w.cursor++]!;
  pos = writeVarint32(buf, pos, n);
  if (n === s.length) {
    // As many UTF-8 bytes as UTF-16 units: every unit is ASCII.
    for (let i = 0; i < n; i++) buf[pos + i] = s.charCodeAt(i);
    return pos + n;
  }
  return writeUtf8(buf, pos, s);
}

/** Writes `s` (without lone surrogates) as UTF-8 at `pos`; returns the position after it. */
function writeUtf8(buf: Uint8Array, pos: number, s: string): number {
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
  return pos;
}

/** Below this many bytes, a loop copies faster than `Uint8Array.prototype.set`. */
const SHORT_COPY = 32;

/** Writes a `bytes` value with its length prefix at `pos`; returns the position after it. */
export function writeBytes(buf: Uint8Array, pos: number, bytes: Uint8Array): number {
  const n = bytes.length;
  pos = writeVarint32(buf, pos, n);
  if (n < SHORT_COPY) {
    for (let i = 0; i < n; i++) buf[pos + i] = bytes[i]!;
  } else {
    buf.set(bytes, pos);
  }
  return pos + n;
}
