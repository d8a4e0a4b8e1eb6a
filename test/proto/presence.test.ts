// Presence as the spec states it: explicit fields are written when set, even
// to zero; implicit fields are not; PayloadType is open.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  ActrIdSchema,
  decodeMessage,
  encodeMessage,
  HostSendDataStreamV1Schema,
  InvocationContextV1Schema,
  PeerEventV1Schema,
} from "../../src/index.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const actrIdZero = "0a02080010001a060a0012001a00";

describe("field presence", () => {
  it("PeerEventV1 with relayed = false writes the false (1000)", () => {
    const event = create(PeerEventV1Schema, { peer: create(ActrIdSchema), relayed: false });
    expect(hex(encodeMessage(PeerEventV1Schema, event))).toBe(`0a0e${actrIdZero}1000`);
  });

  it("PeerEventV1 with status = 0 (IDLE) writes the zero, and reads it back as set", () => {
    const bytes = encodeMessage(PeerEventV1Schema, create(PeerEventV1Schema, { status: 0 }));
    expect(hex(bytes)).toBe(`0a0e${actrIdZero}1800`);
    const back = decodeMessage(PeerEventV1Schema, bytes);
    expect(back.status).toBe(0);
    expect(Object.prototype.hasOwnProperty.call(back, "status")).toBe(true);
    expect(Object.prototype.hasOwnProperty.call(back, "relayed")).toBe(false);
  });

  it("InvocationContextV1 writes caller_id when set, even to a default ActrId", () => {
    const ctx = create(InvocationContextV1Schema, { callerId: create(ActrIdSchema) });
    expect(hex(encodeMessage(InvocationContextV1Schema, ctx))).toBe(`0a0e${actrIdZero}120e${actrIdZero}`);
  });

  it("PayloadType is open: any int32 survives a round trip", () => {
    for (const value of [5, 99, -1, 2147483647, -2147483648]) {
      const msg = create(HostSendDataStreamV1Schema, { payloadType: value });
      const back = decodeMessage(HostSendDataStreamV1Schema, encodeMessage(HostSendDataStreamV1Schema, msg));
      expect(back.payloadType).toBe(value);
    }
  });
});
