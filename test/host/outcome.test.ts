// What a guest call resolves or rejects with (src/host/outcome.ts), from
// what actr_handle returned, without koffi or a guest.
import { describe, expect, it, vi } from "vitest";
import { AbiError, ActrError, code, errorReply, op, replyToActrError, successReply } from "../../src/index.js";
import {
  type CallResult,
  copyOut,
  initError,
  loadError,
  settleCall,
  shutdownError,
  sortHandleResult,
} from "../../src/host/outcome.js";
import { abiErrorOf, thrown } from "../support/thrown.js";

// These modules are pure JS: loading koffi (or anything that binds it) fails the file.
vi.mock("koffi", () => {
  throw new Error("outcome.ts must not load koffi");
});
vi.mock("../../src/host/koffi.js", () => {
  throw new Error("outcome.ts must not load src/host/koffi.ts");
});

const MAX = 1024;

describe("sortHandleResult", () => {
  it("sorts a return code that is not SUCCESS as returnCode, whatever else came back", () => {
    expect(sortHandleResult({ rc: code.GENERIC_ERROR, reply: undefined, replyLength: 0 })).toEqual({
      kind: "returnCode",
      rc: code.GENERIC_ERROR,
    });
    expect(
      sortHandleResult({ rc: code.PROTOCOL_ERROR, reply: successReply(), replyLength: 3, nullReply: true }),
    ).toEqual({ kind: "returnCode", rc: code.PROTOCOL_ERROR });
  });

  it("sorts a null reply pointer with a length as nullReply, with the length", () => {
    expect(sortHandleResult({ rc: code.SUCCESS, reply: undefined, replyLength: 12, nullReply: true })).toEqual({
      kind: "nullReply",
      length: 12,
    });
  });

  it("sorts a reply that was not copied (over maxBytes) as tooLong, with the length", () => {
    expect(sortHandleResult({ rc: code.SUCCESS, reply: undefined, replyLength: 5000 })).toEqual({
      kind: "tooLong",
      length: 5000,
    });
  });

  it("decodes a reply into its status and a view of its payload", () => {
    const reply = successReply(new Uint8Array([1, 2, 3]));
    const result = sortHandleResult({ rc: code.SUCCESS, reply, replyLength: reply.length });
    expect(result).toEqual({ kind: "reply", status: code.SUCCESS, payload: new Uint8Array([1, 2, 3]) });
    const payload = (result as { payload: Uint8Array }).payload;
    expect(payload.buffer).toBe(reply.buffer); // a view, not a copy
    const failed = errorReply(code.UNSUPPORTED_OP, "nope");
    expect(sortHandleResult({ rc: code.SUCCESS, reply: failed, replyLength: failed.length })).toMatchObject({
      kind: "reply",
      status: code.UNSUPPORTED_OP,
    });
  });

  it("sorts an empty reply as an empty AbiReply (SUCCESS, no payload)", () => {
    expect(sortHandleResult({ rc: code.SUCCESS, reply: new Uint8Array(0), replyLength: 0 })).toEqual({
      kind: "reply",
      status: code.SUCCESS,
      payload: new Uint8Array(0),
    });
  });

  it("sorts bytes that are not an AbiReply as undecodable, saying why", () => {
    const result = sortHandleResult({ rc: code.SUCCESS, reply: new Uint8Array([0xff, 0xff]), replyLength: 2 });
    expect(result.kind).toBe("undecodable");
    expect((result as { detail: string }).detail).not.toBe("");
  });
});

describe("settleCall", () => {
  it("returns the payload of a SUCCESS reply", () => {
    const payload = new Uint8Array([4, 5]);
    expect(settleCall(op.GUEST_HANDLE, { kind: "reply", status: code.SUCCESS, payload }, MAX)).toBe(payload);
  });

  it("throws the ActrError of a failed reply", () => {
    const result: CallResult = {
      kind: "reply",
      status: code.UNSUPPORTED_OP,
      payload: new TextEncoder().encode("no route"),
    };
    const error = thrown(() => settleCall(op.GUEST_HANDLE, result, MAX), ActrError);
    expect(error).toEqual(replyToActrError(result));
  });

  it("throws an AbiError with the return code, naming the status and the op", () => {
    const error = abiErrorOf(() => settleCall(op.GUEST_HANDLE, { kind: "returnCode", rc: code.GENERIC_ERROR }, MAX));
    expect(error.status).toBe(code.GENERIC_ERROR);
    expect(error.message).toContain(`actr_handle returned GENERIC_ERROR (${code.GENERIC_ERROR}) for GUEST_HANDLE`);
  });

  it("names a status and an op outside the tables by number", () => {
    const error = abiErrorOf(() => settleCall(9999, { kind: "returnCode", rc: -99 }, MAX));
    expect(error.status).toBe(-99);
    expect(error.message).toContain("actr_handle returned status -99 for op 9999");
  });

  it("throws PROTOCOL_ERROR for a reply over maxBytes, with its length and the limit", () => {
    const error = abiErrorOf(() => settleCall(op.GUEST_LIFECYCLE, { kind: "tooLong", length: 5000 }, MAX));
    expect(error.status).toBe(code.PROTOCOL_ERROR);
    expect(error.message).toContain("the guest's reply to GUEST_LIFECYCLE is 5000 bytes, over maxBytes (1024)");
  });

  it("throws PROTOCOL_ERROR for a null reply pointer, with its length", () => {
    const error = abiErrorOf(() => settleCall(op.GUEST_HANDLE, { kind: "nullReply", length: 12 }, MAX));
    expect(error.status).toBe(code.PROTOCOL_ERROR);
    expect(error.message).toContain("null reply pointer and a length of 12");
  });

  it("throws PROTOCOL_ERROR for a reply that is not an AbiReply, with why", () => {
    const error = abiErrorOf(() =>
      settleCall(op.GUEST_HANDLE, { kind: "undecodable", detail: "truncated varint" }, MAX),
    );
    expect(error.status).toBe(code.PROTOCOL_ERROR);
    expect(error.message).toContain("the guest's reply to GUEST_HANDLE is not an AbiReply: truncated varint");
  });
});

describe("copyOut", () => {
  it("copies the bytes into memory of the caller's own", () => {
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const copy = copyOut(bytes.subarray(1, 3));
    expect(copy).toEqual(new Uint8Array([2, 3]));
    bytes.fill(0);
    expect(copy).toEqual(new Uint8Array([2, 3]));
    expect(copyOut(new Uint8Array(0))).toEqual(new Uint8Array(0));
  });
});

describe("loadError, initError, shutdownError", () => {
  it("loadError is INIT_FAILED, naming the path and why, with the cause when given", () => {
    const cause = new Error("dlopen failed");
    const error = loadError("/x/libg.so", "no such file", cause);
    expect(error).toBeInstanceOf(AbiError);
    expect(error.status).toBe(code.INIT_FAILED);
    expect(error.message).toContain("cannot load the guest library /x/libg.so: no such file");
    expect(error.cause).toBe(cause);
    expect(loadError("/x/libg.so", "missing symbol").cause).toBeUndefined();
  });

  it("initError carries actr_init's code, with a hint about an image loaded twice only for INIT_FAILED", () => {
    const failed = initError("/x/libg.so", code.INIT_FAILED);
    expect(failed.status).toBe(code.INIT_FAILED);
    expect(failed.message).toContain(`actr_init returned INIT_FAILED (${code.INIT_FAILED}) for /x/libg.so`);
    expect(failed.message).toContain("already loaded");
    const other = initError("/x/libg.so", code.GENERIC_ERROR);
    expect(other.status).toBe(code.GENERIC_ERROR);
    expect(other.message).not.toContain("already loaded");
  });

  it("shutdownError carries actr_shutdown's code (GENERIC_ERROR for SUCCESS) and says the library stays loaded", () => {
    const error = shutdownError("/x/libg.so", code.GENERIC_ERROR);
    expect(error.status).toBe(code.GENERIC_ERROR);
    expect(error.message).toContain(`actr_shutdown returned GENERIC_ERROR (${code.GENERIC_ERROR}) for /x/libg.so`);
    expect(error.message).toContain("stays loaded");
    expect(shutdownError("/x/libg.so", code.SUCCESS).status).toBe(code.GENERIC_ERROR);
  });
});
