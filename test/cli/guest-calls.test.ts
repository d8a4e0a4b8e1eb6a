// What `actr-abi run` sends: options and script lines -> the calls into actr_handle.
import { Readable } from "node:stream";
import { isFieldSet } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  defaultSelfId,
  defaultTimeoutMs,
  parseGuestCall,
  parseHookEvent,
  parseLifecycleHook,
} from "../../src/cli/guest-calls.js";
import { parseScript, splitWords } from "../../src/cli/script.js";
import {
  decodeFrame,
  decodePayload,
  encodeGuestHookRequest,
  GuestHookV1Schema,
  invocationContext,
  lifecycleHook,
  PeerEventV1Schema,
} from "../../src/index.js";

const noStdin = () => Readable.from([]);
const stdinOf = (text: string) => Readable.from([Buffer.from(text)]);
const utf8 = new TextEncoder();

describe("parseGuestCall", () => {
  it("builds the RpcEnvelope of --route with its payload, request id, timeout and metadata", async () => {
    const call = await parseGuestCall(
      { route: "echo", payload: "6869", "request-id": "r-9", "timeout-ms": "250", metadata: ["tenant=blue", "a=b=c"] },
      1,
      noStdin(),
    );
    expect(call?.kind).toBe("handle");
    const envelope = (call as { envelope: import("../../src/index.js").RpcEnvelope }).envelope;
    expect([envelope.routeKey, envelope.payload, envelope.requestId, envelope.timeoutMs]).toEqual([
      "echo",
      utf8.encode("hi"),
      "r-9",
      250n,
    ]);
    expect(envelope.metadata.map((m) => [m.key, m.value])).toEqual([
      ["tenant", "blue"],
      ["a", "b=c"],
    ]);
  });

  it("defaults the request id to req-N and the timeout, and reads the payload from stdin", async () => {
    const call = await parseGuestCall({ route: "echo", payload: "-" }, 3, stdinOf("raw bytes\x00"));
    const envelope = (call as { envelope: import("../../src/index.js").RpcEnvelope }).envelope;
    expect([envelope.requestId, envelope.timeoutMs, Buffer.from(envelope.payload).toString("latin1")]).toEqual([
      "req-3",
      defaultTimeoutMs,
      "raw bytes\x00",
    ]);
  });

  it("sends nothing when no call option is given", async () => {
    expect(await parseGuestCall({}, 1, noStdin())).toBeUndefined();
  });

  it("reads lifecycle hooks however they are spelled", () => {
    for (const name of ["on_start", "ON_START", "start", "on-start", "onStart"])
      expect(parseLifecycleHook(name)).toBe(lifecycleHook.ON_START);
    expect(parseLifecycleHook("on_stop")).toBe(lifecycleHook.ON_STOP);
    expect(() => parseLifecycleHook("on_pause")).toThrow(
      'unknown lifecycle hook "on_pause" (one of on_start, on_ready, on_stop)',
    );
  });

  it("builds a hook event from the JSON of its GuestHookV1 field", () => {
    const peer =
      '{"realm": {"realmId": 7}, "serialNumber": "42", "type": {"manufacturer": "acme", "name": "peer", "version": "1.0"}}';
    const event = parseHookEvent("ON_WEBRTC_CONNECTED", `{"peer": ${peer}, "relayed": true, "status": 2}`);
    const frame = encodeGuestHookRequest(event, invocationContext({ selfId: defaultSelfId }));
    const hook = decodePayload(GuestHookV1Schema, decodeFrame(frame));
    expect([hook.hook, hook.peer?.peer?.serialNumber, hook.peer?.relayed, hook.peer?.status]).toEqual([
      8,
      42n,
      true,
      2,
    ]);
    // relayed and status have explicit presence: absent in the JSON, absent on the wire.
    const bare = decodePayload(
      GuestHookV1Schema,
      decodeFrame(
        encodeGuestHookRequest(
          parseHookEvent("webrtcConnected", `{"peer": ${peer}}`),
          invocationContext({ selfId: defaultSelfId }),
        ),
      ),
    );
    expect([
      isFieldSet(bare.peer!, PeerEventV1Schema.field.relayed),
      isFieldSet(bare.peer!, PeerEventV1Schema.field.status),
    ]).toEqual([false, false]);
    expect(parseHookEvent("mailbox-backpressure", '{"queueLen": "10", "threshold": 8}')).toEqual({
      hook: "mailboxBackpressure",
      queueLen: 10n,
      threshold: 8n,
    });
    expect(parseHookEvent("signalingConnected", undefined)).toEqual({ hook: "signalingConnected" });
  });

  it("rejects a hook that is unknown, misses its event, or gets one it does not carry", () => {
    expect(() => parseHookEvent("onNothing", undefined)).toThrow(
      /unknown runtime hook "onNothing" \(one of signalingConnecting, .*mailboxBackpressure\)/,
    );
    expect(() => parseHookEvent("webrtcConnected", undefined)).toThrow(
      "hook webrtcConnected needs its event as JSON (an actr.dynclib.v1.PeerEventV1)",
    );
    expect(() => parseHookEvent("webrtcConnected", "{}")).toThrow(
      /event\.peer \(hook webrtcConnected carries a peer event\) must be an actr\.ActrId message/,
    );
    expect(() => parseHookEvent("signalingConnected", "{}")).toThrow(
      "hook signalingConnected carries no event, got {}",
    );
    expect(() => parseHookEvent("credentialRenewed", "{nope")).toThrow(
      /the event of hook credentialRenewed is not valid JSON/,
    );
  });

  it("builds a data-stream chunk from its JSON", async () => {
    const call = await parseGuestCall(
      { "data-stream": '{"streamId": "s1", "sequence": "3", "payload": "aGk="}' },
      1,
      noStdin(),
    );
    expect(call).toMatchObject({
      kind: "dataStream",
      chunk: { streamId: "s1", sequence: 3n, payload: utf8.encode("hi") },
    });
  });

  const bad: [string, Parameters<typeof parseGuestCall>[0], RegExp][] = [
    ["two calls at once", { route: "a", lifecycle: "on_start" }, /--route and --lifecycle cannot be sent in one call/],
    ["a payload without a route", { lifecycle: "on_start", payload: "00" }, /--payload goes with --route/],
    ["an event without a hook", { route: "a", event: "{}" }, /--event goes with --hook/],
    ["metadata without =", { route: "a", metadata: ["tenant"] }, /--metadata takes key=value, got "tenant"/],
    [
      "a timeout that is not an integer",
      { route: "a", "timeout-ms": "1.5" },
      /--timeout-ms must be an integer, got "1.5"/,
    ],
    ["a timeout beyond int64", { route: "a", "timeout-ms": "9223372036854775808" }, /does not fit an int64/],
    ["bad payload hex", { route: "a", payload: "0x12" }, /input: invalid hex/],
    ["a chunk that does not fit", { "data-stream": '{"streamId": 1}' }, /JSON does not fit actr.DataStream/],
  ];
  for (const [what, values, message] of bad) {
    it(`rejects ${what}`, async () => {
      await expect(parseGuestCall(values, 1, noStdin())).rejects.toThrow(message);
    });
  }
});

describe("scripts", () => {
  it("splits words with quotes as a shell does", () => {
    expect(splitWords(`--route echo --payload '{"a": 1}'  --metadata "k=two words" x"y"'z'`)).toEqual([
      "--route",
      "echo",
      "--payload",
      '{"a": 1}',
      "--metadata",
      "k=two words",
      "xyz",
    ]);
    expect(splitWords(String.raw`"a \"quoted\" \\ word"`)).toEqual([String.raw`a "quoted" \ word`]);
    expect(() => splitWords("--route 'echo")).toThrow("unterminated ' quote");
  });

  it("reads a session: option lines, JSON lines, comments and blank lines, in order", async () => {
    const calls = await parseScript(
      [
        "# a session",
        "--lifecycle on_start",
        "",
        '{"route": "echo", "payload": "6869", "requestId": "r-1", "metadata": {"tenant": "blue"}}',
        "--route fail --payload 6e6f",
        `--hook webrtcConnected '{"peer": {"realm": {"realmId": 7}, "serialNumber": "42", "type": {"manufacturer": "a", "name": "b", "version": "1"}}}'`,
        '{"hook": "mailboxBackpressure", "event": {"queueLen": 10, "threshold": 8}}',
        '{"dataStream": {"streamId": "s1", "sequence": "1", "payload": ""}}',
        "--lifecycle on_stop",
      ].join("\n"),
      noStdin(),
    );
    expect(calls.map((c) => c.kind)).toEqual([
      "lifecycle",
      "handle",
      "handle",
      "hook",
      "hook",
      "dataStream",
      "lifecycle",
    ]);
    expect(calls[1]).toMatchObject({
      envelope: { routeKey: "echo", requestId: "r-1", metadata: [{ key: "tenant", value: "blue" }] },
    });
    // The default request id numbers the call in the session.
    expect(calls[2]).toMatchObject({ envelope: { routeKey: "fail", requestId: "req-3", payload: utf8.encode("no") } });
  });

  const bad: [string, string, RegExp][] = [
    ["an unknown option", "--lifecycle on_start\n--rout echo", /script line 2: Unknown option '--rout'/],
    ["a line that sends nothing", "--metadata", /script line 1: Option '--metadata <value>' argument missing/],
    ["an unknown JSON key", '{"rout": "echo"}', /script line 1: unknown key "rout" \(one of route, payload, /],
    ["bad JSON", "{route", /script line 1: not valid JSON/],
    ["a JSON line that is not an object", '["route"]', /a JSON line must be an object|script line 1/],
    ["an extra argument", "--route echo extra", /script line 1: unexpected argument "extra"/],
    ["no call at all", "# nothing\n\n", /the script holds no call/],
  ];
  for (const [what, script, message] of bad) {
    it(`rejects ${what}, naming the line`, async () => {
      await expect(parseScript(script, noStdin())).rejects.toThrow(message);
    });
  }
});
