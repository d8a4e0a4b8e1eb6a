import { describe, expect, it } from "vitest";
import {
  Code,
  code,
  lifecycleHook,
  lifecycleHookName,
  Op,
  op,
  opName,
  runtimeHook,
  runtimeHookName,
  statusName,
  Version,
  version,
  webrtcPeerStatus,
} from "../src/index.js";

// docs/abi.md section 2, row by row.
describe("code tables", () => {
  it("status codes", () => {
    expect(code).toEqual({
      SUCCESS: 0,
      GENERIC_ERROR: -1,
      INIT_FAILED: -2,
      HANDLE_FAILED: -3,
      ALLOC_FAILED: -4,
      PROTOCOL_ERROR: -5,
      BUFFER_TOO_SMALL: -6,
      UNSUPPORTED_OP: -7,
    });
  });

  it("ABI version", () => {
    expect(version).toEqual({ V1: 1 });
  });

  it("ops", () => {
    expect(op).toEqual({
      HOST_CALL: 1,
      HOST_TELL: 2,
      HOST_CALL_RAW: 3,
      HOST_DISCOVER: 4,
      HOST_REGISTER_STREAM: 5,
      HOST_UNREGISTER_STREAM: 6,
      HOST_SEND_DATA_STREAM: 7,
      GUEST_HANDLE: 101,
      GUEST_DATA_STREAM: 102,
      GUEST_LIFECYCLE: 103,
      GUEST_HOOK: 104,
    });
  });

  it("lifecycle hooks", () => {
    expect(lifecycleHook).toEqual({ ON_START: 1, ON_READY: 2, ON_STOP: 3 });
  });

  it("runtime hooks", () => {
    expect(runtimeHook).toEqual({
      ON_SIGNALING_CONNECTING: 1,
      ON_SIGNALING_CONNECTED: 2,
      ON_SIGNALING_DISCONNECTED: 3,
      ON_WEBSOCKET_CONNECTING: 4,
      ON_WEBSOCKET_CONNECTED: 5,
      ON_WEBSOCKET_DISCONNECTED: 6,
      ON_WEBRTC_CONNECTING: 7,
      ON_WEBRTC_CONNECTED: 8,
      ON_WEBRTC_DISCONNECTED: 9,
      ON_CREDENTIAL_RENEWED: 10,
      ON_CREDENTIAL_EXPIRING: 11,
      ON_MAILBOX_BACKPRESSURE: 12,
    });
  });

  it("WebRTC peer status", () => {
    expect(webrtcPeerStatus).toEqual({ IDLE: 0, CONNECTING: 1, CONNECTED: 2, RECOVERING: 3 });
  });

  it("tables are frozen", () => {
    expect(Object.isFrozen(op)).toBe(true);
    expect(() => {
      (code as Record<string, number>).SUCCESS = 1;
    }).toThrow(TypeError);
  });
});

describe("names", () => {
  it("opName names every op and nothing else", () => {
    expect(opName(101)).toBe("GUEST_HANDLE");
    for (const [name, value] of Object.entries(op)) expect(opName(value)).toBe(name);
    expect(opName(0)).toBeUndefined();
    expect(opName(8)).toBeUndefined();
    expect(opName(-1)).toBeUndefined();
  });

  it("statusName names every status and nothing else", () => {
    expect(statusName(-5)).toBe("PROTOCOL_ERROR");
    for (const [name, value] of Object.entries(code)) expect(statusName(value)).toBe(name);
    expect(statusName(-8)).toBeUndefined();
    expect(statusName(1)).toBeUndefined();
  });

  it("hook names", () => {
    expect(lifecycleHookName(3)).toBe("ON_STOP");
    expect(lifecycleHookName(0)).toBeUndefined();
    expect(runtimeHookName(12)).toBe("ON_MAILBOX_BACKPRESSURE");
    expect(runtimeHookName(13)).toBeUndefined();
  });

  it("a number that is not an integer has no name; a non-number is the caller's mistake", () => {
    expect(opName(1.5)).toBeUndefined();
    expect(statusName(Number.NaN)).toBeUndefined();
    expect(() => opName("constructor" as never)).toThrow(
      new TypeError('opName: value must be a number, got string "constructor"'),
    );
    expect(() => statusName(null as never)).toThrow(new TypeError("statusName: value must be a number, got null"));
    expect(() => runtimeHookName(undefined as never)).toThrow(
      /^runtimeHookName: value must be a number, got undefined$/,
    );
  });

  it("the two forms of a table agree: the generated enum without its UNSPECIFIED placeholder", () => {
    const withoutPlaceholder = (e: object) =>
      Object.fromEntries(Object.entries(e).filter(([k, v]) => typeof v === "number" && k !== "UNSPECIFIED"));
    expect(withoutPlaceholder(Op)).toEqual(op);
    expect(withoutPlaceholder(Code)).toEqual(code);
    expect(withoutPlaceholder(Version)).toEqual(version);
    expect(Op.UNSPECIFIED).toBe(0);
    expect("UNSPECIFIED" in op).toBe(false);
  });
});
