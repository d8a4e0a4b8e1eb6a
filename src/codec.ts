/**
 * Encoding and decoding of any ABI message, byte for byte as prost does it,
 * with the codecs generated for the schema (`gen/**\/*_codec.ts`).
 *
 * @module
 */
import type { DescMessage, Message, MessageShape } from "@bufbuild/protobuf";
import { codecs as actrCodecs } from "../gen/actr/actr_codec.js";
import { codecs as abiCodecs } from "../gen/actr/dynclib/v1/abi_codec.js";
import { code } from "./codes.js";
import { type Enclosing, Reader, RECURSION_LIMIT } from "./decoder.js";
import { describe, fillHoles, finish, INITIAL_WRITER_BYTES, varintSize32, Writer, writeVarint32 } from "./encoder.js";
import { isMessageOf, requireBytes, requireSchema } from "./arguments.js";
import { AbiError } from "./errors.js";
import type { MessageCodec } from "./message-codec.js";

const codecs: ReadonlyMap<DescMessage, MessageCodec> = new Map(
  [...actrCodecs, ...abiCodecs].map((codec) => [codec.schema, codec]),
);

/**
 * The largest input a host should let a guest hand it, in bytes (16 MiB):
 * what the host runtime passes as `maxBytes` when it decodes a guest's
 * bytes. Decoding can hold up to about 40 times its input in memory (one
 * object per empty record), so this bounds a hostile guest's frame to well
 * under a gigabyte of heap.
 */
export const DEFAULT_MAX_GUEST_BYTES = 16 * 1024 * 1024;

/** Options of every function that decodes bytes. */
export interface DecodeOptions {
  /**
   * Refuse inputs longer than this many bytes, before reading them, with an
   * AbiError (PROTOCOL_ERROR) that names the limit. No limit by default; a
   * host decoding a guest's bytes passes `DEFAULT_MAX_GUEST_BYTES` or its own bound.
   */
  readonly maxBytes?: number;
}

/**
 * The generated codec of `schema`.
 *
 * @throws AbiError (UNSUPPORTED_OP) when `schema` is not a message of the ABI.
 * @internal
 */
export function codecOf(schema: DescMessage): MessageCodec {
  const codec = codecs.get(schema);
  if (codec === undefined) {
    const name = schema.typeName;
    throw new AbiError(
      code.UNSUPPORTED_OP,
      `cannot encode or decode ${name}: it is not a message of the ABI's schema`,
      {
        messageName: name,
      },
    );
  }
  return codec;
}

/**
 * `bytes` as a plain `Uint8Array` over the same memory, so that the views
 * the decoder cuts from it (`bytes` fields) are plain `Uint8Array`s too,
 * whatever subclass (a Node `Buffer`, say) the caller passed. The public
 * entry points have checked that it is a real `Uint8Array` (`requireBytes`).
 * The test is the one `subarray` makes: its views are built by
 * `bytes.constructor` (and, unlike `Object.getPrototypeOf`, reading it costs
 * no call into the runtime).
 */
function plainInput(bytes: Uint8Array, typeName: string, options: DecodeOptions | undefined): Uint8Array {
  const maxBytes = options?.maxBytes;
  if (maxBytes !== undefined && bytes.byteLength > maxBytes) {
    throw new AbiError(
      code.PROTOCOL_ERROR,
      `cannot decode ${typeName}: input of ${bytes.byteLength} bytes exceeds the limit of ${maxBytes} bytes (maxBytes)`,
      {
        messageName: typeName,
      },
    );
  }
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * What an encoder writes before the message, making it a length-delimited
 * field of an outer message: the outer message's other fields (`header`),
 * then the field's key and the message's length, both left out when the
 * message is empty, as prost leaves out an empty `bytes` field.
 *
 * @internal
 */
export interface Envelope {
  /** The encoded fields before the message. */
  readonly header: Uint8Array;
  /** The one-byte key of the length-delimited field that holds the message. */
  readonly key: number;
}

/** A Writer whose buffer grew beyond this many bytes is not kept. */
const MAX_KEPT_BYTES = 1 << 20;

// One Writer is kept for reuse; a nested call (from a getter, say) gets its own.
let reusableWriter: Writer | undefined = new Writer();

/** Room kept before a message encoded inside an `Envelope`: its key and the longest length varint. */
const ENVELOPE_KEY_AND_LENGTH = 1 + 5;

/**
 * Writes the encoding of `message` with `codec`, inside `envelope` when
 * given, into `w.buf` at `[w.start, w.end)`, its holes not yet filled.
 */
function writeEncoding(codec: MessageCodec, message: unknown, envelope: Envelope | undefined, w: Writer): void {
  const schema = codec.schema;
  if (!isMessageOf(message, schema)) {
    throw new AbiError(
      code.PROTOCOL_ERROR,
      `cannot encode ${schema.typeName}: expected a ${schema.typeName} message, got ${describe(message)}`,
      {
        messageName: schema.typeName,
      },
    );
  }
  w.typeName = schema.typeName;
  // The message's fields go after room for the envelope, which is written
  // in front of them once their length is known.
  const bodyStart = envelope === undefined ? 0 : envelope.header.length + ENVELOPE_KEY_AND_LENGTH;
  const end = codec.encode(message, w, bodyStart);
  const buf = w.buf;
  let start = bodyStart;
  if (envelope !== undefined) {
    const bodySize = end - bodyStart;
    if (bodySize !== 0) {
      start -= varintSize32(bodySize);
      writeVarint32(buf, start, bodySize);
      buf[--start] = envelope.key;
    }
    const header = envelope.header;
    start -= header.length;
    for (let i = 0; i < header.length; i++) buf[start + i] = header[i]!;
  }
  w.start = start;
  w.end = end;
}

/**
 * Encodes `message` with `codec`, inside `envelope` when given.
 *
 * @internal
 */
export function encodeWith(codec: MessageCodec, message: unknown, envelope?: Envelope): Uint8Array {
  const w = reusableWriter ?? new Writer();
  reusableWriter = undefined;
  try {
    writeEncoding(codec, message, envelope, w);
    return finish(w, w.start, w.end);
  } finally {
    if (w.holes !== 0) w.forget(); // an encoding that failed
    // Kept for the next encoding, unless a huge message grew its buffer.
    reusableWriter = w.buf.length > MAX_KEPT_BYTES ? new Writer() : w;
  }
}

/**
 * Encodes `message` with `codec`, inside `envelope` when given, into `w`
 * itself: the encoding is `w.buf[w.start, w.end)`, valid until `w` is used
 * again. For a holder that passes the bytes on at once (the host runtime
 * hands them to a guest by address) and so needs no copy of its own.
 * A writer whose buffer grew beyond `MAX_KEPT_BYTES` is shrunk on its next use.
 *
 * @internal
 */
export function encodeInPlace(codec: MessageCodec, message: unknown, envelope: Envelope | undefined, w: Writer): void {
  if (w.buf.length > MAX_KEPT_BYTES) w.buf = new Uint8Array(INITIAL_WRITER_BYTES);
  try {
    writeEncoding(codec, message, envelope, w);
    fillHoles(w);
  } finally {
    if (w.holes !== 0) w.forget(); // an encoding that failed
  }
}

/**
 * Encodes `message` as prost encodes the same value: fields in number order,
 * implicit fields only when not zero, explicit fields whenever set, required
 * fields always (an unset required field is written as its default, as prost
 * has it). `message` is not modified. A `bytes` field that the schema marks
 * as carrying an encoded message (`(actr.dynclib.v1.encoded_message)`, as
 * `GuestHandleV1.rpc_envelope`) also takes that message itself (cast to
 * `Uint8Array`), encoded in place: the same bytes as its encoding, without
 * the intermediate buffer.
 *
 * The result holds exactly the encoded bytes. A small result (up to 4 KiB) is
 * a view into an `ArrayBuffer` shared with other results, as Node's `Buffer`
 * pool hands out memory: pass the `Uint8Array` on as it is (with its
 * `byteOffset` and `byteLength`), and copy it (`bytes.slice()`) before you
 * transfer, detach or expose its `.buffer`. Small results are pooled by size
 * class, so a kept result of `n` bytes keeps at most `max(2 KiB, 64 × n)`
 * bytes alive, and small results kept among large ones pin about their own size.
 *
 * @throws AbiError (PROTOCOL_ERROR) naming the message and field when
 * `message` is not a message of `schema` or holds a value its field cannot
 * carry (a number out of range, a string with a lone surrogate, a value of
 * the wrong type, `null`, an unknown oneof case), or when the encoding would
 * exceed 4 GiB; (UNSUPPORTED_OP) when `schema` is not a message of the ABI.
 */
export function encodeMessage<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): Uint8Array {
  requireSchema(schema, "encodeMessage", "schema");
  return encodeWith(codecOf(schema), message);
}

/**
 * Decodes `bytes` with `codec`, reporting offsets inside `enclosing` when given.
 *
 * @internal
 */
export function decodeWith<T extends Message>(
  codec: MessageCodec<T>,
  bytes: Uint8Array,
  options: DecodeOptions | undefined,
  enclosing?: Enclosing,
): T {
  const input = plainInput(bytes, codec.schema.typeName, options);
  return codec.decode(new Reader(input, enclosing), input.length, RECURSION_LIMIT);
}

/**
 * Decodes `part`, a `bytes` field of a message just decoded from `input` (so
 * a view into `input`, or a new empty array when the field was absent), with
 * `codec`: a failure's offset counts from the start of `input` and its
 * message names `holder` (e.g. `"AbiFrame.payload"`). Unlike
 * `decodeMessageIn`, it need not check where `part` lies.
 *
 * @internal
 */
export function decodeField<T extends Message>(
  codec: MessageCodec<T>,
  input: Uint8Array,
  part: Uint8Array,
  holder: string,
): T {
  // An empty part decodes without a failure, so its offset is never reported.
  const r = new Reader(part, { base: part.byteOffset - input.byteOffset, holder });
  return codec.decode(r, part.length, RECURSION_LIMIT);
}

/**
 * Decodes `bytes` as a message of `schema`, accepting exactly what prost
 * accepts (docs/abi.md section 4): unknown fields are dropped, absent
 * required fields read as their defaults, and `encodeMessage` of the result
 * is what prost writes when it decodes and re-encodes `bytes`.
 *
 * `bytes` fields of the result are plain `Uint8Array` views into `bytes`
 * (whatever its subclass), not copies: do not reuse or modify the buffer
 * while you hold the message, or copy the field (`field.slice()`).
 *
 * @throws AbiError (PROTOCOL_ERROR) naming the message, field and byte offset
 * of anything prost rejects, or the limit when `bytes` is longer than
 * `options.maxBytes`; (UNSUPPORTED_OP) when `schema` is not a message of the ABI.
 */
export function decodeMessage<Desc extends DescMessage>(
  schema: Desc,
  bytes: Uint8Array,
  options?: DecodeOptions,
): MessageShape<Desc> {
  requireSchema(schema, "decodeMessage", "schema");
  requireBytes(bytes, "decodeMessage", "bytes");
  return decodeWith(codecOf(schema), bytes, options) as MessageShape<Desc>;
}

/**
 * Decodes `bytes`, a view into the larger buffer `input` (a frame's payload
 * inside the frame, say), as `schema`. Like `decodeMessage`, but a failure's
 * `offset` counts from the start of `input`, and its message says that the
 * problem is inside `holder` (e.g. `"AbiFrame.payload"`) and where that starts.
 *
 * @throws AbiError (PROTOCOL_ERROR) on anything prost rejects.
 */
export function decodeMessageIn<Desc extends DescMessage>(
  schema: Desc,
  bytes: Uint8Array,
  input: Uint8Array,
  holder: string,
  options?: DecodeOptions,
): MessageShape<Desc> {
  requireSchema(schema, "decodeMessageIn", "schema");
  requireBytes(bytes, "decodeMessageIn", "bytes");
  const inside = bytes instanceof Uint8Array && input instanceof Uint8Array && bytes.buffer === input.buffer;
  const enclosing = inside ? { base: bytes.byteOffset - input.byteOffset, holder } : undefined;
  return decodeWith(codecOf(schema), bytes, options, enclosing) as MessageShape<Desc>;
}
