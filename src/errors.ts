/**
 * The two error types of the package: `AbiError`, a failure of the ABI itself
 * (bytes that do not decode, an op that is not supported), carrying a status
 * code; and `ActrError`, the actor-level error of the Rust `actr_protocol`
 * crate, with the same variants, fault domains and `Display` texts (docs/abi.md
 * section 6), plus the conversions between them and the wire.
 *
 * @module
 */
import { create } from "@bufbuild/protobuf";
import type { AbiReply } from "../gen/actr/dynclib/v1/abi_pb.js";
import { type ErrorResponse, ErrorResponseSchema } from "../gen/actr/actr_pb.js";
import { ErrorCodeSchema } from "../gen/actr/dynclib/v1/codes_pb.js";
import { code, statusName } from "./codes.js";
import { toBigIntIn, U64_MAX } from "./integers.js";

/** Where in the input an `AbiError` was found, when it concerns bytes. */
export interface AbiErrorLocation {
  /** Full name of the message being decoded, e.g. `"actr.dynclib.v1.AbiFrame"`. */
  readonly message?: string;
  /** Name of the field being decoded (as in the `.proto`), e.g. `"op"`. */
  readonly field?: string;
  /** Byte offset into the top-level input where the problem was found. */
  readonly offset?: number;
}

/**
 * A failure of the ABI itself, with the status code a Rust host or guest
 * returns for it (`code.PROTOCOL_ERROR`, `code.UNSUPPORTED_OP`, ...).
 * Every function of this package that rejects its input throws this (or
 * `ActrError` for actor-level failures), never a bare `RangeError`/`TypeError`.
 */
export class AbiError extends Error {
  override readonly name = "AbiError";
  /** The ABI status code (`int32`), e.g. `code.PROTOCOL_ERROR === -5`. */
  readonly status: number;
  /** Full name of the message being decoded, when the error concerns bytes. */
  readonly messageName: string | undefined;
  /** The field being decoded, when known. */
  readonly field: string | undefined;
  /** Byte offset into the input, when known. */
  readonly offset: number | undefined;

  /** Creates an error with `status` and a message that says what is wrong and where. */
  constructor(status: number, message: string, location: AbiErrorLocation = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.messageName = location.message;
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

/** The 11 variants of the Rust `ActrError` enum. */
export type ActrErrorVariant =
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

interface VariantInfo {
  readonly kind: ActrErrorKind;
  /** The prefix of the Rust `Display` text, for variants that wrap a message. */
  readonly prefix: string;
}

const variants: Readonly<Record<ActrErrorVariant, VariantInfo>> = {
  Unavailable: { kind: "Transient", prefix: "unavailable: " },
  ConnectionNotReady: { kind: "Transient", prefix: "" },
  TimedOut: { kind: "Transient", prefix: "" },
  NotFound: { kind: "Client", prefix: "not found: " },
  PermissionDenied: { kind: "Client", prefix: "permission denied: " },
  InvalidArgument: { kind: "Client", prefix: "invalid argument: " },
  UnknownRoute: { kind: "Client", prefix: "unknown route: " },
  DependencyNotFound: { kind: "Client", prefix: "" },
  DecodeFailure: { kind: "Corrupt", prefix: "decode failure: " },
  NotImplemented: { kind: "Internal", prefix: "not implemented: " },
  Internal: { kind: "Internal", prefix: "internal error: " },
};

/** `"NOT_FOUND"` → `"NotFound"`: an `ErrorCode` value's name as the variant it stands for. */
const variantOfCodeName = (name: string) =>
  name.toLowerCase().replace(/(^|_)([a-z])/g, (_match: string, _sep: string, c: string) => c.toUpperCase()) as ActrErrorVariant;

/** The framework wire codes (`actr.dynclib.v1.ErrorCode`), by variant and back, read from the schema. */
const wireCodeByVariant = new Map<ActrErrorVariant, number>(
  ErrorCodeSchema.values.filter((v) => v.number !== 0).map((v) => [variantOfCodeName(v.localName), v.number]),
);
const variantByWireCode = new Map<number, ActrErrorVariant>([...wireCodeByVariant].map(([v, n]) => [n, v]));

/** The fields of an `ActrError` besides its variant. */
interface ActrErrorFields {
  readonly detail: string;
  readonly serviceName?: string;
  readonly retryAfterMs?: bigint;
}

function displayText(variant: ActrErrorVariant, fields: ActrErrorFields): string {
  switch (variant) {
    case "TimedOut":
      return "timed out";
    case "ConnectionNotReady":
      return `connection not ready: retry_after_ms=${
        fields.retryAfterMs === undefined ? "None" : `Some(${fields.retryAfterMs})`
      }`;
    case "DependencyNotFound":
      return `dependency '${fields.serviceName ?? ""}' not found: ${fields.detail}`;
    default:
      return variants[variant].prefix + fields.detail;
  }
}

/**
 * The actor-level error of actr, as the Rust `ActrError` enum: `message` is
 * exactly the Rust `Display` text (`"decode failure: ABI payload decode
 * failed"`), which is what a guest writes into a failed `AbiReply`.
 * Build one with a factory: `ActrError.notFound("user 7")`.
 */
export class ActrError extends Error {
  override readonly name = "ActrError";
  /** Which of the 11 variants this is. */
  readonly variant: ActrErrorVariant;
  /** The fault domain of the variant. */
  readonly kind: ActrErrorKind;
  /** The message the variant wraps (`"user 7"` for `NotFound("user 7")`); `""` for `TimedOut` and `ConnectionNotReady`. */
  readonly detail: string;
  /** `DependencyNotFound` only: the service that was not found. */
  readonly serviceName: string | undefined;
  /** `ConnectionNotReady` only: the retry hint in milliseconds (a u64), if any. */
  readonly retryAfterMs: bigint | undefined;

  /** Prefer the factories (`ActrError.internal(...)`); this is their common constructor. */
  constructor(variant: ActrErrorVariant, fields: ActrErrorFields, options?: { cause?: unknown }) {
    super(displayText(variant, fields), options);
    this.variant = variant;
    this.kind = variants[variant].kind;
    this.detail = fields.detail;
    this.serviceName = variant === "DependencyNotFound" ? (fields.serviceName ?? "") : undefined;
    this.retryAfterMs = variant === "ConnectionNotReady" ? fields.retryAfterMs : undefined;
  }

  /** True for the Transient kind only: the caller may retry. */
  get isRetryable(): boolean {
    return this.kind === "Transient";
  }

  /** True for the Corrupt kind only: the message belongs in a dead-letter queue. */
  get requiresDlq(): boolean {
    return this.kind === "Corrupt";
  }

  /** `Unavailable(msg)`: "unavailable: {msg}" (Transient). */
  static unavailable(msg: string): ActrError {
    return new ActrError("Unavailable", { detail: msg });
  }
  /** `ConnectionNotReady { retry_after_ms }`: "connection not ready: retry_after_ms=Some(N)" or "=None" (Transient). */
  static connectionNotReady(retryAfterMs?: number | bigint): ActrError {
    let hint: bigint | undefined;
    if (retryAfterMs !== undefined) {
      const checked = toBigIntIn(retryAfterMs, 0n, U64_MAX);
      if (typeof checked === "string") throw ActrError.invalidArgument(`retryAfterMs ${checked}`);
      hint = checked;
    }
    return new ActrError("ConnectionNotReady", { detail: "", retryAfterMs: hint });
  }
  /** `TimedOut`: "timed out" (Transient). */
  static timedOut(): ActrError {
    return new ActrError("TimedOut", { detail: "" });
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

/**
 * The `ActrError` for an ABI status code, as `abi_error_to_actr` in the Rust
 * reference: `code.PROTOCOL_ERROR` → `DecodeFailure("ABI payload decode
 * failed")`, an unknown code N → `Internal("unexpected ABI status code N")`.
 */
export function abiErrorToActr(status: number): ActrError {
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

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The `ActrError` for a failed `AbiReply`, as `reply_to_actr_error`: an empty
 * payload maps by status (`abiErrorToActr`); otherwise the payload is the
 * error text (`"guest returned status N"` when it is not valid UTF-8), wrapped
 * as `DecodeFailure` for PROTOCOL_ERROR, `NotImplemented` for UNSUPPORTED_OP,
 * `Internal` for anything else.
 */
export function replyToActrError(reply: Pick<AbiReply, "status" | "payload">): ActrError {
  if (reply.payload.byteLength === 0) return abiErrorToActr(reply.status);
  let text: string;
  try {
    text = strictUtf8.decode(reply.payload);
  } catch {
    text = `guest returned status ${reply.status}`;
  }
  switch (reply.status) {
    case code.PROTOCOL_ERROR:
      return ActrError.decodeFailure(text);
    case code.UNSUPPORTED_OP:
      return ActrError.notImplemented(text);
    default:
      return ActrError.internal(text);
  }
}

/** The framework `ErrorResponse.code` (100xx) of an error: 10001 for Unavailable ... 10011 for ConnectionNotReady. */
export function actrErrorToWireCode(err: ActrError): number {
  const wireCode = wireCodeByVariant.get(err.variant);
  if (wireCode === undefined) throw new Error(`schema defect: no ErrorCode for ${err.variant}`);
  return wireCode;
}

const retryHint = /retry_after_ms=Some\((\d+)\)/;

/**
 * The `ActrError` for a framework `ErrorResponse` code and message: the
 * variant of the code wrapping `message` (`DependencyNotFound` with an empty
 * service name; `ConnectionNotReady` with the hint read from
 * `retry_after_ms=Some(N)` in the message; `TimedOut` ignores it); any other
 * code → `Unavailable("rpc error {code}: {message}")`.
 */
export function wireCodeToActrError(wireCode: number, message: string): ActrError {
  const variant = variantByWireCode.get(wireCode);
  switch (variant) {
    case undefined:
      return ActrError.unavailable(`rpc error ${wireCode}: ${message}`);
    case "TimedOut":
      return ActrError.timedOut();
    case "DependencyNotFound":
      return ActrError.dependencyNotFound("", message);
    case "ConnectionNotReady": {
      const digits = retryHint.exec(message)?.[1];
      const hint = digits === undefined ? undefined : BigInt(digits);
      return ActrError.connectionNotReady(hint !== undefined && hint <= U64_MAX ? hint : undefined);
    }
    default:
      return new ActrError(variant, { detail: message });
  }
}

/** The `actr.ErrorResponse` that carries `err` in an `RpcEnvelope`: its wire code and its `Display` text. */
export function actrErrorToErrorResponse(err: ActrError): ErrorResponse {
  return create(ErrorResponseSchema, { code: actrErrorToWireCode(err), message: err.message });
}

/** The `ActrError` carried by an `actr.ErrorResponse` (see `wireCodeToActrError`). */
export function errorResponseToActrError(response: Pick<ErrorResponse, "code" | "message">): ActrError {
  return wireCodeToActrError(response.code, response.message);
}

/**
 * The status a host answers a guest's `invoke` with when the operation failed
 * with `err`: `code.PROTOCOL_ERROR` for `DecodeFailure` and `InvalidArgument`,
 * `code.GENERIC_ERROR` for every other variant.
 */
export function hostStatusForError(err: ActrError): number {
  return err.variant === "DecodeFailure" || err.variant === "InvalidArgument"
    ? code.PROTOCOL_ERROR
    : code.GENERIC_ERROR;
}
