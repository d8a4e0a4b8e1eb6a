import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  AbiError,
  AbiFrameSchema,
  ActrIdSchema,
  code,
  decodeFrame,
  decodePayload,
  decodeReply,
  encodeFrame,
  encodeMessage,
  HostCallRawV1Schema,
  errorReply,
  GuestHandleV1Schema,
  HostCallV1Schema,
  HostRegisterStreamV1Schema,
  messageSchemas,
  op,
  payloadOp,
  payloadSchemaForOp,
  successReply,
  toFrame,
} from "../src/index.js";
import { abiErrorOf } from "./support/thrown.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("op ↔ payload binding from the schema", () => {
  // Spec section 2: which payload goes with which op.
  const binding: [number, string][] = [
    [op.HOST_CALL, "HostCallV1"],
    [op.HOST_TELL, "HostTellV1"],
    [op.HOST_CALL_RAW, "HostCallRawV1"],
    [op.HOST_DISCOVER, "HostDiscoverV1"],
    [op.HOST_REGISTER_STREAM, "HostRegisterStreamV1"],
    [op.HOST_UNREGISTER_STREAM, "HostUnregisterStreamV1"],
    [op.HOST_SEND_DATA_STREAM, "HostSendDataStreamV1"],
    [op.GUEST_HANDLE, "GuestHandleV1"],
    [op.GUEST_DATA_STREAM, "GuestDataStreamV1"],
    [op.GUEST_LIFECYCLE, "GuestLifecycleV1"],
    [op.GUEST_HOOK, "GuestHookV1"],
  ];
  for (const [value, name] of binding) {
    it(`${name} ↔ ${value}`, () => {
      expect(payloadOp(messageSchemas.get(name)!)).toBe(value);
      expect(payloadSchemaForOp(value)?.name).toBe(name);
    });
  }

  it("only the 11 payloads are framed (InitPayloadV1 is passed raw)", () => {
    const framed = [...messageSchemas.values()].filter((s) => payloadOp(s) !== undefined).map((s) => s.name);
    expect(framed.sort()).toEqual(binding.map(([, name]) => name).sort());
    expect(payloadSchemaForOp(0)).toBeUndefined();
    expect(payloadSchemaForOp(100)).toBeUndefined();
  });
});

describe("frames", () => {
  it("toFrame sets the op from the schema and abiVersion 1", () => {
    const frame = toFrame(HostRegisterStreamV1Schema, create(HostRegisterStreamV1Schema, { streamId: "s" }));
    expect(frame.abiVersion).toBe(1);
    expect(frame.op).toBe(op.HOST_REGISTER_STREAM);
    expect(hex(frame.payload)).toBe("0a0173");
  });

  it("AbiFrame.payload is the frame's last field, numbered below 16: encodeFrame writes it last, after a one-byte key", () => {
    const payloadNumber = AbiFrameSchema.field.payload.number;
    expect(Math.max(...AbiFrameSchema.fields.map((f) => f.number))).toBe(payloadNumber);
    expect(payloadNumber).toBeLessThan(16);
  });

  it("encodeFrame leaves out an empty payload, as prost does", () => {
    expect(hex(encodeFrame(HostRegisterStreamV1Schema, create(HostRegisterStreamV1Schema)))).toBe("08011005");
  });

  it("encodeFrame writes the frame as prost does, and decodeFrame + decodePayload read it back", () => {
    const bytes = encodeFrame(HostRegisterStreamV1Schema, create(HostRegisterStreamV1Schema, { streamId: "s" }));
    expect(hex(bytes)).toBe("080110051a030a0173");
    const frame = decodeFrame(bytes);
    expect(decodePayload(HostRegisterStreamV1Schema, frame).streamId).toBe("s");
  });

  it("encodeFrame writes a payload with long bytes in it (copied straight to the output) whole, behind the frame's fields", () => {
    // The frame's bytes as prost writes them for the same payload: its fields, then the payload's key, length and bytes.
    for (const n of [127, 128, 300, 20000]) {
      const payload = create(HostCallRawV1Schema, {
        routeKey: "r",
        payload: Uint8Array.from({ length: n }, (_, i) => i & 0xff),
      });
      const body = encodeMessage(HostCallRawV1Schema, payload);
      const frame = create(AbiFrameSchema, { abiVersion: 1, op: op.HOST_CALL_RAW, payload: body.slice() });
      expect(hex(encodeFrame(HostCallRawV1Schema, payload)), `${n} bytes`).toBe(
        hex(encodeMessage(AbiFrameSchema, frame)),
      );
    }
  });

  it("toFrame refuses a message that is not a framed payload", () => {
    const err = abiErrorOf(() => toFrame(ActrIdSchema, create(ActrIdSchema)));
    expect(err.status).toBe(code.UNSUPPORTED_OP);
    expect(err.message).toBe("actr.ActrId is not a framed payload: it has no (actr.dynclib.v1.op) option");
    expect(err.messageName).toBe("actr.ActrId");
    expect(() => decodePayload(null as never, decodeFrame(new Uint8Array()))).toThrow(
      /^decodePayload: schema must be a message schema/,
    );
  });

  it("decodePayload refuses a frame whose op is not the schema's", () => {
    const frame = decodeFrame(encodeFrame(HostCallV1Schema, create(HostCallV1Schema)));
    const err = abiErrorOf(() => decodePayload(GuestHandleV1Schema, frame));
    expect(err.status).toBe(code.PROTOCOL_ERROR);
    expect(err.message).toBe(
      "frame op 1 (HOST_CALL) does not carry actr.dynclib.v1.GuestHandleV1, which is framed by op 101 (GUEST_HANDLE)",
    );
  });

  it("decodePayload names an op outside the table as unknown", () => {
    const frame = create(AbiFrameSchema, { abiVersion: 1, op: 999, payload: new Uint8Array() });
    const err = abiErrorOf(() => decodePayload(HostCallV1Schema, frame));
    expect([err.status, err.messageName, err.field]).toEqual([code.PROTOCOL_ERROR, "actr.dynclib.v1.AbiFrame", "op"]);
    expect(err.message).toBe(
      "frame op 999 (unknown) does not carry actr.dynclib.v1.HostCallV1, which is framed by op 1 (HOST_CALL)",
    );
  });

  it("decodePayload refuses a frame whose payload is not a Uint8Array, naming it", () => {
    const frame = create(AbiFrameSchema, { abiVersion: 1, op: op.HOST_CALL });
    (frame as { payload: unknown }).payload = [1, 2];
    expect(() => decodePayload(HostCallV1Schema, frame)).toThrow(
      new TypeError("decodePayload: frame.payload must be a Uint8Array, got an Array"),
    );
  });

  it("decodePayload reports a payload that does not decode", () => {
    const frame = decodeFrame(new Uint8Array(Buffer.from("080110051a020a05", "hex")));
    expect(() => decodePayload(HostRegisterStreamV1Schema, frame)).toThrow(
      /HostRegisterStreamV1: field stream_id: length 5/,
    );
  });
});

describe("replies", () => {
  it("successReply is abi_version 1, status 0 (omitted), the payload", () => {
    expect(hex(successReply(new Uint8Array([1, 2])))).toBe("08011a020102");
    expect(hex(successReply())).toBe("0801");
  });

  it("errorReply writes the status in ten bytes and a string as UTF-8", () => {
    expect(hex(errorReply(code.HANDLE_FAILED, "é"))).toBe("080110fdffffffffffffffff011a02c3a9");
    expect(hex(errorReply(code.PROTOCOL_ERROR, new Uint8Array([0xff])))).toBe("080110fbffffffffffffffff011a01ff");
    expect(hex(errorReply(code.GENERIC_ERROR))).toBe("080110ffffffffffffffffff01");
    // An empty message leaves the payload out, as prost leaves out an empty bytes field.
    expect(hex(errorReply(code.PROTOCOL_ERROR, ""))).toBe("080110fbffffffffffffffff01");
  });

  it("errorReply refuses a status that is not an int32, and text with a lone surrogate", () => {
    expect(() => errorReply(2 ** 31)).toThrow(/errorReply: status must be within int32/);
    expect(() => errorReply(1.5)).toThrow(/errorReply: status must be an integer number, got number 1.5/);
    expect(() => errorReply(-1, "bad \uD800")).toThrow(/lone surrogate/);
  });

  it("decodeReply reads them back", () => {
    const reply = decodeReply(errorReply(code.UNSUPPORTED_OP, "nope"));
    expect(reply.status).toBe(-7);
    expect(new TextDecoder().decode(reply.payload)).toBe("nope");
    expect(() => decodeReply(new Uint8Array([0x12, 0x00]))).toThrow(AbiError);
  });
});
