// The all-zero value of each of the 27 messages encodes to the bytes prost
// writes for its Default: implicit fields omitted, explicit fields omitted when
// unset, required fields always written (a message as a zero-length or
// default-filled submessage). Each expectation is derived by hand from the
// presence column of spec sections 3 and 5; test/vectors checks them against
// prost itself.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { encodeMessage, messageSchemas } from "../../src/index.js";

const realm = "0a020800"; // realm: Realm { realm_id: 0 } (required)
const serial = "1000"; // serial_number: 0 (required)
const type = "1a060a0012001a00"; // type: ActrType { "", "", "" } (required)
const actrId = realm + serial + type; // 14 bytes
const ctx = "0a0e" + actrId; // InvocationContextV1: self_id required, caller_id absent, request_id implicit
const dataStream = "0a0010001a00"; // stream_id, sequence, payload required; metadata empty; timestamp_ms unset

const expected: Record<string, string> = {
  Realm: "0800",
  ActrType: "0a0012001a00",
  ActrId: actrId,
  MetadataEntry: "0a001200",
  DataStream: dataStream,
  ErrorResponse: "08001200",
  RpcEnvelope: "0a00" + "b20600" + "c00600", // route_key (1), request_id (102), timeout_ms (104)
  InitPayloadV1: "",
  AbiFrame: "",
  AbiReply: "",
  InvocationContextV1: ctx,
  GuestHandleV1: "0a10" + ctx,
  GuestDataStreamV1: "0a06" + dataStream + "120e" + actrId,
  GuestLifecycleV1: "0a10" + ctx,
  TimestampV1: "",
  PeerEventV1: "0a0e" + actrId,
  CredentialEventV1: "0a00",
  BackpressureEventV1: "",
  GuestHookV1: "0a10" + ctx,
  DestV1: "",
  HostCallV1: "1200",
  HostTellV1: "1200",
  HostCallRawV1: "120e" + actrId,
  HostDiscoverV1: "0a060a0012001a00",
  HostRegisterStreamV1: "",
  HostUnregisterStreamV1: "",
  HostSendDataStreamV1: "0a00" + "1206" + dataStream,
};

describe("all-zero values", () => {
  it("covers the 27 messages of the spec", () => {
    expect([...messageSchemas.keys()].sort()).toEqual(Object.keys(expected).sort());
    expect(messageSchemas.size).toBe(27);
  });

  for (const [name, hex] of Object.entries(expected)) {
    it(`${name} encodes like prost's Default`, () => {
      const schema = messageSchemas.get(name)!;
      expect(Buffer.from(encodeMessage(schema, create(schema))).toString("hex")).toBe(hex);
    });
  }
});
