import { describe, expect, it } from "vitest";
import {
  abiRegistry,
  AbiFrameSchema,
  AbiReplySchema,
  ActrIdSchema,
  codeTableOf,
  encodedMessageOf,
  GuestHandleV1Schema,
  GuestHookV1Schema,
  GuestLifecycleV1Schema,
  HostCallV1Schema,
  messageSchema,
  messageSchemas,
  PeerEventV1Schema,
  RpcEnvelopeSchema,
} from "../src/index.js";

describe("messageSchema", () => {
  it("finds messages by bare and by full name", () => {
    expect(messageSchema("ActrId")).toBe(ActrIdSchema);
    expect(messageSchema("actr.ActrId")).toBe(ActrIdSchema);
    expect(messageSchema("actr.dynclib.v1.AbiFrame")).toBe(AbiFrameSchema);
    expect(messageSchema("Nope")).toBeUndefined();
    expect(messageSchema("actr.AbiFrame")).toBeUndefined();
    expect(messageSchema("bogus.pkg.ActrId")).toBeUndefined();
  });

  it("lists the 27 messages under their spec names, and the registry knows them all", () => {
    expect(messageSchemas.size).toBe(27);
    for (const [name, desc] of messageSchemas) {
      expect(desc.name).toBe(name);
      expect(abiRegistry.getMessage(desc.typeName)).toBe(desc);
    }
  });
});

describe("field options read from the schema", () => {
  it("code_table names the enum of each integer code field", () => {
    const tables = [
      [AbiFrameSchema.field.abiVersion, "actr.dynclib.v1.Version"],
      [AbiFrameSchema.field.op, "actr.dynclib.v1.Op"],
      [AbiReplySchema.field.abiVersion, "actr.dynclib.v1.Version"],
      [AbiReplySchema.field.status, "actr.dynclib.v1.Code"],
      [GuestLifecycleV1Schema.field.hook, "actr.dynclib.v1.LifecycleHook"],
      [GuestHookV1Schema.field.hook, "actr.dynclib.v1.RuntimeHook"],
      [PeerEventV1Schema.field.status, "actr.dynclib.v1.WebrtcPeerStatus"],
    ] as const;
    for (const [field, enumName] of tables) expect(codeTableOf(field)?.typeName).toBe(enumName);
    expect(codeTableOf(AbiFrameSchema.field.payload)).toBeUndefined();
    expect(codeTableOf(HostCallV1Schema.field.routeKey)).toBeUndefined();
  });

  it("encoded_message names the message a bytes field holds", () => {
    expect(encodedMessageOf(GuestHandleV1Schema.field.rpcEnvelope)).toBe(RpcEnvelopeSchema);
    expect(encodedMessageOf(HostCallV1Schema.field.payload)).toBeUndefined();
  });
});
