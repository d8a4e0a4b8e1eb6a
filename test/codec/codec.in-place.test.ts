// Encoding in place (`encodeInPlace`, `encodeFrameInPlace`): the encoding is
// left in the writer's own buffer, its long `bytes` values copied into the
// room kept for them, for a holder that hands it on by address (the host
// runtime's same-thread mode). Checked against prost's bytes.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { codecOf, encodeInPlace } from "../../src/codec.js";
import { INITIAL_WRITER_BYTES, Writer } from "../../src/encoder.js";
import { encodeFrameInPlace } from "../../src/frames.js";
import {
  actrId,
  AbiError,
  decodeFrame,
  decodeMessage,
  decodePayload,
  encodeGuestHandleRequest,
  GuestHandleV1Schema,
  invocationContext,
  messageSchemas,
  RpcEnvelopeSchema,
} from "../../src/index.js";
import { goldenVectors } from "../support/golden-vectors.js";

const accepted = goldenVectors.filter((v) => v.verdict === "ok");
const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
const written = (w: Writer) => hex(w.buf.subarray(w.start, w.end));

const ctx = invocationContext({
  selfId: actrId({ realm: 1, serialNumber: 5n, type: { manufacturer: "acme", name: "test", version: "1.0" } }),
  requestId: "req-1",
});
const envelope = (payload: Uint8Array, requestId = "req-1") =>
  create(RpcEnvelopeSchema, { routeKey: "echo", payload, requestId, timeoutMs: 1000n });

describe("encodeInPlace", () => {
  it(`leaves prost's bytes of ${accepted.length} accepted vectors in one reused writer, long bytes filled in`, () => {
    const w = new Writer();
    const disagreements: string[] = [];
    for (const v of accepted) {
      const schema = messageSchemas.get(v.message)!;
      encodeInPlace(codecOf(schema), decodeMessage(schema, Buffer.from(v.input, "hex")), undefined, w);
      if (written(w) !== v.output) disagreements.push(`${v.message} (${v.description}): ${written(w).slice(0, 60)}`);
      if (w.holes !== 0 || w.holeBytes.some((b) => b !== undefined))
        disagreements.push(`${v.message} (${v.description}): holes kept`);
    }
    expect(disagreements).toEqual([]);
  });

  it("frames as encodeFrame does, a nested message of 128 bytes and more and a long payload included", () => {
    const w = new Writer();
    for (const size of [0, 1, 100, 127, 128, 256, 5000, 20_000]) {
      const payload = Uint8Array.from({ length: size }, (_, i) => (i * 7 + size) & 0xff);
      const request = create(GuestHandleV1Schema, { ctx, rpcEnvelope: envelope(payload) as never });
      encodeFrameInPlace(GuestHandleV1Schema, request, w);
      expect(written(w)).toBe(hex(encodeGuestHandleRequest(envelope(payload), ctx)));
    }
  });

  it("after a failed encoding, holds none of the caller's bytes and encodes the next message whole", () => {
    const w = new Writer();
    const payload = new Uint8Array(300).fill(0xab);
    // request_id comes after the payload: the payload's room is kept when the lone surrogate is found.
    const bad = create(GuestHandleV1Schema, { ctx, rpcEnvelope: envelope(payload, "\ud800") as never });
    expect(() => encodeFrameInPlace(GuestHandleV1Schema, bad, w)).toThrow(AbiError);
    expect(w.holes).toBe(0);
    expect(w.holeBytes).toEqual([]);
    const good = create(GuestHandleV1Schema, { ctx, rpcEnvelope: envelope(new Uint8Array(200).fill(0xcd)) as never });
    encodeFrameInPlace(GuestHandleV1Schema, good, w);
    expect(written(w)).toBe(hex(encodeGuestHandleRequest(envelope(new Uint8Array(200).fill(0xcd)), ctx)));
  });

  it("writes lengths of 2^21 bytes and more as four-byte varints: the decoder reads back every field", () => {
    // Not checked against prost here (no golden vector is megabytes long): read back by the decoder, which shares no code with the encoder.
    const w = new Writer();
    const frameOf = (size: number) => {
      encodeFrameInPlace(
        GuestHandleV1Schema,
        create(GuestHandleV1Schema, { ctx, rpcEnvelope: envelope(new Uint8Array(size).fill(size & 0xff)) as never }),
        w,
      );
      return decodeFrame(w.buf.subarray(w.start, w.end));
    };
    // The frame's payload (a GuestHandleV1) made exactly 2^21 bytes long, then one byte longer and shorter.
    let size = 2 ** 21;
    for (let i = 0; i < 4; i++) size += 2 ** 21 - frameOf(size).payload.length;
    for (const delta of [0, 1, -1]) {
      const frame = frameOf(size + delta);
      expect(frame.payload.length).toBe(2 ** 21 + delta);
      const request = decodePayload(GuestHandleV1Schema, frame);
      expect(request.ctx).toEqual(ctx);
      const rpc = decodeMessage(RpcEnvelopeSchema, request.rpcEnvelope);
      expect(rpc.payload!.length).toBe(size + delta);
      expect(rpc.payload!.every((b) => b === ((size + delta) & 0xff))).toBe(true);
      expect([rpc.routeKey, rpc.requestId, rpc.timeoutMs]).toEqual(["echo", "req-1", 1000n]);
    }
  });

  it("gives up a buffer grown beyond 1 MiB at its next use", () => {
    const w = new Writer();
    const huge = new Uint8Array(2 * 1024 * 1024).fill(1);
    encodeFrameInPlace(
      GuestHandleV1Schema,
      create(GuestHandleV1Schema, { ctx, rpcEnvelope: envelope(huge) as never }),
      w,
    );
    expect(w.buf.length).toBeGreaterThan(2 * 1024 * 1024);
    expect(written(w)).toBe(hex(encodeGuestHandleRequest(envelope(huge), ctx)));
    encodeFrameInPlace(
      GuestHandleV1Schema,
      create(GuestHandleV1Schema, { ctx, rpcEnvelope: envelope(new Uint8Array(10)) as never }),
      w,
    );
    expect(w.buf.length).toBe(INITIAL_WRITER_BYTES);
    expect(written(w)).toBe(hex(encodeGuestHandleRequest(envelope(new Uint8Array(10)), ctx)));
  });
});
