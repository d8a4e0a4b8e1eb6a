// Generation 2 added `bridge_token` to the four guest requests (field 3 of
// GuestHandleV1, GuestDataStreamV1 and GuestLifecycleV1, field 6 of
// GuestHookV1) and `direction` (field 4) to RpcEnvelope. A generation-1 guest
// must see no difference: with bridge_token 0 and no direction, every guest
// request frame is byte for byte what it was before. The expected bytes are
// prost's, from test/vectors/prost.tsv (the generation-1 vectors there predate
// the fields and have not changed since), never this package's encoder.
import { isFieldSet } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  AbiFrameSchema,
  decodeMessage,
  encodeGuestDataStreamRequest,
  encodeGuestHandleRequest,
  encodeGuestHookRequest,
  encodeGuestLifecycleRequest,
  type GuestHookEvent,
  type GuestHookV1,
  GuestDataStreamV1Schema,
  GuestHandleV1Schema,
  GuestHookV1Schema,
  GuestLifecycleV1Schema,
  op,
  RpcEnvelopeSchema,
} from "../../src/index.js";
import { type GoldenVector, goldenVectors } from "../support/golden-vectors.js";

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
const bytes = (h: string) => Buffer.from(h, "hex");

/** The first generation-2 vector: every line before it is a generation-1 vector. */
const firstGeneration2 = goldenVectors.find((v) => v.description.startsWith("generation 2:"))!.line;
const generation1 = goldenVectors.filter((v) => v.line < firstGeneration2);

/** The one vector of `message` described exactly so (of generation 1 when `gen1`). */
function vector(message: string, description: string, gen1 = false): GoldenVector {
  const found = (gen1 ? generation1 : goldenVectors).filter(
    (v) => v.message === message && v.description === description,
  );
  expect([message, description, found.length]).toEqual([message, description, 1]);
  return found[0]!;
}

/** The field numbers of the top-level records of `h` (prost's canonical bytes: varint and length-delimited records only). */
function topLevelFields(h: string): number[] {
  const b = bytes(h);
  const fields: number[] = [];
  let pos = 0;
  const varint = () => {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = b[pos++]!;
      v |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return v;
    }
  };
  while (pos < b.length) {
    const key = Number(varint());
    fields.push(key >>> 3);
    if ((key & 7) === 0) varint();
    else if ((key & 7) === 2) {
      const length = Number(varint()); // read before pos is, since varint() moves it
      pos += length;
    } else throw new Error(`wire type ${key & 7} in canonical bytes`);
  }
  return fields;
}

const guestRequests = [
  { message: "GuestHandleV1", tokenField: 3, opName: "GUEST_HANDLE", op: op.GUEST_HANDLE },
  { message: "GuestDataStreamV1", tokenField: 3, opName: "GUEST_DATA_STREAM", op: op.GUEST_DATA_STREAM },
  { message: "GuestLifecycleV1", tokenField: 3, opName: "GUEST_LIFECYCLE", op: op.GUEST_LIFECYCLE },
  { message: "GuestHookV1", tokenField: 6, opName: "GUEST_HOOK", op: op.GUEST_HOOK },
] as const;

/** The guest request payload message of a host request vector's `what`, and its bridge_token field. */
function requestOf(what: string): (typeof guestRequests)[number] {
  return guestRequests.find((r) => what.split(" ")[0] === r.opName)!;
}

describe("generation 2 leaves generation 1's bytes alone (prost's vectors)", () => {
  it("the generation-2 vectors come after all 2275 generation-1 vectors", () => {
    expect(generation1.length).toBe(2275);
    expect(generation1.every((v) => !v.description.startsWith("generation 2:"))).toBe(true);
  });

  for (const { message, tokenField, opName, op: opCode } of guestRequests) {
    it(`${message}: bridge_token 0 is not on the wire, the payload and its frame are generation 1's bytes`, () => {
      const gen1 = vector(message, "fully populated value", true);
      const gen2 = vector(
        message,
        "generation 2: fully populated value, bridge_token = 0: the generation-1 bytes (field absent)",
      );
      expect(gen1.verdict).toBe("ok");
      expect(gen2.input).toBe(gen1.input);
      expect(gen2.output).toBe(gen1.output);
      expect(topLevelFields(gen2.output)).not.toContain(tokenField);
      const frame = vector(
        "AbiFrame",
        `generation 2: ${opName} frame (op ${opCode}), fully populated ${message} with bridge_token = 0: the generation-1 bytes`,
      );
      expect(topLevelFields(frame.output)).toEqual([1, 2, 3]);
      expect(frame.output.endsWith(gen1.output)).toBe(true);
      // ... and bridge_token 1 is the same bytes with one record appended.
      const one = vector(message, "generation 2: fully populated value, bridge_token = 1");
      expect(one.output).toBe(gen1.output + (tokenField << 3).toString(16) + "01");
    });
  }

  it("GUEST_HANDLE: the frame with bridge_token 0 and no direction is generation 1's fully populated frame", () => {
    const gen1 = vector("AbiFrame", "fully populated value", true);
    const gen2 = vector(
      "AbiFrame",
      "generation 2: GUEST_HANDLE frame (op 101), fully populated GuestHandleV1 with bridge_token = 0: the generation-1 bytes",
    );
    expect(gen2.output).toBe(gen1.output);
  });

  it("GuestHookV1: every hook without an event, bridge_token 0, is generation 1's bytes", () => {
    for (const hook of [1, 4, 7, 10, 12]) {
      const gen1 = vector("GuestHookV1", `hook = ${hook}`, true);
      const gen2 = vector(
        "GuestHookV1",
        `generation 2: hook = ${hook}, bridge_token = 0: the generation-1 bytes of hook = ${hook}`,
      );
      expect(gen2.output).toBe(gen1.output);
    }
  });

  it("RpcEnvelope: direction absent is generation 1's bytes; direction 0 is present (explicit presence)", () => {
    const gen1 = vector("RpcEnvelope", "fully populated value", true);
    expect(
      vector("RpcEnvelope", "generation 2: fully populated value, direction absent: the generation-1 bytes").output,
    ).toBe(gen1.output);
    expect(topLevelFields(gen1.output)).not.toContain(4);
    const zero = vector(
      "RpcEnvelope",
      "generation 2: fully populated value, direction = 0 (DIRECTION_UNSPECIFIED): written, explicit presence",
    );
    expect(topLevelFields(zero.output)).toEqual([1, 2, 3, 4, 100, 101, 102, 103, 103, 104]);
    expect(zero.output.length).toBe(gen1.output.length + 4);
  });
});

/** The host's guest request frames (bridge_token 0), with the prost vectors they must equal. */
const hostRequests = goldenVectors.flatMap((v) => {
  const m = /^generation 2: host request (.+), bridge_token = 0: frame$/.exec(v.description);
  return m === null ? [] : [{ what: m[1]!, frame: v }];
});

/** What the host builds for `what`, from the parts of prost's payload. */
function hostFrame(what: string, frameHex: string): Uint8Array {
  const frame = decodeMessage(AbiFrameSchema, bytes(frameHex));
  if (what === "GUEST_HANDLE") {
    const p = decodeMessage(GuestHandleV1Schema, frame.payload);
    return encodeGuestHandleRequest(p.rpcEnvelope, p.ctx!);
  }
  if (what === "GUEST_DATA_STREAM") {
    const p = decodeMessage(GuestDataStreamV1Schema, frame.payload);
    return encodeGuestDataStreamRequest(p.chunk!, p.sender!);
  }
  if (what.startsWith("GUEST_LIFECYCLE")) {
    const p = decodeMessage(GuestLifecycleV1Schema, frame.payload);
    return encodeGuestLifecycleRequest(p.hook, p.ctx!);
  }
  const p = decodeMessage(GuestHookV1Schema, frame.payload);
  return encodeGuestHookRequest(hookEvent(p), p.ctx!);
}

/** The event a host passes for the hook of `p` (one of the shapes the vectors hold). */
function hookEvent(p: GuestHookV1): GuestHookEvent {
  switch (p.hook) {
    case 1:
      return { hook: "signalingConnecting" };
    case 5:
      return { hook: "websocketConnected", peer: p.peer?.peer ?? missing(), relayed: p.peer?.relayed ?? missing() };
    case 8:
      return {
        hook: "webrtcConnected",
        peer: p.peer?.peer ?? missing(),
        relayed: p.peer?.relayed ?? missing(),
        status: p.peer?.status ?? missing(),
      };
    case 10:
      return { hook: "credentialRenewed", newExpiry: p.credential?.newExpiry ?? missing() };
    case 12:
      return {
        hook: "mailboxBackpressure",
        queueLen: p.backpressure?.queueLen ?? missing(),
        threshold: p.backpressure?.threshold ?? missing(),
      };
    default:
      throw new Error(`no host event for hook ${p.hook}`);
  }
}

function missing(): never {
  throw new Error("the vector lacks the event it was made for");
}

describe("the host's guest request builders write prost's bytes with no bridge_token and no direction", () => {
  it("covers every guest request op, every lifecycle hook and each kind of hook event", () => {
    expect(hostRequests.map((r) => r.what)).toEqual([
      "GUEST_LIFECYCLE hook 1",
      "GUEST_LIFECYCLE hook 2",
      "GUEST_LIFECYCLE hook 3",
      "GUEST_HOOK hook 1 (signaling connecting, no event)",
      "GUEST_HOOK hook 5 (websocket connected, peer with relayed)",
      "GUEST_HOOK hook 8 (webrtc connected, peer with relayed and status)",
      "GUEST_HOOK hook 10 (credential renewed)",
      "GUEST_HOOK hook 12 (mailbox backpressure)",
      "GUEST_DATA_STREAM",
      "GUEST_HANDLE",
    ]);
  });

  for (const { what, frame } of hostRequests) {
    it(`${what}: the frame equals prost's, and its payload has no bridge_token`, () => {
      expect(frame.verdict).toBe("ok");
      const { message, tokenField } = requestOf(what);
      const payload = vector(message, `generation 2: host request ${what}, bridge_token = 0: payload`);
      expect(topLevelFields(payload.output)).not.toContain(tokenField);
      expect(frame.output.endsWith(payload.output)).toBe(true);
      // prost with bridge_token 1: the same payload with one record appended.
      const one = vector(message, `generation 2: host request ${what}, bridge_token = 1: payload`);
      expect(one.output).toBe(payload.output + (tokenField << 3).toString(16) + "01");
      expect(hex(hostFrame(what, frame.input))).toBe(frame.output);
    });
  }

  it("GUEST_HANDLE with the envelope given as a message without direction: generation 1's frame", () => {
    const gen1 = vector("AbiFrame", "fully populated value", true);
    const p = decodeMessage(GuestHandleV1Schema, decodeMessage(AbiFrameSchema, bytes(gen1.output)).payload);
    const envelope = decodeMessage(RpcEnvelopeSchema, p.rpcEnvelope);
    expect(isFieldSet(envelope, RpcEnvelopeSchema.field.direction)).toBe(false);
    expect(p.bridgeToken).toBe(0n);
    expect(hex(encodeGuestHandleRequest(envelope, p.ctx!))).toBe(gen1.output);
  });
});
