import { create, isFieldSet } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  AbiFrameSchema,
  ActrError,
  actrId,
  code,
  dataStream,
  decodeFrame,
  decodeHostOperation,
  decodePayload,
  decodeReply,
  destToV1,
  encodeFrame,
  encodeGuestDataStreamRequest,
  encodeGuestHandleRequest,
  encodeGuestHookRequest,
  encodeGuestLifecycleRequest,
  encodeHostReply,
  encodeMessage,
  GuestDataStreamV1Schema,
  GuestHandleV1Schema,
  type GuestHookEvent,
  GuestHookV1Schema,
  GuestLifecycleV1Schema,
  HostCallRawV1Schema,
  HostCallV1Schema,
  HostDiscoverV1Schema,
  HostRegisterStreamV1Schema,
  HostSendDataStreamV1Schema,
  HostTellV1Schema,
  HostUnregisterStreamV1Schema,
  invocationContext,
  lifecycleHook,
  op,
  PayloadType,
  PeerEventV1Schema,
  RpcEnvelopeSchema,
  runtimeHook,
  validateHostOperation,
} from "../src/index.js";
import { abiErrorOf } from "./support/thrown.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const self = actrId({ realm: 1, serialNumber: 10n, type: { manufacturer: "acme", name: "guest", version: "1" } });
const peer = actrId({ realm: 1, serialNumber: 11n, type: { manufacturer: "acme", name: "peer", version: "1" } });
const ctx = invocationContext({ selfId: self, callerId: peer, requestId: "req-1" });


describe("decodeHostOperation", () => {
  const cases = [
    ["call", HostCallV1Schema, create(HostCallV1Schema, { routeKey: "a.B.C", dest: destToV1({ kind: "shell" }), payload: new Uint8Array([1]) })],
    ["tell", HostTellV1Schema, create(HostTellV1Schema, { routeKey: "a.B.C", dest: destToV1({ kind: "actor", id: peer }) })],
    ["callRaw", HostCallRawV1Schema, create(HostCallRawV1Schema, { routeKey: "a.B.C", target: peer })],
    ["discover", HostDiscoverV1Schema, create(HostDiscoverV1Schema, { targetType: peer.type })],
    ["registerStream", HostRegisterStreamV1Schema, create(HostRegisterStreamV1Schema, { streamId: "s" })],
    ["unregisterStream", HostUnregisterStreamV1Schema, create(HostUnregisterStreamV1Schema, { streamId: "s" })],
    [
      "sendDataStream",
      HostSendDataStreamV1Schema,
      create(HostSendDataStreamV1Schema, {
        dest: destToV1({ kind: "local" }),
        chunk: dataStream({ streamId: "s", sequence: 1, payload: new Uint8Array([9]) }),
        payloadType: 2,
      }),
    ],
  ] as const;

  // The op numbers of the wire contract (docs/abi.md section 2), written out.
  const opOf: Record<(typeof cases)[number][0], number> = {
    call: 1,
    tell: 2,
    callRaw: 3,
    discover: 4,
    registerStream: 5,
    unregisterStream: 6,
    sendDataStream: 7,
  };
  for (const [kind, schema, payload] of cases) {
    it(`${kind}: decodes the ${schema.name} payload`, () => {
      const operation = decodeHostOperation(encodeFrame(schema, payload as never));
      expect(operation.kind).toBe(kind);
      expect(operation.payload).toEqual(payload);
      expect(operation.op).toBe(opOf[kind]);
    });
  }

  it("narrows the payload type by kind", () => {
    const operation = decodeHostOperation(encodeFrame(HostCallV1Schema, cases[0][2]));
    if (operation.kind !== "call") throw new Error("expected a call");
    expect(operation.payload.routeKey).toBe("a.B.C");
  });

  it("abi_version other than 1 → PROTOCOL_ERROR", () => {
    for (const abiVersion of [0, 2]) {
      const frame = create(AbiFrameSchema, { abiVersion, op: op.HOST_CALL });
      const err = abiErrorOf(() => decodeHostOperation(encodeMessage(AbiFrameSchema, frame)));
      expect(err.status).toBe(code.PROTOCOL_ERROR);
      expect(err.message).toBe(`unsupported abi_version ${abiVersion} (expected 1)`);
    }
  });

  it("an op that is not a HOST_* op → UNSUPPORTED_OP", () => {
    const expected: [number, string][] = [
      [0, "op 0 is not a host operation"],
      [8, "op 8 is not a host operation"],
      [101, "op 101 (GUEST_HANDLE) is not a host operation"],
      [104, "op 104 (GUEST_HOOK) is not a host operation"],
      [4294967295, "op 4294967295 is not a host operation"],
    ];
    for (const [value, message] of expected) {
      const frame = create(AbiFrameSchema, { abiVersion: 1, op: value });
      const err = abiErrorOf(() => decodeHostOperation(encodeMessage(AbiFrameSchema, frame)));
      expect(err.status).toBe(code.UNSUPPORTED_OP);
      expect(err.message).toBe(message);
      expect(err.field).toBe("op");
    }
  });

  it("a payload error's offset counts from the start of the frame", () => {
    // HOST_REGISTER_STREAM whose stream_id is not UTF-8; the bad byte is the frame's 9th (offset 8).
    const err = abiErrorOf(() => decodeHostOperation(new Uint8Array(Buffer.from("080110051a030a01ff", "hex"))));
    expect(err.offset).toBe(8);
    expect(err.message).toBe(
      "cannot decode actr.dynclib.v1.HostRegisterStreamV1: field stream_id: string is not valid UTF-8 at byte 8 (in AbiFrame.payload, which starts at byte 6)",
    );
  });

  it("a frame or payload that does not decode → PROTOCOL_ERROR", () => {
    expect(abiErrorOf(() => decodeHostOperation(new Uint8Array([0x12, 0x00]))).status).toBe(code.PROTOCOL_ERROR);
    const badPayload = create(AbiFrameSchema, { abiVersion: 1, op: op.HOST_CALL, payload: new Uint8Array([0x12, 0x05]) });
    const err = abiErrorOf(() => decodeHostOperation(encodeMessage(AbiFrameSchema, badPayload)));
    expect(err.status).toBe(code.PROTOCOL_ERROR);
    expect(err.messageName).toBe("actr.dynclib.v1.HostCallV1");
  });
});

describe("validateHostOperation", () => {
  const operationOf = (schema: Parameters<typeof encodeFrame>[0], payload: Parameters<typeof encodeFrame>[1]) =>
    decodeHostOperation(encodeFrame(schema, payload));
  const chunk = dataStream({ streamId: "s", sequence: 1, payload: new Uint8Array() });

  it("accepts a well-formed operation", () => {
    expect(validateHostOperation(operationOf(HostCallV1Schema, create(HostCallV1Schema, { dest: destToV1({ kind: "local" }) })))).toBeUndefined();
    expect(validateHostOperation(operationOf(HostRegisterStreamV1Schema, create(HostRegisterStreamV1Schema)))).toBeUndefined();
    for (const payloadType of [PayloadType.STREAM_RELIABLE, PayloadType.STREAM_LATENCY_FIRST]) {
      const send = create(HostSendDataStreamV1Schema, { dest: destToV1({ kind: "shell" }), chunk, payloadType });
      expect(validateHostOperation(operationOf(HostSendDataStreamV1Schema, send))).toBeUndefined();
    }
  });

  it("a destination without a kind → DecodeFailure, answered with PROTOCOL_ERROR", () => {
    for (const schema of [HostCallV1Schema, HostTellV1Schema] as const) {
      const err = validateHostOperation(operationOf(schema, create(schema)));
      expect(err?.message).toBe("decode failure: destination kind is missing");
      expect(decodeReply(encodeHostReply({ error: err! })).status).toBe(code.PROTOCOL_ERROR);
    }
  });

  it("a data stream sent as anything but STREAM_RELIABLE or STREAM_LATENCY_FIRST → InvalidArgument (PROTOCOL_ERROR)", () => {
    for (const payloadType of [PayloadType.RPC_RELIABLE, PayloadType.RPC_SIGNAL, PayloadType.MEDIA_RTP, 99]) {
      const send = create(HostSendDataStreamV1Schema, { dest: destToV1({ kind: "shell" }), chunk, payloadType });
      const err = validateHostOperation(operationOf(HostSendDataStreamV1Schema, send));
      expect(err?.variant).toBe("InvalidArgument");
      expect(err?.message).toMatch(new RegExp(`^invalid argument: payload type ${payloadType}`));
      expect(decodeReply(encodeHostReply({ error: err! })).status).toBe(code.PROTOCOL_ERROR);
    }
  });
});

describe("encodeHostReply", () => {
  it("refuses a failure with status SUCCESS", () => {
    expect(() => encodeHostReply({ status: 0 })).toThrow(/non-zero status/);
  });

  it("bytes → SUCCESS with the bytes", () => {
    const reply = decodeReply(encodeHostReply({ bytes: new Uint8Array([7]) }));
    expect([reply.abiVersion, reply.status, hex(reply.payload)]).toEqual([1, 0, "07"]);
  });

  it("done → SUCCESS with an empty payload", () => {
    expect(hex(encodeHostReply({ done: true }))).toBe("0801");
  });

  it("status → that status with an empty payload", () => {
    const reply = decodeReply(encodeHostReply({ status: code.PROTOCOL_ERROR }));
    expect([reply.status, reply.payload.length]).toEqual([-5, 0]);
  });

  it("an ActrError → its host status (PROTOCOL_ERROR for DecodeFailure/InvalidArgument, else GENERIC_ERROR)", () => {
    expect(decodeReply(encodeHostReply({ error: ActrError.invalidArgument("x") })).status).toBe(code.PROTOCOL_ERROR);
    expect(decodeReply(encodeHostReply({ error: ActrError.timedOut() })).status).toBe(code.GENERIC_ERROR);
  });
});

describe("guest-bound requests", () => {
  it("GUEST_HANDLE carries the context and the envelope bytes", () => {
    const envelope = create(RpcEnvelopeSchema, { routeKey: "echo.Echo.Say", requestId: "req-1", timeoutMs: 1000n });
    const envelopeBytes = encodeMessage(RpcEnvelopeSchema, envelope);
    const frame = decodeFrame(encodeGuestHandleRequest(envelopeBytes, ctx));
    expect(frame.op).toBe(op.GUEST_HANDLE);
    const payload = decodePayload(GuestHandleV1Schema, frame);
    expect(payload.ctx).toEqual(ctx);
    expect(hex(payload.rpcEnvelope)).toBe(hex(envelopeBytes));
    // The envelope message itself gives the same frame.
    expect(hex(encodeGuestHandleRequest(envelope, ctx))).toBe(hex(encodeGuestHandleRequest(envelopeBytes, ctx)));
  });

  it("GUEST_DATA_STREAM carries the chunk and the sender", () => {
    const chunk = dataStream({ streamId: "s", sequence: 3, payload: new Uint8Array(100).fill(1) });
    const frame = decodeFrame(encodeGuestDataStreamRequest(chunk, peer));
    expect(frame.op).toBe(op.GUEST_DATA_STREAM);
    expect(decodePayload(GuestDataStreamV1Schema, frame)).toEqual(create(GuestDataStreamV1Schema, { chunk, sender: peer }));
  });

  it("GUEST_LIFECYCLE carries the hook id", () => {
    const lifecycleCtx = invocationContext({ selfId: self, requestId: "lifecycle:on_ready" });
    const frame = decodeFrame(encodeGuestLifecycleRequest(lifecycleHook.ON_READY, lifecycleCtx));
    expect(frame.op).toBe(op.GUEST_LIFECYCLE);
    const payload = decodePayload(GuestLifecycleV1Schema, frame);
    expect([payload.hook, payload.ctx?.requestId, payload.ctx?.callerId]).toEqual([2, "lifecycle:on_ready", undefined]);
  });

  const hookRows: [GuestHookEvent, number, "peer" | "credential" | "backpressure" | undefined][] = [
    [{ hook: "signalingConnecting" }, runtimeHook.ON_SIGNALING_CONNECTING, undefined],
    [{ hook: "signalingConnected" }, runtimeHook.ON_SIGNALING_CONNECTED, undefined],
    [{ hook: "signalingDisconnected" }, runtimeHook.ON_SIGNALING_DISCONNECTED, undefined],
    [{ hook: "websocketConnecting", peer }, runtimeHook.ON_WEBSOCKET_CONNECTING, "peer"],
    [{ hook: "websocketConnected", peer, relayed: false }, runtimeHook.ON_WEBSOCKET_CONNECTED, "peer"],
    [{ hook: "websocketDisconnected", peer }, runtimeHook.ON_WEBSOCKET_DISCONNECTED, "peer"],
    [{ hook: "webrtcConnecting", peer, status: 1 }, runtimeHook.ON_WEBRTC_CONNECTING, "peer"],
    [{ hook: "webrtcConnected", peer, relayed: true, status: 2 }, runtimeHook.ON_WEBRTC_CONNECTED, "peer"],
    [{ hook: "webrtcDisconnected", peer, status: 0 }, runtimeHook.ON_WEBRTC_DISCONNECTED, "peer"],
    [{ hook: "credentialRenewed", newExpiry: new Date(1_700_000_000_000) }, runtimeHook.ON_CREDENTIAL_RENEWED, "credential"],
    [{ hook: "credentialExpiring", newExpiry: { seconds: 5n, nanos: 6 } }, runtimeHook.ON_CREDENTIAL_EXPIRING, "credential"],
    [{ hook: "mailboxBackpressure", queueLen: 100, threshold: 64n }, runtimeHook.ON_MAILBOX_BACKPRESSURE, "backpressure"],
  ];
  for (const [event, id, field] of hookRows) {
    it(`GUEST_HOOK ${event.hook} → hook ${id} with ${field ?? "no event payload"}`, () => {
      const frame = decodeFrame(encodeGuestHookRequest(event, ctx));
      expect(frame.op).toBe(op.GUEST_HOOK);
      const payload = decodePayload(GuestHookV1Schema, frame);
      expect(payload.hook).toBe(id);
      const set = (["peer", "credential", "backpressure"] as const).filter((f) => payload[f] !== undefined);
      expect(set).toEqual(field === undefined ? [] : [field]);
    });
  }

  it("GUEST_HOOK writes the peer event's explicit fields only when given", () => {
    const relayedFalse = decodePayload(GuestHookV1Schema, decodeFrame(encodeGuestHookRequest({ hook: "websocketConnected", peer, relayed: false }, ctx)));
    expect(relayedFalse.peer?.relayed).toBe(false);
    expect(isFieldSet(relayedFalse.peer!, PeerEventV1Schema.field.relayed)).toBe(true);
    expect(isFieldSet(relayedFalse.peer!, PeerEventV1Schema.field.status)).toBe(false);
    const idle = decodePayload(GuestHookV1Schema, decodeFrame(encodeGuestHookRequest({ hook: "webrtcDisconnected", peer, status: 0 }, ctx)));
    expect(idle.peer?.status).toBe(0);
    expect(isFieldSet(idle.peer!, PeerEventV1Schema.field.status)).toBe(true);
    expect(isFieldSet(idle.peer!, PeerEventV1Schema.field.relayed)).toBe(false);
  });

  it("GUEST_HOOK keeps credential nanoseconds and backpressure 64-bit values exactly", () => {
    const credential = decodePayload(
      GuestHookV1Schema,
      decodeFrame(encodeGuestHookRequest({ hook: "credentialExpiring", newExpiry: { seconds: 5n, nanos: 6 } }, ctx)),
    );
    expect([credential.credential?.newExpiry?.seconds, credential.credential?.newExpiry?.nanoseconds]).toEqual([5n, 6]);
    const backpressure = decodePayload(
      GuestHookV1Schema,
      decodeFrame(encodeGuestHookRequest({ hook: "mailboxBackpressure", queueLen: 2n ** 64n - 1n, threshold: 0 }, ctx)),
    );
    expect(backpressure.backpressure?.queueLen).toBe(2n ** 64n - 1n);
  });

  it("GUEST_LIFECYCLE refuses a hook id outside the table", () => {
    const err = abiErrorOf(() => encodeGuestLifecycleRequest(99, invocationContext({ selfId: self })));
    expect([err.status, err.message]).toEqual([code.UNSUPPORTED_OP, "unknown lifecycle hook 99"]);
  });

  it("GUEST_HOOK refuses an unknown hook or a missing event payload", () => {
    expect(abiErrorOf(() => encodeGuestHookRequest({ hook: "credentialRenewed", newExpiry: 5 } as never, ctx)).message).toMatch(
      /needs `newExpiry`/,
    );
    expect(abiErrorOf(() => encodeGuestHookRequest({ hook: "nope" } as unknown as GuestHookEvent, ctx)).message).toBe(
      'unknown runtime hook "nope"',
    );
    const missing = abiErrorOf(() => encodeGuestHookRequest({ hook: "webrtcConnected" } as unknown as GuestHookEvent, ctx));
    expect(missing.status).toBe(code.PROTOCOL_ERROR);
    expect(missing.message).toBe("hook webrtcConnected needs `peer` for its peer payload");
    expect(() => encodeGuestHookRequest({ hook: "mailboxBackpressure", queueLen: -1, threshold: 1 }, ctx)).toThrow(ActrError);
  });
});
