// Answering one invoke (src/host/answer.ts), without koffi or a guest: the
// frame-level failures as return codes, the checks made before the handler
// runs, and the handler's result or what it threw as the AbiReply.
import { create } from "@bufbuild/protobuf";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  AbiError,
  AbiFrameSchema,
  ActrError,
  code,
  decodeReply,
  destToV1,
  encodeFrame,
  encodeHostReply,
  encodeMessage,
  HostCallV1Schema,
  HostRegisterStreamV1Schema,
  HostTellV1Schema,
  type HostOperation,
  type HostResult,
  op,
  version,
} from "../../src/index.js";
import {
  answerInvoke,
  failInvoke,
  finishInvoke,
  type HostErrorListener,
  type InvokeAnswer,
  printHostError,
  startInvoke,
} from "../../src/host/answer.js";
import { type InvokeOrigin, invokeScope, type InvokeScope } from "../../src/host/invoke-scope.js";

// These modules are pure JS: loading koffi (or anything that binds it) fails the file.
vi.mock("koffi", () => {
  throw new Error("answer.ts must not load koffi");
});
vi.mock("../../src/host/koffi.js", () => {
  throw new Error("answer.ts must not load src/host/koffi.ts");
});

const MAX = 1 << 20;
const generation1 = invokeScope(undefined, op.GUEST_HANDLE);
const inDataStream = invokeScope(undefined, op.GUEST_DATA_STREAM);
const unknownToken: InvokeScope = {
  inDataStream: false,
  origin: { generation: 2, bridgeToken: 77n, callReturned: true },
  unknownToken: true,
};

const callFrame = encodeFrame(
  HostCallV1Schema,
  create(HostCallV1Schema, { routeKey: "a.B.C", dest: destToV1({ kind: "shell" }), payload: new Uint8Array([1, 2]) }),
);
/** A call whose destination has no kind: the Rust host refuses it before the handler runs. */
const callWithoutDest = encodeFrame(HostCallV1Schema, create(HostCallV1Schema, { routeKey: "a.B.C" }));
const registerStream = encodeFrame(HostRegisterStreamV1Schema, create(HostRegisterStreamV1Schema, { streamId: "s" }));
const tellFrame = encodeFrame(
  HostTellV1Schema,
  create(HostTellV1Schema, { routeKey: "a.B.C", dest: destToV1({ kind: "shell" }) }),
);

/** A listener that keeps what it is told. */
function recorder(): HostErrorListener & { readonly calls: [Error, HostOperation | undefined][] } {
  const calls: [Error, HostOperation | undefined][] = [];
  return Object.assign((error: Error, operation: HostOperation | undefined) => void calls.push([error, operation]), {
    calls,
  });
}

/** The answer's reply, decoded; fails when there is none. */
function replyOf(answer: InvokeAnswer) {
  expect(answer.rc).toBe(code.SUCCESS);
  expect(answer.reply).toBeDefined();
  return decodeReply(answer.reply!);
}

const hex = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString("hex"));

describe("startInvoke", () => {
  it("hands a valid operation to the handler, decoded", () => {
    const report = recorder();
    const start = startInvoke(callFrame, MAX, generation1, report);
    if (!("operation" in start) || start.operation.kind !== "call") throw new Error("expected a call for the handler");
    expect(start.operation.payload.payload).toEqual(new Uint8Array([1, 2]));
    expect(report.calls).toEqual([]);
  });

  it("answers a frame over maxBytes PROTOCOL_ERROR with no reply, unread, and reports it", () => {
    const report = recorder();
    const start = startInvoke(callFrame, callFrame.length - 1, generation1, report);
    expect(start).toEqual({ answer: { rc: code.PROTOCOL_ERROR } });
    expect(report.calls).toHaveLength(1);
    const [error, operation] = report.calls[0]!;
    expect(error).toBeInstanceOf(AbiError);
    expect((error as AbiError).status).toBe(code.PROTOCOL_ERROR);
    expect(error.message).toContain(
      `invoke frame of ${callFrame.length} bytes exceeds maxBytes (${callFrame.length - 1})`,
    );
    expect(operation).toBeUndefined();
    // A frame of exactly maxBytes is read.
    expect("operation" in startInvoke(callFrame, callFrame.length, generation1, report)).toBe(true);
  });

  it("answers a frame that does not decode with its decoding status and no reply, and reports it", () => {
    const report = recorder();
    expect(startInvoke(new Uint8Array([0xff, 0xff, 0xff]), MAX, generation1, report)).toEqual({
      answer: { rc: code.PROTOCOL_ERROR },
    });
    // A guest op is not a host operation: UNSUPPORTED_OP, as the Rust host.
    const guestOp = encodeMessage(
      AbiFrameSchema,
      create(AbiFrameSchema, { abiVersion: version.V1, op: op.GUEST_HANDLE }),
    );
    expect(startInvoke(guestOp, MAX, generation1, report)).toEqual({ answer: { rc: code.UNSUPPORTED_OP } });
    expect(report.calls.map(([error, operation]) => [(error as AbiError).status, operation])).toEqual([
      [code.PROTOCOL_ERROR, undefined],
      [code.UNSUPPORTED_OP, undefined],
    ]);
  });

  it("answers an unknown or released bridge token GENERIC_ERROR in the reply, and reports the token", () => {
    const report = recorder();
    const start = startInvoke(callFrame, MAX, unknownToken, report);
    expect("answer" in start).toBe(true);
    expect(hex("answer" in start ? start.answer.reply : undefined)).toBe(
      hex(encodeHostReply({ status: code.GENERIC_ERROR })),
    );
    expect(report.calls).toHaveLength(1);
    expect(report.calls[0]![0].message).toContain("bridge token 77");
    expect(report.calls[0]![1]?.kind).toBe("call");
  });

  it("refuses a call without a destination kind before the handler, as the Rust host, without reporting", () => {
    const report = recorder();
    const start = startInvoke(callWithoutDest, MAX, generation1, report);
    expect("answer" in start).toBe(true);
    const answer = (start as { answer: InvokeAnswer }).answer;
    expect(hex(answer.reply)).toBe(
      hex(encodeHostReply({ error: ActrError.decodeFailure("destination kind is missing") })),
    );
    expect(report.calls).toEqual([]);
  });

  it("refuses registerStream inside a data stream UNSUPPORTED_OP, and allows it elsewhere", () => {
    const report = recorder();
    const inside = startInvoke(registerStream, MAX, inDataStream, report);
    expect("answer" in inside && replyOf(inside.answer).status).toBe(code.UNSUPPORTED_OP);
    expect("operation" in startInvoke(registerStream, MAX, generation1, report)).toBe(true);
    // Other operations are answered by the handler inside a data stream.
    expect("operation" in startInvoke(tellFrame, MAX, inDataStream, report)).toBe(true);
    expect(report.calls).toEqual([]);
  });
});

describe("finishInvoke and failInvoke", () => {
  const operation = (() => {
    const start = startInvoke(callFrame, MAX, generation1, () => {});
    if (!("operation" in start)) throw new Error("the call frame does not decode");
    return start.operation;
  })();

  it.each<[string, HostResult]>([
    ["bytes", { bytes: new Uint8Array([9, 8, 7]) }],
    ["done", { done: true }],
    ["status", { status: code.PROTOCOL_ERROR }],
    ["error", { error: ActrError.notFound("user 7") }],
  ])("encodes a %s result as the AbiReply encodeHostReply gives", (_, result) => {
    const report = recorder();
    const answer = finishInvoke(result, operation, report);
    expect(answer.rc).toBe(code.SUCCESS);
    expect(hex(answer.reply)).toBe(hex(encodeHostReply(result)));
    expect(report.calls).toEqual([]);
  });

  it("answers a result that cannot be encoded GENERIC_ERROR and reports it with the operation", () => {
    const report = recorder();
    const answer = finishInvoke({ status: 0 } as HostResult, operation, report);
    expect(replyOf(answer).status).toBe(code.GENERIC_ERROR);
    expect(report.calls).toHaveLength(1);
    expect(report.calls[0]![1]).toBe(operation);
  });

  it("answers a thrown ActrError with its own reply, without reporting", () => {
    const report = recorder();
    const error = ActrError.permissionDenied("no");
    expect(hex(failInvoke(error, operation, report).reply)).toBe(hex(encodeHostReply({ error })));
    expect(report.calls).toEqual([]);
  });

  it("answers anything else thrown GENERIC_ERROR and reports it as an Error", () => {
    const report = recorder();
    const boom = new TypeError("boom");
    expect(replyOf(failInvoke(boom, operation, report)).status).toBe(code.GENERIC_ERROR);
    expect(report.calls[0]).toEqual([boom, operation]);
    // A thrown non-Error is wrapped, with it as the cause.
    expect(replyOf(failInvoke("text", operation, report)).status).toBe(code.GENERIC_ERROR);
    const [wrapped] = report.calls[1]!;
    expect(wrapped.message).toBe("the host handler threw: text");
    expect(wrapped.cause).toBe("text");
  });
});

describe("answerInvoke", () => {
  it("runs the handler with the decoded operation and the scope's origin, and encodes its result", () => {
    const host = vi.fn((_operation: HostOperation, _origin: InvokeOrigin): HostResult => ({
      bytes: new Uint8Array([5]),
    }));
    const answer = answerInvoke(host, callFrame, generation1, MAX, recorder());
    expect(host).toHaveBeenCalledTimes(1);
    expect(host.mock.calls[0]![0].kind).toBe("call");
    expect(host.mock.calls[0]![1]).toBe(generation1.origin);
    expect("rc" in answer && hex(answer.reply)).toBe(hex(encodeHostReply({ bytes: new Uint8Array([5]) })));
  });

  it("gives every generation-1 handler the same origin, which a handler cannot change", () => {
    const meddler = (_operation: HostOperation, origin: InvokeOrigin): HostResult => {
      (origin as { callReturned: boolean }).callReturned = true; // throws: the origin is frozen
      return { done: true };
    };
    const answer = answerInvoke(meddler, callFrame, generation1, MAX, recorder());
    expect("rc" in answer && replyOf(answer).status).toBe(code.GENERIC_ERROR);
    expect(invokeScope(undefined, op.GUEST_HANDLE).origin).toBe(generation1.origin);
    expect(generation1.origin).toEqual({ generation: 1, bridgeToken: 0n, callReturned: false });
  });

  it("does not run the handler when the invoke is refused before it", () => {
    const host = vi.fn((): HostResult => ({ done: true }));
    expect(answerInvoke(host, callFrame, generation1, 1, recorder())).toEqual({ rc: code.PROTOCOL_ERROR });
    answerInvoke(host, callWithoutDest, generation1, MAX, recorder());
    answerInvoke(host, callFrame, unknownToken, MAX, recorder());
    expect(host).not.toHaveBeenCalled();
  });

  it("answers a handler that throws as failInvoke does", () => {
    const report = recorder();
    const answer = answerInvoke(
      () => {
        throw new Error("handler broke");
      },
      callFrame,
      generation1,
      MAX,
      report,
    );
    expect("rc" in answer && replyOf(answer).status).toBe(code.GENERIC_ERROR);
    expect(report.calls[0]![0].message).toBe("handler broke");
  });

  it("answers an async handler with a Promise of a reply of its own, which later answers do not overwrite", async () => {
    const answer = answerInvoke(
      async () => ({ bytes: new Uint8Array([1, 1, 1]) }),
      callFrame,
      generation1,
      MAX,
      recorder(),
    );
    expect("pending" in answer).toBe(true);
    const { pending, operation } = answer as { pending: Promise<InvokeAnswer>; operation: HostOperation };
    expect(operation.kind).toBe("call");
    const settled = await pending;
    const expected = hex(encodeHostReply({ bytes: new Uint8Array([1, 1, 1]) }));
    expect(hex(settled.reply)).toBe(expected);
    // A synchronous answer is a view into the shared writer: the next answer overwrites it; the async one kept its copy.
    const sync = answerInvoke(() => ({ bytes: new Uint8Array([2, 2, 2]) }), callFrame, generation1, MAX, recorder());
    const view = hex((sync as InvokeAnswer).reply);
    answerInvoke(() => ({ bytes: new Uint8Array([3, 3, 3]) }), callFrame, generation1, MAX, recorder());
    expect(hex((sync as InvokeAnswer).reply)).not.toBe(view);
    expect(hex(settled.reply)).toBe(expected);
  });

  it("answers an async handler that rejects as failInvoke does; its Promise never rejects", async () => {
    const report = recorder();
    const answer = answerInvoke(() => Promise.reject(ActrError.timedOut()), callFrame, generation1, MAX, report);
    const settled = await (answer as { pending: Promise<InvokeAnswer> }).pending;
    expect(hex(settled.reply)).toBe(hex(encodeHostReply({ error: ActrError.timedOut() })));
    const failed = answerInvoke(() => Promise.reject(new Error("late")), callFrame, generation1, MAX, report);
    expect(replyOf(await (failed as { pending: Promise<InvokeAnswer> }).pending).status).toBe(code.GENERIC_ERROR);
    expect(report.calls.map(([error]) => error.message)).toEqual(["late"]);
  });
});

describe("printHostError", () => {
  afterEach(() => vi.restoreAllMocks());

  it("prints the error to stderr with the operation's kind, when known", () => {
    const printed = vi.spyOn(console, "error").mockImplementation(() => {});
    const error = new Error("x");
    printHostError(error, undefined);
    printHostError(error, { kind: "tell" } as HostOperation);
    expect(printed.mock.calls).toEqual([
      ["@actr/dynclib-abi/host: invoke failed on the host side:", error],
      ["@actr/dynclib-abi/host: invoke (tell) failed on the host side:", error],
    ]);
  });
});
