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
  hostOperationKinds,
  hostResultForm,
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
import { abiErrorOf, thrown } from "./support/thrown.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const self = actrId({ realm: 1, serialNumber: 10n, type: { manufacturer: "acme", name: "guest", version: "1" } });
const peer = actrId({ realm: 1, serialNumber: 11n, type: { manufacturer: "acme", name: "peer", version: "1" } });
const ctx = invocationContext({ selfId: self, callerId: peer, requestId: "req-1" });

describe("decodeHostOperation", () => {
  const cases = [
    [
      "call",
      HostCallV1Schema,
      create(HostCallV1Schema, { routeKey: "a.B.C", dest: destToV1({ kind: "shell" }), payload: new Uint8Array([1]) }),
    ],
    [
      "tell",
      HostTellV1Schema,
      create(HostTellV1Schema, { routeKey: "a.B.C", dest: destToV1({ kind: "actor", id: peer }) }),
    ],
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

  // docs/abi.md section 2, written out rather than read from the code under test.
  const expectedOps = {
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
      expect(operation.op).toBe(expectedOps[kind]);
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
    const rows: [number, string][] = [
      [0, "op 0 is not a host operation"],
      [8, "op 8 is not a host operation"],
      [101, "op 101 (GUEST_HANDLE) is not a host operation"],
      [104, "op 104 (GUEST_HOOK) is not a host operation"],
      [4294967295, "op 4294967295 is not a host operation"],
    ];
    for (const [value, message] of rows) {
      const frame = create(AbiFrameSchema, { abiVersion: 1, op: value });
      const err = abiErrorOf(() => decodeHostOperation(encodeMessage(AbiFrameSchema, frame)));
      expect([err.status, err.message, err.messageName, err.field]).toEqual([
        code.UNSUPPORTED_OP,
        message,
        "actr.dynclib.v1.AbiFrame",
        "op",
      ]);
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

  it("bytes that are not a Uint8Array are the caller's mistake, named", () => {
    expect(() => decodeHostOperation(null as never)).toThrow(
      new TypeError("decodeHostOperation: frameBytes must be a Uint8Array, got null"),
    );
    expect(() => decodeHostOperation(new Proxy(new Uint8Array([8, 1]), {}))).toThrow(
      /decodeHostOperation: frameBytes must be a Uint8Array/,
    );
    // A Buffer or an offset view is a Uint8Array: decoded like any other.
    const frame = encodeFrame(HostRegisterStreamV1Schema, create(HostRegisterStreamV1Schema, { streamId: "s" }));
    const padded = new Uint8Array(frame.length + 3);
    padded.set(frame, 3);
    expect(decodeHostOperation(Buffer.from(frame)).kind).toBe("registerStream");
    expect(decodeHostOperation(padded.subarray(3)).kind).toBe("registerStream");
  });

  it("a frame or payload that does not decode → PROTOCOL_ERROR", () => {
    expect(abiErrorOf(() => decodeHostOperation(new Uint8Array([0x12, 0x00]))).status).toBe(code.PROTOCOL_ERROR);
    const badPayload = create(AbiFrameSchema, {
      abiVersion: 1,
      op: op.HOST_CALL,
      payload: new Uint8Array([0x12, 0x05]),
    });
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
    expect(
      validateHostOperation(
        operationOf(HostCallV1Schema, create(HostCallV1Schema, { dest: destToV1({ kind: "local" }) })),
      ),
    ).toBeUndefined();
    expect(
      validateHostOperation(operationOf(HostRegisterStreamV1Schema, create(HostRegisterStreamV1Schema))),
    ).toBeUndefined();
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
      expect(err?.code).toBe("InvalidArgument");
      expect(err?.message).toMatch(new RegExp(`^invalid argument: payload type ${payloadType}`));
      expect(decodeReply(encodeHostReply({ error: err! })).status).toBe(code.PROTOCOL_ERROR);
    }
  });
});

describe("validateHostOperation's argument", () => {
  it("must be a decoded host operation", () => {
    expect(() => validateHostOperation(null as never)).toThrow(
      new TypeError("validateHostOperation: operation must be an object, got null"),
    );
    expect(() => validateHostOperation({ kind: "bogus" } as never)).toThrow(
      /^validateHostOperation: operation.kind must be a HostOperation kind \(from decodeHostOperation\), got string "bogus"$/,
    );
    expect(() => validateHostOperation({ kind: "call", op: 1, payload: {} } as never)).toThrow(
      new TypeError(
        "validateHostOperation: operation.payload must be an actr.dynclib.v1.HostCallV1 message, got an object",
      ),
    );
  });
});

describe("encodeHostReply", () => {
  it("refuses a failure with status SUCCESS", () => {
    expect(() => encodeHostReply({ status: 0 })).toThrow(
      new RangeError("encodeHostReply: result.status must be a failure status, not SUCCESS (0); use { done: true }"),
    );
  });

  it("accepts exactly one valid form: anything else is an error saying what was expected", () => {
    const expected =
      "exactly one of { bytes: Uint8Array }, { done: true }, { status: a non-zero int32 } or { error: ActrError }";
    const rows: [unknown, string | RegExp][] = [
      [{}, `encodeHostReply: result must have ${expected}; got none of them`],
      [{ done: true, status: -1 }, `encodeHostReply: result must have ${expected}; got done and status`],
      [
        { bytes: new Uint8Array(), error: ActrError.timedOut() },
        `encodeHostReply: result must have ${expected}; got bytes and error`,
      ],
      [{ status: undefined }, "encodeHostReply: result.status must be an integer number, got undefined"],
      [{ status: null }, "encodeHostReply: result.status must be an integer number, got null"],
      [{ status: 1.5 }, "encodeHostReply: result.status must be an integer number, got number 1.5"],
      [
        { status: 2 ** 31 },
        "encodeHostReply: result.status must be within int32 (-2147483648..2147483647), got 2147483648",
      ],
      [
        { done: false },
        "encodeHostReply: result.done must be true (a failure is { status } or { error }), got a boolean",
      ],
      [{ error: undefined }, "encodeHostReply: result.error must be an ActrError, got undefined"],
      [{ error: new Error("x") }, "encodeHostReply: result.error must be an ActrError, got an object of class Error"],
      [{ bytes: [1] }, "encodeHostReply: result.bytes must be a Uint8Array, got an Array"],
      [
        { bytes: new Proxy(new Uint8Array([1]), {}) },
        "encodeHostReply: result.bytes must be a Uint8Array, got an object of class Uint8Array",
      ],
      [null, "encodeHostReply: result must be an object, got null"],
    ];
    for (const [result, message] of rows) {
      expect(() => encodeHostReply(result as never), JSON.stringify(result)).toThrow(message);
    }
  });

  it("hostResultForm tells the four forms apart", () => {
    expect(hostResultForm({ bytes: new Uint8Array() })).toBe("bytes");
    expect(hostResultForm({ done: true })).toBe("done");
    expect(hostResultForm({ status: code.GENERIC_ERROR })).toBe("status");
    expect(hostResultForm({ error: ActrError.timedOut() })).toBe("error");
    expect(() => hostResultForm({ status: 0 })).toThrow(/^hostResultForm: result.status must be a failure status/);
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

  it("GUEST_HANDLE encodes an envelope message in place, byte for byte as its encoding would be carried", () => {
    const envelopes = [
      create(RpcEnvelopeSchema), // encodes to nothing: the field is left out, as empty bytes are
      create(RpcEnvelopeSchema, { routeKey: "é.Ünïcode.路由", requestId: "r" }),
      create(RpcEnvelopeSchema, { routeKey: "big", payload: new Uint8Array(300).fill(7), timeoutMs: 2n ** 40n }), // a 2-byte length
      create(RpcEnvelopeSchema, { routeKey: "huge", payload: new Uint8Array(20_000).fill(1) }), // beyond the pooled sizes
    ];
    for (const envelope of envelopes) {
      const envelopeBytes = encodeMessage(RpcEnvelopeSchema, envelope);
      const inPlace = encodeGuestHandleRequest(envelope, ctx);
      expect(hex(inPlace)).toBe(hex(encodeGuestHandleRequest(envelopeBytes, ctx)));
      expect(hex(decodePayload(GuestHandleV1Schema, decodeFrame(inPlace)).rpcEnvelope)).toBe(hex(envelopeBytes));
    }
    const wrong = { ...create(RpcEnvelopeSchema), routeKey: 7 } as never;
    expect(() => encodeGuestHandleRequest(wrong, ctx)).toThrow(
      "cannot encode actr.RpcEnvelope: field route_key: expected a string, got number 7",
    );
  });

  it("GUEST_DATA_STREAM carries the chunk and the sender", () => {
    const chunk = dataStream({ streamId: "s", sequence: 3, payload: new Uint8Array(100).fill(1) });
    const frame = decodeFrame(encodeGuestDataStreamRequest(chunk, peer));
    expect(frame.op).toBe(op.GUEST_DATA_STREAM);
    expect(decodePayload(GuestDataStreamV1Schema, frame)).toEqual(
      create(GuestDataStreamV1Schema, { chunk, sender: peer }),
    );
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
    [
      { hook: "credentialRenewed", newExpiry: new Date(1_700_000_000_000) },
      runtimeHook.ON_CREDENTIAL_RENEWED,
      "credential",
    ],
    [
      { hook: "credentialExpiring", newExpiry: { seconds: 5n, nanos: 6 } },
      runtimeHook.ON_CREDENTIAL_EXPIRING,
      "credential",
    ],
    [
      { hook: "mailboxBackpressure", queueLen: 100, threshold: 64n },
      runtimeHook.ON_MAILBOX_BACKPRESSURE,
      "backpressure",
    ],
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
    const relayedFalse = decodePayload(
      GuestHookV1Schema,
      decodeFrame(encodeGuestHookRequest({ hook: "websocketConnected", peer, relayed: false }, ctx)),
    );
    expect(relayedFalse.peer?.relayed).toBe(false);
    expect(isFieldSet(relayedFalse.peer!, PeerEventV1Schema.field.relayed)).toBe(true);
    expect(isFieldSet(relayedFalse.peer!, PeerEventV1Schema.field.status)).toBe(false);
    const idle = decodePayload(
      GuestHookV1Schema,
      decodeFrame(encodeGuestHookRequest({ hook: "webrtcDisconnected", peer, status: 0 }, ctx)),
    );
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
    expect(() => encodeGuestLifecycleRequest(99, invocationContext({ selfId: self }))).toThrow(
      new RangeError("encodeGuestLifecycleRequest: hook must be a lifecycleHook value (1, 2, 3), got 99"),
    );
    expect(() => encodeGuestLifecycleRequest(1, null as never)).toThrow(
      new TypeError(
        "encodeGuestLifecycleRequest: ctx must be an actr.dynclib.v1.InvocationContextV1 message, got null",
      ),
    );
  });

  it("GUEST_HOOK refuses an unknown hook or a missing event payload, naming the field", () => {
    const hookError = (event: unknown) =>
      thrown(() => encodeGuestHookRequest(event as GuestHookEvent, ctx), TypeError).message;
    expect(hookError({ hook: "credentialRenewed", newExpiry: 5 })).toBe(
      "encodeGuestHookRequest: event.newExpiry (hook credentialRenewed carries a credential event) must be an object, got number 5",
    );
    expect(hookError({ hook: "credentialExpiring", newExpiry: null })).toBe(
      "encodeGuestHookRequest: event.newExpiry (hook credentialExpiring carries a credential event) must be an object, got null",
    );
    // A hook that is not a string, even one that reads as a hook's name or is its id, is no hook.
    expect(hookError({ hook: 8 })).toMatch(
      /^encodeGuestHookRequest: event.hook must be one of signalingConnecting, .*, got number 8$/,
    );
    expect(hookError({ hook: { toString: () => "webrtcConnected" } })).toMatch(/, got an object$/);
    expect(hookError({ hook: "nope" })).toMatch(
      /^encodeGuestHookRequest: event.hook must be one of signalingConnecting, .*mailboxBackpressure, got string "nope"$/,
    );
    expect(hookError({ hook: "webrtcConnected" })).toBe(
      "encodeGuestHookRequest: event.peer (hook webrtcConnected carries a peer event) must be an actr.ActrId message, got undefined",
    );
    expect(hookError({ hook: "mailboxBackpressure", threshold: 1 })).toBe(
      "encodeGuestHookRequest: event.queueLen must be a number or bigint, got undefined",
    );
    expect(hookError({ hook: "mailboxBackpressure", queueLen: 1 })).toBe(
      "encodeGuestHookRequest: event.threshold must be a number or bigint, got undefined",
    );
    expect(hookError({ hook: "webrtcConnected", peer, relayed: "yes" })).toBe(
      'encodeGuestHookRequest: event.relayed must be a boolean, got string "yes"',
    );
    expect(() => encodeGuestHookRequest({ hook: "mailboxBackpressure", queueLen: -1, threshold: 1 }, ctx)).toThrow(
      new RangeError("encodeGuestHookRequest: event.queueLen must be within uint64 (0..18446744073709551615), got -1"),
    );
    expect(() => encodeGuestHookRequest(null as never, ctx)).toThrow(
      new TypeError("encodeGuestHookRequest: event must be an object, got null"),
    );
  });

  it("guest requests name a wrong argument", () => {
    expect(() => encodeGuestHandleRequest(new Proxy(new Uint8Array(1), {}) as never, ctx)).toThrow(
      new TypeError(
        "encodeGuestHandleRequest: envelope must be a Uint8Array or an actr.RpcEnvelope message, got an object of class Uint8Array",
      ),
    );
    expect(() => encodeGuestHandleRequest(new Uint8Array(), {} as never)).toThrow(
      /encodeGuestHandleRequest: ctx must be/,
    );
    expect(() => encodeGuestDataStreamRequest(null as never, peer)).toThrow(
      /encodeGuestDataStreamRequest: chunk must be an actr.DataStream message, got null/,
    );
    // A Buffer envelope is a Uint8Array: same frame as the plain bytes.
    const bytes = encodeMessage(RpcEnvelopeSchema, create(RpcEnvelopeSchema, { routeKey: "a" }));
    expect(hex(encodeGuestHandleRequest(Buffer.from(bytes), ctx))).toBe(hex(encodeGuestHandleRequest(bytes, ctx)));
  });
});

describe("hostOperationKinds", () => {
  it("names the kind of each HOST_* op, in op order", () => {
    expect(hostOperationKinds).toEqual([
      "call",
      "tell",
      "callRaw",
      "discover",
      "registerStream",
      "unregisterStream",
      "sendDataStream",
    ]);
  });
});

describe("what the errors name", () => {
  const ctx = invocationContext({
    selfId: actrId({ realm: 1, serialNumber: 1n, type: { manufacturer: "a", name: "b", version: "1" } }),
  });

  it("a frame of another abi_version: AbiFrame.abi_version", () => {
    const frame = create(AbiFrameSchema, { abiVersion: 2, op: op.HOST_TELL });
    const err = abiErrorOf(() => decodeHostOperation(encodeMessage(AbiFrameSchema, frame)));
    expect([err.status, err.message, err.messageName, err.field]).toEqual([
      code.PROTOCOL_ERROR,
      "unsupported abi_version 2 (expected 1)",
      "actr.dynclib.v1.AbiFrame",
      "abi_version",
    ]);
  });

  it("a data-stream send's payload type, by name when the schema has one", () => {
    const chunk = dataStream({ streamId: "s", sequence: 1, payload: new Uint8Array() });
    const send = (payloadType: number) =>
      decodeHostOperation(
        encodeFrame(
          HostSendDataStreamV1Schema,
          create(HostSendDataStreamV1Schema, { dest: destToV1({ kind: "shell" }), chunk, payloadType }),
        ),
      );
    expect(validateHostOperation(send(PayloadType.MEDIA_RTP))?.message).toBe(
      "invalid argument: payload type 4 (MEDIA_RTP) cannot carry a data stream",
    );
    expect(validateHostOperation(send(99))?.message).toBe(
      "invalid argument: payload type 99 cannot carry a data stream",
    );
  });

  it("a call whose destination is absent altogether: DecodeFailure, not a TypeError", () => {
    const operation = decodeHostOperation(encodeFrame(HostCallV1Schema, create(HostCallV1Schema, { routeKey: "r" })));
    expect(validateHostOperation(operation)?.message).toBe("decode failure: destination kind is missing");
    // Built by hand rather than decoded: the required `dest` is not even an empty DestV1.
    const built = { kind: "call", op: op.HOST_CALL, payload: create(HostCallV1Schema, { routeKey: "r" }) } as const;
    expect(built.payload.dest).toBeUndefined();
    expect(validateHostOperation(built)?.message).toBe("decode failure: destination kind is missing");
  });

  it("the guest request builders name the function and the argument", () => {
    const chunk = dataStream({ streamId: "s", sequence: 1, payload: new Uint8Array() });
    expect(() => encodeGuestDataStreamRequest(chunk, null as never)).toThrow(
      new TypeError("encodeGuestDataStreamRequest: sender must be an actr.ActrId message, got null"),
    );
    expect(() => encodeGuestLifecycleRequest("1" as never, ctx)).toThrow(
      new TypeError('encodeGuestLifecycleRequest: hook must be a lifecycleHook value, got string "1"'),
    );
    expect(() => encodeGuestHookRequest({ hook: "signalingConnected" }, null as never)).toThrow(
      new TypeError("encodeGuestHookRequest: ctx must be an actr.dynclib.v1.InvocationContextV1 message, got null"),
    );
    const peer = ctx.selfId!;
    expect(() => encodeGuestHookRequest({ hook: "webrtcConnected", peer, status: "up" } as never, ctx)).toThrow(
      /^encodeGuestHookRequest: event\.status must be an integer number, got string "up"$/,
    );
  });
});
