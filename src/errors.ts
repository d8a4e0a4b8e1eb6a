/**
 * The two error types of the package: `AbiError`, a failure of the ABI itself
 * (bytes that do not decode, an op that is not supported), carrying a status
 * code; and `ActrError`, the actor-level error of the Rust `actr_protocol`
 * crate, with the same variants, fault domains and `Display` texts (docs/abi.md
 * section 6), in the shape of the actr TypeScript binding's `ActrError`; plus
 * the conversions between them and the wire.
 *
 * @module
 */
import { create } from "@bufbuild/protobuf";
import type { AbiReply } from "../gen/actr/dynclib/v1/abi_pb.js";
import { type ErrorResponse, ErrorResponseSchema } from "../gen/actr/actr_pb.js";
import { ErrorCodeSchema } from "../gen/actr/dynclib/v1/codes_pb.js";
import {
  argumentTypeError,
  requireBytes,
  requireInt32,
  requireInt64,
  requireObject,
  requireString,
} from "./arguments.js";
import { code, statusName } from "./codes.js";
import { namedValues, pascalCase } from "./enum-names.js";
import { U64_MAX, U64_MAX_DIGITS } from "./integers.js";
import { utf8TextOrUndefined } from "./utf8.js";

/** Where in the input an `AbiError` was found, when it concerns bytes. */
export interface AbiErrorLocation {
  /** Full name of the message being decoded or encoded, e.g. `"actr.dynclib.v1.AbiFrame"`. */
  readonly messageName?: string;
  /** Name of the field (as in the `.proto`), e.g. `"op"`. */
  readonly field?: string;
  /** Byte offset into the top-level input where the problem was found. */
  readonly offset?: number;
}

/**
 * A failure of the ABI itself, with the status code a Rust host or guest
 * returns for it (`code.PROTOCOL_ERROR`, `code.UNSUPPORTED_OP`, ...). Bytes
 * that do not decode, wherever they come from, only ever produce this error.
 */
export class AbiError extends Error {
  override readonly name = "AbiError";
  /** The ABI status code (`int32`), e.g. `code.PROTOCOL_ERROR === -5`. */
  readonly status: number;
  /** Full name of the message being decoded or encoded, when the error concerns one. */
  readonly messageName: string | undefined;
  /** The field being decoded or encoded, when known. */
  readonly field: string | undefined;
  /** Byte offset into the input, when known. */
  readonly offset: number | undefined;

  /** Creates an error with `status` and a message that says what is wrong and where. */
  constructor(status: number, message: string, location: AbiErrorLocation = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.messageName = location.messageName;
    this.field = location.field;
    this.offset = location.offset;
  }

  /** The status code's name (`"PROTOCOL_ERROR"`), or undefined when it is outside the table. */
  get statusName(): string | undefined {
    return statusName(this.status);
  }
}

/** The fault domain of an `ActrError`. Transient is retryable; Corrupt goes to a dead-letter queue. */
export type ActrErrorKind = "Transient" | "Client" | "Internal" | "Corrupt";

/** The 11 variants of the Rust `ActrError` enum: the `code` of an `ActrError`. */
export type ActrErrorCode =
  | "Unavailable"
  | "ConnectionNotReady"
  | "TimedOut"
  | "NotFound"
  | "PermissionDenied"
  | "InvalidArgument"
  | "UnknownRoute"
  | "DependencyNotFound"
  | "DecodeFailure"
  | "NotImplemented"
  | "Internal";

/** What an `ActrError` holds besides its code. */
export interface ActrErrorFields {
  /** The message the variant wraps; `""` (or absent) for `TimedOut` and `ConnectionNotReady`. */
  readonly detail?: string;
  /** `DependencyNotFound` only: the service that was not found. */
  readonly serviceName?: string;
  /** `ConnectionNotReady` only: the retry hint in milliseconds (a u64), absent for `None`. */
  readonly retryAfterMs?: bigint | number;
}

/** The checked fields the `Display` text is written from. */
interface Parts {
  readonly detail: string;
  readonly serviceName: string;
  readonly retryAfterMs: bigint | undefined;
}

/** Each variant's fault domain and its Rust `Display` text. */
const variants: Readonly<
  Record<ActrErrorCode, { readonly kind: ActrErrorKind; readonly display: (p: Parts) => string }>
> = {
  Unavailable: { kind: "Transient", display: (p) => `unavailable: ${p.detail}` },
  ConnectionNotReady: {
    kind: "Transient",
    display: (p) =>
      `connection not ready: retry_after_ms=${p.retryAfterMs === undefined ? "None" : `Some(${p.retryAfterMs})`}`,
  },
  TimedOut: { kind: "Transient", display: () => "timed out" },
  NotFound: { kind: "Client", display: (p) => `not found: ${p.detail}` },
  PermissionDenied: { kind: "Client", display: (p) => `permission denied: ${p.detail}` },
  InvalidArgument: { kind: "Client", display: (p) => `invalid argument: ${p.detail}` },
  UnknownRoute: { kind: "Client", display: (p) => `unknown route: ${p.detail}` },
  DependencyNotFound: { kind: "Client", display: (p) => `dependency '${p.serviceName}' not found: ${p.detail}` },
  DecodeFailure: { kind: "Corrupt", display: (p) => `decode failure: ${p.detail}` },
  NotImplemented: { kind: "Internal", display: (p) => `not implemented: ${p.detail}` },
  Internal: { kind: "Internal", display: (p) => `internal error: ${p.detail}` },
};

const actrErrorCodes = Object.keys(variants) as ActrErrorCode[];

function isActrErrorCode(value: unknown): value is ActrErrorCode {
  return typeof value === "string" && Object.hasOwn(variants, value);
}

/** The framework wire codes (`actr.dynclib.v1.ErrorCode`, `NOT_FOUND` → `NotFound`), by code and back, read from the schema. */
const wireCodeByCode = new Map<ActrErrorCode, number>(
  namedValues(ErrorCodeSchema).map((v) => [pascalCase(v.localName) as ActrErrorCode, v.number]),
);
const codeByWireCode = new Map<number, ActrErrorCode>([...wireCodeByCode].map(([c, n]) => [n, c]));
if (actrErrorCodes.some((c) => !wireCodeByCode.has(c)))
  throw new Error("schema defect: an ActrError code has no ErrorCode value");

/**
 * The actor-level error of actr, as the Rust `ActrError` enum, in the shape of
 * the actr TypeScript binding (`@actrium/actr`): `code` is the variant's name,
 * `kind` its fault domain, `message` exactly the Rust `Display` text
 * (`"decode failure: ABI payload decode failed"`), which is what a guest
 * writes into a failed `AbiReply`. Build one with a factory:
 * `ActrError.notFound("user 7")`.
 */
export class ActrError extends Error {
  override readonly name = "ActrError";
  /** Which of the 11 variants this is (`"NotFound"`, `"ConnectionNotReady"`, ...). */
  readonly code: ActrErrorCode;
  /** The fault domain of the variant. */
  readonly kind: ActrErrorKind;
  /** The message the variant wraps (`"user 7"` for `NotFound("user 7")`); `""` for `TimedOut` and `ConnectionNotReady`. */
  readonly detail: string;
  /** `DependencyNotFound` only: the service that was not found; undefined for every other code. */
  readonly service_name: string | undefined;
  /**
   * `ConnectionNotReady` only: the retry hint in milliseconds, `null` for
   * `retry_after_ms=None`; undefined for every other code. A number, as in
   * the actr binding: a hint above 2^53 is rounded here, while `message`
   * keeps it exact.
   */
  readonly retry_after_ms: number | null | undefined;

  /**
   * Prefer the factories (`ActrError.internal(...)`); this is their common constructor.
   *
   * @throws TypeError for a `code` that is not one of the 11 variants or a field of the wrong type;
   * RangeError for a retry hint outside u64.
   */
  constructor(code: ActrErrorCode, fields: ActrErrorFields = {}, options?: { cause?: unknown }) {
    if (!isActrErrorCode(code))
      throw argumentTypeError("new ActrError", "code", `one of ${actrErrorCodes.join(", ")}`, code);
    requireObject(fields, "new ActrError", "fields");
    const where = `ActrError(${code})`;
    const detail = fields.detail === undefined ? "" : fields.detail;
    requireString(detail, where, "detail");
    const serviceName = fields.serviceName === undefined ? "" : fields.serviceName;
    requireString(serviceName, where, "serviceName");
    const retryAfterMs =
      fields.retryAfterMs === undefined
        ? undefined
        : requireInt64(fields.retryAfterMs, "uint64", where, "retryAfterMs");
    super(variants[code].display({ detail, serviceName, retryAfterMs }), options);
    this.code = code;
    this.kind = variants[code].kind;
    this.detail = detail;
    this.service_name = code === "DependencyNotFound" ? serviceName : undefined;
    this.retry_after_ms =
      code === "ConnectionNotReady" ? (retryAfterMs === undefined ? null : Number(retryAfterMs)) : undefined;
  }

  /** True for the Transient kind only: the caller may retry. */
  isRetryable(): boolean {
    return this.kind === "Transient";
  }

  /** True for the Corrupt kind only: the message belongs in a dead-letter queue. */
  requiresDlq(): boolean {
    return this.kind === "Corrupt";
  }

  /** True for `ConnectionNotReady`: retry after `retry_after_ms` (when not null). */
  isConnectionNotReady(): boolean {
    return this.code === "ConnectionNotReady";
  }

  /** `Unavailable(msg)`: "unavailable: {msg}" (Transient). */
  static unavailable(msg: string): ActrError {
    return new ActrError("Unavailable", { detail: msg });
  }
  /**
   * `ConnectionNotReady { retry_after_ms }`: "connection not ready: retry_after_ms=Some(N)" or "=None" (Transient).
   *
   * @throws RangeError for a hint that is not an integer within u64; TypeError for one that is not a number or bigint.
   */
  static connectionNotReady(retryAfterMs?: number | bigint): ActrError {
    return new ActrError("ConnectionNotReady", { retryAfterMs });
  }
  /** `TimedOut`: "timed out" (Transient). */
  static timedOut(): ActrError {
    return new ActrError("TimedOut");
  }
  /** `NotFound(msg)`: "not found: {msg}" (Client). */
  static notFound(msg: string): ActrError {
    return new ActrError("NotFound", { detail: msg });
  }
  /** `PermissionDenied(msg)`: "permission denied: {msg}" (Client). */
  static permissionDenied(msg: string): ActrError {
    return new ActrError("PermissionDenied", { detail: msg });
  }
  /** `InvalidArgument(msg)`: "invalid argument: {msg}" (Client). */
  static invalidArgument(msg: string): ActrError {
    return new ActrError("InvalidArgument", { detail: msg });
  }
  /** `UnknownRoute(msg)`: "unknown route: {msg}" (Client). */
  static unknownRoute(msg: string): ActrError {
    return new ActrError("UnknownRoute", { detail: msg });
  }
  /** `DependencyNotFound { service_name, message }`: "dependency '{service_name}' not found: {message}" (Client). */
  static dependencyNotFound(serviceName: string, message: string): ActrError {
    return new ActrError("DependencyNotFound", { detail: message, serviceName });
  }
  /** `DecodeFailure(msg)`: "decode failure: {msg}" (Corrupt). */
  static decodeFailure(msg: string): ActrError {
    return new ActrError("DecodeFailure", { detail: msg });
  }
  /** `NotImplemented(msg)`: "not implemented: {msg}" (Internal). */
  static notImplemented(msg: string): ActrError {
    return new ActrError("NotImplemented", { detail: msg });
  }
  /** `Internal(msg)`: "internal error: {msg}" (Internal). */
  static internal(msg: string): ActrError {
    return new ActrError("Internal", { detail: msg });
  }
}

/** Throws a `TypeError` naming `fn` and `arg` unless `value` is an `ActrError`. */
function requireActrError(value: unknown, fn: string, arg: string): asserts value is ActrError {
  if (!(value instanceof ActrError)) throw argumentTypeError(fn, arg, "an ActrError", value);
}

/**
 * The `ActrError` for an ABI status code, as `abi_error_to_actr` in the Rust
 * reference: `code.PROTOCOL_ERROR` → `DecodeFailure("ABI payload decode
 * failed")`, an unknown code N → `Internal("unexpected ABI status code N")`.
 *
 * @throws TypeError/RangeError when `status` is not an int32 number.
 */
export function abiErrorToActr(status: number): ActrError {
  requireInt32(status, "abiErrorToActr", "status");
  switch (status) {
    case code.GENERIC_ERROR:
      return ActrError.internal("host returned generic ABI error");
    case code.INIT_FAILED:
      return ActrError.internal("host initialization failed");
    case code.HANDLE_FAILED:
      return ActrError.internal("guest handle failed");
    case code.ALLOC_FAILED:
      return ActrError.internal("memory allocation failed");
    case code.PROTOCOL_ERROR:
      return ActrError.decodeFailure("ABI payload decode failed");
    case code.BUFFER_TOO_SMALL:
      return ActrError.internal("reply buffer too small for host invoke");
    case code.UNSUPPORTED_OP:
      return ActrError.notImplemented("unsupported ABI operation");
    default:
      return ActrError.internal(`unexpected ABI status code ${status}`);
  }
}

/**
 * The `ActrError` for a failed `AbiReply`, as `reply_to_actr_error`: an empty
 * payload maps by status (`abiErrorToActr`); otherwise the payload is the
 * error text (`"guest returned status N"` when it is not valid UTF-8), wrapped
 * as `DecodeFailure` for PROTOCOL_ERROR, `NotImplemented` for UNSUPPORTED_OP,
 * `Internal` for anything else. Linear in the payload's length.
 *
 * @throws TypeError when `reply` is not an object with an int32 `status` and a `Uint8Array` `payload`.
 */
export function replyToActrError(reply: Pick<AbiReply, "status" | "payload">): ActrError {
  requireObject(reply, "replyToActrError", "reply");
  requireInt32(reply.status, "replyToActrError", "reply.status");
  requireBytes(reply.payload, "replyToActrError", "reply.payload");
  if (reply.payload.byteLength === 0) return abiErrorToActr(reply.status);
  const text = utf8TextOrUndefined(reply.payload) ?? `guest returned status ${reply.status}`;
  switch (reply.status) {
    case code.PROTOCOL_ERROR:
      return ActrError.decodeFailure(text);
    case code.UNSUPPORTED_OP:
      return ActrError.notImplemented(text);
    default:
      return ActrError.internal(text);
  }
}

/**
 * The framework `ErrorResponse.code` (100xx) of an error: 10001 for Unavailable ... 10011 for ConnectionNotReady.
 *
 * @throws TypeError when `err` is not an `ActrError`.
 */
export function actrErrorToWireCode(err: ActrError): number {
  requireActrError(err, "actrErrorToWireCode", "err");
  return wireCodeByCode.get(err.code)!;
}

/** The retry hint of a ConnectionNotReady message: the first `retry_after_ms=Some(<digits>)`. */
const retryHint = /retry_after_ms=Some\((\d+)\)/;

/**
 * The hint of `retry_after_ms=Some(N)` in `message` when N is a u64, else
 * undefined. Linear in the message: N is read as a number only when, without
 * its leading zeros (which a u64 parse accepts), it has at most the 20 digits
 * of the longest u64, so a hostile run of digits never reaches `BigInt`.
 */
function retryHintOf(message: string): bigint | undefined {
  const digits = retryHint.exec(message)?.[1]?.replace(/^0+(?=\d)/, "");
  if (digits === undefined || digits.length > U64_MAX_DIGITS) return undefined;
  const hint = BigInt(digits);
  return hint <= U64_MAX ? hint : undefined;
}

/**
 * The `ActrError` for a framework `ErrorResponse` code and message: the
 * variant of the code wrapping `message` (`DependencyNotFound` with an empty
 * service name; `ConnectionNotReady` with the hint read from
 * `retry_after_ms=Some(N)` in the message, `None` when N is not a u64;
 * `TimedOut` ignores it); any other code → `Unavailable("rpc error {code}:
 * {message}")`. Linear in the message's length.
 *
 * @throws TypeError when `wireCode` is not a number or `message` not a string.
 */
export function wireCodeToActrError(wireCode: number, message: string): ActrError {
  if (typeof wireCode !== "number") throw argumentTypeError("wireCodeToActrError", "wireCode", "a number", wireCode);
  requireString(message, "wireCodeToActrError", "message");
  const variant = codeByWireCode.get(wireCode);
  switch (variant) {
    case undefined:
      return ActrError.unavailable(`rpc error ${wireCode}: ${message}`);
    case "TimedOut":
      return ActrError.timedOut();
    case "ConnectionNotReady":
      return ActrError.connectionNotReady(retryHintOf(message));
    default: // DependencyNotFound too: its service name is absent, so empty
      return new ActrError(variant, { detail: message });
  }
}

/**
 * The `actr.ErrorResponse` that carries `err` in an `RpcEnvelope`: its wire code and its `Display` text.
 *
 * @throws TypeError when `err` is not an `ActrError`.
 */
export function actrErrorToErrorResponse(err: ActrError): ErrorResponse {
  requireActrError(err, "actrErrorToErrorResponse", "err");
  return create(ErrorResponseSchema, { code: actrErrorToWireCode(err), message: err.message });
}

/**
 * The `ActrError` carried by an `actr.ErrorResponse` (see `wireCodeToActrError`).
 *
 * @throws TypeError when `response` is not an object with a number `code` and a string `message`.
 */
export function errorResponseToActrError(response: Pick<ErrorResponse, "code" | "message">): ActrError {
  requireObject(response, "errorResponseToActrError", "response");
  return wireCodeToActrError(response.code, response.message);
}

/**
 * The status a host answers a guest's `invoke` with when the operation failed
 * with `err`: `code.PROTOCOL_ERROR` for `DecodeFailure` and `InvalidArgument`,
 * `code.GENERIC_ERROR` for every other variant.
 *
 * @throws TypeError when `err` is not an `ActrError`.
 */
export function hostStatusForError(err: ActrError): number {
  requireActrError(err, "hostStatusForError", "err");
  return err.code === "DecodeFailure" || err.code === "InvalidArgument" ? code.PROTOCOL_ERROR : code.GENERIC_ERROR;
}
