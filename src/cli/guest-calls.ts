/**
 * What `actr-abi run` sends a guest: one call into `actr_handle`, read from
 * the command's options or from one line of a script.
 *
 * @module
 */
import { create, type DescMessage, getOption, hasOption, isFieldSet, type Message } from "@bufbuild/protobuf";
import {
  type ActrId,
  ActrIdSchema,
  type DataStream,
  DataStreamSchema,
  MetadataEntrySchema,
  type RpcEnvelope,
  RpcEnvelopeSchema,
} from "../../gen/actr/actr_pb.js";
import { GuestHookV1Schema, type InvocationContextV1 } from "../../gen/actr/dynclib/v1/abi_pb.js";
import {
  hook_event as hookEventOption,
  LifecycleHookSchema,
  RuntimeHookSchema,
} from "../../gen/actr/dynclib/v1/codes_pb.js";
import { AbiError } from "../errors.js";
import { encodeGuestHookRequest, type GuestHookEvent } from "../guest-requests.js";
import { actrId, invocationContext } from "../values.js";
import { CliError } from "./errors.js";
import { readBytes } from "./input.js";
import { messageFromJson } from "./json.js";

/** One call into the guest's `actr_handle`. */
export type GuestCall =
  | { readonly kind: "handle"; readonly envelope: RpcEnvelope }
  | { readonly kind: "lifecycle"; readonly hook: number }
  | { readonly kind: "hook"; readonly event: GuestHookEvent }
  | { readonly kind: "dataStream"; readonly chunk: DataStream };

/** The options that say what to send, as `node:util` `parseArgs` takes them. */
export const callOptions = {
  route: { type: "string" },
  payload: { type: "string" },
  "request-id": { type: "string" },
  "timeout-ms": { type: "string" },
  metadata: { type: "string", multiple: true },
  lifecycle: { type: "string" },
  hook: { type: "string" },
  event: { type: "string" },
  "data-stream": { type: "string" },
} as const;

/** The values `parseArgs` gives for `callOptions`. */
export interface CallOptionValues {
  readonly route?: string;
  readonly payload?: string;
  readonly "request-id"?: string;
  readonly "timeout-ms"?: string;
  readonly metadata?: string[];
  readonly lifecycle?: string;
  readonly hook?: string;
  readonly event?: string;
  readonly "data-stream"?: string;
}

/** The timeout an `RpcEnvelope` carries when `--timeout-ms` is not given. */
export const defaultTimeoutMs = 30_000n;

/** The identity a session runs as when `--self` is not given. */
export const defaultSelfId: ActrId = actrId({
  realm: 1,
  serialNumber: 1,
  type: { manufacturer: "actr-abi", name: "run", version: "1" },
});

/** Who the calls of a session come from. */
export interface CallIdentity {
  readonly selfId: ActrId;
  /** The caller of each RPC and the sender of each data-stream chunk; absent: no caller, and chunks come from `selfId`. */
  readonly callerId: ActrId | undefined;
}

/** Whether any option that says what to send is set. */
export function hasCallOptions(values: CallOptionValues): boolean {
  return Object.keys(callOptions).some((name) => values[name as keyof CallOptionValues] !== undefined);
}

/** `"on_start"`, `"ON-START"`, `"start"` → `"START"`: a code name without its `ON_`, however it is spelled. */
function codeWord(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toUpperCase()
    .replace(/-/g, "_")
    .replace(/^ON_/, "");
}

/** The lifecycle hook id named `text` (`on_start`, `ON_READY`, `stop`). */
export function parseLifecycleHook(text: string): number {
  const found = LifecycleHookSchema.values.find((v) => v.number !== 0 && v.localName === `ON_${codeWord(text)}`);
  if (found === undefined) throw new CliError(`unknown lifecycle hook "${text}" (one of on_start, on_ready, on_stop)`);
  return found.number;
}

const runtimeHooks = RuntimeHookSchema.values.filter((v) => v.number !== 0);

/** `"ON_WEBRTC_CONNECTED"` → `"webrtcConnected"`, the spelling `GuestHookEvent.hook` takes. */
const hookKey = (localName: string) =>
  localName
    .slice("ON_".length)
    .toLowerCase()
    .replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The runtime hook event named `name` (`webrtcConnected`, `ON_WEBRTC_CONNECTED`,
 * `webrtc-connected`) with its event payload from `eventJson`: the protobuf
 * JSON of the `GuestHookV1` field the hook carries (`PeerEventV1` for peer
 * hooks, `CredentialEventV1`, `BackpressureEventV1`).
 *
 * @throws CliError for an unknown hook, JSON that does not fit, or a missing event payload.
 */
export function parseHookEvent(name: string, eventJson: string | undefined): GuestHookEvent {
  const value = runtimeHooks.find((v) => v.localName === `ON_${codeWord(name)}`);
  if (value === undefined) {
    throw new CliError(
      `unknown runtime hook "${name}" (one of ${runtimeHooks.map((v) => hookKey(v.localName)).join(", ")})`,
    );
  }
  const hook = hookKey(value.localName);
  const field = hasOption(value, hookEventOption)
    ? GuestHookV1Schema.fields.find((f) => f.name === getOption(value, hookEventOption))
    : undefined;
  if (field === undefined) {
    if (eventJson !== undefined) throw new CliError(`hook ${hook} carries no event, got ${eventJson}`);
    return { hook } as GuestHookEvent;
  }
  if (eventJson === undefined)
    throw new CliError(`hook ${hook} needs its event as JSON (an ${field.message!.typeName})`);
  const payload = messageFromJson(field.message!, parseJson(eventJson, `the event of hook ${hook}`));
  const event = { hook, ...setFields(field.message!, payload) } as GuestHookEvent;
  try {
    encodeGuestHookRequest(event, invocationContext({ selfId: defaultSelfId }));
  } catch (err) {
    if (err instanceof AbiError) throw new CliError(err.message);
    throw err;
  }
  return event;
}

/** The fields of `message` that are set (every implicit-presence field counts as set), by local name. */
function setFields(schema: DescMessage, message: Message): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const field of schema.fields) {
    if (field.presence === 2 /* IMPLICIT */ || isFieldSet(message, field)) {
      fields[field.localName] = (message as unknown as Record<string, unknown>)[field.localName];
    }
  }
  return fields;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`${where} is not valid JSON: ${(err as Error).message}`);
  }
}

/** An `actr.ActrId` from its protobuf JSON (`--self`, `--caller`). */
export function parseActrId(json: string, option: string): ActrId {
  return messageFromJson(ActrIdSchema, parseJson(json, option)) as ActrId;
}

function parseInt64(text: string, option: string): bigint {
  if (!/^-?\d+$/.test(text)) throw new CliError(`${option} must be an integer, got ${JSON.stringify(text)}`);
  const value = BigInt(text);
  if (value < -(1n << 63n) || value >= 1n << 63n) throw new CliError(`${option} ${text} does not fit an int64`);
  return value;
}

/**
 * The one call the options describe, or undefined when they describe none.
 * `ordinal` numbers the call in its session (the default request id is `req-<ordinal>`).
 *
 * @throws CliError when the options mix two calls, name unknown hooks, or hold bad values.
 */
export async function parseGuestCall(
  values: CallOptionValues,
  ordinal: number,
  stdin: NodeJS.ReadableStream,
): Promise<GuestCall | undefined> {
  const chosen = (["route", "lifecycle", "hook", "data-stream"] as const).filter((name) => values[name] !== undefined);
  if (chosen.length > 1) throw new CliError(`--${chosen.join(" and --")} cannot be sent in one call`);
  const rpcOnly = (["payload", "request-id", "timeout-ms", "metadata"] as const).filter(
    (name) => values[name] !== undefined,
  );
  if (chosen[0] !== "route" && rpcOnly.length > 0) throw new CliError(`--${rpcOnly[0]} goes with --route`);
  if (chosen[0] !== "hook" && values.event !== undefined) throw new CliError("--event goes with --hook");
  switch (chosen[0]) {
    case undefined:
      return undefined;
    case "lifecycle":
      return { kind: "lifecycle", hook: parseLifecycleHook(values.lifecycle!) };
    case "hook":
      return { kind: "hook", event: parseHookEvent(values.hook!, values.event) };
    case "data-stream":
      return {
        kind: "dataStream",
        chunk: messageFromJson(DataStreamSchema, parseJson(values["data-stream"]!, "--data-stream")) as DataStream,
      };
    case "route": {
      const metadata = (values.metadata ?? []).map((entry) => {
        const eq = entry.indexOf("=");
        if (eq <= 0) throw new CliError(`--metadata takes key=value, got ${JSON.stringify(entry)}`);
        return create(MetadataEntrySchema, { key: entry.slice(0, eq), value: entry.slice(eq + 1) });
      });
      const envelope = create(RpcEnvelopeSchema, {
        routeKey: values.route!,
        payload: values.payload === undefined ? new Uint8Array(0) : await readBytes(values.payload, "auto", stdin),
        requestId: values["request-id"] ?? `req-${ordinal}`,
        metadata,
        timeoutMs:
          values["timeout-ms"] === undefined ? defaultTimeoutMs : parseInt64(values["timeout-ms"], "--timeout-ms"),
      });
      return { kind: "handle", envelope };
    }
  }
}

/**
 * The invocation context of an RPC or a runtime hook, as a host builds it:
 * the session's identity and the envelope's request id (a hook's is empty).
 */
export function callContext(identity: CallIdentity, requestId = ""): InvocationContextV1 {
  return invocationContext({ selfId: identity.selfId, callerId: identity.callerId, requestId });
}
