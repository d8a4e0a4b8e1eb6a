/**
 * `AbiFrame` and `AbiReply`: building, encoding and decoding the envelopes
 * that every call across the ABI travels in.
 *
 * @module
 */
import { create, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { type AbiFrame, AbiFrameSchema, type AbiReply, AbiReplySchema } from "../gen/actr/dynclib/v1/abi_pb.js";
import { code, opName, version } from "./codes.js";
import { decodeMessage, encodeMessage } from "./codec.js";
import { encodeWithPlan } from "./encoder.js";
import { AbiError } from "./errors.js";
import { payloadOp } from "./schemas.js";

const empty = new Uint8Array(0);
const utf8 = new TextEncoder();

function requireOp(schema: DescMessage): number {
  const op = payloadOp(schema);
  if (op === undefined) {
    throw new AbiError(
      code.UNSUPPORTED_OP,
      `${schema.typeName} is not a framed payload: it has no (actr.dynclib.v1.op) option`,
      { message: schema.typeName },
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
  const op = requireOp(schema);
  return create(AbiFrameSchema, { abiVersion: version.V1, op, payload: encodeMessage(schema, payload) });
}

/**
 * `toFrame`, encoded: the bytes a host passes to `actr_handle` (or a guest to
 * `invoke`). The payload is encoded straight into the frame's buffer.
 *
 * @throws AbiError as `toFrame`.
 */
export function encodeFrame<Desc extends DescMessage>(schema: Desc, payload: MessageShape<Desc>): Uint8Array {
  return encodeWithPlan(schema, payload, frameHeader(requireOp(schema)));
}

// The tags of AbiFrame's fields, from the schema: abi_version and op are varints, payload is length-delimited.
const frameTags = {
  abiVersion: AbiFrameSchema.field.abiVersion.number << 3,
  op: AbiFrameSchema.field.op.number << 3,
  payload: (AbiFrameSchema.field.payload.number << 3) | 2,
};

/**
 * Writes the `AbiFrame` fields that come before the payload's bytes:
 * `abi_version = 1`, `op`, and the payload's tag and length (nothing for an
 * empty payload, which prost leaves out, as it leaves out a zero op).
 */
function frameHeader(op: number) {
  const opSize = op === 0 ? 0 : varintSize(frameTags.op) + varintSize(op);
  const versionSize = varintSize(frameTags.abiVersion) + varintSize(version.V1);
  return {
    size: (payloadSize: number) =>
      versionSize + opSize + (payloadSize === 0 ? 0 : varintSize(frameTags.payload) + varintSize(payloadSize)),
    write(buf: Uint8Array, payloadSize: number): number {
      let pos = writeVarint(buf, 0, frameTags.abiVersion);
      pos = writeVarint(buf, pos, version.V1);
      if (op !== 0) {
        pos = writeVarint(buf, pos, frameTags.op);
        pos = writeVarint(buf, pos, op);
      }
      if (payloadSize > 0) {
        pos = writeVarint(buf, pos, frameTags.payload);
        pos = writeVarint(buf, pos, payloadSize);
      }
      return pos;
    },
  };
}

function varintSize(v: number): number {
  let n = 1;
  while (v > 0x7f) {
    v >>>= 7;
    n++;
  }
  return n;
}

function writeVarint(buf: Uint8Array, pos: number, v: number): number {
  while (v > 0x7f) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

/**
 * Decodes an `AbiFrame` as prost does. `frame.payload` is a view into `bytes`.
 *
 * @throws AbiError (PROTOCOL_ERROR) when `bytes` is not a valid `AbiFrame`.
 */
export function decodeFrame(bytes: Uint8Array): AbiFrame {
  return decodeMessage(AbiFrameSchema, bytes);
}

/**
 * Decodes the payload of `frame` as a message of `schema` (the Rust
 * `AbiPayload::decode_payload`), after checking that the frame's op is the
 * one `schema` is bound to.
 *
 * @throws AbiError (PROTOCOL_ERROR) when the op differs or the payload does
 * not decode; (UNSUPPORTED_OP) when `schema` is not a framed payload.
 */
export function decodePayload<Desc extends DescMessage>(schema: Desc, frame: AbiFrame): MessageShape<Desc> {
  const expected = requireOp(schema);
  if (frame.op !== expected) {
    throw new AbiError(
      code.PROTOCOL_ERROR,
      `frame op ${frame.op} (${opName(frame.op) ?? "unknown"}) does not carry ${schema.typeName}, which is framed by op ${expected} (${opName(expected)})`,
      { message: AbiFrameSchema.typeName, field: "op" },
    );
  }
  return decodeMessage(schema, frame.payload);
}

/** An encoded `AbiReply` with `status = SUCCESS` and `payload` (the Rust `success_reply`). */
export function successReply(payload: Uint8Array = empty): Uint8Array {
  return encodeMessage(AbiReplySchema, create(AbiReplySchema, { abiVersion: version.V1, status: code.SUCCESS, payload }));
}

/**
 * An encoded `AbiReply` with `status` and `message` as payload: a string is
 * written as UTF-8, bytes as they are (the Rust `error_reply`).
 */
export function errorReply(status: number, message: string | Uint8Array = empty): Uint8Array {
  if (!Number.isInteger(status) || status < -0x8000_0000 || status > 0x7fff_ffff) {
    throw new AbiError(code.PROTOCOL_ERROR, `reply status must be an int32, got ${status}`, {
      message: AbiReplySchema.typeName,
      field: "status",
    });
  }
  const payload = typeof message === "string" ? utf8.encode(message) : message;
  return encodeMessage(AbiReplySchema, create(AbiReplySchema, { abiVersion: version.V1, status, payload }));
}

/**
 * Decodes an `AbiReply` as prost does. `reply.payload` is a view into `bytes`.
 *
 * @throws AbiError (PROTOCOL_ERROR) when `bytes` is not a valid `AbiReply`.
 */
export function decodeReply(bytes: Uint8Array): AbiReply {
  return decodeMessage(AbiReplySchema, bytes);
}
