import { create } from "@bufbuild/protobuf";
import { describe, expect, it, vi } from "vitest";

const realBigInt = BigInt;
import {
  AbiError,
  abiErrorToActr,
  ActrError,
  actrErrorToErrorResponse,
  actrErrorToWireCode,
  AbiReplySchema,
  code,
  type ActrErrorCode,
  ErrorCodeSchema,
  errorResponseToActrError,
  hostStatusForError,
  replyToActrError,
  wireCodeToActrError,
} from "../src/index.js";
import { expectLinear } from "./support/linearity.js";

// docs/abi.md section 6: every variant, its kind and its Display text. Each
// error is built inside its test (not when this file loads), so that a test
// sees the code under test as it is during that test.
const variantRows: [() => ActrError, string, string, string][] = [
  [() => ActrError.unavailable("db down"), "Unavailable", "Transient", "unavailable: db down"],
  [
    () => ActrError.connectionNotReady(250),
    "ConnectionNotReady",
    "Transient",
    "connection not ready: retry_after_ms=Some(250)",
  ],
  [
    () => ActrError.connectionNotReady(),
    "ConnectionNotReady",
    "Transient",
    "connection not ready: retry_after_ms=None",
  ],
  [() => ActrError.timedOut(), "TimedOut", "Transient", "timed out"],
  [() => ActrError.notFound("x"), "NotFound", "Client", "not found: x"],
  [() => ActrError.permissionDenied("no"), "PermissionDenied", "Client", "permission denied: no"],
  [() => ActrError.invalidArgument("bad"), "InvalidArgument", "Client", "invalid argument: bad"],
  [() => ActrError.unknownRoute("a.B.C"), "UnknownRoute", "Client", "unknown route: a.B.C"],
  [
    () => ActrError.dependencyNotFound("svc", "gone"),
    "DependencyNotFound",
    "Client",
    "dependency 'svc' not found: gone",
  ],
  [
    () => ActrError.decodeFailure("ABI payload decode failed"),
    "DecodeFailure",
    "Corrupt",
    "decode failure: ABI payload decode failed",
  ],
  [() => ActrError.notImplemented("nope"), "NotImplemented", "Internal", "not implemented: nope"],
  [() => ActrError.internal("boom"), "Internal", "Internal", "internal error: boom"],
];

describe("ActrError", () => {
  for (const [make, variant, kind, text] of variantRows) {
    it(`${text}`, () => {
      const err = make();
      expect(err).toBeInstanceOf(Error);
      expect(err).toBeInstanceOf(ActrError);
      expect(err.name).toBe("ActrError");
      expect(err.code).toBe(variant);
      expect(err.kind).toBe(kind);
      expect(err.message).toBe(text);
      expect(err.isRetryable()).toBe(kind === "Transient");
      expect(err.requiresDlq()).toBe(kind === "Corrupt");
      expect(err.isConnectionNotReady()).toBe(variant === "ConnectionNotReady");
      expect(err.service_name).toBe(variant === "DependencyNotFound" ? "svc" : undefined);
      if (variant !== "ConnectionNotReady") expect(err.retry_after_ms).toBeUndefined();
    });
  }

  it("the common constructor gives the same errors as the factories, with the absent fields at their defaults", () => {
    for (const [make, variant, , text] of variantRows) {
      const made = make();
      const fields = {
        detail: made.detail,
        serviceName: made.service_name,
        retryAfterMs: made.retry_after_ms ?? undefined,
      };
      const err = new ActrError(variant as ActrErrorCode, fields);
      expect([err.code, err.kind, err.message]).toEqual([made.code, made.kind, text]);
    }
    // A DependencyNotFound built without a service name shows an empty one, as the wire's does.
    const dep = new ActrError("DependencyNotFound", { detail: "gone" });
    expect([dep.message, dep.service_name]).toEqual(["dependency '' not found: gone", ""]);
    // A code that holds no hint: retry_after_ms stays undefined (not null), whatever the fields say.
    expect(new ActrError("Unavailable", { detail: "x", retryAfterMs: 5 }).retry_after_ms).toBeUndefined();
    expect(new ActrError("Internal").retry_after_ms).toBeUndefined();
    expect(new ActrError("TimedOut", { detail: "ignored" })).toMatchObject({ message: "timed out", detail: "ignored" });
    expect(new ActrError("NotFound", { serviceName: "svc" }).service_name).toBeUndefined();
    // The unit variants wrap no message: their detail is empty.
    expect([
      ActrError.timedOut().detail,
      ActrError.connectionNotReady(1).detail,
      new ActrError("Internal").detail,
    ]).toEqual(["", "", ""]);
  });

  it("a code is a string: an object that reads as a variant's name is refused", () => {
    const lookalike = { toString: () => "NotFound" };
    expect(() => new ActrError(lookalike as never)).toThrow(
      new TypeError(
        "new ActrError: code must be one of Unavailable, ConnectionNotReady, TimedOut, NotFound, PermissionDenied, InvalidArgument, UnknownRoute, DependencyNotFound, DecodeFailure, NotImplemented, Internal, got an object",
      ),
    );
    expect(() => new ActrError(new String("NotFound") as never)).toThrow(/^new ActrError: code must be one of /);
  });

  it("keeps the parts of structured variants, under the actr binding's field names", () => {
    const dep = ActrError.dependencyNotFound("svc", "gone");
    expect([dep.service_name, dep.detail]).toEqual(["svc", "gone"]);
    expect(ActrError.connectionNotReady(250).retry_after_ms).toBe(250);
    expect(ActrError.connectionNotReady(250n).retry_after_ms).toBe(250);
    expect(ActrError.connectionNotReady().retry_after_ms).toBeNull();
    expect(ActrError.notFound("x").service_name).toBeUndefined();
  });

  it("a retry hint of u64::MAX keeps its exact digits in the message", () => {
    const max = ActrError.connectionNotReady(18446744073709551615n);
    expect(max.message).toBe("connection not ready: retry_after_ms=Some(18446744073709551615)");
    expect(max.retry_after_ms).toBe(Number(18446744073709551615n));
    expect(wireCodeToActrError(10011, max.message).message).toBe(max.message);
  });

  it("rejects a retry hint that is not a u64, naming the argument", () => {
    expect(() => ActrError.connectionNotReady(-1)).toThrow(
      new RangeError(
        "ActrError(ConnectionNotReady): retryAfterMs must be within uint64 (0..18446744073709551615), got -1",
      ),
    );
    expect(() => ActrError.connectionNotReady(1.5)).toThrow(RangeError);
    expect(() => ActrError.connectionNotReady(2n ** 64n)).toThrow(RangeError);
    expect(() => ActrError.connectionNotReady("12" as never)).toThrow(
      new TypeError('ActrError(ConnectionNotReady): retryAfterMs must be a number or bigint, got string "12"'),
    );
  });

  it("rejects a code that is not a variant, and fields of the wrong type", () => {
    expect(() => new ActrError("Bogus" as never, {})).toThrow(TypeError);
    expect(() => new ActrError("Bogus" as never, {})).toThrow(
      /^new ActrError: code must be one of Unavailable, .*Internal, got string "Bogus"$/,
    );
    expect(() => new ActrError("toString" as never)).toThrow(/new ActrError: code must be one of/);
    expect(() => new ActrError("NotFound", null as never)).toThrow(
      new TypeError("new ActrError: fields must be an object, got null"),
    );
    expect(() => ActrError.notFound(7 as never)).toThrow(
      new TypeError("ActrError(NotFound): detail must be a string, got number 7"),
    );
    expect(() => ActrError.dependencyNotFound(undefined as never, "m")).not.toThrow();
    expect(() => ActrError.dependencyNotFound(null as never, "m")).toThrow(/serviceName must be a string, got null/);
  });
});

describe("abiErrorToActr", () => {
  const rows: [number, string, string][] = [
    [code.GENERIC_ERROR, "Internal", "internal error: host returned generic ABI error"],
    [code.INIT_FAILED, "Internal", "internal error: host initialization failed"],
    [code.HANDLE_FAILED, "Internal", "internal error: guest handle failed"],
    [code.ALLOC_FAILED, "Internal", "internal error: memory allocation failed"],
    [code.PROTOCOL_ERROR, "DecodeFailure", "decode failure: ABI payload decode failed"],
    [code.BUFFER_TOO_SMALL, "Internal", "internal error: reply buffer too small for host invoke"],
    [code.UNSUPPORTED_OP, "NotImplemented", "not implemented: unsupported ABI operation"],
    [-99, "Internal", "internal error: unexpected ABI status code -99"],
    [0, "Internal", "internal error: unexpected ABI status code 0"],
    [7, "Internal", "internal error: unexpected ABI status code 7"],
  ];
  for (const [status, variant, text] of rows) {
    it(`${status} → ${text}`, () => {
      const err = abiErrorToActr(status);
      expect(err.code).toBe(variant);
      expect(err.message).toBe(text);
    });
  }

  it("a status that is not an int32 is the caller's mistake", () => {
    expect(() => abiErrorToActr(2 ** 31)).toThrow(
      new RangeError("abiErrorToActr: status must be within int32 (-2147483648..2147483647), got 2147483648"),
    );
    expect(() => abiErrorToActr(undefined as never)).toThrow(
      new TypeError("abiErrorToActr: status must be an integer number, got undefined"),
    );
    expect(() => abiErrorToActr(2 ** 31)).toThrow(RangeError);
  });
});

describe("replyToActrError", () => {
  const reply = (status: number, payload: Uint8Array) => create(AbiReplySchema, { abiVersion: 1, status, payload });
  const text = (s: string) => new TextEncoder().encode(s);

  it("an empty payload maps by status", () => {
    expect(replyToActrError(reply(code.PROTOCOL_ERROR, new Uint8Array())).message).toBe(
      "decode failure: ABI payload decode failed",
    );
    expect(replyToActrError(reply(-42, new Uint8Array())).message).toBe(
      "internal error: unexpected ABI status code -42",
    );
  });

  it("a text payload is wrapped by status", () => {
    expect(replyToActrError(reply(code.PROTOCOL_ERROR, text("bad frame")))).toMatchObject({
      code: "DecodeFailure",
      message: "decode failure: bad frame",
    });
    expect(replyToActrError(reply(code.UNSUPPORTED_OP, text("op 9")))).toMatchObject({
      code: "NotImplemented",
      message: "not implemented: op 9",
    });
    expect(replyToActrError(reply(code.HANDLE_FAILED, text("not found: user 7")))).toMatchObject({
      code: "Internal",
      message: "internal error: not found: user 7",
    });
  });

  it("invalid UTF-8 becomes 'guest returned status N'", () => {
    const bad = new Uint8Array([0x66, 0xff, 0xfe]);
    expect(replyToActrError(reply(code.HANDLE_FAILED, bad)).message).toBe("internal error: guest returned status -3");
    expect(replyToActrError(reply(code.PROTOCOL_ERROR, bad)).message).toBe("decode failure: guest returned status -5");
    // An unpaired surrogate encoded in UTF-8 (CESU) is not valid UTF-8 either.
    expect(replyToActrError(reply(code.UNSUPPORTED_OP, new Uint8Array([0xed, 0xa0, 0x80]))).message).toBe(
      "not implemented: guest returned status -7",
    );
  });

  it("keeps a leading BOM and multi-byte text as Rust does", () => {
    expect(replyToActrError(reply(-1, text("\uFEFF日本🦀"))).message).toBe("internal error: \uFEFF日本🦀");
  });

  it("reads a Buffer payload as any Uint8Array", () => {
    expect(replyToActrError({ status: -3, payload: Buffer.from("boom") }).message).toBe("internal error: boom");
  });

  it("a reply that is not one is the caller's mistake, named", () => {
    expect(() => replyToActrError(null as never)).toThrow(
      new TypeError("replyToActrError: reply must be an object, got null"),
    );
    expect(() => replyToActrError({ status: "-3", payload: new Uint8Array() } as never)).toThrow(
      new TypeError('replyToActrError: reply.status must be an integer number, got string "-3"'),
    );
    expect(() => replyToActrError({ status: -3 } as never)).toThrow(
      new TypeError("replyToActrError: reply.payload must be a Uint8Array, got undefined"),
    );
    const fake = Object.create(Uint8Array.prototype) as Uint8Array;
    expect(() => replyToActrError({ status: -3, payload: fake })).toThrow(
      /reply\.payload must be a Uint8Array, got an object of class Uint8Array/,
    );
    const proxy = new Proxy(new Uint8Array([0x61]), {});
    expect(() => replyToActrError({ status: -3, payload: proxy })).toThrow(/reply\.payload must be a Uint8Array/);
  });
});

describe("wire codes", () => {
  const rows: [() => ActrError, number][] = [
    [() => ActrError.unavailable("a"), 10001],
    [() => ActrError.timedOut(), 10002],
    [() => ActrError.notFound("a"), 10003],
    [() => ActrError.permissionDenied("a"), 10004],
    [() => ActrError.invalidArgument("a"), 10005],
    [() => ActrError.unknownRoute("a"), 10006],
    [() => ActrError.dependencyNotFound("s", "a"), 10007],
    [() => ActrError.decodeFailure("a"), 10008],
    [() => ActrError.notImplemented("a"), 10009],
    [() => ActrError.internal("a"), 10010],
    [() => ActrError.connectionNotReady(5), 10011],
  ];
  for (const [make, wire] of rows) {
    it(`${wire}`, () => {
      const err = make();
      expect(actrErrorToWireCode(err)).toBe(wire);
      expect(wireCodeToActrError(wire, "m").code).toBe(err.code);
    });
  }

  it("wraps the message on the way back", () => {
    expect(wireCodeToActrError(10003, "user 7").message).toBe("not found: user 7");
    expect(wireCodeToActrError(10002, "whatever")).toMatchObject({
      code: "TimedOut",
      message: "timed out",
      detail: "",
    });
    const dep = wireCodeToActrError(10007, "gone");
    expect(dep.service_name).toBe("");
    expect(dep.message).toBe("dependency '' not found: gone");
  });

  it("reads the retry hint of ConnectionNotReady from the message", () => {
    const hint = (message: string) => wireCodeToActrError(10011, message).retry_after_ms;
    expect(hint("connection not ready: retry_after_ms=Some(250)")).toBe(250);
    expect(hint("connection not ready: retry_after_ms=None")).toBeNull();
    expect(hint("retry_after_ms=Some(18446744073709551615)")).toBe(Number(2n ** 64n - 1n));
    expect(wireCodeToActrError(10011, "retry_after_ms=Some(18446744073709551615)").message).toBe(
      "connection not ready: retry_after_ms=Some(18446744073709551615)",
    );
    expect(hint("retry_after_ms=Some(18446744073709551616)")).toBeNull(); // u64::MAX + 1
    expect(hint("retry_after_ms=Some(99999999999999999999)")).toBeNull(); // 20 digits, beyond u64
    expect(hint("retry_after_ms=Some(99999999999999999999999)")).toBeNull();
    expect(hint("retry_after_ms=Some(000000000000000000000250)")).toBe(250); // a u64 parse takes leading zeros
    expect(hint("retry_after_ms=Some()")).toBeNull();
    expect(hint("retry_after_ms=Some(12")).toBeNull();
  });

  it("reads a hostile retry hint in linear time (a BigInt of every digit would be quadratic)", () => {
    expectLinear(
      (message: string) => expect(wireCodeToActrError(10011, message).retry_after_ms).toBeNull(),
      100_000,
      (digits) => "retry_after_ms=Some(" + "9".repeat(digits) + ")",
    );
    // Leading zeros (which a u64 parse skips) followed by no ")": still linear, still None.
    expectLinear(
      (message: string) => expect(wireCodeToActrError(10011, message).retry_after_ms).toBeNull(),
      100_000,
      (digits) => "retry_after_ms=Some(" + "0".repeat(digits) + "x",
    );
    // Many hints in one message: the first one decides, found in one pass.
    expectLinear(
      (message: string) => expect(wireCodeToActrError(10011, message).retry_after_ms).toBe(1),
      20_000,
      (count) => "retry_after_ms=Some(1".repeat(count) + ")",
    );
  });

  it("never hands a hostile run of digits to BigInt: only a hint of at most 20 digits is parsed", () => {
    const parsed: unknown[] = [];
    const spy = vi.spyOn(globalThis, "BigInt").mockImplementation(((value: string | number | bigint | boolean) => {
      parsed.push(value);
      return realBigInt(value);
    }) as typeof BigInt);
    try {
      expect(wireCodeToActrError(10011, "retry_after_ms=Some(" + "9".repeat(100_000) + ")").retry_after_ms).toBeNull();
      expect(wireCodeToActrError(10011, "retry_after_ms=Some(" + "0".repeat(100_000) + "7)").retry_after_ms).toBe(7);
    } finally {
      spy.mockRestore();
    }
    expect(parsed.filter((v) => typeof v === "string" && v.length > 20)).toEqual([]);
  });

  it("checks its arguments", () => {
    expect(() => wireCodeToActrError(10003, undefined as never)).toThrow(
      new TypeError("wireCodeToActrError: message must be a string, got undefined"),
    );
    expect(() => wireCodeToActrError("10003" as never, "m")).toThrow(/wireCodeToActrError: wireCode must be a number/);
    expect(() => actrErrorToWireCode({} as never)).toThrow(
      new TypeError("actrErrorToWireCode: err must be an ActrError, got an object"),
    );
    expect(() => actrErrorToErrorResponse(null as never)).toThrow(
      /actrErrorToErrorResponse: err must be an ActrError, got null/,
    );
    expect(() => errorResponseToActrError(undefined as never)).toThrow(
      /errorResponseToActrError: response must be an object/,
    );
    expect(() => hostStatusForError(new Error("x") as never)).toThrow(
      /hostStatusForError: err must be an ActrError, got an object of class Error/,
    );
  });

  it("any other code is Unavailable('rpc error {code}: {message}')", () => {
    for (const wire of [0, 1, 10000, 10012, 4294967295]) {
      const err = wireCodeToActrError(wire, "boom");
      expect(err.code).toBe("Unavailable");
      expect(err.message).toBe(`unavailable: rpc error ${wire}: boom`);
    }
  });

  it("ErrorResponse carries the code and the Display text", () => {
    const response = actrErrorToErrorResponse(ActrError.connectionNotReady(250));
    expect(response.code).toBe(10011);
    expect(response.message).toBe("connection not ready: retry_after_ms=Some(250)");
    expect(errorResponseToActrError(response).retry_after_ms).toBe(250);
  });
});

describe("hostStatusForError", () => {
  for (const [make, variant] of variantRows) {
    const expected =
      variant === "DecodeFailure" || variant === "InvalidArgument" ? code.PROTOCOL_ERROR : code.GENERIC_ERROR;
    it(`${variant} → ${expected}`, () => {
      expect(hostStatusForError(make())).toBe(expected);
    });
  }
});

describe("AbiError", () => {
  it("is an Error with a status and a location", () => {
    const err = new AbiError(code.PROTOCOL_ERROR, "bad", { messageName: "actr.ActrId", field: "realm", offset: 3 });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("AbiError");
    expect(err.status).toBe(-5);
    expect(err.statusName).toBe("PROTOCOL_ERROR");
    expect([err.messageName, err.field, err.offset]).toEqual(["actr.ActrId", "realm", 3]);
    expect(new AbiError(-100, "x").statusName).toBeUndefined();
  });
});

describe("wire codes come from the schema", () => {
  it("each ErrorCode value stands for the variant of its name", () => {
    const byName = Object.fromEntries(ErrorCodeSchema.values.map((v) => [v.name, v.number]));
    expect(byName).toEqual({
      ERROR_CODE_UNSPECIFIED: 0,
      ERROR_CODE_UNAVAILABLE: 10001,
      ERROR_CODE_TIMED_OUT: 10002,
      ERROR_CODE_NOT_FOUND: 10003,
      ERROR_CODE_PERMISSION_DENIED: 10004,
      ERROR_CODE_INVALID_ARGUMENT: 10005,
      ERROR_CODE_UNKNOWN_ROUTE: 10006,
      ERROR_CODE_DEPENDENCY_NOT_FOUND: 10007,
      ERROR_CODE_DECODE_FAILURE: 10008,
      ERROR_CODE_NOT_IMPLEMENTED: 10009,
      ERROR_CODE_INTERNAL: 10010,
      ERROR_CODE_CONNECTION_NOT_READY: 10011,
    });
    // Unset (0) is not a variant: it maps like any unknown code.
    expect(wireCodeToActrError(0, "m").message).toBe("unavailable: rpc error 0: m");
  });
});
