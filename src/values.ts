/**
 * Conversions between the ABI's wire values and the values a host works with
 * (destinations, timestamps, peer status), and builders for the actr
 * messages whose required fields must never be forgotten.
 *
 * @module
 */
import { create } from "@bufbuild/protobuf";
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
import { lifecycleHookName } from "./codes.js";
import { ActrError } from "./errors.js";
import { I64_MAX, I64_MIN, toBigIntIn, U64_MAX } from "./integers.js";

/** Where a guest sends a call (the framework's `Dest`). */
export type Dest = { readonly kind: "shell" } | { readonly kind: "local" } | { readonly kind: "actor"; readonly id: ActrId };

/** The `DestV1` for `dest`, as Rust senders write it (`shell`/`local` set to `true`). */
export function destToV1(dest: Dest): DestV1 {
  switch (dest.kind) {
    case "shell":
      return create(DestV1Schema, { kind: { case: "shell", value: true } });
    case "local":
      return create(DestV1Schema, { kind: { case: "local", value: true } });
    case "actor":
      return create(DestV1Schema, { kind: { case: "actor", value: dest.id } });
  }
}

/**
 * The `Dest` of a `DestV1` (the Rust `try_into_dest`): the case decides,
 * whatever the bool of `shell`/`local` says.
 *
 * @throws ActrError `DecodeFailure("destination kind is missing")` when no case is set.
 */
export function destFromV1(v1: DestV1): Dest {
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
  return status !== undefined && WebrtcPeerStatusSchema.values.some((v) => v.number === status)
    ? (status as WebrtcPeerStatus)
    : undefined;
}

/** A point in time as seconds and nanoseconds since the Unix epoch, exact to the nanosecond. */
export interface Timestamp {
  readonly seconds: bigint;
  readonly nanos: number;
}

/**
 * `value` as a bigint within `[min, max]`.
 *
 * @throws ActrError `InvalidArgument` naming `what` otherwise.
 * @internal
 */
function checkedInt64(value: unknown, what: string, min: bigint, max: bigint): bigint {
  const result = toBigIntIn(value, min, max);
  if (typeof result === "string") throw ActrError.invalidArgument(`${what} ${result}`);
  return result;
}

/** `value` as a u64 bigint; throws ActrError `InvalidArgument` naming `what` otherwise. @internal */
export function toUint64(value: unknown, what: string): bigint {
  return checkedInt64(value, what, 0n, U64_MAX);
}

/**
 * The `TimestampV1` of a `Date` (millisecond precision) or of seconds and
 * nanoseconds (exact).
 *
 * @throws ActrError `InvalidArgument` for a time before the epoch, an invalid
 * `Date`, seconds outside u64 or nanos outside 0..999,999,999.
 */
export function timestampToV1(time: Date | { readonly seconds: bigint | number; readonly nanos?: number }): TimestampV1 {
  let seconds: bigint;
  let nanos: number;
  if (time instanceof Date) {
    const ms = time.getTime();
    if (!Number.isFinite(ms)) throw ActrError.invalidArgument("timestamp: invalid Date");
    if (ms < 0) throw ActrError.invalidArgument(`timestamp: ${time.toISOString()} is before the epoch`);
    seconds = BigInt(Math.floor(ms / 1000));
    nanos = (ms - Math.floor(ms / 1000) * 1000) * 1_000_000;
  } else {
    seconds = toUint64(time.seconds, "timestamp seconds");
    nanos = time.nanos ?? 0;
  }

  if (!Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) {
    throw ActrError.invalidArgument(`timestamp: nanos must be an integer within 0..999999999, got ${nanos}`);
  }
  return create(TimestampV1Schema, { seconds, nanoseconds: nanos });
}

/** The seconds and nanoseconds of a `TimestampV1`, exact (a `Date` would keep only milliseconds). */
export function timestampFromV1(v1: TimestampV1): Timestamp {
  return { seconds: v1.seconds, nanos: v1.nanoseconds };
}

/**
 * The `Date` of a `TimestampV1`, truncated to milliseconds.
 *
 * @throws ActrError `InvalidArgument` when the time is beyond what a `Date` can hold (year 275760).
 */
export function timestampToDate(v1: TimestampV1): Date {
  const date = new Date(Number(v1.seconds) * 1000 + Math.floor(v1.nanoseconds / 1_000_000));
  if (Number.isNaN(date.getTime())) throw ActrError.invalidArgument(`timestamp: ${v1.seconds} seconds is beyond the range of Date`);
  return date;
}

/** An `actr.ActrType`: all three fields are required. */
export function actrType(init: { readonly manufacturer: string; readonly name: string; readonly version: string }): ActrType {
  return create(ActrTypeSchema, { manufacturer: init.manufacturer, name: init.name, version: init.version });
}

/** An `actr.ActrId`: realm, serial number and type are required. */
export function actrId(init: {
  readonly realm: number;
  readonly serialNumber: bigint | number;
  readonly type: ActrType | Parameters<typeof actrType>[0];
}): ActrId {
  const type = "$typeName" in init.type ? init.type : actrType(init.type);
  return create(ActrIdSchema, {
    realm: create(RealmSchema, { realmId: init.realm }),
    serialNumber: toUint64(init.serialNumber, "ActrId serialNumber"),
    type,
  });
}

/**
 * An `InvocationContextV1`: `selfId` is required; `callerId` is absent when
 * not given (as for lifecycle hooks); `requestId` defaults to `""`.
 */
export function invocationContext(init: {
  readonly selfId: ActrId;
  readonly callerId?: ActrId;
  readonly requestId?: string;
}): InvocationContextV1 {
  return create(InvocationContextV1Schema, {
    selfId: init.selfId,
    callerId: init.callerId,
    requestId: init.requestId ?? "",
  });
}

/**
 * An `actr.DataStream` chunk: stream id, sequence and payload are required;
 * `payload` is kept by reference, not copied.
 */
export function dataStream(init: {
  readonly streamId: string;
  readonly sequence: bigint | number;
  readonly payload: Uint8Array;
  readonly metadata?: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  readonly timestampMs?: bigint | number;
}): DataStream {
  const metadata: MetadataEntry[] = (init.metadata ?? []).map((e) =>
    create(MetadataEntrySchema, { key: e.key, value: e.value }),
  );
  return create(DataStreamSchema, {
    streamId: init.streamId,
    sequence: toUint64(init.sequence, "DataStream sequence"),
    payload: init.payload,
    metadata,
    ...(init.timestampMs === undefined ? {} : { timestampMs: checkedInt64(init.timestampMs, "DataStream timestampMs", I64_MIN, I64_MAX) }),
  });
}



/**
 * The context the Rust host builds for a lifecycle hook: `callerId` absent,
 * `requestId` `lifecycle:on_start` (`on_ready`, `on_stop`).
 *
 * @throws ActrError `InvalidArgument` for a hook id outside the table.
 */
export function lifecycleContext(selfId: ActrId, hook: number): InvocationContextV1 {
  const name = lifecycleHookName(hook);
  if (name === undefined) throw ActrError.invalidArgument(`unknown lifecycle hook ${hook}`);
  return invocationContext({ selfId, requestId: `lifecycle:${name.toLowerCase()}` });
}
