/**
 * The requests a host sends into `actr_handle`: the `GUEST_*` frames
 * (`encodeGuest*Request`), and the checked payloads they carry
 * (`guest*Payload`, which the host runtime encodes into its own buffers).
 *
 * @module
 */
import { create, getOption, hasOption, isMessage } from "@bufbuild/protobuf";
import {
  type ActrId,
  ActrIdSchema,
  type DataStream,
  DataStreamSchema,
  type RpcEnvelope,
  RpcEnvelopeSchema,
} from "../gen/actr/actr_pb.js";
import {
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
  type InvocationContextV1,
  InvocationContextV1Schema,
  type PeerEventV1,
  PeerEventV1Schema,
  type TimestampV1,
  TimestampV1Schema,
} from "../gen/actr/dynclib/v1/abi_pb.js";
import { hook_event as hookEventOption, RuntimeHookSchema } from "../gen/actr/dynclib/v1/codes_pb.js";
import {
  argumentTypeError,
  isUint8Array,
  requireInt32,
  requireInt64,
  requireMessage,
  requireObject,
} from "./arguments.js";
import { lifecycleHook, lifecycleHookName } from "./codes.js";
import { camelCase, namedValues } from "./enum-names.js";
import { encodeFrame } from "./frames.js";
import { timestampOf } from "./values.js";

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
    throw new RangeError(
      `${fn}: hook must be a lifecycleHook value (${Object.values(lifecycleHook).join(", ")}), got ${hook}`,
    );
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
  | ({ readonly hook: "websocketConnecting" | "websocketConnected" | "websocketDisconnected" } & Omit<
      PeerEventInit,
      "status"
    >)
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
function hookPayload(
  event: GuestHookEvent,
  field: string | undefined,
): Partial<Pick<GuestHookV1, "peer" | "credential" | "backpressure">> {
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
  if (hook === undefined)
    throw argumentTypeError(fn, "event.hook", `one of ${[...runtimeHooks.keys()].join(", ")}`, event.hook);
  return create(GuestHookV1Schema, { ctx, hook: hook.id, ...hookPayload(event, hook.eventField) });
}
