/**
 * The host side of the ABI, as the Rust host does it: decoding a guest's
 * `invoke` frame into a host operation, answering it, and building the
 * frames a host sends into `actr_handle`.
 *
 * @module
 */
import { create, type DescMessage, getOption, hasOption, isMessage } from "@bufbuild/protobuf";
import {
  type ActrId,
  ActrIdSchema,
  type DataStream,
  DataStreamSchema,
  PayloadType,
  PayloadTypeSchema,
  type RpcEnvelope,
  RpcEnvelopeSchema,
} from "../gen/actr/actr_pb.js";
import {
  type AbiReply,
  type BackpressureEventV1,
  BackpressureEventV1Schema,
  CredentialEventV1Schema,
  type GuestDataStreamV1,
  GuestDataStreamV1Schema,
  type GuestHandleV1,
  GuestHandleV1Schema,
  type GuestHookV1,
  GuestHookV1Schema,
  type GuestLifecycleV1,
  GuestLifecycleV1Schema,
  type HostCallRawV1,
  type HostCallV1,
  type HostDiscoverV1,
  type HostRegisterStreamV1,
  type HostSendDataStreamV1,
  type HostTellV1,
  type HostUnregisterStreamV1,
  type InvocationContextV1,
  InvocationContextV1Schema,
  type PeerEventV1,
  PeerEventV1Schema,
  type TimestampV1,
  TimestampV1Schema,
} from "../gen/actr/dynclib/v1/abi_pb.js";
import { AbiReplyCodec } from "../gen/actr/dynclib/v1/abi_codec.js";
import { hook_event as hookEventOption, OpSchema, RuntimeHookSchema } from "../gen/actr/dynclib/v1/codes_pb.js";
import { argumentTypeError, isUint8Array, requireBytes, requireInt32, requireInt64, requireMessage, requireObject } from "./arguments.js";
import { code, lifecycleHook, lifecycleHookName, opName, version } from "./codes.js";
import { codecOf, type DecodeOptions, decodeField, encodeWith } from "./codec.js";
import { camelCase, namedValues } from "./enum-names.js";
import { AbiError, ActrError, hostStatusForError } from "./errors.js";
import { decodeFrame, encodeFrame, errorReplyMessage, successReplyMessage } from "./frames.js";
import type { MessageCodec } from "./message-codec.js";
import { payloadSchemaForOp } from "./schemas.js";
import { timestampOf } from "./values.js";

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
      return [v.number, { kind: camelCase(v.localName, "HOST_") as HostOperation["kind"], schema, codec: codecOf(schema) }] as const;
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
    if (result.done !== true) throw argumentTypeError(fn, "result.done", "true (a failure is { status } or { error })", result.done);
    return "done";
  }
  if (status) {
    requireInt32(result.status, fn, "result.status");
    if (result.status === code.SUCCESS) throw new RangeError(`${fn}: result.status must be a failure status, not SUCCESS (0); use { done: true }`);
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

const hostOpSchemaByKind: ReadonlyMap<string, DescMessage> = new Map([...hostOps.values()].map((o) => [o.kind, o.schema]));
const hostOpKinds: ReadonlySet<unknown> = new Set(hostOpSchemaByKind.keys());

/**
 * The `kind` of every `HostOperation`, one per HOST_* op of the schema, in op
 * order (`call`, `tell`, `callRaw`, ...).
 */
export const hostOperationKinds: readonly HostOperation["kind"][] = [...hostOps.values()].map((o) => o.kind);

/** The payload types a Rust host accepts for `HOST_SEND_DATA_STREAM`. */
const streamPayloadTypes: ReadonlySet<number> = new Set([PayloadType.STREAM_RELIABLE, PayloadType.STREAM_LATENCY_FIRST]);

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
    throw argumentTypeError("validateHostOperation", "operation.kind", "a HostOperation kind (from decodeHostOperation)", operation.kind);
  }
  requireMessage(operation.payload, hostOpSchemaByKind.get(operation.kind)!, "validateHostOperation", "operation.payload");
  switch (operation.kind) {
    case "call":
    case "tell":
    case "sendDataStream":
      if (operation.payload.dest?.kind.case === undefined) return ActrError.decodeFailure("destination kind is missing");
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

/**
 * The `GUEST_HANDLE` frame that asks the guest to handle one RPC.
 * `envelope` is an encoded `actr.RpcEnvelope`, or the message itself. The
 * result may be a view into a shared pooled buffer (see `encodeMessage`).
 *
 * @throws TypeError when `envelope` is neither a `Uint8Array` nor an `RpcEnvelope`, or `ctx` is not an `InvocationContextV1`.
 */
export function encodeGuestHandleRequest(envelope: Uint8Array | RpcEnvelope, ctx: InvocationContextV1): Uint8Array {
  return encodeFrame(GuestHandleV1Schema, guestHandlePayload(envelope, ctx));
}

/**
 * The payload of `encodeGuestHandleRequest`'s frame, its arguments checked.
 *
 * @internal
 */
export function guestHandlePayload(envelope: Uint8Array | RpcEnvelope, ctx: InvocationContextV1): GuestHandleV1 {
  const fn = "encodeGuestHandleRequest";
  requireMessage(ctx, InvocationContextV1Schema, fn, "ctx");
  if (!isUint8Array(envelope) && !isMessage(envelope, RpcEnvelopeSchema)) {
    throw argumentTypeError(fn, "envelope", "a Uint8Array or an actr.RpcEnvelope message", envelope);
  }
  // rpc_envelope holds an encoded RpcEnvelope (its encoded_message option): the
  // generated encoder takes the message itself there and encodes it in place.
  return { $typeName: GuestHandleV1Schema.typeName, ctx, rpcEnvelope: envelope as Uint8Array, bridgeToken: 0n };
}

/**
 * The `GUEST_DATA_STREAM` frame that delivers `chunk` from `sender`. The
 * result may be a view into a shared pooled buffer (see `encodeMessage`).
 *
 * @throws TypeError when `chunk` is not a `DataStream` or `sender` not an `ActrId`.
 */
export function encodeGuestDataStreamRequest(chunk: DataStream, sender: ActrId): Uint8Array {
  return encodeFrame(GuestDataStreamV1Schema, guestDataStreamPayload(chunk, sender));
}

/**
 * The payload of `encodeGuestDataStreamRequest`'s frame, its arguments checked.
 *
 * @internal
 */
export function guestDataStreamPayload(chunk: DataStream, sender: ActrId): GuestDataStreamV1 {
  requireMessage(chunk, DataStreamSchema, "encodeGuestDataStreamRequest", "chunk");
  requireMessage(sender, ActrIdSchema, "encodeGuestDataStreamRequest", "sender");
  return create(GuestDataStreamV1Schema, { chunk, sender });
}

/**
 * The `GUEST_LIFECYCLE` frame for `hook` (a `lifecycleHook` value). The Rust
 * host's context for it is `lifecycleContext(selfId, hook)`. The result may
 * be a view into a shared pooled buffer (see `encodeMessage`).
 *
 * @throws RangeError for a hook id outside the `lifecycleHook` table;
 * TypeError when `ctx` is not an `InvocationContextV1`.
 */
export function encodeGuestLifecycleRequest(hook: number, ctx: InvocationContextV1): Uint8Array {
  return encodeFrame(GuestLifecycleV1Schema, guestLifecyclePayload(hook, ctx));
}

/**
 * The payload of `encodeGuestLifecycleRequest`'s frame, its arguments checked.
 *
 * @internal
 */
export function guestLifecyclePayload(hook: number, ctx: InvocationContextV1): GuestLifecycleV1 {
  const fn = "encodeGuestLifecycleRequest";
  requireMessage(ctx, InvocationContextV1Schema, fn, "ctx");
  if (typeof hook !== "number") throw argumentTypeError(fn, "hook", "a lifecycleHook value", hook);
  if (lifecycleHookName(hook) === undefined) {
    throw new RangeError(`${fn}: hook must be a lifecycleHook value (${Object.values(lifecycleHook).join(", ")}), got ${hook}`);
  }
  return create(GuestLifecycleV1Schema, { ctx, hook });
}

/** A peer event: the peer, whether the connection is relayed, and (WebRTC only) the peer status. */
export interface PeerEventInit {
  readonly peer: ActrId;
  readonly relayed?: boolean;
  readonly status?: number;
}

/**
 * An observation hook with its event payload. `hook` is the runtime hook's
 * name without `ON_`, camelCased (`ON_WEBRTC_CONNECTED` → `"webrtcConnected"`).
 */
export type GuestHookEvent =
  | { readonly hook: "signalingConnecting" | "signalingConnected" | "signalingDisconnected" }
  | ({ readonly hook: "websocketConnecting" | "websocketConnected" | "websocketDisconnected" } & Omit<PeerEventInit, "status">)
  | ({ readonly hook: "webrtcConnecting" | "webrtcConnected" | "webrtcDisconnected" } & PeerEventInit)
  | {
      readonly hook: "credentialRenewed" | "credentialExpiring";
      readonly newExpiry: TimestampV1 | Date | { readonly seconds: bigint | number; readonly nanos?: number };
    }
  | { readonly hook: "mailboxBackpressure"; readonly queueLen: bigint | number; readonly threshold: bigint | number };

/** The runtime hooks by event name, with the `GuestHookV1` field that carries each one's payload (from the schema). */
const runtimeHooks: ReadonlyMap<string, { id: number; eventField: string | undefined }> = new Map(
  namedValues(RuntimeHookSchema).map((v) => [
      camelCase(v.localName, "ON_"),
      { id: v.number, eventField: hasOption(v, hookEventOption) ? getOption(v, hookEventOption) : undefined },
    ]),
);

/** The event payload field `field` of `GuestHookV1` for `event`, checked; errors name `encodeGuestHookRequest`. */
function hookPayload(event: GuestHookEvent, field: string | undefined): Partial<Pick<GuestHookV1, "peer" | "credential" | "backpressure">> {
  const fn = "encodeGuestHookRequest";
  const e = event as Record<string, unknown>;
  switch (field) {
    case undefined:
      return {};
    case "peer": {
      requireMessage(e.peer, ActrIdSchema, fn, `event.peer (hook ${event.hook} carries a peer event)`);
      const peer: PeerEventV1 = create(PeerEventV1Schema, { peer: e.peer });
      if (e.relayed !== undefined) {
        if (typeof e.relayed !== "boolean") throw argumentTypeError(fn, "event.relayed", "a boolean", e.relayed);
        peer.relayed = e.relayed;
      }
      if (e.status !== undefined) {
        requireInt32(e.status, fn, "event.status");
        peer.status = e.status;
      }
      return { peer };
    }
    case "credential": {
      const what = `event.newExpiry (hook ${event.hook} carries a credential event)`;
      const newExpiry = isMessage(e.newExpiry, TimestampV1Schema)
        ? e.newExpiry
        : timestampOf(e.newExpiry as Parameters<typeof timestampOf>[0], fn, what);
      return { credential: create(CredentialEventV1Schema, { newExpiry }) };
    }
    case "backpressure": {
      const backpressure: BackpressureEventV1 = create(BackpressureEventV1Schema, {
        queueLen: requireInt64(e.queueLen, "uint64", fn, "event.queueLen"),
        threshold: requireInt64(e.threshold, "uint64", fn, "event.threshold"),
      });
      return { backpressure };
    }
    default:
      throw new Error(`schema defect: unknown hook_event field ${field}`);
  }
}

/**
 * The `GUEST_HOOK` frame for `event`: the hook id and the one event payload
 * field the schema binds to it (`(actr.dynclib.v1.hook_event)`). The result
 * may be a view into a shared pooled buffer (see `encodeMessage`).
 *
 * @throws TypeError for an unknown hook name, a missing or mistyped event
 * field, or a `ctx` that is not an `InvocationContextV1`; RangeError for a
 * 64-bit value out of range.
 */
export function encodeGuestHookRequest(event: GuestHookEvent, ctx: InvocationContextV1): Uint8Array {
  return encodeFrame(GuestHookV1Schema, guestHookPayload(event, ctx));
}

/**
 * The payload of `encodeGuestHookRequest`'s frame, its arguments checked.
 *
 * @internal
 */
export function guestHookPayload(event: GuestHookEvent, ctx: InvocationContextV1): GuestHookV1 {
  const fn = "encodeGuestHookRequest";
  requireObject(event, fn, "event");
  requireMessage(ctx, InvocationContextV1Schema, fn, "ctx");
  const hook = runtimeHooks.get(event.hook); // a Map of string keys: undefined for anything but a known name
  if (hook === undefined) throw argumentTypeError(fn, "event.hook", `one of ${[...runtimeHooks.keys()].join(", ")}`, event.hook);
  return create(GuestHookV1Schema, { ctx, hook: hook.id, ...hookPayload(event, hook.eventField) });
}
