/**
 * Conversions between the ABI's wire values and the values a host works with
 * (destinations, timestamps, peer status), and builders for the actr
 * messages whose required fields must never be forgotten.
 *
 * A wrong argument (a missing field, a value of the wrong type) is a
 * `TypeError`, a value out of its range a `RangeError`, each naming the
 * function and the argument.
 *
 * @module
 */
import { create, isMessage } from "@bufbuild/protobuf";
import {
  type ActrId,
  ActrIdSchema,
  type ActrType,
  ActrTypeSchema,
  type DataStream,
  DataStreamSchema,
  type MetadataEntry,
  MetadataEntrySchema,
  RealmSchema,
} from "../gen/actr/actr_pb.js";
import {
  type DestV1,
  DestV1Schema,
  type InvocationContextV1,
  InvocationContextV1Schema,
  type TimestampV1,
  TimestampV1Schema,
} from "../gen/actr/dynclib/v1/abi_pb.js";
import { WebrtcPeerStatus, WebrtcPeerStatusSchema } from "../gen/actr/dynclib/v1/codes_pb.js";
import {
  argumentTypeError,
  requireBytes,
  requireInt64,
  requireMessage,
  requireObject,
  requireString,
} from "./arguments.js";
import { lifecycleHook, lifecycleHookName } from "./codes.js";
import { ActrError } from "./errors.js";

/** Where a guest sends a call (the framework's `Dest`). */
export type Dest =
  { readonly kind: "shell" } | { readonly kind: "local" } | { readonly kind: "actor"; readonly id: ActrId };

/**
 * The `DestV1` for `dest`, as Rust senders write it (`shell`/`local` set to `true`).
 *
 * @throws TypeError for a `dest` that is not one of the three kinds, or an actor `id` that is not an `ActrId`.
 */
export function destToV1(dest: Dest): DestV1 {
  requireObject(dest, "destToV1", "dest");
  switch (dest.kind) {
    case "shell":
      return create(DestV1Schema, { kind: { case: "shell", value: true } });
    case "local":
      return create(DestV1Schema, { kind: { case: "local", value: true } });
    case "actor":
      requireMessage(dest.id, ActrIdSchema, "destToV1", "dest.id");
      return create(DestV1Schema, { kind: { case: "actor", value: dest.id } });
    default:
      throw argumentTypeError("destToV1", "dest.kind", '"shell", "local" or "actor"', (dest as { kind: unknown }).kind);
  }
}

/**
 * The `Dest` of a `DestV1` (the Rust `try_into_dest`): the case decides,
 * whatever the bool of `shell`/`local` says.
 *
 * @throws ActrError `DecodeFailure("destination kind is missing")` when no case is set;
 * TypeError when `v1` is not a `DestV1` message.
 */
export function destFromV1(v1: DestV1): Dest {
  requireMessage(v1, DestV1Schema, "destFromV1", "v1");
  switch (v1.kind.case) {
    case "shell":
      return { kind: "shell" };
    case "local":
      return { kind: "local" };
    case "actor":
      return { kind: "actor", id: v1.kind.value };
    default:
      throw ActrError.decodeFailure("destination kind is missing");
  }
}

/**
 * The WebRTC peer status of `PeerEventV1.status`: the `WebrtcPeerStatus`
 * value, or undefined when the status is absent or unknown (as the Rust host
 * drops it).
 */
export function peerStatusFromV1(status: number | undefined): WebrtcPeerStatus | undefined {
  return typeof status === "number" && Object.hasOwn(WebrtcPeerStatusSchema.value, status)
    ? (status as WebrtcPeerStatus)
    : undefined;
}

/** A point in time as seconds and nanoseconds since the Unix epoch, exact to the nanosecond. */
export interface Timestamp {
  readonly seconds: bigint;
  readonly nanos: number;
}

/**
 * The `TimestampV1` of a `Date` (millisecond precision) or of seconds and
 * nanoseconds (exact).
 *
 * @throws RangeError for a time before the epoch, an invalid `Date`, seconds
 * outside u64 or nanos outside 0..999,999,999; TypeError for anything but a
 * `Date` or `{ seconds, nanos? }`.
 */
export function timestampToV1(
  time: Date | { readonly seconds: bigint | number; readonly nanos?: number },
): TimestampV1 {
  return timestampOf(time, "timestampToV1", "time");
}

/** `timestampToV1`, with errors naming argument `arg` of `fn`. @internal */
export function timestampOf(time: Parameters<typeof timestampToV1>[0], fn: string, arg: string): TimestampV1 {
  requireObject(time, fn, arg);
  let seconds: bigint;
  let nanos: unknown;
  if (time instanceof Date) {
    const ms = time.getTime();
    if (!Number.isFinite(ms)) throw new RangeError(`${fn}: ${arg} is an invalid Date`);
    if (ms < 0) throw new RangeError(`${fn}: ${arg} ${time.toISOString()} is before the epoch`);
    seconds = BigInt(Math.floor(ms / 1000));
    nanos = (ms - Math.floor(ms / 1000) * 1000) * 1_000_000;
  } else {
    seconds = requireInt64(time.seconds, "uint64", fn, `${arg}.seconds`);
    nanos = time.nanos ?? 0;
  }
  if (typeof nanos !== "number") throw argumentTypeError(fn, `${arg}.nanos`, "a number", nanos);
  if (!Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) {
    throw new RangeError(`${fn}: ${arg}.nanos must be an integer within 0..999999999, got ${nanos}`);
  }
  return create(TimestampV1Schema, { seconds, nanoseconds: nanos });
}

/**
 * The seconds and nanoseconds of a `TimestampV1`, exact (a `Date` would keep only milliseconds).
 *
 * @throws TypeError when `v1` is not a `TimestampV1` message.
 */
export function timestampFromV1(v1: TimestampV1): Timestamp {
  requireMessage(v1, TimestampV1Schema, "timestampFromV1", "v1");
  return { seconds: v1.seconds, nanos: v1.nanoseconds };
}

/** The largest time a `Date` holds, in milliseconds since the epoch (year 275760). */
const DATE_MAX_MS = 8.64e15;

/**
 * The `Date` of a `TimestampV1`, truncated to milliseconds.
 *
 * @throws RangeError when the time is beyond what a `Date` can hold (year
 * 275760); TypeError when `v1` is not a `TimestampV1` message.
 */
export function timestampToDate(v1: TimestampV1): Date {
  requireMessage(v1, TimestampV1Schema, "timestampToDate", "v1");
  const ms = Number(v1.seconds) * 1000 + Math.floor(v1.nanoseconds / 1_000_000);
  if (!(ms <= DATE_MAX_MS)) {
    throw new RangeError(`timestampToDate: v1 (${v1.seconds} seconds) is beyond the range of Date (year 275760)`);
  }
  return new Date(ms);
}

/** `actrType`, with errors naming argument `arg` of `fn`. */
function actrTypeOf(init: unknown, fn: string, arg: string): ActrType {
  requireObject(init, fn, arg);
  const { manufacturer, name, version } = init as Record<string, unknown>;
  requireString(manufacturer, fn, `${arg}.manufacturer`);
  requireString(name, fn, `${arg}.name`);
  requireString(version, fn, `${arg}.version`);
  return create(ActrTypeSchema, { manufacturer, name, version });
}

/**
 * An `actr.ActrType`: all three fields are required.
 *
 * @throws TypeError when a field is missing or not a string.
 */
export function actrType(init: {
  readonly manufacturer: string;
  readonly name: string;
  readonly version: string;
}): ActrType {
  return actrTypeOf(init, "actrType", "init");
}

/** The largest uint32 (`Realm.realm_id`). */
const U32_MAX = 0xffff_ffff;

/**
 * An `actr.ActrId`: realm, serial number and type are required; `type` is an
 * `ActrType` message or its three fields.
 *
 * @throws TypeError when a field is missing or of the wrong type; RangeError
 * for a realm outside uint32 or a serial number outside u64.
 */
export function actrId(init: {
  readonly realm: number;
  readonly serialNumber: bigint | number;
  readonly type: ActrType | Parameters<typeof actrType>[0];
}): ActrId {
  requireObject(init, "actrId", "init");
  const realmId = requireInt64(init.realm, "uint64", "actrId", "init.realm");
  if (realmId > U32_MAX)
    throw new RangeError(`actrId: init.realm must be within uint32 (0..${U32_MAX}), got ${realmId}`);
  const type = isMessage(init.type, ActrTypeSchema) ? init.type : actrTypeOf(init.type, "actrId", "init.type");
  return create(ActrIdSchema, {
    realm: create(RealmSchema, { realmId: Number(realmId) }),
    serialNumber: requireInt64(init.serialNumber, "uint64", "actrId", "init.serialNumber"),
    type,
  });
}

/**
 * An `InvocationContextV1`: `selfId` is required; `callerId` is absent when
 * not given (as for lifecycle hooks); `requestId` defaults to `""`.
 *
 * @throws TypeError when `selfId` (or a given `callerId`) is not an `ActrId`, or `requestId` not a string.
 */
export function invocationContext(init: {
  readonly selfId: ActrId;
  readonly callerId?: ActrId;
  readonly requestId?: string;
}): InvocationContextV1 {
  requireObject(init, "invocationContext", "init");
  requireMessage(init.selfId, ActrIdSchema, "invocationContext", "init.selfId");
  if (init.callerId !== undefined) requireMessage(init.callerId, ActrIdSchema, "invocationContext", "init.callerId");
  const requestId = init.requestId ?? "";
  requireString(requestId, "invocationContext", "init.requestId");
  // The object create() returns, built without its reflective walk: hosts make a context per call.
  const $typeName = InvocationContextV1Schema.typeName;
  const { selfId, callerId } = init;
  return callerId === undefined ? { $typeName, selfId, requestId } : { $typeName, selfId, callerId, requestId };
}

/**
 * An `actr.DataStream` chunk: stream id, sequence and payload are required;
 * `payload` is kept by reference, not copied.
 *
 * @throws TypeError when a field is missing or of the wrong type; RangeError
 * for a sequence outside u64 or a timestamp outside i64.
 */
export function dataStream(init: {
  readonly streamId: string;
  readonly sequence: bigint | number;
  readonly payload: Uint8Array;
  readonly metadata?: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  readonly timestampMs?: bigint | number;
}): DataStream {
  requireObject(init, "dataStream", "init");
  requireString(init.streamId, "dataStream", "init.streamId");
  requireBytes(init.payload, "dataStream", "init.payload");
  const entries = init.metadata ?? [];
  if (!Array.isArray(entries))
    throw argumentTypeError("dataStream", "init.metadata", "an array of { key, value }", entries);
  const metadata: MetadataEntry[] = entries.map((e: unknown, i) => {
    requireObject(e, "dataStream", `init.metadata[${i}]`);
    const { key, value } = e as Record<string, unknown>;
    requireString(key, "dataStream", `init.metadata[${i}].key`);
    requireString(value, "dataStream", `init.metadata[${i}].value`);
    return create(MetadataEntrySchema, { key, value });
  });
  return create(DataStreamSchema, {
    streamId: init.streamId,
    sequence: requireInt64(init.sequence, "uint64", "dataStream", "init.sequence"),
    payload: init.payload,
    metadata,
    ...(init.timestampMs === undefined
      ? {}
      : { timestampMs: requireInt64(init.timestampMs, "int64", "dataStream", "init.timestampMs") }),
  });
}

/**
 * The context the Rust host builds for a lifecycle hook: `callerId` absent,
 * `requestId` `lifecycle:on_start` (`on_ready`, `on_stop`).
 *
 * @throws RangeError for a hook id outside the `lifecycleHook` table; TypeError when `selfId` is not an `ActrId`.
 */
export function lifecycleContext(selfId: ActrId, hook: number): InvocationContextV1 {
  requireMessage(selfId, ActrIdSchema, "lifecycleContext", "selfId");
  if (typeof hook !== "number") throw argumentTypeError("lifecycleContext", "hook", "a lifecycleHook value", hook);
  const name = lifecycleHookName(hook);
  if (name === undefined) {
    throw new RangeError(
      `lifecycleContext: hook must be a lifecycleHook value (${Object.values(lifecycleHook).join(", ")}), got ${hook}`,
    );
  }
  return invocationContext({ selfId, requestId: `lifecycle:${name.toLowerCase()}` });
}
