/**
 * The answers file of `actr-abi run --answers FILE`: how the host answers
 * each `invoke` of the guest. A JSON array of rules `{ kind?, route?, reply }`
 * tried in order; the first rule that matches answers; with none, the host
 * answers `UNSUPPORTED_OP`.
 *
 * @module
 */
import { type ActrId, ActrIdSchema } from "../../gen/actr/actr_pb.js";
import { CodeSchema } from "../../gen/actr/dynclib/v1/codes_pb.js";
import { encodeMessage } from "../codec.js";
import { code } from "../codes.js";
import { ActrError } from "../errors.js";
import { type HostOperation, hostOperationKinds, type HostResult, validateHostOperation } from "../host-operations.js";
import { CliError } from "./errors.js";
import { hexToBytes } from "./hex.js";
import { messageFromJson } from "./json.js";
import { actrErrorVariant } from "./trace.js";

/** What a rule answers. */
export type RuleReply =
  | { readonly bytes: Uint8Array }
  | { readonly echo: true }
  | { readonly done: true }
  | { readonly status: number }
  | { readonly error: ActrError };

/** One rule of an answers file. */
export interface AnswerRule {
  /** The `HostOperation` kind it answers; any when absent. */
  readonly kind?: HostOperation["kind"];
  /** The route key (call, tell, callRaw) or stream id (stream ops) it answers; any when absent. */
  readonly route?: string;
  readonly reply: RuleReply;
}

/** The answer to one operation, and why. */
export interface Answer {
  readonly result: HostResult;
  /** The number of the rule that answered, counting from 1; undefined when none did. */
  readonly rule: number | undefined;
  /** What the reply alone does not say: why no rule answered, or the `ActrError` a rule answered with. */
  readonly note?: string;
}

/**
 * The `ActrError` factories by variant name, for `{ "error": { "variant": ..., "message": ... } }`.
 * (Keyed by name, not by the package's variant type, so the table reads the
 * same whichever property an `ActrError` spells its variant with.)
 */
const errorFactories: Readonly<Record<string, (message: string, extra: Record<string, unknown>) => ActrError>> = {
  Unavailable: (m) => ActrError.unavailable(m),
  ConnectionNotReady: (_m, extra) => ActrError.connectionNotReady(extra.retryAfterMs as number | undefined),
  TimedOut: () => ActrError.timedOut(),
  NotFound: (m) => ActrError.notFound(m),
  PermissionDenied: (m) => ActrError.permissionDenied(m),
  InvalidArgument: (m) => ActrError.invalidArgument(m),
  UnknownRoute: (m) => ActrError.unknownRoute(m),
  DependencyNotFound: (m, extra) => ActrError.dependencyNotFound(String(extra.serviceName ?? ""), m),
  DecodeFailure: (m) => ActrError.decodeFailure(m),
  NotImplemented: (m) => ActrError.notImplemented(m),
  Internal: (m) => ActrError.internal(m),
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], where: string): void {
  const extra = Object.keys(value).find((k) => !allowed.includes(k));
  if (extra !== undefined) throw new CliError(`${where}: unknown key "${extra}" (one of ${allowed.join(", ")})`);
}

/** A status code by name (`"GENERIC_ERROR"`) or number; never SUCCESS (a success answers `done` or bytes). */
function parseStatus(value: unknown, where: string): number {
  const found =
    typeof value === "number"
      ? Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31
        ? value
        : undefined
      : typeof value === "string"
        ? CodeSchema.values.find((v) => v.localName === value.toUpperCase().replace(/-/g, "_"))?.number
        : undefined;
  if (found === undefined) {
    const names = CodeSchema.values.filter((v) => v.number !== 0).map((v) => v.localName);
    throw new CliError(
      `${where}: status must be a status name (${names.join(", ")}) or an int32, got ${JSON.stringify(value)}`,
    );
  }
  if (found === code.SUCCESS)
    throw new CliError(`${where}: status SUCCESS is not a failure (answer "done" or bytes instead)`);
  return found;
}

function parseError(value: unknown, where: string): ActrError {
  if (!isObject(value)) throw new CliError(`${where}: error must be an object { "variant", "message" }`);
  onlyKeys(value, ["variant", "code", "message", "serviceName", "retryAfterMs"], where);
  // `code` is the variant's name in the actr TypeScript binding's spelling of the same error.
  const variant = value.variant ?? value.code;
  const factory =
    typeof variant === "string" && Object.hasOwn(errorFactories, variant) ? errorFactories[variant] : undefined;
  if (factory === undefined) {
    throw new CliError(
      `${where}: error variant must be one of ${Object.keys(errorFactories).join(", ")}, got ${JSON.stringify(variant)}`,
    );
  }
  if (value.message !== undefined && typeof value.message !== "string")
    throw new CliError(`${where}: error message must be a string`);
  try {
    return factory(value.message ?? "", value);
  } catch (err) {
    throw new CliError(`${where}: ${(err as Error).message}`);
  }
}

function parseReply(value: unknown, kind: HostOperation["kind"] | undefined, where: string): RuleReply {
  if (!isObject(value))
    throw new CliError(`${where}: reply must be an object with one of hex, text, echo, json, done, status, error`);
  const keys = Object.keys(value);
  if (keys.length !== 1) {
    throw new CliError(
      `${where}: reply must hold exactly one of hex, text, echo, json, done, status, error, got ${keys.length === 0 ? "none" : keys.join(", ")}`,
    );
  }
  const [key] = keys as [string];
  const content = value[key];
  const at = `${where}.${key}`;
  switch (key) {
    case "hex":
      if (typeof content !== "string") throw new CliError(`${at} must be a string of hex digits`);
      try {
        return { bytes: hexToBytes(content.replace(/\s+/g, "")) };
      } catch (err) {
        throw new CliError(`${at}: ${(err as Error).message}`);
      }
    case "text":
      if (typeof content !== "string") throw new CliError(`${at} must be a string`);
      return { bytes: new TextEncoder().encode(content) };
    case "echo":
      if (content !== true) throw new CliError(`${at} must be true`);
      return { echo: true };
    case "done":
      if (content !== true) throw new CliError(`${at} must be true`);
      return { done: true };
    case "json":
      // Only HOST_DISCOVER has an answer message the schema names: actr.ActrId.
      if (kind !== "discover")
        throw new CliError(
          `${at}: a JSON reply needs "kind": "discover" (it is encoded as the actr.ActrId discover answers)`,
        );
      return { bytes: encodeMessage(ActrIdSchema, messageFromJson(ActrIdSchema, content, at) as ActrId) };
    case "status":
      return { status: parseStatus(content, at) };
    case "error":
      return { error: parseError(content, at) };
    default:
      throw new CliError(`${where}: unknown reply "${key}" (one of hex, text, echo, json, done, status, error)`);
  }
}

/**
 * The rules of an answers file, checked in full before the guest runs.
 *
 * @throws CliError naming the rule (`rule 2: ...`) and what is wrong with it.
 */
export function parseAnswers(json: unknown): AnswerRule[] {
  if (!Array.isArray(json)) throw new CliError("the answers must be a JSON array of rules { kind?, route?, reply }");
  return json.map((rule: unknown, i) => {
    const where = `rule ${i + 1}`;
    if (!isObject(rule)) throw new CliError(`${where}: must be an object { kind?, route?, reply }`);
    onlyKeys(rule, ["kind", "route", "reply"], where);
    const { kind, route } = rule;
    if (kind !== undefined && !hostOperationKinds.includes(kind as HostOperation["kind"])) {
      throw new CliError(`${where}: kind must be one of ${hostOperationKinds.join(", ")}, got ${JSON.stringify(kind)}`);
    }
    if (route !== undefined && typeof route !== "string") throw new CliError(`${where}: route must be a string`);
    if (rule.reply === undefined) throw new CliError(`${where}: has no reply`);
    const reply = parseReply(rule.reply, kind as HostOperation["kind"] | undefined, where);
    return { kind, route, reply } as AnswerRule;
  });
}

/** The route key or stream id of `operation` that a rule's `route` matches; undefined for discover. */
export function operationRoute(operation: HostOperation): string | undefined {
  switch (operation.kind) {
    case "call":
    case "tell":
    case "callRaw":
      return operation.payload.routeKey;
    case "registerStream":
    case "unregisterStream":
      return operation.payload.streamId;
    case "sendDataStream":
      return operation.payload.chunk?.streamId;
    case "discover":
      return undefined;
  }
}

/** The bytes `operation` carries: the call's payload, or the chunk's; empty for the others. */
function operationPayload(operation: HostOperation): Uint8Array {
  switch (operation.kind) {
    case "call":
    case "tell":
    case "callRaw":
      return operation.payload.payload;
    case "sendDataStream":
      return operation.payload.chunk?.payload ?? new Uint8Array(0);
    default:
      return new Uint8Array(0);
  }
}

/**
 * The answer to `operation`: first the checks a Rust host makes before it
 * runs an operation (`validateHostOperation`), then the first rule whose
 * `kind` and `route` match, else `UNSUPPORTED_OP`.
 */
export function answerOperation(rules: readonly AnswerRule[], operation: HostOperation): Answer {
  const invalid = validateHostOperation(operation);
  if (invalid !== undefined)
    return { result: { error: invalid }, rule: undefined, note: `rejected as a Rust host does: ${invalid.message}` };
  const route = operationRoute(operation);
  const index = rules.findIndex(
    (r) => (r.kind === undefined || r.kind === operation.kind) && (r.route === undefined || r.route === route),
  );
  if (index === -1) {
    return {
      result: { status: code.UNSUPPORTED_OP },
      rule: undefined,
      note: "no rule matches, so the host answers UNSUPPORTED_OP",
    };
  }
  const reply = rules[index]!.reply;
  if ("error" in reply)
    return {
      result: reply,
      rule: index + 1,
      note: `ActrError ${actrErrorVariant(reply.error)}: ${reply.error.message}`,
    };
  return { result: "echo" in reply ? { bytes: operationPayload(operation) } : reply, rule: index + 1 };
}
