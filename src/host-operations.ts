/**
 * The host side of the ABI, as the Rust host does it: decoding a guest's
 * `invoke` frame into a host operation, checking it and answering it. The
 * frames a host sends into `actr_handle` are built in src/guest-requests.ts.
 *
 * @module
 */
import type { DescMessage } from "@bufbuild/protobuf";
import { PayloadType, PayloadTypeSchema } from "../gen/actr/actr_pb.js";
import {
  type AbiReply,
  type HostCallRawV1,
  type HostCallV1,
  type HostDiscoverV1,
  type HostRegisterStreamV1,
  type HostSendDataStreamV1,
  type HostTellV1,
  type HostUnregisterStreamV1,
} from "../gen/actr/dynclib/v1/abi_pb.js";
import { AbiReplyCodec } from "../gen/actr/dynclib/v1/abi_codec.js";
import { OpSchema } from "../gen/actr/dynclib/v1/codes_pb.js";
import {
  argumentTypeError,
  isUint8Array,
  requireBytes,
  requireInt32,
  requireMessage,
  requireObject,
} from "./arguments.js";
import { code, opName, version } from "./codes.js";
import { codecOf, type DecodeOptions, decodeField, encodeWith } from "./codec.js";
import { camelCase } from "./enum-names.js";
import { AbiError, ActrError, hostStatusForError } from "./errors.js";
import { decodeFrame, errorReplyMessage, successReplyMessage } from "./frames.js";
import type { MessageCodec } from "./message-codec.js";
import { payloadSchemaForOp } from "./schemas.js";

/**
 * One operation a guest asks of its host through `invoke`, with its decoded
 * payload. `kind` is the op's name without `HOST_`, camelCased.
 */
export type HostOperation =
  | { readonly kind: "call"; readonly op: number; readonly payload: HostCallV1 }
  | { readonly kind: "tell"; readonly op: number; readonly payload: HostTellV1 }
  | { readonly kind: "callRaw"; readonly op: number; readonly payload: HostCallRawV1 }
  | { readonly kind: "discover"; readonly op: number; readonly payload: HostDiscoverV1 }
  | { readonly kind: "registerStream"; readonly op: number; readonly payload: HostRegisterStreamV1 }
  | { readonly kind: "unregisterStream"; readonly op: number; readonly payload: HostUnregisterStreamV1 }
  | { readonly kind: "sendDataStream"; readonly op: number; readonly payload: HostSendDataStreamV1 };

/** The HOST_* ops by number, with their kind, payload schema and its codec, read from the schema. */
const hostOps: ReadonlyMap<number, { kind: HostOperation["kind"]; schema: DescMessage; codec: MessageCodec }> = new Map(
  OpSchema.values
    .filter((v) => v.localName.startsWith("HOST_"))
    .map((v) => {
      const schema = payloadSchemaForOp(v.number);
      if (schema === undefined) throw new Error(`schema defect: no payload message declares op ${v.name}`);
      return [
        v.number,
        { kind: camelCase(v.localName, "HOST_") as HostOperation["kind"], schema, codec: codecOf(schema) },
      ] as const;
    }),
);

/**
 * Decodes the frame a guest passed to the host's `invoke`, as the Rust host
 * does: the frame, its version, its op and its payload.
 *
 * A host bounds what a guest can make it hold with `options.maxBytes`
 * (the host runtime passes `DEFAULT_MAX_GUEST_BYTES`).
 *
 * @throws AbiError PROTOCOL_ERROR when the frame is longer than
 * `options.maxBytes`, does not decode, its `abiVersion` is not 1, or its
 * payload does not decode; UNSUPPORTED_OP when its op is not a HOST_* op.
 */
export function decodeHostOperation(frameBytes: Uint8Array, options?: DecodeOptions): HostOperation {
  requireBytes(frameBytes, "decodeHostOperation", "frameBytes");
  const frame = decodeFrame(frameBytes, options);
  if (frame.abiVersion !== version.V1) {
    throw new AbiError(code.PROTOCOL_ERROR, `unsupported abi_version ${frame.abiVersion} (expected ${version.V1})`, {
      messageName: "actr.dynclib.v1.AbiFrame",
      field: "abi_version",
    });
  }
  const hostOp = hostOps.get(frame.op);
  if (hostOp === undefined) {
    const name = opName(frame.op);
    throw new AbiError(
      code.UNSUPPORTED_OP,
      `op ${frame.op}${name === undefined ? "" : ` (${name})`} is not a host operation`,
      { messageName: "actr.dynclib.v1.AbiFrame", field: "op" },
    );
  }
  const payload = decodeField(hostOp.codec, frameBytes, frame.payload, "AbiFrame.payload");
  return { kind: hostOp.kind, op: frame.op, payload } as HostOperation;
}

/**
 * What a host answers a guest's `invoke` with: exactly one of the result
 * bytes (`HOST_CALL`, `HOST_CALL_RAW`, `HOST_DISCOVER`), `done` for the
 * operations that answer nothing, or the failure as a non-zero status code or
 * an `ActrError`.
 */
export type HostResult =
  | { readonly bytes: Uint8Array }
  | { readonly done: true }
  | { readonly status: number }
  | { readonly error: ActrError };

/** The key that tells the forms of a `HostResult` apart. */
export type HostResultForm = "bytes" | "done" | "status" | "error";

const hostResultForms: readonly HostResultForm[] = ["bytes", "done", "status", "error"];
const hostResultExpected =
  "exactly one of { bytes: Uint8Array }, { done: true }, { status: a non-zero int32 } or { error: ActrError }";

/**
 * Which form `result` is, checked at run time: exactly one of the four keys
 * is present, with a value of its form (`done` is `true`, `status` a non-zero
 * int32, ...). Anything else would otherwise be read as some other answer.
 *
 * @throws TypeError (RangeError for a status of 0 or outside int32) saying what was expected.
 */
export function hostResultForm(result: HostResult): HostResultForm {
  return checkedHostResultForm(result, "hostResultForm");
}

/** `hostResultForm`, with errors naming `fn`. */
function checkedHostResultForm(result: HostResult, fn: string): HostResultForm {
  requireObject(result, fn, "result");
  const bytes = "bytes" in result;
  const done = "done" in result;
  const status = "status" in result;
  const error = "error" in result;
  if (+bytes + +done + +status + +error !== 1) {
    const present = hostResultForms.filter((key) => key in result);
    const got = present.length === 0 ? "none of them" : `${present.join(" and ")}`;
    throw new TypeError(`${fn}: result must have ${hostResultExpected}; got ${got}`);
  }
  if (bytes) {
    if (!isUint8Array(result.bytes)) throw argumentTypeError(fn, "result.bytes", "a Uint8Array", result.bytes);
    return "bytes";
  }
  if (done) {
    if (result.done !== true)
      throw argumentTypeError(fn, "result.done", "true (a failure is { status } or { error })", result.done);
    return "done";
  }
  if (status) {
    requireInt32(result.status, fn, "result.status");
    if (result.status === code.SUCCESS)
      throw new RangeError(`${fn}: result.status must be a failure status, not SUCCESS (0); use { done: true }`);
    return "status";
  }
  const value = (result as { error: unknown }).error;
  if (!(value instanceof ActrError)) throw argumentTypeError(fn, "result.error", "an ActrError", value);
  return "error";
}

/**
 * Encodes the `AbiReply` to a guest's `invoke`, as the Rust host does:
 * success with the result bytes (empty for `done`); on failure the status
 * (`hostStatusForError` for an `ActrError`) with an empty payload. The result
 * may be a view into a shared pooled buffer (see `encodeMessage`).
 *
 * @throws TypeError/RangeError when `result` is not exactly one valid form (see `hostResultForm`).
 */
export function encodeHostReply(result: HostResult): Uint8Array {
  return encodeWith(AbiReplyCodec, hostReplyMessage(result));
}

/**
 * The `AbiReply` that `encodeHostReply` encodes for `result`, checked as it checks it.
 *
 * @internal
 */
export function hostReplyMessage(result: HostResult): AbiReply {
  switch (checkedHostResultForm(result, "encodeHostReply")) {
    case "bytes":
      return successReplyMessage((result as { bytes: Uint8Array }).bytes);
    case "done":
      return successReplyMessage();
    case "status":
      return errorReplyMessage((result as { status: number }).status);
    case "error":
      return errorReplyMessage(hostStatusForError((result as { error: ActrError }).error));
  }
}

const hostOpSchemaByKind: ReadonlyMap<string, DescMessage> = new Map(
  [...hostOps.values()].map((o) => [o.kind, o.schema]),
);
const hostOpKinds: ReadonlySet<unknown> = new Set(hostOpSchemaByKind.keys());

/**
 * The `kind` of every `HostOperation`, one per HOST_* op of the schema, in op
 * order (`call`, `tell`, `callRaw`, ...).
 */
export const hostOperationKinds: readonly HostOperation["kind"][] = [...hostOps.values()].map((o) => o.kind);

/** The payload types a Rust host accepts for `HOST_SEND_DATA_STREAM`. */
const streamPayloadTypes: ReadonlySet<number> = new Set([
  PayloadType.STREAM_RELIABLE,
  PayloadType.STREAM_LATENCY_FIRST,
]);

/**
 * The error a Rust host answers `operation` with before running it, or
 * undefined when it is well-formed: a destination whose kind is missing
 * (`DecodeFailure`), or a data-stream send whose `payload_type` is neither
 * STREAM_RELIABLE nor STREAM_LATENCY_FIRST (`InvalidArgument`). Both map to
 * status PROTOCOL_ERROR through `encodeHostReply({ error })`.
 */
export function validateHostOperation(operation: HostOperation): ActrError | undefined {
  requireObject(operation, "validateHostOperation", "operation");
  if (!hostOpKinds.has(operation.kind)) {
    throw argumentTypeError(
      "validateHostOperation",
      "operation.kind",
      "a HostOperation kind (from decodeHostOperation)",
      operation.kind,
    );
  }
  requireMessage(
    operation.payload,
    hostOpSchemaByKind.get(operation.kind)!,
    "validateHostOperation",
    "operation.payload",
  );
  switch (operation.kind) {
    case "call":
    case "tell":
    case "sendDataStream":
      if (operation.payload.dest?.kind.case === undefined)
        return ActrError.decodeFailure("destination kind is missing");
      if (operation.kind === "sendDataStream" && !streamPayloadTypes.has(operation.payload.payloadType)) {
        const name = PayloadTypeSchema.value[operation.payload.payloadType]?.name;
        return ActrError.invalidArgument(
          `payload type ${operation.payload.payloadType}${name === undefined ? "" : ` (${name})`} cannot carry a data stream`,
        );
      }
      return undefined;
    default:
      return undefined;
  }
}
