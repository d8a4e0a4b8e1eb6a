/**
 * The trace of `actr-abi run`: every frame that crosses the ABI, in order,
 * shown the way `actr-abi decode` shows bytes (human), or as one JSON object
 * per event (NDJSON, with `--json`).
 *
 * @module
 */
import type { DescMessage } from "@bufbuild/protobuf";
import {
  AbiFrameSchema,
  AbiReplySchema,
  GuestDataStreamV1Schema,
  GuestHandleV1Schema,
  GuestHookV1Schema,
  GuestLifecycleV1Schema,
  HostCallRawV1Schema,
  HostCallV1Schema,
  HostDiscoverV1Schema,
  HostRegisterStreamV1Schema,
  HostSendDataStreamV1Schema,
  HostTellV1Schema,
  HostUnregisterStreamV1Schema,
} from "../../gen/actr/dynclib/v1/abi_pb.js";
import { type DataStream, RpcEnvelopeSchema } from "../../gen/actr/actr_pb.js";
import { decodeMessage, decodeMessageIn } from "../codec.js";
import { lifecycleHookName, op, opName, runtimeHookName, statusName } from "../codes.js";
import type { ActrError } from "../errors.js";
import { decodeFrame, decodeReply } from "../frames.js";
import { payloadSchemaForOp } from "../schemas.js";
import { type FormatOptions, formatMessage } from "./format.js";
import { JsonBytes, type JsonTree, messageToJson } from "./json.js";

/** Which way a frame crosses. */
export type Direction = "host → guest" | "guest → host";

/** How a call into the guest (or `actr_init`) ended. */
export type CallOutcome =
  /** The encoded `AbiReply` the guest returned. */
  | { readonly reply: Uint8Array }
  /** The guest's failed reply, as the `ActrError` a host reads from it. */
  | { readonly error: ActrError }
  /**
   * The code `actr_handle` or `actr_init` returned (SUCCESS for an `actr_init`
   * that succeeded), or the status of the host's `AbiError` for a reply it
   * could not read; `message` is the host's own description, when it has one.
   */
  | { readonly status: number; readonly message?: string };

/**
 * The bridge token an `invoke` of a second-generation guest names, and
 * whether the call it was issued for had returned (the invoke comes from a
 * background task the call spawned). Absent for a first-generation guest.
 */
export interface InvokeBridgeInfo {
  readonly bridgeToken?: bigint;
  readonly background?: boolean;
}

/**
 * One event of a session. `call` numbers the calls into the guest (0 is
 * `actr_init`); `invoke` numbers the guest's `invoke`s within a call, from 1
 * (a background task's, under the call that spawned it).
 */
export type TraceEvent =
  /** The host enters the guest: `bytes` is the `AbiFrame` for `actr_handle`, or the `InitPayloadV1` for `actr_init`. */
  | { readonly event: "send"; readonly call: number; readonly schema: DescMessage; readonly bytes: Uint8Array }
  /** The guest calls `invoke` with the `AbiFrame` `bytes`. */
  | ({
      readonly event: "invoke";
      readonly call: number;
      readonly invoke: number;
      readonly bytes: Uint8Array;
    } & InvokeBridgeInfo)
  /** The host refused a `free_host_buf` of the guest (a pointer it did not hand out, or another length); `message` says which. */
  | { readonly event: "freeRefused"; readonly call: number; readonly message: string }
  /**
   * A bridge token of call `call` changed (second generation): the guest
   * retained or released it, the host let go of it as the call returned
   * (`returned`), or refused a retain (`refused`); `references` are left.
   */
  | {
      readonly event: "token";
      readonly call: number;
      readonly action: "returned" | "retain" | "release" | "refused";
      readonly token: bigint;
      readonly references: number;
    }
  /** The host answers an `invoke` with the `AbiReply` `reply`, by rule number `rule` or for the reason `note`. */
  | ({
      readonly event: "answer";
      readonly call: number;
      readonly invoke: number;
      readonly reply: Uint8Array;
      readonly rule: number | undefined;
      readonly note: string | undefined;
      readonly durationNs: bigint;
    } & InvokeBridgeInfo)
  /**
   * The host could not hand an `invoke` to its handler (a frame that does not
   * decode, an op that is not a host op) and returned `status` with no reply
   * (undefined when the host did not say); `message` says why.
   */
  | {
      readonly event: "hostError";
      readonly call: number;
      readonly invoke: number;
      readonly status: number | undefined;
      readonly message: string;
    }
  /**
   * The guest's entry point returned after `durationNs`, of which `hostNs`
   * went to the host answering its `invoke`s (tracing included).
   */
  | {
      readonly event: "return";
      readonly call: number;
      readonly durationNs: bigint;
      readonly hostNs: bigint;
      readonly outcome: CallOutcome;
    };

/** The variant of an `ActrError`, whichever property spells it (`variant`, or `code` in the actr binding's shape). */
export function actrErrorVariant(err: ActrError): string {
  const named = err as unknown as { variant?: unknown; code?: unknown };
  return typeof named.variant === "string" ? named.variant : typeof named.code === "string" ? named.code : err.name;
}

/** `-5` → `"PROTOCOL_ERROR (-5)"`; a code outside the table by number only. */
export function statusLabel(status: number): string {
  const name = statusName(status);
  return name === undefined ? `status ${status}` : `${name} (${status})`;
}

/** A duration for people: `12 µs`, `3.40 ms`. */
export function formatDuration(ns: bigint): string {
  return ns < 1_000_000n ? `${Number(ns / 1000n)} µs` : `${(Number(ns) / 1e6).toFixed(2)} ms`;
}

/** Which entry point a call goes through, and the op of its frame. */
function entryOf(event: { call: number; schema: DescMessage; bytes: Uint8Array }): string {
  if (event.schema !== AbiFrameSchema) return "actr_init";
  const op = decodeFrame(event.bytes).op;
  return opName(op) ?? `op ${op}`;
}

/**
 * What a frame is about, in a few words for its heading: the route of an
 * RPC or host call, the hook, the stream and sequence, the type discovered.
 */
export function frameSubject(bytes: Uint8Array): string {
  const frame = decodeFrame(bytes);
  const payload = <Desc extends DescMessage>(schema: Desc) =>
    decodeMessageIn(schema, frame.payload, bytes, "AbiFrame.payload");
  const stream = (chunk: DataStream | undefined) =>
    chunk === undefined ? "" : `stream ${JSON.stringify(chunk.streamId)} #${chunk.sequence}`;
  switch (frame.op) {
    case op.GUEST_HANDLE: {
      const envelope = payload(GuestHandleV1Schema).rpcEnvelope;
      return JSON.stringify(decodeMessageIn(RpcEnvelopeSchema, envelope, bytes, "GuestHandleV1.rpc_envelope").routeKey);
    }
    case op.GUEST_LIFECYCLE: {
      const hook = payload(GuestLifecycleV1Schema).hook;
      return lifecycleHookName(hook) ?? `hook ${hook}`;
    }
    case op.GUEST_HOOK: {
      const hook = payload(GuestHookV1Schema).hook;
      return runtimeHookName(hook) ?? `hook ${hook}`;
    }
    case op.GUEST_DATA_STREAM:
      return stream(payload(GuestDataStreamV1Schema).chunk);
    case op.HOST_SEND_DATA_STREAM:
      return stream(payload(HostSendDataStreamV1Schema).chunk);
    case op.HOST_CALL:
      return JSON.stringify(payload(HostCallV1Schema).routeKey);
    case op.HOST_TELL:
      return JSON.stringify(payload(HostTellV1Schema).routeKey);
    case op.HOST_CALL_RAW:
      return JSON.stringify(payload(HostCallRawV1Schema).routeKey);
    case op.HOST_REGISTER_STREAM:
      return `stream ${JSON.stringify(payload(HostRegisterStreamV1Schema).streamId)}`;
    case op.HOST_UNREGISTER_STREAM:
      return `stream ${JSON.stringify(payload(HostUnregisterStreamV1Schema).streamId)}`;
    case op.HOST_DISCOVER: {
      const type = payload(HostDiscoverV1Schema).targetType;
      return type === undefined ? "" : `${type.manufacturer}/${type.name}/${type.version}`;
    }
    default:
      return "";
  }
}

/** The op of a frame and what it is about: `GUEST_HANDLE "echo"`. */
function frameHeading(bytes: Uint8Array): string {
  const op = decodeFrame(bytes).op;
  const subject = frameSubject(bytes);
  return `${opName(op) ?? `op ${op}`}${subject === "" ? "" : ` ${subject}`}`;
}

const direction = (event: Exclude<TraceEvent, { event: "token" | "freeRefused" }>): Direction =>
  event.event === "send" || event.event === "answer" ? "host → guest" : "guest → host";

const label = (event: TraceEvent) => ("invoke" in event ? `[${event.call}.${event.invoke}]` : `[${event.call}]`);

/** `, token 5` or `, background, token 5` for an invoke or answer of a second-generation guest. */
const bridgeNote = (event: InvokeBridgeInfo) =>
  event.bridgeToken === undefined
    ? ""
    : `${event.background === true ? ", background" : ""}, token ${event.bridgeToken}`;

/** The token of a call's frame (second generation), for its heading; "" when none. */
function frameToken(bytes: Uint8Array): string {
  try {
    const frame = decodeFrame(bytes);
    const schema = payloadSchemaForOp(frame.op);
    if (schema === undefined || schema.field.bridgeToken === undefined) return "";
    const token = (decodeMessage(schema, frame.payload) as unknown as { bridgeToken: bigint }).bridgeToken;
    return token === 0n ? "" : `, token ${token}`;
  } catch {
    return "";
  }
}

/** The one-line summary of how a call ended, without its duration. */
export function outcomeSummary(outcome: CallOutcome, entry: "actr_init" | "actr_handle"): string {
  if ("reply" in outcome) return `reply ${statusLabel(decodeReply(outcome.reply).status)}`;
  if ("error" in outcome) return `failed: ActrError ${actrErrorVariant(outcome.error)}: ${outcome.error.message}`;
  return outcome.message ?? `${entry} returned ${statusLabel(outcome.status)}`;
}

/**
 * The human lines of `event`: a heading (`[1] host → guest  GUEST_HANDLE`,
 * `[1.1] host → guest  reply SUCCESS (0), rule 2, 4 µs`) and, under it, the
 * frame or reply decoded as `actr-abi decode` shows it, indented.
 */
export function formatTraceEvent(event: TraceEvent, options: FormatOptions): string[] {
  if (event.event === "token") {
    return [
      `${label(event)} token ${event.token} ${event.action}, ${event.references} reference${event.references === 1 ? "" : "s"} left`,
    ];
  }
  if (event.event === "freeRefused") return [`${label(event)} guest → host  free refused: ${event.message}`];
  const head = `${label(event)} ${direction(event)}  `;
  const body = (schema: DescMessage, bytes: Uint8Array) =>
    formatMessage(schema, decodeMessage(schema, bytes), bytes, options).map((line) => `    ${line}`);
  switch (event.event) {
    case "send":
      return [
        head + (event.schema === AbiFrameSchema ? frameHeading(event.bytes) + frameToken(event.bytes) : "actr_init"),
        ...body(event.schema, event.bytes),
      ];
    case "invoke":
      return [head + frameHeading(event.bytes) + bridgeNote(event), ...body(AbiFrameSchema, event.bytes)];
    case "answer": {
      const why = event.rule !== undefined ? `, rule ${event.rule}` : "";
      const note = event.note !== undefined ? ` (${event.note})` : "";
      return [
        `${head}reply ${statusLabel(decodeReply(event.reply).status)}${why}, ${formatDuration(event.durationNs)}${bridgeNote(event)}${note}`,
        ...body(AbiReplySchema, event.reply),
      ];
    }
    case "hostError":
      return [
        `${head}invoke refused by the host${event.status === undefined ? "" : ` with ${statusLabel(event.status)}`}: ${event.message}`,
      ];
    case "return": {
      const entry = event.call === 0 ? "actr_init" : "actr_handle";
      const hostShare = event.hostNs > 0n ? ` (${formatDuration(event.hostNs)} of it answering invokes)` : "";
      const lines = [`${head}${outcomeSummary(event.outcome, entry)}, ${formatDuration(event.durationNs)}${hostShare}`];
      if ("reply" in event.outcome) lines.push(...body(AbiReplySchema, event.outcome.reply));
      return lines;
    }
  }
}

const durationMs = (ns: bigint) => Number(ns) / 1e6;

/** One event as JSON: frames and replies in the JSON of `actr-abi decode --json`. */
export type TraceJson = { [key: string]: JsonTree };

/**
 * `event` as one JSON object (a line of `--json`'s NDJSON): `event`, `call`
 * (and `invoke`), `direction`, `op`, the frame or reply in the JSON of
 * `actr-abi decode --json`, `status` and `statusName`, `durationMs`.
 */
export function traceEventToJson(event: TraceEvent): TraceJson {
  if (event.event === "token") {
    return {
      event: "token",
      call: event.call,
      action: event.action,
      token: event.token.toString(),
      references: event.references,
    };
  }
  if (event.event === "freeRefused")
    return { event: "freeRefused", call: event.call, direction: "guest → host", message: event.message };
  const head: TraceJson = { event: event.event, call: event.call };
  if ("invoke" in event) head.invoke = event.invoke;
  if ("bridgeToken" in event && event.bridgeToken !== undefined) {
    head.bridgeToken = event.bridgeToken.toString();
    head.background = event.background === true;
  }
  head.direction = direction(event);
  const reply = (bytes: Uint8Array): TraceJson => {
    const status = decodeReply(bytes).status;
    return {
      status,
      statusName: statusName(status) ?? null,
      reply: messageToJson(AbiReplySchema, decodeReply(bytes), bytes),
    };
  };
  switch (event.event) {
    case "send": {
      const entry = entryOf(event);
      const message = messageToJson(event.schema, decodeMessage(event.schema, event.bytes), event.bytes);
      return { ...head, op: entry, ...(entry === "actr_init" ? { init: message } : { frame: message }) };
    }
    case "invoke": {
      const op = decodeFrame(event.bytes).op;
      return {
        ...head,
        op: opName(op) ?? op,
        frame: messageToJson(AbiFrameSchema, decodeFrame(event.bytes), event.bytes),
      };
    }
    case "answer":
      return {
        ...head,
        ...reply(event.reply),
        rule: event.rule ?? null,
        ...(event.note === undefined ? {} : { note: event.note }),
        durationMs: durationMs(event.durationNs),
      };
    case "hostError":
      return {
        ...head,
        status: event.status ?? null,
        statusName: event.status === undefined ? null : (statusName(event.status) ?? null),
        message: event.message,
      };
    case "return": {
      const outcome = event.outcome;
      const result: TraceJson =
        "reply" in outcome
          ? reply(outcome.reply)
          : "error" in outcome
            ? { error: { variant: actrErrorVariant(outcome.error), message: outcome.error.message } }
            : {
                status: outcome.status,
                statusName: statusName(outcome.status) ?? null,
                ...(outcome.message === undefined ? {} : { message: outcome.message }),
              };
      return { ...head, ...result, durationMs: durationMs(event.durationNs), hostMs: durationMs(event.hostNs) };
    }
  }
}

/** A `JSON.stringify` replacer writing `JsonBytes` as their base64, as the protobuf JSON mapping does. */
const bytesAsBase64 = (_key: string, value: unknown) =>
  value instanceof JsonBytes
    ? Buffer.from(value.bytes.buffer, value.bytes.byteOffset, value.bytes.byteLength).toString("base64")
    : value;

/**
 * Writes each event to `out` as it happens (so a guest that crashes the
 * process leaves the trace up to the crash): as human lines, as their
 * headings only (`brief`), or as NDJSON.
 */
export function traceWriter(
  out: NodeJS.WritableStream,
  format: "human" | "brief" | "json",
  options: FormatOptions,
): (event: TraceEvent) => void {
  return (event) => {
    if (format === "json") {
      out.write(JSON.stringify(traceEventToJson(event), bytesAsBase64) + "\n");
      return;
    }
    const lines = formatTraceEvent(event, options);
    out.write((format === "brief" ? lines[0]! : lines.join("\n")) + "\n");
  };
}
