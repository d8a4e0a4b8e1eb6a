/**
 * The writing half of the generated codecs (`gen/**\/*_codec.ts`): the
 * buffer an encoding is written into and the checked writers every
 * generated encoder shares.
 *
 * A message is written in one pass, fields in number order, into a scratch
 * buffer that grows as needed. Each value is checked as it is written (a
 * number outside its field's range, a string with a lone surrogate, a value
 * of the wrong type, an unknown oneof case are `AbiError`s naming the
 * message and the field). A nested message gets as many bytes for its
 * length, before its fields are written, as its length took the last time
 * a message was written at that place (one at first); when its length needs
 * more or fewer, its bytes are moved (see `endNested`).
 *
 * Room: a generated function writes keys, scalars and reserved length bytes
 * without checking the buffer's length. That holds because every message
 * starts with `room`, and every write that can be long (`encodeString`,
 * `encodeBytes`, `endNested`) leaves at least `SLACK` bytes after it; the
 * code generator checks that no message writes more than `SLACK` bytes
 * between two of those points.
 *
 * @module
 * @internal
 */
import { code } from "./codes.js";
import { AbiError } from "./errors.js";
import { I64_MAX, I64_MIN, U64_MAX } from "./integers.js";
import { SHORT_STRING, SHORT_STRING_ROOM, SLACK } from "./codec-limits.js";
import { allocate } from "./pool.js";

export { SHORT_STRING, SHORT_STRING_ROOM, SLACK };

/** The size of a new `Writer`'s buffer. */
export const INITIAL_WRITER_BYTES = 8192;

/** The largest encoding a `Uint8Array` can hold. */
const MAX_OUTPUT = 2 ** 32 - 1;

/** The buffer one encoding is written into, and the message it is of. */
export class Writer {
  /** The scratch buffer; replaced by a larger copy when an encoding needs more room. */
  buf: Uint8Array = new Uint8Array(INITIAL_WRITER_BYTES);
  /** The full name of the message being encoded, for the error when it would exceed `MAX_OUTPUT`. */
  typeName = "";
  /**
   * Long `bytes` values are not copied into `buf`: their room is kept there
   * and they are copied once, straight into the output (`finish`). `holes`
   * of them so far, in order: where each starts in `buf`, and its bytes.
   */
  holes = 0;
  readonly holeAt: number[] = [];
  readonly holeBytes: (Uint8Array | undefined)[] = [];
  /** Where the last encoding written into `buf` starts and ends (set by `writeEncoding` in codec.ts). */
  start = 0;
  end = 0;

  /** Forgets the bytes of the holes (after an encoding that failed), so that the writer holds none of the caller's memory. */
  forget(): void {
    this.holeBytes.length = 0;
    this.holeAt.length = 0;
    this.holes = 0;
  }
}

/**
 * The encoding written to `w.buf` in `[start, end)`, with its holes filled,
 * in memory of its own (`allocate`: a pooled view when small). The writer
 * holds none of the holes' bytes after.
 */
export function finish(w: Writer, start: number, end: number): Uint8Array {
  const out = allocate(end - start);
  const buf = w.buf;
  let from = start;
  for (let k = 0; k < w.holes; k++) {
    const at = w.holeAt[k]!;
    const bytes = w.holeBytes[k]!;
    copyTo(out, from - start, buf, from, at);
    out.set(bytes, at - start);
    w.holeBytes[k] = undefined;
    from = at + bytes.length;
  }
  w.holes = 0;
  copyTo(out, from - start, buf, from, end);
  return out;
}

/**
 * Copies each hole's bytes into the room kept for it in `w.buf`, so that
 * the encoding is whole there; the writer holds none of them after.
 */
export function fillHoles(w: Writer): void {
  const buf = w.buf;
  for (let k = 0; k < w.holes; k++) {
    buf.set(w.holeBytes[k]!, w.holeAt[k]!);
    w.holeBytes[k] = undefined;
  }
  w.holes = 0;
}

/** Copies `buf[from, to)` into `out` at `pos`. */
function copyTo(out: Uint8Array, pos: number, buf: Uint8Array, from: number, to: number): void {
  // Stryker disable next-line all: how the bytes are copied (a loop or `set`) is a matter of speed: the same bytes either way
  if (to - from < SHORT_COPY) {
    for (let i = from; i < to; i++) out[pos++] = buf[i]!;
  } else {
    out.set(buf.subarray(from, to), pos);
  }
}

/**
 * `w.buf`, replaced first by a larger copy (of its first `pos` bytes) when
 * fewer than `n + SLACK` bytes follow `pos`.
 */
export function grow(w: Writer, pos: number, n: number): Uint8Array {
  const old = w.buf;
  const needed = pos + n + SLACK;
  // Stryker disable next-line all: a buffer grown when it is large enough holds the same bytes
  if (needed <= old.length) return old;
  if (pos + n > MAX_OUTPUT) {
    throw new AbiError(
      code.PROTOCOL_ERROR,
      `cannot encode ${w.typeName}: its encoding exceeds the ${MAX_OUTPUT} bytes a Uint8Array can hold`,
      {
        messageName: w.typeName,
      },
    );
  }
  const buf = new Uint8Array(Math.max(needed, old.length * 2));
  buf.set(old.subarray(0, pos));
  w.buf = buf;
  return buf;
}

/** `w.buf` with at least `SLACK` bytes after `pos`: what a generated function starts with. */
export function room(w: Writer, pos: number): Uint8Array {
  const buf = w.buf;
  // Stryker disable next-line all: room margins only (see the module's doc): no message of the schema comes near them, and a buffer grown early holds the same bytes
  return pos + SLACK <= buf.length ? buf : grow(w, pos, 0);
}

/** Throws the AbiError for a value that field `field` of `message` cannot carry. */
export function invalid(message: string, field: string, what: string): never {
  throw new AbiError(code.PROTOCOL_ERROR, `cannot encode ${message}: field ${field}: ${what}`, {
    messageName: message,
    field,
  });
}

/** Throws the AbiError for a value of field `field` of `message` that is not `what` (e.g. "a uint32"). */
function expected(message: string, field: string, what: string, v: unknown): never {
  return invalid(message, field, `expected ${what}, got ${describe(v)}`);
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

/** Writes `v` (an unsigned 32-bit integer) as a varint at `pos`; returns the position after it. */
export function writeVarint32(buf: Uint8Array, pos: number, v: number): number {
  while (v > 0x7f) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
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

/** Checks a `uint32` value and writes it at `pos`; returns the position after it. */
export function encodeUint32(buf: Uint8Array, pos: number, v: unknown, message: string, field: string): number {
  if (typeof v !== "number" || !(v >= 0 && v <= 0xffff_ffff) || v % 1 !== 0) expected(message, field, "a uint32", v);
  return writeVarint32(buf, pos, v);
}

/** Checks an `int32` or enum value and writes it at `pos`, a negative one as ten bytes as prost does; returns the position after it. */
export function encodeInt32(buf: Uint8Array, pos: number, v: unknown, message: string, field: string): number {
  if (typeof v !== "number" || !(v >= -0x8000_0000 && v <= 0x7fff_ffff) || v % 1 !== 0)
    expected(message, field, "an int32", v);
  return v >= 0 ? writeVarint32(buf, pos, v) : writeVarint64(buf, pos, v >>> 0, 0xffff_ffff);
}

/** Checks a `bool` value and writes it at `pos`; returns the position after it. */
export function encodeBool(buf: Uint8Array, pos: number, v: unknown, message: string, field: string): number {
  if (typeof v !== "boolean") expected(message, field, "a boolean", v);
  buf[pos] = v ? 1 : 0;
  return pos + 1;
}

const TWO_32 = 4294967296;

/**
 * Checks a 64-bit integer (`uint64` when `signed` is false, `int64`
 * otherwise, as a `bigint` or a safe integer `number`) and writes it at
 * `pos` (a negative one as ten bytes); returns the position after it.
 */
export function encode64(
  buf: Uint8Array,
  pos: number,
  v: unknown,
  signed: boolean,
  message: string,
  field: string,
): number {
  const n = typeof v === "bigint" ? Number(v) : v;
  if (typeof n === "number" && Number.isSafeInteger(n) && (n >= 0 || signed)) {
    // The two's complement words of a safe integer, without BigInt arithmetic.
    return writeVarint64(buf, pos, n >>> 0, Math.floor(n / TWO_32) >>> 0);
  }
  return encodeOther64(buf, pos, v, signed, message, field);
}

/** `encode64` of anything but a safe integer in range: a bigint beyond the safe integers, or an error. */
function encodeOther64(
  buf: Uint8Array,
  pos: number,
  v: unknown,
  signed: boolean,
  message: string,
  field: string,
): number {
  if (typeof v === "bigint" && !Number.isSafeInteger(Number(v)))
    return encodeBig64(buf, pos, v, signed, message, field);
  if ((typeof v === "number" && Number.isSafeInteger(v)) || typeof v === "bigint")
    invalid(message, field, `${String(v)} is out of range for uint64`);
  return expected(message, field, "a 64-bit integer", v);
}

/** `encode64` of a bigint beyond the safe integers: range-checked, then split with BigInt arithmetic. */
function encodeBig64(buf: Uint8Array, pos: number, v: bigint, signed: boolean, message: string, field: string): number {
  if (v < (signed ? I64_MIN : 0n) || v > (signed ? I64_MAX : U64_MAX)) {
    invalid(message, field, `${v} is out of range for ${signed ? "int64" : "uint64"}`);
  }
  const u = BigInt.asUintN(64, v);
  return writeVarint64(buf, pos, Number(u & 0xffff_ffffn), Number(u >> 32n));
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

/** The error for a string with a lone surrogate. */
function loneSurrogate(message: string, field: string): never {
  return invalid(message, field, "string holds a lone surrogate, which has no UTF-8 encoding");
}

/**
 * Checks a `string` value and writes it with its length prefix at `pos`;
 * returns the position after it, with at least `SLACK` bytes of room after that.
 */
export function encodeString(w: Writer, pos: number, v: unknown, message: string, field: string): number {
  const buf = w.buf;
  if (typeof v === "string" && v.length < SHORT_STRING && pos + SHORT_STRING_ROOM <= buf.length) {
    const at = pos++;
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c >= 0x80) return writeShortUtf8(buf, at, v, message, field);
      buf[pos++] = c;
    }
    buf[at] = v.length;
    return pos;
  }
  return encodeOtherString(w, pos, v, message, field);
}

/** `encodeString` of a string that is long or needs more room, or of a value that is not a string. */
function encodeOtherString(w: Writer, pos: number, v: unknown, message: string, field: string): number {
  if (typeof v !== "string") expected(message, field, "a string", v);
  // Stryker disable next-line all: a short string without room may also take the long path: the same bytes either way
  if (v.length < SHORT_STRING) {
    // Short, but the buffer needs room for it first.
    grow(w, pos, SHORT_STRING_ROOM - SLACK);
    return encodeString(w, pos, v, message, field);
  }
  const units = v.length;
  const n = utf8Length(v);
  if (n < 0) loneSurrogate(message, field);
  let buf = w.buf;
  // Stryker disable next-line all: room margins only (see the module's doc): no message of the schema comes near them, and a buffer grown early holds the same bytes
  if (pos + 5 + n + SLACK > buf.length) buf = grow(w, pos, 5 + n);
  pos = writeVarint32(buf, pos, n);
  // Stryker disable next-line all: the ASCII loop is a shortcut of `writeUtf8`: the same bytes either way
  if (n === units) {
    // As many UTF-8 bytes as UTF-16 units: every unit is ASCII.
    for (let i = 0; i < n; i++) buf[pos + i] = v.charCodeAt(i);
    return pos + n;
  }
  return writeUtf8(buf, pos, v);
}

/**
 * Writes the short string `s` (fewer than `SHORT_STRING` units), which is
 * not all ASCII, at `at + 1` and its length (under 128) at `at`, checking for
 * lone surrogates; returns the position after it. `SHORT_STRING_ROOM` bytes
 * must follow `at`. What was written there before (the string's units as
 * bytes, by a caller that hoped it was ASCII) is overwritten.
 */
export function writeShortUtf8(buf: Uint8Array, at: number, s: string, message: string, field: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) loneSurrogate(message, field);
      i++;
    }
  }
  const end = writeUtf8(buf, at + 1, s);
  buf[at] = end - at - 1;
  return end;
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

/** `bytes` values of this many bytes or more are copied once, into the output (see `Writer.holes`). */
const LONG_BYTES = 128;

/**
 * Checks a `bytes` value and writes it with its length prefix at `pos`;
 * returns the position after it, with at least `SLACK` bytes of room after that.
 */
export function encodeBytes(w: Writer, pos: number, v: unknown, message: string, field: string): number {
  if (!(v instanceof Uint8Array)) expected(message, field, "a Uint8Array", v);
  const n = v.length;
  let buf = w.buf;
  // Stryker disable next-line all: room margins only (see the module's doc): no message of the schema comes near them, and a buffer grown early holds the same bytes
  if (pos + 5 + n + SLACK > buf.length) buf = grow(w, pos, 5 + n);
  pos = writeVarint32(buf, pos, n);
  // Stryker disable next-line all: how the bytes are copied (a loop, `set` or a hole) is a matter of speed: the same bytes either way
  if (n < SHORT_COPY) {
    for (let i = 0; i < n; i++) buf[pos + i] = v[i]!;
    // Stryker disable next-line all: how the bytes are copied (a loop, `set` or a hole) is a matter of speed: the same bytes either way
  } else if (n < LONG_BYTES) {
    buf.set(v, pos);
  } else {
    const k = w.holes++;
    w.holeAt[k] = pos;
    w.holeBytes[k] = v;
  }
  return pos + n;
}

/**
 * Ends a nested message whose fields were written from `body` to `end`,
 * the bytes from `at` to `body` (1 to 5) having been kept for its length:
 * writes the length there, first moving the fields when its varint needs
 * more or fewer bytes than were kept. Returns the position after the
 * fields, with at least `SLACK` bytes of room after that.
 *
 * `kept[site]` is what the generated encoder keeps at this place of its
 * message; it is set to the varint's size, so that the next message written
 * there (a steady load's messages are alike) is not moved. A recursive
 * message changes it while an outer message is being written: `body`, not
 * `kept`, says what was kept for this one.
 */
export function endNested(w: Writer, at: number, body: number, end: number, kept: Uint8Array, site: number): number {
  const buf = w.buf;
  const length = end - body;
  if (length < 0x80 && body === at + 1 && end + SLACK <= buf.length) {
    buf[at] = length;
    return end;
  }
  return endMovedNested(w, at, body, end, kept, site);
}

/** `endNested` of a message whose length needs another number of bytes than were kept, or which needs more room after it. */
function endMovedNested(w: Writer, at: number, body: number, end: number, kept: Uint8Array, site: number): number {
  let buf = w.buf;
  // Stryker disable next-line all: room margins only (see the module's doc): no message of the schema comes near them, and a buffer grown early holds the same bytes
  if (end + 4 + SLACK > buf.length) buf = grow(w, end, 4);
  const length = end - body;
  const size = varintSize32(length);
  kept[site] = size;
  const by = at + size - body;
  if (by > 0) moveUp(w, body, end, by);
  else if (by < 0) moveDown(w, body, end, -by);
  writeVarint32(buf, at, length);
  return end + by;
}

/** Moves what was written to `w.buf` in `[from, to)` up by `by` bytes, holes and all, without copying the room of the holes. */
function moveUp(w: Writer, from: number, to: number, by: number): void {
  const buf = w.buf;
  let end = to;
  for (let k = w.holes - 1; k >= 0 && w.holeAt[k]! >= from; k--) {
    const at = w.holeAt[k]!;
    const holeEnd = at + w.holeBytes[k]!.length;
    copyUp(buf, holeEnd, end, by);
    w.holeAt[k] = at + by;
    end = at;
  }
  copyUp(buf, from, end, by);
}

/** Moves what was written to `w.buf` in `[from, to)` down by `by` bytes, holes and all (first to last: each piece lands on what was already moved). */
function moveDown(w: Writer, from: number, to: number, by: number): void {
  const buf = w.buf;
  let first = w.holes;
  while (first > 0 && w.holeAt[first - 1]! >= from) first--;
  let start = from;
  for (let k = first; k < w.holes; k++) {
    const at = w.holeAt[k]!;
    buf.copyWithin(start - by, start, at);
    w.holeAt[k] = at - by;
    start = at + w.holeBytes[k]!.length;
  }
  buf.copyWithin(start - by, start, to);
}

/** Moves `buf[from, to)` up by `by` bytes. */
function copyUp(buf: Uint8Array, from: number, to: number, by: number): void {
  // Stryker disable next-line all: how the bytes are moved (a loop or `copyWithin`) is a matter of speed: the same bytes either way
  if (to - from < SHORT_COPY) {
    for (let i = to - 1; i >= from; i--) buf[i + by] = buf[i]!;
  } else {
    buf.copyWithin(from + by, from, to);
  }
}

/** Throws the AbiError for `v`, which is not a message of type `typeName`, in a message field of `message`. */
export function wrongMessage(v: unknown, typeName: string, message: string, field: string): never {
  return expected(message, field, `a ${typeName} message`, v);
}

/**
 * Throws the AbiError for `v`, which is neither a `Uint8Array` nor a message
 * of type `typeName`, in a `bytes` field of `message` that the schema marks
 * as carrying that message encoded (and that takes either).
 */
export function wrongEncodedMessage(v: unknown, typeName: string, message: string, field: string): never {
  return expected(message, field, `a Uint8Array or a ${typeName} message`, v);
}

/** Checks that `v` is an array (of a repeated field of `message`). */
export function checkArray(v: unknown, message: string, field: string): asserts v is unknown[] {
  if (!Array.isArray(v)) expected(message, field, "an array", v);
}

/** Rejects a oneof value that names no case of the oneof, or is not a `{ case, value }` object. */
export function invalidOneof(v: unknown, message: string, oneof: string): never {
  if (typeof v !== "object" || v === null)
    return invalid(message, oneof, `expected a oneof { case, value }, got ${describe(v)}`);
  return invalid(message, oneof, `unknown oneof case ${describe((v as { case?: unknown }).case)}`);
}
