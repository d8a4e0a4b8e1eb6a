import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  AbiError,
  abiErrorToActr,
  ActrError,
  actrErrorToErrorResponse,
  actrErrorToWireCode,
  AbiReplySchema,
  code,
  ErrorCodeSchema,
  errorResponseToActrError,
  hostStatusForError,
  replyToActrError,
  wireCodeToActrError,
} from "../src/index.js";

// Spec section 6: every variant, its kind and its Display text.
const variantRows: [ActrError, string, string, string][] = [
  [ActrError.unavailable("db down"), "Unavailable", "Transient", "unavailable: db down"],
  [ActrError.connectionNotReady(250), "ConnectionNotReady", "Transient", "connection not ready: retry_after_ms=Some(250)"],
  [ActrError.connectionNotReady(), "ConnectionNotReady", "Transient", "connection not ready: retry_after_ms=None"],
  [ActrError.timedOut(), "TimedOut", "Transient", "timed out"],
  [ActrError.notFound("x"), "NotFound", "Client", "not found: x"],
  [ActrError.permissionDenied("no"), "PermissionDenied", "Client", "permission denied: no"],
  [ActrError.invalidArgument("bad"), "InvalidArgument", "Client", "invalid argument: bad"],
  [ActrError.unknownRoute("a.B.C"), "UnknownRoute", "Client", "unknown route: a.B.C"],
  [ActrError.dependencyNotFound("svc", "gone"), "DependencyNotFound", "Client", "dependency 'svc' not found: gone"],
  [ActrError.decodeFailure("ABI payload decode failed"), "DecodeFailure", "Corrupt", "decode failure: ABI payload decode failed"],
  [ActrError.notImplemented("nope"), "NotImplemented", "Internal", "not implemented: nope"],
  [ActrError.internal("boom"), "Internal", "Internal", "internal error: boom"],
];

describe("ActrError", () => {
  for (const [err, variant, kind, text] of variantRows) {
    it(`${text}`, () => {
      expect(err).toBeInstanceOf(Error);
      expect(err).toBeInstanceOf(ActrError);
      expect(err.name).toBe("ActrError");
      expect(err.variant).toBe(variant);
      expect(err.kind).toBe(kind);
      expect(err.message).toBe(text);
      expect(err.isRetryable).toBe(kind === "Transient");
      expect(err.requiresDlq).toBe(kind === "Corrupt");
    });
  }

  it("keeps the parts of structured variants", () => {
    const dep = ActrError.dependencyNotFound("svc", "gone");
    expect(dep.serviceName).toBe("svc");
    expect(dep.detail).toBe("gone");
    expect(ActrError.connectionNotReady(250).retryAfterMs).toBe(250n);
    expect(ActrError.connectionNotReady(18446744073709551615n).message).toBe(
      "connection not ready: retry_after_ms=Some(18446744073709551615)",
    );
    expect(ActrError.notFound("x").serviceName).toBeUndefined();
  });

  it("rejects a retry hint that is not a u64", () => {
    expect(() => ActrError.connectionNotReady(-1)).toThrow(ActrError);
    expect(() => ActrError.connectionNotReady(1.5)).toThrow(/integer/);
    expect(() => ActrError.connectionNotReady(2n ** 64n)).toThrow(/retryAfterMs must be within 0..18446744073709551615/);
    expect(() => ActrError.connectionNotReady("12" as never)).toThrow(/must be a number or bigint, got string/);
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
      expect(err.variant).toBe(variant);
      expect(err.message).toBe(text);
    });
  }
});

describe("replyToActrError", () => {
  const reply = (status: number, payload: Uint8Array) => create(AbiReplySchema, { abiVersion: 1, status, payload });
  const text = (s: string) => new TextEncoder().encode(s);

  it("an empty payload maps by status", () => {
    expect(replyToActrError(reply(code.PROTOCOL_ERROR, new Uint8Array())).message).toBe(
      "decode failure: ABI payload decode failed",
    );
    expect(replyToActrError(reply(-42, new Uint8Array())).message).toBe("internal error: unexpected ABI status code -42");
  });

  it("a text payload is wrapped by status", () => {
    expect(replyToActrError(reply(code.PROTOCOL_ERROR, text("bad frame")))).toMatchObject({
      variant: "DecodeFailure",
      message: "decode failure: bad frame",
    });
    expect(replyToActrError(reply(code.UNSUPPORTED_OP, text("op 9")))).toMatchObject({
      variant: "NotImplemented",
      message: "not implemented: op 9",
    });
    expect(replyToActrError(reply(code.HANDLE_FAILED, text("not found: user 7")))).toMatchObject({
      variant: "Internal",
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
});

describe("wire codes", () => {
  const rows: [ActrError, number][] = [
    [ActrError.unavailable("a"), 10001],
    [ActrError.timedOut(), 10002],
    [ActrError.notFound("a"), 10003],
    [ActrError.permissionDenied("a"), 10004],
    [ActrError.invalidArgument("a"), 10005],
    [ActrError.unknownRoute("a"), 10006],
    [ActrError.dependencyNotFound("s", "a"), 10007],
    [ActrError.decodeFailure("a"), 10008],
    [ActrError.notImplemented("a"), 10009],
    [ActrError.internal("a"), 10010],
    [ActrError.connectionNotReady(5), 10011],
  ];
  for (const [err, wire] of rows) {
    it(`${err.variant} ↔ ${wire}`, () => {
      expect(actrErrorToWireCode(err)).toBe(wire);
      expect(wireCodeToActrError(wire, "m").variant).toBe(err.variant);
    });
  }

  it("wraps the message on the way back", () => {
    expect(wireCodeToActrError(10003, "user 7").message).toBe("not found: user 7");
    expect(wireCodeToActrError(10002, "whatever").message).toBe("timed out");
    const dep = wireCodeToActrError(10007, "gone");
    expect(dep.serviceName).toBe("");
    expect(dep.message).toBe("dependency '' not found: gone");
  });

  it("reads the retry hint of ConnectionNotReady from the message", () => {
    expect(wireCodeToActrError(10011, "connection not ready: retry_after_ms=Some(250)").retryAfterMs).toBe(250n);
    expect(wireCodeToActrError(10011, "connection not ready: retry_after_ms=None").retryAfterMs).toBeUndefined();
    expect(wireCodeToActrError(10011, "retry_after_ms=Some(99999999999999999999999)").retryAfterMs).toBeUndefined();
  });

  it("any other code is Unavailable('rpc error {code}: {message}')", () => {
    for (const wire of [0, 1, 10000, 10012, 4294967295]) {
      const err = wireCodeToActrError(wire, "boom");
      expect(err.variant).toBe("Unavailable");
      expect(err.message).toBe(`unavailable: rpc error ${wire}: boom`);
    }
  });

  it("ErrorResponse carries the code and the Display text", () => {
    const response = actrErrorToErrorResponse(ActrError.connectionNotReady(250));
    expect(response.code).toBe(10011);
    expect(response.message).toBe("connection not ready: retry_after_ms=Some(250)");
    expect(errorResponseToActrError(response).retryAfterMs).toBe(250n);
  });
});

describe("hostStatusForError", () => {
  for (const [err] of variantRows) {
    const expected =
      err.variant === "DecodeFailure" || err.variant === "InvalidArgument" ? code.PROTOCOL_ERROR : code.GENERIC_ERROR;
    it(`${err.variant} → ${expected}`, () => {
      expect(hostStatusForError(err)).toBe(expected);
    });
  }
});

describe("AbiError", () => {
  it("is an Error with a status and a location", () => {
    const err = new AbiError(code.PROTOCOL_ERROR, "bad", { message: "actr.ActrId", field: "realm", offset: 3 });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("AbiError");
    expect(err.status).toBe(-5);
    expect(err.statusName).toBe("PROTOCOL_ERROR");
    expect([err.messageName, err.field, err.offset]).toEqual(["actr.ActrId", "realm", 3]);
    expect(new AbiError(-100, "x").statusName).toBeUndefined();
  });
});

describe("wire codes come from the schema", () => {
  it("every ErrorCode value stands for one variant, and every variant has one", () => {
    const variants = ["Unavailable", "ConnectionNotReady", "TimedOut", "NotFound", "PermissionDenied", "InvalidArgument", "UnknownRoute", "DependencyNotFound", "DecodeFailure", "NotImplemented", "Internal"];
    const named = ErrorCodeSchema.values.filter((v) => v.number !== 0);
    expect(named.length).toBe(variants.length);
    for (const value of named) expect(variants).toContain(wireCodeToActrError(value.number, "m").variant);
  });
});
