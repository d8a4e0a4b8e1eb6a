// successReply / errorReply / decodeReply: what a reply may be, and what decodeReply does not check.
import { describe, expect, it } from "vitest";
import { code, decodeReply, errorReply, successReply, version } from "../src/index.js";
import { abiErrorOf } from "./support/thrown.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("errorReply", () => {
  it("an empty message gives the same bytes as none: status only", () => {
    expect(hex(errorReply(code.HANDLE_FAILED, ""))).toBe("0801" + "10fdffffffffffffffff01");
    expect(hex(errorReply(code.HANDLE_FAILED, ""))).toBe(hex(errorReply(code.HANDLE_FAILED)));
    expect(hex(errorReply(code.HANDLE_FAILED, new Uint8Array()))).toBe(hex(errorReply(code.HANDLE_FAILED)));
  });

  it("a string is written as UTF-8, bytes as they are (a Buffer too)", () => {
    expect(hex(errorReply(-1, "é"))).toBe("0801" + "10ffffffffffffffffff01" + "1a02c3a9");
    expect(hex(errorReply(-1, Buffer.from([0xff])))).toBe("0801" + "10ffffffffffffffffff01" + "1a01ff");
  });

  it("needs a failure status: a missing or zero status would read as SUCCESS", () => {
    expect(() => errorReply(undefined as never, "boom")).toThrow(
      new TypeError("errorReply: status must be an integer number, got undefined"),
    );
    expect(() => errorReply(code.SUCCESS, "boom")).toThrow(
      new RangeError("errorReply: status must be a failure status, not SUCCESS (0); use successReply"),
    );
    expect(() => errorReply(2 ** 31)).toThrow(RangeError);
    expect(() => errorReply(-1, 5 as never)).toThrow(
      new TypeError("errorReply: message must be a string or a Uint8Array, got number 5"),
    );
    expect(() => errorReply(-1, Object.create(Uint8Array.prototype) as Uint8Array)).toThrow(TypeError);
  });
});

describe("successReply", () => {
  it("refuses a payload that is not a Uint8Array", () => {
    expect(() => successReply("x" as never)).toThrow(
      new TypeError('successReply: payload must be a Uint8Array, got string "x"'),
    );
    expect(() => successReply(null as never)).toThrow(
      new TypeError("successReply: payload must be a Uint8Array, got null"),
    );
    expect(hex(successReply(Buffer.from([7])))).toBe("08011a0107");
  });
});

describe("decodeReply", () => {
  it("checks no abi_version, as the Rust peers: empty bytes read as SUCCESS with version 0", () => {
    const reply = decodeReply(new Uint8Array());
    expect([reply.abiVersion, reply.status, reply.payload.length]).toEqual([0, code.SUCCESS, 0]);
    // What a host checks to tell "no reply written" from a success: every reply a peer writes has version 1.
    expect(reply.abiVersion === version.V1).toBe(false);
    expect(decodeReply(successReply()).abiVersion).toBe(version.V1);
    expect(decodeReply(errorReply(code.GENERIC_ERROR)).abiVersion).toBe(version.V1);
  });
});

describe("errorReply's text", () => {
  it("a lone surrogate is an AbiError naming AbiReply.payload", () => {
    const err = abiErrorOf(() => errorReply(code.GENERIC_ERROR, "\ud800"));
    expect([err.status, err.messageName, err.field]).toEqual([
      code.PROTOCOL_ERROR,
      "actr.dynclib.v1.AbiReply",
      "payload",
    ]);
  });
});
