// The answers file of `actr-abi run`: rules -> the HostResult the host answers with.
import { create, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { answerOperation, parseAnswers } from "../../src/cli/answers-file.js";
import { actrErrorVariant } from "../../src/cli/trace.js";
import {
  ActrError,
  ActrIdSchema,
  code,
  decodeHostOperation,
  decodeMessage,
  decodeReply,
  destToV1,
  encodeFrame,
  encodeHostReply,
  ErrorCodeSchema,
  HostCallRawV1Schema,
  HostCallV1Schema,
  HostDiscoverV1Schema,
  HostRegisterStreamV1Schema,
  HostSendDataStreamV1Schema,
  HostTellV1Schema,
  PayloadType,
  actrId,
} from "../../src/index.js";

const peer = actrId({ realm: 7, serialNumber: 42, type: { manufacturer: "acme", name: "peer", version: "1.0" } });
const utf8 = new TextEncoder();

/** The HostOperation a guest's invoke frame decodes to, as the host receives it. */
function operation<Desc extends DescMessage>(schema: Desc, init: MessageInitShape<Desc>) {
  return decodeHostOperation(encodeFrame(schema, create(schema, init)));
}

const callRaw = (routeKey: string, payload = utf8.encode("ping")) =>
  operation(HostCallRawV1Schema, { routeKey, target: peer, payload });
const call = (routeKey: string) =>
  operation(HostCallV1Schema, { routeKey, dest: destToV1({ kind: "shell" }), payload: utf8.encode("hi") });
const tell = (routeKey: string) =>
  operation(HostTellV1Schema, { routeKey, dest: destToV1({ kind: "local" }), payload: utf8.encode("note") });
const discover = () => operation(HostDiscoverV1Schema, { targetType: peer.type });

// The example of the issue that fixes the format, verbatim.
const issueExample = [
  { kind: "callRaw", route: "test/double_impl", reply: { hex: "0e000000" } },
  { kind: "callRaw", route: "test/record_hook", reply: { echo: true } },
  { kind: "call", reply: { text: "hello" } },
  {
    kind: "discover",
    reply: { json: { realm: { realmId: 1 }, serialNumber: "9", type: { manufacturer: "a", name: "b", version: "1" } } },
  },
  { kind: "tell", reply: { done: true } },
  { route: "broken/route", reply: { status: "GENERIC_ERROR" } },
  { reply: { error: { variant: "NotFound", message: "no such thing" } } },
];

describe("answerOperation", () => {
  const rules = parseAnswers(issueExample);

  it("answers with the bytes of a hex or text rule, by kind and route", () => {
    expect(answerOperation(rules, callRaw("test/double_impl"))).toEqual({
      result: { bytes: new Uint8Array([0x0e, 0, 0, 0]) },
      rule: 1,
    });
    expect(answerOperation(rules, call("any.Route/Name"))).toEqual({
      result: { bytes: utf8.encode("hello") },
      rule: 3,
    });
  });

  it("echoes the operation's own payload", () => {
    const answer = answerOperation(rules, callRaw("test/record_hook", utf8.encode("recorded")));
    expect(answer).toEqual({ result: { bytes: utf8.encode("recorded") }, rule: 2 });
  });

  it("encodes a JSON reply as the actr.ActrId that discover answers", () => {
    const answer = answerOperation(rules, discover());
    expect(answer.rule).toBe(4);
    const id = decodeMessage(ActrIdSchema, (answer.result as { bytes: Uint8Array }).bytes);
    expect([id.realm?.realmId, id.serialNumber, id.type?.name]).toEqual([1, 9n, "b"]);
  });

  it("answers done, a status by name, and an ActrError with the status a Rust host gives it", () => {
    expect(answerOperation(rules, tell("log"))).toEqual({ result: { done: true }, rule: 5 });
    expect(answerOperation(rules, callRaw("broken/route"))).toEqual({
      result: { status: code.GENERIC_ERROR },
      rule: 6,
    });
    const stream = operation(HostRegisterStreamV1Schema, { streamId: "s1" });
    const answer = answerOperation(rules, stream);
    expect([answer.rule, answer.note]).toEqual([7, "ActrError NotFound: not found: no such thing"]);
    const error = (answer.result as { error: ActrError }).error;
    expect(error).toBeInstanceOf(ActrError);
    expect(error.message).toBe("not found: no such thing");
    expect(decodeReply(encodeHostReply(answer.result)).status).toBe(code.GENERIC_ERROR);
  });

  it("takes the first rule that matches, in order", () => {
    const ordered = parseAnswers([
      { route: "a", reply: { text: "first" } },
      { kind: "callRaw", route: "a", reply: { text: "second" } },
    ]);
    expect(answerOperation(ordered, callRaw("a")).rule).toBe(1);
  });

  it("matches a stream id as the route of stream operations", () => {
    const streams = parseAnswers([{ route: "s-1", reply: { done: true } }]);
    const send = operation(HostSendDataStreamV1Schema, {
      dest: destToV1({ kind: "actor", id: peer }),
      chunk: { streamId: "s-1", sequence: 3n, payload: utf8.encode("x") },
      payloadType: PayloadType.STREAM_RELIABLE,
    });
    expect(answerOperation(streams, send).rule).toBe(1);
    expect(answerOperation(streams, operation(HostRegisterStreamV1Schema, { streamId: "s-2" })).rule).toBeUndefined();
  });

  it("answers UNSUPPORTED_OP when no rule matches, and says so", () => {
    const answer = answerOperation(parseAnswers([{ kind: "tell", reply: { done: true } }]), callRaw("x"));
    expect(answer.result).toEqual({ status: code.UNSUPPORTED_OP });
    expect(answer.rule).toBeUndefined();
    expect(answer.note).toMatch(/no rule matches/);
    expect(answerOperation([], discover()).result).toEqual({ status: code.UNSUPPORTED_OP });
  });

  it("rejects what a Rust host rejects before any rule: a destination without a kind", () => {
    const noDest = operation(HostCallV1Schema, { routeKey: "r", dest: {}, payload: new Uint8Array(0) });
    const answer = answerOperation(parseAnswers([{ reply: { text: "never" } }]), noDest);
    expect(answer.rule).toBeUndefined();
    expect(answer.note).toMatch(/destination kind is missing/);
    expect(decodeReply(encodeHostReply(answer.result)).status).toBe(code.PROTOCOL_ERROR);
  });

  it("has a factory for every variant the schema's framework error codes name", () => {
    const variants = ErrorCodeSchema.values
      .filter((v) => v.number !== 0)
      .map((v) =>
        v.localName.toLowerCase().replace(/(^|_)([a-z])/g, (_m: string, _s: string, c: string) => c.toUpperCase()),
      );
    expect(variants).toHaveLength(11);
    const rules = parseAnswers(variants.map((variant) => ({ reply: { error: { variant, message: "m" } } })));
    expect(rules.map((r) => actrErrorVariant((r.reply as { error: ActrError }).error))).toEqual(variants);
    expect(() => parseAnswers([{ reply: { error: { variant: "toString" } } }])).toThrow(/error variant must be one of/);
  });

  it("builds every error variant, with a status number and the binding's `code` spelling", () => {
    const parsed = parseAnswers([
      { reply: { status: -6 } },
      { reply: { error: { code: "InvalidArgument", message: "bad" } } },
      { reply: { error: { variant: "DependencyNotFound", serviceName: "db", message: "gone" } } },
      { reply: { error: { variant: "ConnectionNotReady", retryAfterMs: 250 } } },
      { reply: { error: { variant: "TimedOut" } } },
    ]);
    expect(parsed[0]!.reply).toEqual({ status: code.BUFFER_TOO_SMALL });
    const messages = parsed.slice(1).map((r) => (r.reply as { error: ActrError }).error.message);
    expect(messages).toEqual([
      "invalid argument: bad",
      "dependency 'db' not found: gone",
      "connection not ready: retry_after_ms=Some(250)",
      "timed out",
    ]);
  });
});

describe("parseAnswers rejects a bad file, naming the rule", () => {
  const bad: [string, unknown, RegExp][] = [
    ["not an array", { reply: { done: true } }, /must be a JSON array of rules/],
    ["a rule that is not an object", [1], /rule 1: must be an object/],
    [
      "an unknown kind",
      [{ kind: "callraw", reply: { done: true } }],
      /rule 1: kind must be one of call, tell, callRaw, discover, registerStream, unregisterStream, sendDataStream, got "callraw"/,
    ],
    ["an unknown key", [{ kind: "call", reply: { done: true }, when: 1 }], /rule 1: unknown key "when"/],
    ["no reply", [{ kind: "call" }], /rule 1: has no reply/],
    ["two replies", [{ reply: { done: true, text: "x" } }], /rule 1: reply must hold exactly one of .*got done, text/],
    ["an unknown reply", [{ reply: { bytes: "00" } }], /rule 1: unknown reply "bytes"/],
    [
      "bad hex",
      [{ reply: { done: true } }, { reply: { hex: "0g" } }],
      /rule 2\.hex: invalid hex: character "g" at offset 1/,
    ],
    ["odd hex", [{ reply: { hex: "abc" } }], /rule 1\.hex: invalid hex: odd length 3/],
    ["echo false", [{ reply: { echo: false } }], /rule 1\.echo must be true/],
    ["status SUCCESS", [{ reply: { status: "SUCCESS" } }], /status SUCCESS is not a failure/],
    [
      "an unknown status",
      [{ reply: { status: "BROKEN" } }],
      /status must be a status name \(GENERIC_ERROR, .*\) or an int32, got "BROKEN"/,
    ],
    ["a status out of int32", [{ reply: { status: 2 ** 31 } }], /or an int32, got 2147483648/],
    ["json without discover", [{ kind: "call", reply: { json: {} } }], /a JSON reply needs "kind": "discover"/],
    [
      "json that does not fit an ActrId",
      [{ kind: "discover", reply: { json: { realm: 1 } } }],
      /JSON does not fit rule 1\.json/,
    ],
    [
      "an unknown variant",
      [{ reply: { error: { variant: "Nope", message: "x" } } }],
      /error variant must be one of Unavailable, .*got "Nope"/,
    ],
    [
      "an error message that is not text",
      [{ reply: { error: { variant: "Internal", message: 3 } } }],
      /error message must be a string/,
    ],
    ["a route that is not text", [{ route: 3, reply: { done: true } }], /rule 1: route must be a string/],
  ];
  for (const [what, json, message] of bad) {
    it(what, () => {
      expect(() => parseAnswers(json)).toThrow(message);
    });
  }
});
