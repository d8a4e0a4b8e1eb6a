/**
 * The code tables of the DynClib ABI (docs/abi.md section 2), read from the
 * schema's enums so that `proto/actr/dynclib/v1/codes.proto` stays the only
 * place that lists them.
 *
 * Two forms exist on purpose. The lower-case tables here (`code`, `op`,
 * `version`, ...) mirror the Rust reference's constant modules (`code::SUCCESS`,
 * `op::HOST_CALL`): frozen plain objects holding exactly the table, so
 * `Object.entries(op)` lists the 11 ops and nothing else. The generated
 * TypeScript enums (`Code`, `Op`, ...) are protobuf-es's types for the
 * schema's enum fields; they also hold the `UNSPECIFIED` placeholder buf
 * requires and the enum's reverse mapping. Both give the same numbers.
 *
 * @module
 */
import type { DescEnum } from "@bufbuild/protobuf";
import { argumentTypeError } from "./arguments.js";
import { isPlaceholder, namedValues } from "./enum-names.js";
import {
  Code,
  CodeSchema,
  LifecycleHook,
  LifecycleHookSchema,
  Op,
  OpSchema,
  RuntimeHook,
  RuntimeHookSchema,
  Version,
  VersionSchema,
  WebrtcPeerStatus,
  WebrtcPeerStatusSchema,
} from "../gen/actr/dynclib/v1/codes_pb.js";

/**
 * The named values of a generated enum, without its `UNSPECIFIED` placeholder:
 * `{ HOST_CALL: 1, ... }`.
 */
export type CodeTable<E extends Record<string, string | number>> = {
  readonly [K in Exclude<keyof E, "UNSPECIFIED" | number>]: E[K];
};

/** Builds the frozen name → number table of `desc`, skipping `UNSPECIFIED`. */
function codeTable<E extends Record<string, string | number>>(desc: DescEnum): CodeTable<E> {
  return Object.freeze(Object.fromEntries(namedValues(desc).map((v) => [v.localName, v.number]))) as CodeTable<E>;
}

/** Looks up the short name (`"HOST_CALL"`) of `value` in `desc`; undefined when unknown; a TypeError naming `fn` for a non-number. */
function codeName(desc: DescEnum, value: number, fn: string): string | undefined {
  if (typeof value !== "number") throw argumentTypeError(fn, "value", "a number", value);
  const found = Object.hasOwn(desc.value, value) ? desc.value[value] : undefined;
  return found === undefined || isPlaceholder(found) ? undefined : found.localName;
}

/** Status codes (`int32`): `code.SUCCESS === 0`, `code.PROTOCOL_ERROR === -5`, ... */
export const code = codeTable<typeof Code>(CodeSchema);

/** ABI versions: `version.V1 === 1`, the only version every frame carries. */
export const version = codeTable<typeof Version>(VersionSchema);

/** Operation codes (`uint32`): `op.HOST_CALL === 1`, ..., `op.GUEST_HOOK === 104`. */
export const op = codeTable<typeof Op>(OpSchema);

/** Lifecycle hook ids carried by `GuestLifecycleV1.hook`: `ON_START`, `ON_READY`, `ON_STOP`. */
export const lifecycleHook = codeTable<typeof LifecycleHook>(LifecycleHookSchema);

/** Observation hook ids carried by `GuestHookV1.hook`: `ON_SIGNALING_CONNECTING = 1` ... `ON_MAILBOX_BACKPRESSURE = 12`. */
export const runtimeHook = codeTable<typeof RuntimeHook>(RuntimeHookSchema);

/** WebRTC peer status carried by `PeerEventV1.status`: `IDLE = 0` ... `RECOVERING = 3`. */
export const webrtcPeerStatus = codeTable<typeof WebrtcPeerStatus>(WebrtcPeerStatusSchema);

/** The name of an op (`opName(101) === "GUEST_HANDLE"`), or undefined for a number outside the table. */
export function opName(value: number): string | undefined {
  return codeName(OpSchema, value, "opName");
}

/** The name of a status code (`statusName(-5) === "PROTOCOL_ERROR"`), or undefined for a number outside the table. */
export function statusName(value: number): string | undefined {
  return codeName(CodeSchema, value, "statusName");
}

/** The name of a lifecycle hook id (`lifecycleHookName(1) === "ON_START"`), or undefined. */
export function lifecycleHookName(value: number): string | undefined {
  return codeName(LifecycleHookSchema, value, "lifecycleHookName");
}

/** The name of a runtime hook id (`runtimeHookName(8) === "ON_WEBRTC_CONNECTED"`), or undefined. */
export function runtimeHookName(value: number): string | undefined {
  return codeName(RuntimeHookSchema, value, "runtimeHookName");
}
