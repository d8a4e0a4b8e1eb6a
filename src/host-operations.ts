/**
 * The host side of the ABI, as the Rust host does it: decoding a guest's
 * `invoke` frame into a host operation, answering it, and building the
 * frames a host sends into `actr_handle`.
 *
 * @module
 */
import { create, type DescMessage, getOption, hasOption } from "@bufbuild/protobuf";
import { type ActrId, type DataStream, PayloadType, PayloadTypeSchema, type RpcEnvelope, RpcEnvelopeSchema } from "../gen/actr/actr_pb.js";
import {
  type BackpressureEventV1,
  BackpressureEventV1Schema,
  CredentialEventV1Schema,
  GuestDataStreamV1Schema,
  type GuestHandleV1,
  GuestHandleV1Schema,
  type GuestHookV1,
  GuestHookV1Schema,
  GuestLifecycleV1Schema,
  type HostCallRawV1,
  type HostCallV1,
  type HostDiscoverV1,
  type HostRegisterStreamV1,
  type HostSendDataStreamV1,
  type HostTellV1,
  type HostUnregisterStreamV1,
  type InvocationContextV1,
  type PeerEventV1,
  PeerEventV1Schema,
  type TimestampV1,
} from "../gen/actr/dynclib/v1/abi_pb.js";
import { hook_event as hookEventOption, OpSchema, RuntimeHookSchema } from "../gen/actr/dynclib/v1/codes_pb.js";
import { code, lifecycleHookName, opName, version } from "./codes.js";
import { type DecodeOptions, decodeMessageIn, encodeMessage } from "./codec.js";
import { AbiError, ActrError, hostStatusForError } from "./errors.js";
import { decodeFrame, encodeFrame, errorReply, successReply } from "./frames.js";
import { payloadSchemaForOp } from "./schemas.js";
import { timestampToV1, toUint64 } from "./values.js";

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

/** `"ON_WEBRTC_CONNECTED"` → `"webrtcConnected"`, `"HOST_CALL_RAW"` → `"callRaw"`: a code name as a camelCase key. */
function camelKey(name: string, prefix: string): string {
  return name
    .slice(prefix.length)
    .toLowerCase()
    .replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The HOST_* ops by number, with their kind and payload schema, read from the schema. */
const hostOps: ReadonlyMap<number, { kind: HostOperation["kind"]; schema: DescMessage }> = new Map(
  OpSchema.values
    .filter((v) => v.localName.startsWith("HOST_"))
    .map((v) => {
      const schema = payloadSchemaForOp(v.number);
      if (schema === undefined) throw new Error(`schema defect: no payload message declares op ${v.name}`);
      return [v.number, { kind: camelKey(v.localName, "HOST_") as HostOperation["kind"], schema }] as const;
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
  const frame = decodeFrame(frameBytes, options);
  if (frame.abiVersion !== version.V1) {
    throw new AbiError(code.PROTOCOL_ERROR, `unsupported abi_version ${frame.abiVersion} (expected ${version.V1})`, {
      message: "actr.dynclib.v1.AbiFrame",
      field: "abi_version",
    });
  }
  const hostOp = hostOps.get(frame.op);
  if (hostOp === undefined) {
    const name = opName(frame.op);
    throw new AbiError(
      code.UNSUPPORTED_OP,
      `op ${frame.op}${name === undefined ? "" : ` (${name})`} is not a host operation`,
      { message: "actr.dynclib.v1.AbiFrame", field: "op" },
    );
  }
  const payload = decodeMessageIn(hostOp.schema, frame.payload, frameBytes, "AbiFrame.payload");
  return { kind: hostOp.kind, op: frame.op, payload } as HostOperation;
}

/**
 * What a host answers a guest's `invoke` with: the result bytes (`HOST_CALL`,
 * `HOST_CALL_RAW`, `HOST_DISCOVER`), `done` for the operations that answer
 * nothing, or the failure as a status code or an `ActrError`.
 */
export type HostResult =
  | { readonly bytes: Uint8Array }
  | { readonly done: true }
  | { readonly status: number }
  | { readonly error: ActrError };

/**
 * Encodes the `AbiReply` to a guest's `invoke`, as the Rust host does:
 * success with the result bytes (empty for `done`); on failure the status
 * (`hostStatusForError` for an `ActrError`) with an empty payload.
 *
 * A small result is a view into a shared `ArrayBuffer` (see
 * `encodeMessage`): copy it before you transfer or detach its `.buffer`.
 */
export function encodeHostReply(result: HostResult): Uint8Array {
  if ("bytes" in result) return successReply(result.bytes);
  if ("done" in result) return successReply();
  if ("error" in result) return errorReply(hostStatusForError(result.error));
  if (result.status === code.SUCCESS) {
    throw ActrError.invalidArgument("a failed host result needs a non-zero status (use { done: true } for success)");
  }
  return errorReply(result.status);
}

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
  switch (operation.kind) {
    case "call":
    case "tell":
    case "sendDataStream":
      if (operation.payload.dest?.kind.case === undefined) return ActrError.decodeFailure("destination kind is missing");
      if (operation.kind === "sendDataStream" && !streamPayloadTypes.has(operation.payload.payloadType)) {
        const name = PayloadTypeSchema.values.find((v) => v.number === operation.payload.payloadType)?.name;
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
 * `envelope` is an encoded `actr.RpcEnvelope`, or the message itself.
 *
 * The result may be a view into a shared `ArrayBuffer` (see `encodeMessage`):
 * copy it before you transfer or detach its `.buffer`.
 */
export function encodeGuestHandleRequest(envelope: Uint8Array | RpcEnvelope, ctx: InvocationContextV1): Uint8Array {
  const rpcEnvelope = envelope instanceof Uint8Array ? envelope : encodeMessage(RpcEnvelopeSchema, envelope);
  const request: GuestHandleV1 = { $typeName: GuestHandleV1Schema.typeName, ctx, rpcEnvelope };
  return encodeFrame(GuestHandleV1Schema, request);
}

/**
 * The `GUEST_DATA_STREAM` frame that delivers `chunk` from `sender`.
 *
 * The result may be a view into a shared `ArrayBuffer` (see `encodeMessage`):
 * copy it before you transfer or detach its `.buffer`.
 */
export function encodeGuestDataStreamRequest(chunk: DataStream, sender: ActrId): Uint8Array {
  return encodeFrame(GuestDataStreamV1Schema, create(GuestDataStreamV1Schema, { chunk, sender }));
}

/**
 * The `GUEST_LIFECYCLE` frame for `hook` (a `lifecycleHook` value). The Rust
 * host's context for it is `lifecycleContext(selfId, hook)`.
 *
 * @throws AbiError UNSUPPORTED_OP for a hook id outside the table (the guest would answer that).
 *
 * The result may be a view into a shared `ArrayBuffer` (see `encodeMessage`):
 * copy it before you transfer or detach its `.buffer`.
 */
export function encodeGuestLifecycleRequest(hook: number, ctx: InvocationContextV1): Uint8Array {
  if (lifecycleHookName(hook) === undefined) {
    throw new AbiError(code.UNSUPPORTED_OP, `unknown lifecycle hook ${hook}`, {
      message: GuestLifecycleV1Schema.typeName,
      field: "hook",
    });
  }
  return encodeFrame(GuestLifecycleV1Schema, create(GuestLifecycleV1Schema, { ctx, hook }));
}

/** A peer event: the peer, whether the connection is relayed, and (WebRTC only) the peer status. */
interface PeerEventInit {
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
  RuntimeHookSchema.values
    .filter((v) => v.localName !== "UNSPECIFIED")
    .map((v) => [
      camelKey(v.localName, "ON_"),
      { id: v.number, eventField: hasOption(v, hookEventOption) ? getOption(v, hookEventOption) : undefined },
    ]),
);

function hookPayload(event: GuestHookEvent, field: string | undefined): Partial<GuestHookV1> {
  const missing = (what: string) =>
    new AbiError(code.PROTOCOL_ERROR, `hook ${event.hook} needs ${what} for its ${field} payload`, {
      message: GuestHookV1Schema.typeName,
      field,
    });
  switch (field) {
    case undefined:
      return {};
    case "peer": {
      const e = event as PeerEventInit;
      if (e.peer === undefined) throw missing("`peer`");
      const peer: PeerEventV1 = create(PeerEventV1Schema, { peer: e.peer });
      if (e.relayed !== undefined) peer.relayed = e.relayed;
      if (e.status !== undefined) peer.status = e.status;
      return { peer };
    }
    case "credential": {
      const e = event as { newExpiry?: Parameters<typeof timestampToV1>[0] | TimestampV1 };
      if (typeof e.newExpiry !== "object" || e.newExpiry === null) throw missing("`newExpiry` (a Date, { seconds, nanos } or TimestampV1)");
      const newExpiry = "$typeName" in e.newExpiry ? e.newExpiry : timestampToV1(e.newExpiry);
      return { credential: create(CredentialEventV1Schema, { newExpiry }) };
    }
    case "backpressure": {
      const e = event as { queueLen?: bigint | number; threshold?: bigint | number };
      if (e.queueLen === undefined || e.threshold === undefined) throw missing("`queueLen` and `threshold`");
      const backpressure: BackpressureEventV1 = create(BackpressureEventV1Schema, {
        queueLen: toUint64(e.queueLen, "backpressure queueLen"),
        threshold: toUint64(e.threshold, "backpressure threshold"),
      });
      return { backpressure };
    }
    default:
      throw new Error(`schema defect: unknown hook_event field ${field}`);
  }
}

/**
 * The `GUEST_HOOK` frame for `event`: the hook id and the one event payload
 * field the schema binds to it (`(actr.dynclib.v1.hook_event)`).
 *
 * @throws AbiError UNSUPPORTED_OP for an unknown hook name, PROTOCOL_ERROR for a missing event payload.
 *
 * The result may be a view into a shared `ArrayBuffer` (see `encodeMessage`):
 * copy it before you transfer or detach its `.buffer`.
 */
export function encodeGuestHookRequest(event: GuestHookEvent, ctx: InvocationContextV1): Uint8Array {
  const hook = runtimeHooks.get(event.hook);
  if (hook === undefined) {
    throw new AbiError(code.UNSUPPORTED_OP, `unknown runtime hook "${String(event.hook)}"`, {
      message: GuestHookV1Schema.typeName,
      field: "hook",
    });
  }
  return encodeFrame(
    GuestHookV1Schema,
    create(GuestHookV1Schema, { ctx, hook: hook.id, ...hookPayload(event, hook.eventField) }),
  );
}
