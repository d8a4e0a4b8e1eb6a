/**
 * `AbiFrame` and `AbiReply`: building, encoding and decoding the envelopes
 * that every call across the ABI travels in.
 *
 * @module
 */
import { create, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import { type AbiFrame, AbiFrameSchema, type AbiReply, AbiReplySchema } from "../gen/actr/dynclib/v1/abi_pb.js";
import { code, opName, version } from "./codes.js";
import {
  argumentTypeError,
  isUint8Array,
  requireBytes,
  requireInt32,
  requireMessage,
  requireSchema,
} from "./arguments.js";
import { AbiFrameCodec, AbiReplyCodec } from "../gen/actr/dynclib/v1/abi_codec.js";
import {
  codecOf,
  type DecodeOptions,
  decodeWith,
  encodeInPlace,
  encodeMessage,
  encodeWith,
  type Envelope,
} from "./codec.js";
import { utf8Length, type Writer } from "./encoder.js";
import { AbiError } from "./errors.js";
import type { MessageCodec } from "./message-codec.js";
import { payloadOp } from "./schemas.js";

const empty = new Uint8Array(0);
const utf8 = new TextEncoder();

function requireOp(schema: DescMessage, fn: string): number {
  requireSchema(schema, fn, "schema");
  const op = payloadOp(schema);
  if (op === undefined) {
    throw new AbiError(
      code.UNSUPPORTED_OP,
      `${schema.typeName} is not a framed payload: it has no (actr.dynclib.v1.op) option`,
      { messageName: schema.typeName },
    );
  }
  return op;
}

/**
 * Wraps `payload` in an `AbiFrame`: `op` from the schema's
 * `(actr.dynclib.v1.op)` option, `abiVersion = 1`, the payload encoded as
 * prost encodes it (the Rust `AbiPayload::to_frame`).
 *
 * @throws AbiError (UNSUPPORTED_OP) when `schema` is not a framed payload,
 * (PROTOCOL_ERROR) when `payload` cannot be encoded.
 */
export function toFrame<Desc extends DescMessage>(schema: Desc, payload: MessageShape<Desc>): AbiFrame {
  const op = requireOp(schema, "toFrame");
  return create(AbiFrameSchema, { abiVersion: version.V1, op, payload: encodeMessage(schema, payload) });
}

/**
 * `toFrame`, encoded: the bytes a host passes to `actr_handle` (or a guest to
 * `invoke`). The payload is encoded straight into the frame's buffer, after
 * the frame's other fields.
 *
 * A small result is a view into a shared `ArrayBuffer` (see `encodeMessage`):
 * pass it on with its `byteOffset` and `byteLength`, and copy it before you
 * transfer or detach its `.buffer`.
 *
 * @throws AbiError as `toFrame`.
 */
export function encodeFrame<Desc extends DescMessage>(schema: Desc, payload: MessageShape<Desc>): Uint8Array {
  const { codec, envelope } = requirePayloadCodec(schema, "encodeFrame");
  return encodeWith(codec, payload, envelope);
}

/**
 * `encodeFrame`, written into `w` itself (`encodeInPlace`): the frame is
 * `w.buf[w.start, w.end)` until `w` is used again.
 *
 * @throws AbiError as `encodeFrame`.
 * @internal
 */
export function encodeFrameInPlace<Desc extends DescMessage>(
  schema: Desc,
  payload: MessageShape<Desc>,
  w: Writer,
): void {
  const { codec, envelope } = requirePayloadCodec(schema, "encodeFrame");
  encodeInPlace(codec, payload, envelope, w);
}

// encodeFrame writes the frame's other fields, then the payload's key (one
// byte): this holds while `payload` is the frame's highest-numbered field,
// below 16, which test/frames.test.ts checks on the schema.
const payloadKey = (AbiFrameSchema.field.payload.number << 3) | WireType.LengthDelimited;

/**
 * What `encodeFrame` writes around a payload of `op`: the encoded `AbiFrame`
 * fields before it (`abi_version = 1`, `op`), in memory of its own (never
 * pooled memory a caller holds), and the payload's key.
 */
function frameEnvelope(op: number): Envelope {
  const header = encodeMessage(AbiFrameSchema, create(AbiFrameSchema, { abiVersion: version.V1, op })).slice();
  return { header, key: payloadKey };
}

/**
 * Decodes an `AbiFrame` as prost does. `frame.payload` is a plain
 * `Uint8Array` view into `bytes`.
 *
 * @throws AbiError (PROTOCOL_ERROR) when `bytes` is not a valid `AbiFrame`,
 * or is longer than `options.maxBytes`.
 */
export function decodeFrame(bytes: Uint8Array, options?: DecodeOptions): AbiFrame {
  requireBytes(bytes, "decodeFrame", "bytes");
  return decodeWith(AbiFrameCodec, bytes, options);
}

/**
 * Decodes the payload of `frame` as a message of `schema` (the Rust
 * `AbiPayload::decode_payload`), after checking that the frame's op is the
 * one `schema` is bound to.
 *
 * @throws AbiError (PROTOCOL_ERROR) when the op differs or the payload does
 * not decode (its `offset` then counts from the start of `frame.payload`);
 * (UNSUPPORTED_OP) when `schema` is not a framed payload.
 */
export function decodePayload<Desc extends DescMessage>(
  schema: Desc,
  frame: AbiFrame,
  options?: DecodeOptions,
): MessageShape<Desc> {
  const { op: expected, codec } = requirePayloadCodec(schema, "decodePayload");
  requireMessage(frame, AbiFrameSchema, "decodePayload", "frame");
  if (frame.op !== expected) {
    throw new AbiError(
      code.PROTOCOL_ERROR,
      `frame op ${frame.op} (${opName(frame.op) ?? "unknown"}) does not carry ${schema.typeName}, which is framed by op ${expected} (${opName(expected)})`,
      { messageName: AbiFrameSchema.typeName, field: "op" },
    );
  }
  requireBytes(frame.payload, "decodePayload", "frame.payload");
  return decodeWith(codec, frame.payload, options) as MessageShape<Desc>;
}

/** A framed payload's op, codec, and what `encodeFrame` writes around it. */
interface FramedPayload {
  readonly op: number;
  readonly codec: MessageCodec;
  readonly envelope: Envelope;
}

/** Each framed payload that `requirePayloadCodec` has seen. */
const payloadCodecs = new Map<DescMessage, FramedPayload>();

/** `requireOp`, `codecOf` and `frameEnvelope` of `schema` in one lookup. */
function requirePayloadCodec(schema: DescMessage, fn: string): FramedPayload {
  let framed = payloadCodecs.get(schema);
  if (framed === undefined) {
    const op = requireOp(schema, fn);
    framed = { op, codec: codecOf(schema), envelope: frameEnvelope(op) };
    payloadCodecs.set(schema, framed);
  }
  return framed;
}

/**
 * An encoded `AbiReply` with `status = SUCCESS` and `payload` (the Rust
 * `success_reply`). A small result is a view into a shared `ArrayBuffer`
 * (see `encodeMessage`): copy it before you transfer or detach its `.buffer`.
 *
 * @throws TypeError when `payload` is not a `Uint8Array`.
 */
export function successReply(payload: Uint8Array = empty): Uint8Array {
  return encodeWith(AbiReplyCodec, successReplyMessage(payload));
}

/**
 * The `AbiReply` that `successReply` encodes, its argument checked.
 *
 * @internal
 */
export function successReplyMessage(payload: Uint8Array = empty): AbiReply {
  requireBytes(payload, "successReply", "payload");
  return { $typeName: AbiReplySchema.typeName, abiVersion: version.V1, status: code.SUCCESS, payload };
}

/**
 * An encoded `AbiReply` with the failure `status` and `message` as payload: a
 * string is written as UTF-8, bytes as they are (the Rust `error_reply`); an
 * empty message gives the same bytes as none. A small result is a view into
 * a shared `ArrayBuffer` (see `encodeMessage`): copy it before you transfer
 * or detach its `.buffer`.
 *
 * @throws TypeError when `status` is not an integer or `message` neither a
 * string nor a `Uint8Array`; RangeError for a status of SUCCESS (use
 * `successReply`) or outside int32.
 */
export function errorReply(status: number, message: string | Uint8Array = empty): Uint8Array {
  return encodeWith(AbiReplyCodec, errorReplyMessage(status, message));
}

/**
 * The `AbiReply` that `errorReply` encodes, its arguments checked.
 *
 * @internal
 */
export function errorReplyMessage(status: number, message: string | Uint8Array = empty): AbiReply {
  requireInt32(status, "errorReply", "status");
  if (status === code.SUCCESS)
    throw new RangeError("errorReply: status must be a failure status, not SUCCESS (0); use successReply");
  let payload: Uint8Array;
  if (isUint8Array(message)) {
    payload = message;
  } else if (typeof message === "string") {
    if (utf8Length(message) < 0) {
      throw new AbiError(code.PROTOCOL_ERROR, "reply message holds a lone surrogate, which has no UTF-8 encoding", {
        messageName: AbiReplySchema.typeName,
        field: "payload",
      });
    }
    payload = utf8.encode(message);
  } else {
    throw argumentTypeError("errorReply", "message", "a string or a Uint8Array", message);
  }
  return { $typeName: AbiReplySchema.typeName, abiVersion: version.V1, status, payload };
}

/**
 * Decodes an `AbiReply` as prost does. `reply.payload` is a plain
 * `Uint8Array` view into `bytes`.
 *
 * Like the Rust peers, it does not check `abiVersion`: every field of a reply
 * is optional on the wire, so empty bytes decode as `{ abiVersion: 0, status:
 * SUCCESS, payload: empty }`. Every reply `successReply`/`errorReply` (and the
 * Rust `success_reply`/`error_reply`) writes carries `abiVersion = 1`; a host
 * that wants to tell "the guest wrote no reply" from a success checks
 * `reply.abiVersion === version.V1` itself.
 *
 * @throws AbiError (PROTOCOL_ERROR) when `bytes` is not a valid `AbiReply`,
 * or is longer than `options.maxBytes`.
 */
export function decodeReply(bytes: Uint8Array, options?: DecodeOptions): AbiReply {
  requireBytes(bytes, "decodeReply", "bytes");
  return decodeWith(AbiReplyCodec, bytes, options);
}
