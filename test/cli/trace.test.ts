// The trace of `actr-abi run`: events -> human lines (decode's format) and NDJSON.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { formatMessage } from "../../src/cli/format.js";
import { messageToJson } from "../../src/cli/json.js";
import { buildExamples } from "../../scripts/examples.js";
import {
  formatDuration,
  formatTraceEvent,
  frameSubject,
  statusLabel,
  type TraceEvent,
  traceEventToJson,
} from "../../src/cli/trace.js";
import {
  AbiFrameSchema,
  ActrError,
  actrId,
  code,
  decodeFrame,
  encodeFrame,
  encodeGuestHandleRequest,
  encodeHostReply,
  encodeMessage,
  errorReply,
  HostCallRawV1Schema,
  InitPayloadV1Schema,
  invocationContext,
  RpcEnvelopeSchema,
  successReply,
} from "../../src/index.js";

const options = { bytesLimit: 32 };
const self = actrId({ realm: 1, serialNumber: 1, type: { manufacturer: "acme", name: "echo", version: "1" } });
const envelope = create(RpcEnvelopeSchema, {
  routeKey: "callRaw",
  payload: new TextEncoder().encode("hi"),
  requestId: "req-1",
  timeoutMs: 30000n,
});
const handleFrame = encodeGuestHandleRequest(envelope, invocationContext({ selfId: self, requestId: "req-1" }));
const invokeFrame = encodeFrame(
  HostCallRawV1Schema,
  create(HostCallRawV1Schema, { routeKey: "peer.Raw/Get", target: self, payload: new TextEncoder().encode("hi") }),
);
const decodeLines = (bytes: Uint8Array) =>
  formatMessage(AbiFrameSchema, decodeFrame(bytes), bytes, options).map((l) => `    ${l}`);

describe("formatTraceEvent", () => {
  it("shows a frame the host sends as actr-abi decode shows it, rpc_envelope decoded, under a heading", () => {
    const lines = formatTraceEvent({ event: "send", call: 1, schema: AbiFrameSchema, bytes: handleFrame }, options);
    expect(lines[0]).toBe('[1] host → guest  GUEST_HANDLE "callRaw"');
    expect(lines.slice(1)).toEqual(decodeLines(handleFrame));
    expect(lines).toContain('          route_key: "callRaw"');
  });

  it("shows actr_init with its InitPayloadV1", () => {
    const init = encodeMessage(InitPayloadV1Schema, create(InitPayloadV1Schema, { actrType: "acme:echo", realmId: 3 }));
    const lines = formatTraceEvent({ event: "send", call: 0, schema: InitPayloadV1Schema, bytes: init }, options);
    expect(lines).toEqual([
      "[0] host → guest  actr_init",
      "    actr.dynclib.v1.InitPayloadV1 (13 bytes)",
      "      version: 0",
      '      actr_type: "acme:echo"',
      "      credential: (empty)",
      "      actor_id: (empty)",
      "      realm_id: 3",
    ]);
  });

  it("shows the guest's invoke, and the host's answer with its status by name, rule and time", () => {
    expect(formatTraceEvent({ event: "invoke", call: 1, invoke: 2, bytes: invokeFrame }, options)[0]).toBe(
      '[1.2] guest → host  HOST_CALL_RAW "peer.Raw/Get"',
    );
    const answered = formatTraceEvent(
      {
        event: "answer",
        call: 1,
        invoke: 2,
        reply: successReply(new Uint8Array([0xff, 0x00])),
        rule: 3,
        note: undefined,
        durationNs: 4_200n,
      },
      options,
    );
    expect(answered).toEqual([
      "[1.2] host → guest  reply SUCCESS (0), rule 3, 4 µs",
      "    actr.dynclib.v1.AbiReply (6 bytes)",
      "      abi_version: 1 (V1)",
      "      status: 0 (SUCCESS)",
      "      payload: ff00 (2 bytes)",
    ]);
    const unanswered = formatTraceEvent(
      {
        event: "answer",
        call: 1,
        invoke: 1,
        reply: encodeHostReply({ status: code.UNSUPPORTED_OP }),
        rule: undefined,
        note: "no rule matches, so the host answers UNSUPPORTED_OP",
        durationNs: 2_000n,
      },
      options,
    );
    expect(unanswered[0]).toBe(
      "[1.1] host → guest  reply UNSUPPORTED_OP (-7), 2 µs (no rule matches, so the host answers UNSUPPORTED_OP)",
    );
  });

  it("shows how a call returned: a reply, an ActrError, or actr_handle's code", () => {
    const reply = errorReply(code.HANDLE_FAILED, "not found: x");
    const lines = formatTraceEvent(
      { event: "return", call: 2, durationNs: 1_500_000n, hostNs: 0n, outcome: { reply } },
      options,
    );
    expect(lines[0]).toBe("[2] guest → host  reply HANDLE_FAILED (-3), 1.50 ms");
    expect(lines).toContain('      payload: "not found: x" (12 bytes, UTF-8 text)');
    const failed = formatTraceEvent(
      {
        event: "return",
        call: 2,
        durationNs: 90_000n,
        hostNs: 0n,
        outcome: { error: ActrError.internal("not found: x") },
      },
      options,
    );
    expect(failed).toEqual(["[2] guest → host  failed: ActrError Internal: internal error: not found: x, 90 µs"]);
    const code5 = formatTraceEvent(
      { event: "return", call: 3, durationNs: 1_000n, hostNs: 0n, outcome: { status: code.PROTOCOL_ERROR } },
      options,
    );
    expect(code5).toEqual(["[3] guest → host  actr_handle returned PROTOCOL_ERROR (-5), 1 µs"]);
    const answered = formatTraceEvent(
      { event: "return", call: 1, durationNs: 3_000_000n, hostNs: 2_500_000n, outcome: { reply: successReply() } },
      options,
    );
    expect(answered[0]).toBe("[1] guest → host  reply SUCCESS (0), 3.00 ms (2.50 ms of it answering invokes)");
    const refused = formatTraceEvent(
      { event: "hostError", call: 2, invoke: 1, status: -5, message: "cannot decode actr.dynclib.v1.AbiFrame" },
      options,
    );
    expect(refused).toEqual([
      "[2.1] guest → host  invoke refused by the host with PROTOCOL_ERROR (-5): cannot decode actr.dynclib.v1.AbiFrame",
    ]);
    expect(
      formatTraceEvent({ event: "hostError", call: 2, invoke: 1, status: undefined, message: "m" }, options),
    ).toEqual(["[2.1] guest → host  invoke refused by the host: m"]);
    expect(traceEventToJson({ event: "hostError", call: 2, invoke: 1, status: -7, message: "m" })).toEqual({
      event: "hostError",
      call: 2,
      invoke: 1,
      direction: "guest → host",
      status: -7,
      statusName: "UNSUPPORTED_OP",
      message: "m",
    });
    const init = formatTraceEvent(
      { event: "return", call: 0, durationNs: 1_000n, hostNs: 0n, outcome: { status: code.INIT_FAILED } },
      options,
    );
    expect(init).toEqual(["[0] guest → host  actr_init returned INIT_FAILED (-2), 1 µs"]);
    const described = formatTraceEvent(
      {
        event: "return",
        call: 1,
        durationNs: 1_000n,
        hostNs: 0n,
        outcome: { status: code.PROTOCOL_ERROR, message: "the reply is not an AbiReply" },
      },
      options,
    );
    expect(described).toEqual(["[1] guest → host  the reply is not an AbiReply, 1 µs"]);
  });
});

describe("traceEventToJson", () => {
  it("gives each event its direction, op, frame as decode --json shows it, status and time", () => {
    const send = traceEventToJson({ event: "send", call: 1, schema: AbiFrameSchema, bytes: handleFrame });
    expect(send).toEqual({
      event: "send",
      call: 1,
      direction: "host → guest",
      op: "GUEST_HANDLE",
      frame: messageToJson(AbiFrameSchema, decodeFrame(handleFrame), handleFrame),
    });
    expect(JSON.stringify(send)).toContain('"routeKey":"callRaw"');
    const invoke = traceEventToJson({ event: "invoke", call: 1, invoke: 1, bytes: invokeFrame });
    expect(invoke).toMatchObject({
      event: "invoke",
      call: 1,
      invoke: 1,
      direction: "guest → host",
      op: "HOST_CALL_RAW",
    });
    const answer = traceEventToJson({
      event: "answer",
      call: 1,
      invoke: 1,
      reply: encodeHostReply({ status: -7 }),
      rule: undefined,
      note: "none",
      durationNs: 2_500n,
    });
    expect(answer).toEqual({
      event: "answer",
      call: 1,
      invoke: 1,
      direction: "host → guest",
      status: -7,
      statusName: "UNSUPPORTED_OP",
      reply: { abiVersion: 1, status: -7 },
      rule: null,
      note: "none",
      durationMs: 0.0025,
    });
  });

  it("gives a failed call its ActrError variant and message, or the code", () => {
    const failed: TraceEvent = {
      event: "return",
      call: 1,
      durationNs: 1_000_000n,
      hostNs: 0n,
      outcome: { error: ActrError.notFound("user 7") },
    };
    expect(traceEventToJson(failed)).toEqual({
      event: "return",
      call: 1,
      direction: "guest → host",
      error: { variant: "NotFound", message: "not found: user 7" },
      durationMs: 1,
      hostMs: 0,
    });
    const coded: TraceEvent = { event: "return", call: 0, durationNs: 0n, hostNs: 0n, outcome: { status: -2 } };
    expect(traceEventToJson(coded)).toEqual({
      event: "return",
      call: 0,
      direction: "guest → host",
      status: -2,
      statusName: "INIT_FAILED",
      durationMs: 0,
      hostMs: 0,
    });
    const initSend = traceEventToJson({
      event: "send",
      call: 0,
      schema: InitPayloadV1Schema,
      bytes: new Uint8Array(0),
    });
    expect(initSend).toEqual({ event: "send", call: 0, direction: "host → guest", op: "actr_init", init: {} });
  });

  it("expands the payload of an invoke frame under its @type, as decode --json does", () => {
    const frame = encodeFrame(HostCallRawV1Schema, create(HostCallRawV1Schema, { routeKey: "r", target: self }));
    expect(JSON.stringify(traceEventToJson({ event: "invoke", call: 1, invoke: 1, bytes: frame }))).toContain(
      '"@type":"actr.dynclib.v1.HostCallRawV1"',
    );
  });
});

describe("frameSubject", () => {
  it("says what each op's frame is about, for its heading", () => {
    const examples = buildExamples();
    const subjects = Object.fromEntries(
      [...examples].filter(([name]) => !name.startsWith("reply-")).map(([name, bytes]) => [name, frameSubject(bytes)]),
    );
    expect(subjects).toEqual({
      "guest-data-stream.bin": 'stream "camera-1" #17',
      "guest-handle.bin": '"echo.Echo.Say"',
      "guest-hook.bin": "ON_WEBRTC_CONNECTED",
      "guest-lifecycle.bin": "ON_START",
      "host-call-raw.bin": '"store.Store.Get"',
      "host-call.bin": '"store.Store.Get"',
      "host-discover.bin": "acme/store/2.1.0",
      "host-register-stream.bin": 'stream "camera-1"',
      "host-send-data-stream.bin": 'stream "camera-1" #17',
      "host-tell.bin": '"log.Log.Write"',
      "host-unregister-stream.bin": 'stream "camera-1"',
    });
  });
});

describe("labels", () => {
  it("names statuses and keeps unknown ones as numbers", () => {
    expect([statusLabel(0), statusLabel(-5), statusLabel(-99)]).toEqual([
      "SUCCESS (0)",
      "PROTOCOL_ERROR (-5)",
      "status -99",
    ]);
  });

  it("shows durations in µs below a millisecond, in ms above", () => {
    expect([
      formatDuration(999n),
      formatDuration(12_345n),
      formatDuration(999_999n),
      formatDuration(1_000_000n),
      formatDuration(2_345_678n),
    ]).toEqual(["0 µs", "12 µs", "999 µs", "1.00 ms", "2.35 ms"]);
  });
});
