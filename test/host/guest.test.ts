// End to end: the host runtime against the Rust test guest (test/guest/),
// every path, in both threading modes with the same tests.
import { create } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Guest, type InvokeOrigin, loadGuest } from "../../src/host/index.js";
import {
  AbiError,
  abiErrorToActr,
  ActrError,
  ActrIdSchema,
  code,
  dataStream,
  DestV1Schema,
  encodeFrame,
  encodeMessage,
  GuestHandleV1Schema,
  HostCallV1Schema,
  HostTellV1Schema,
  type HostOperation,
  type HostResult,
  hostStatusForError,
  InitPayloadV1Schema,
  invocationContext,
  lifecycleContext,
  lifecycleHook,
  PayloadType,
  RpcEnvelopeSchema,
  successReply,
  webrtcPeerStatus,
} from "../../src/index.js";
import { bytesOf, callerId, ctx, envelope, rejection, selfId, testGuests, text } from "./test-guest.js";

type Threading = "worker" | "same-thread";
type Handler = (operation: HostOperation, origin: InvokeOrigin) => HostResult | Promise<HostResult>;

/** A loaded test guest whose host handler and error listener each test can set. */
async function harness(library: string, threading: Threading, extra: { init?: Uint8Array; maxBytes?: number } = {}) {
  const state = {
    handler: ((operation) => {
      throw new Error(`unexpected host operation ${operation.kind}`);
    }) as Handler,
    operations: [] as HostOperation[],
    hostErrors: [] as Error[],
  };
  const guest = await loadGuest(library, {
    threading,
    ...extra,
    host: (operation, origin) => {
      state.operations.push(operation);
      return state.handler(operation, origin);
    },
    onHostError: (error) => state.hostErrors.push(error),
  });
  const reset = (handler: Handler) => {
    state.handler = handler;
    state.operations = [];
    state.hostErrors = [];
  };
  /** What the actor reported through HOST_TELL on `route`, in order (and every other tell answered `done`). */
  const collectReports = () => {
    const reports: string[] = [];
    reset((operation, origin) => {
      if (operation.kind === "tell" && operation.payload.routeKey.startsWith("report.")) {
        reports.push(`${operation.payload.routeKey} ${text(operation.payload.payload)}`);
        return { done: true };
      }
      return state.handler(operation, origin);
    });
    return reports;
  };
  return { guest, state, reset, collectReports };
}

/** The guest's own bookkeeping: its replies not yet freed, the host buffers it gave back, frees it did not expect. */
async function guestStats(guest: Guest): Promise<Record<string, number>> {
  const fields = text(await guest.handle(envelope("stats"), ctx)).split(" ");
  return Object.fromEntries(fields.map((f) => f.split("=")).map(([k, v]) => [k!, Number(v)]));
}

/** The message of the ActrError a guest fails with after its invoke got `status` with no payload (`reply_to_actr_error`, then its Display as HANDLE_FAILED text). */
function guestFailureAfterStatus(status: number): string {
  return `internal error: ${abiErrorToActr(status).message}`;
}

for (const { generation, build } of testGuests) {
  const skip = "skip" in build ? build.skip : undefined;
  const library = "library" in build ? build.library : "";
  for (const threading of ["worker", "same-thread"] as const) {
    describe.skipIf(skip !== undefined)(
      `host runtime, generation ${generation}, ${threading} mode${skip === undefined ? "" : ` (skipped: ${skip})`}`,
      () => {
        let h: Awaited<ReturnType<typeof harness>>;
        beforeAll(async () => {
          h = await harness(library, threading);
        });
        it(`tells the guest's generation (${generation})`, () => {
          expect(h.guest.generation).toBe(generation);
        });
        afterAll(() => h?.guest.close());

        describe("GUEST_HANDLE", () => {
          it("echoes the payload, as a copy the caller owns", async () => {
            const payload = Uint8Array.from({ length: 256 }, (_, i) => (i * 7) & 0xff);
            const response = await h.guest.handle(envelope("echo", payload), ctx);
            expect(response).toEqual(payload);
            // Later calls never write over it, and writing to it touches nothing else.
            const second = await h.guest.handle(envelope("echo", payload), ctx);
            await h.guest.handle(envelope("echo", new Uint8Array(256).fill(0xee)), ctx);
            second.fill(0);
            expect(response).toEqual(payload);
          });

          it("responses of every size stay as they were while later calls run, and a frame passed as it is stays untouched", async () => {
            // Sizes around the request frame's own (its memory goes back to the pool once the guest has read it).
            const sizes = [1, 60, 200, 256, 300, 380, 450, 600, 1000, 3000, 5000];
            const payloads = sizes.map((size) => Uint8Array.from({ length: size }, (_, i) => (i + size) & 0xff));
            const responses: Uint8Array[] = [];
            for (const payload of payloads) responses.push(await h.guest.handle(envelope("echo", payload), ctx));
            responses.push(
              ...(await Promise.all(payloads.map((payload) => h.guest.handle(envelope("echo", payload), ctx)))),
            );
            // Pooled, and the last output of its size class: the caller's, so never given back.
            const frame = encodeFrame(
              GuestHandleV1Schema,
              create(GuestHandleV1Schema, {
                ctx,
                rpcEnvelope: encodeMessage(RpcEnvelopeSchema, envelope("echo", payloads[4]!)).slice(),
              }),
            );
            const before = frame.slice();
            expect(await h.guest.handleFrame(frame)).toEqual(payloads[4]);
            expect(frame).toEqual(before);
            // A frame in shared memory, as another thread may hand it over.
            const shared = new Uint8Array(new SharedArrayBuffer(frame.length + 3), 3);
            shared.set(frame);
            expect(await h.guest.handleFrame(shared)).toEqual(payloads[4]);
            expect(responses).toEqual([...payloads, ...payloads]);
          });

          it("requests longer than the encoder's first buffer, and than 1 MiB, then short ones again, arrive whole", async () => {
            for (const size of [9000, 1_500_000, 10, 300]) {
              const payload = Uint8Array.from({ length: size }, (_, i) => (i * 13 + size) & 0xff);
              expect(await h.guest.handle(envelope("echo", payload), ctx)).toEqual(payload);
            }
          });

          it("takes the envelope encoded, too", async () => {
            const response = await h.guest.handle(encodeMessage(RpcEnvelopeSchema, envelope("echo", "abc")), ctx);
            expect(text(response)).toBe("abc");
          });

          it("delivers the invocation context", async () => {
            expect(text(await h.guest.handle(envelope("context"), ctx))).toBe("self=5 caller=9 request_id=req-1");
          });

          it("passed an empty InitPayloadV1 to actr_init by default", async () => {
            expect(await h.guest.handle(envelope("init"), ctx)).toEqual(new Uint8Array(0));
          });

          it("rejects with the ActrError of the actor's failure (its Display text)", async () => {
            const error = await rejection(h.guest.handle(envelope("fail", "user 7"), ctx), ActrError);
            expect(error.message).toBe("internal error: not found: user 7");
          });

          it("rejects an unknown route with the actor's UnknownRoute text", async () => {
            const error = await rejection(h.guest.handle(envelope("nope"), ctx), ActrError);
            expect(error.message).toBe("internal error: unknown route: nope");
          });
        });

        describe("actr_handle return codes", () => {
          it.each([
            ["frame.pending", code.HANDLE_FAILED],
            ["frame.generic", code.GENERIC_ERROR],
          ])("%s rejects with an AbiError carrying the status", async (route, status) => {
            const error = await rejection(h.guest.handle(envelope(route), ctx), AbiError);
            expect(error.status).toBe(status);
            expect(error.message).toContain("actr_handle returned");
          });

          it("an envelope that does not decode: PROTOCOL_ERROR from the guest", async () => {
            const error = await rejection(h.guest.handle(new Uint8Array([0xff]), ctx), AbiError);
            expect(error.status).toBe(code.PROTOCOL_ERROR);
          });

          it("a frame whose op is not a guest op: UNSUPPORTED_OP", async () => {
            const frame = encodeFrame(
              HostTellV1Schema,
              create(HostTellV1Schema, { dest: create(DestV1Schema, { kind: { case: "local", value: true } }) }),
            );
            const error = await rejection(h.guest.handleFrame(frame), AbiError);
            expect(error.status).toBe(code.UNSUPPORTED_OP);
          });

          it("a frame that does not decode: PROTOCOL_ERROR", async () => {
            const error = await rejection(h.guest.handleFrame(new Uint8Array([0x0a, 0x05])), AbiError);
            expect(error.status).toBe(code.PROTOCOL_ERROR);
          });

          it("a reply that is not an AbiReply: PROTOCOL_ERROR, and the reply is still freed once", async () => {
            const before = await guestStats(h.guest);
            const error = await rejection(h.guest.handle(envelope("frame.garbage"), ctx), AbiError);
            expect(error.status).toBe(code.PROTOCOL_ERROR);
            expect(error.message).toMatch(/not an AbiReply: .*truncated/);
            const after = await guestStats(h.guest);
            expect(after).toMatchObject({ outstanding: 0, badFrees: before.badFrees });
          });

          it("a null reply with length 0 is the empty AbiReply: success, no bytes", async () => {
            expect(await h.guest.handle(envelope("frame.empty"), ctx)).toEqual(new Uint8Array(0));
          });
        });

        describe("host operations through invoke", () => {
          it("HOST_CALL: the handler sees the call and its answer goes back", async () => {
            h.reset(() => ({ bytes: bytesOf("pong") }));
            expect(text(await h.guest.handle(envelope("call", "ping"), ctx))).toBe("pong");
            const [operation] = h.state.operations;
            expect(operation?.kind).toBe("call");
            if (operation?.kind !== "call") return;
            expect(operation.payload.routeKey).toBe("peer.Echo/Ping");
            expect(operation.payload.dest?.kind).toEqual({ case: "shell", value: true });
            expect(text(operation.payload.payload)).toBe("ping");
          });

          it("HOST_TELL answered done: empty response", async () => {
            h.reset(() => ({ done: true }));
            expect(await h.guest.handle(envelope("tell", "note"), ctx)).toEqual(new Uint8Array(0));
            const [operation] = h.state.operations;
            expect(
              operation?.kind === "tell" && [
                operation.payload.routeKey,
                operation.payload.dest?.kind.case,
                text(operation.payload.payload),
              ],
            ).toEqual(["peer.Log/Note", "local", "note"]);
          });

          it("HOST_CALL_RAW carries its target", async () => {
            h.reset(() => ({ bytes: new Uint8Array([1, 2, 3]) }));
            expect(await h.guest.handle(envelope("callRaw", "x"), ctx)).toEqual(new Uint8Array([1, 2, 3]));
            const [operation] = h.state.operations;
            expect(
              operation?.kind === "callRaw" && [operation.payload.routeKey, operation.payload.target?.serialNumber],
            ).toEqual(["peer.Raw/Get", 42n]);
          });

          it("HOST_DISCOVER: an encoded ActrId goes back and the guest decodes it", async () => {
            h.reset((operation) => {
              if (operation.kind !== "discover") throw new Error("expected discover");
              const type = operation.payload.targetType!;
              return {
                bytes: encodeMessage(
                  ActrIdSchema,
                  create(ActrIdSchema, { realm: { realmId: 3 }, serialNumber: 77n, type }),
                ),
              };
            });
            expect(text(await h.guest.handle(envelope("discover"), ctx))).toBe("realm=3 serial=77 type=acme/peer/1.0");
          });

          it("HOST_REGISTER_STREAM and HOST_UNREGISTER_STREAM carry the stream id", async () => {
            h.reset(() => ({ done: true }));
            await h.guest.handle(envelope("registerStream", "cam-1"), ctx);
            await h.guest.handle(envelope("unregisterStream", "cam-1"), ctx);
            expect(
              h.state.operations.map((o) => [o.kind, "streamId" in o.payload ? o.payload.streamId : undefined]),
            ).toEqual([
              ["registerStream", "cam-1"],
              ["unregisterStream", "cam-1"],
            ]);
          });

          it("HOST_SEND_DATA_STREAM carries destination, chunk and payload type", async () => {
            h.reset(() => ({ done: true }));
            await h.guest.handle(envelope("sendDataStream", "frame"), ctx);
            const [operation] = h.state.operations;
            if (operation?.kind !== "sendDataStream") throw new Error("expected sendDataStream");
            const { dest, chunk, payloadType } = operation.payload;
            expect(dest?.kind.case === "actor" && dest.kind.value.serialNumber).toBe(42n);
            expect([
              chunk?.streamId,
              chunk?.sequence,
              text(chunk!.payload),
              chunk?.metadata.map((m) => `${m.key}=${m.value}`),
              chunk?.timestampMs,
            ]).toEqual(["s-1", 3n, "frame", ["k=v"], -5n]);
            expect(payloadType).toBe(PayloadType.STREAM_RELIABLE);
          });

          it("an ActrError thrown by the handler answers hostStatusForError's status", async () => {
            for (const error of [ActrError.notFound("no peer"), ActrError.invalidArgument("bad")]) {
              h.reset(() => {
                throw error;
              });
              const failure = await rejection(h.guest.handle(envelope("call"), ctx), ActrError);
              expect(failure.message).toBe(guestFailureAfterStatus(hostStatusForError(error)));
              expect(h.state.hostErrors).toEqual([]);
            }
          });

          it("anything else thrown answers GENERIC_ERROR and is reported", async () => {
            const bug = new Error("handler bug");
            h.reset(() => {
              throw bug;
            });
            const failure = await rejection(h.guest.handle(envelope("call"), ctx), ActrError);
            expect(failure.message).toBe(guestFailureAfterStatus(code.GENERIC_ERROR));
            expect(h.state.hostErrors).toEqual([bug]);
          });

          it("a failed status result goes back as that status", async () => {
            h.reset(() => ({ status: code.UNSUPPORTED_OP }));
            const failure = await rejection(h.guest.handle(envelope("call"), ctx), ActrError);
            expect(failure.message).toBe(guestFailureAfterStatus(code.UNSUPPORTED_OP));
          });

          it("a destination without a kind is refused before the handler runs (PROTOCOL_ERROR)", async () => {
            h.reset(() => ({ done: true }));
            const failure = await rejection(h.guest.handle(envelope("call.noDest"), ctx), ActrError);
            expect(failure.message).toBe(guestFailureAfterStatus(code.PROTOCOL_ERROR));
            expect(h.state.operations).toEqual([]);
          });

          it("a data-stream send with a non-stream payload type is refused (PROTOCOL_ERROR)", async () => {
            h.reset(() => ({ done: true }));
            const failure = await rejection(h.guest.handle(envelope("sendDataStream.badType"), ctx), ActrError);
            expect(failure.message).toBe(guestFailureAfterStatus(code.PROTOCOL_ERROR));
            expect(h.state.operations).toEqual([]);
          });

          if (threading === "worker") {
            it("an async handler is awaited while the guest waits in invoke", async () => {
              h.reset(async () => {
                await new Promise((resolve) => setTimeout(resolve, 20));
                return { bytes: bytesOf("later") };
              });
              expect(text(await h.guest.handle(envelope("call"), ctx))).toBe("later");
            });

            it("an async handler's ActrError answers its status", async () => {
              h.reset(async () => {
                throw ActrError.decodeFailure("bad bytes");
              });
              const failure = await rejection(h.guest.handle(envelope("call"), ctx), ActrError);
              expect(failure.message).toBe(guestFailureAfterStatus(code.PROTOCOL_ERROR));
            });
          } else {
            it("an async handler cannot answer a same-thread guest: GENERIC_ERROR, reported", async () => {
              h.reset(async () => ({ bytes: bytesOf("later") }));
              const failure = await rejection(h.guest.handle(envelope("call"), ctx), ActrError);
              expect(failure.message).toBe(guestFailureAfterStatus(code.GENERIC_ERROR));
              expect(h.state.hostErrors[0]?.message).toMatch(/same-thread guest needs a synchronous answer/);
            });
          }
        });

        describe("invoke frame-level failures: return codes, no reply", () => {
          /** invoke's return code and reply for a frame the guest passes as it is. */
          async function invokeRaw(frame: Uint8Array): Promise<{ rc: number; reply: Uint8Array }> {
            const answer = await h.guest.handle(envelope("invokeRaw", frame), ctx);
            return { rc: new DataView(answer.buffer, answer.byteOffset).getInt32(0, true), reply: answer.subarray(4) };
          }
          const frame = (abiVersion: number, op: number, payload: Uint8Array) =>
            new Uint8Array([0x08, abiVersion, 0x10, op, 0x1a, payload.length, ...payload]);

          it("a well-formed frame: SUCCESS with the encoded AbiReply", async () => {
            h.reset(() => ({ done: true }));
            const payload = encodeMessage(
              HostTellV1Schema,
              create(HostTellV1Schema, {
                routeKey: "r",
                dest: create(DestV1Schema, { kind: { case: "local", value: true } }),
              }),
            );
            expect(await invokeRaw(frame(1, 2, payload))).toEqual({ rc: code.SUCCESS, reply: successReply() });
          });

          // Replies from 4 bytes to past the 64 KiB of a pooled host buffer, into
          // out-pointers side by side (two locals) and apart (length first).
          it.each([
            ["invokeRaw", [1, 59, 60, 61, 200, 4096, 65_531, 65_532, 70_000]],
            ["invokeRaw.apart", [1, 61, 4096, 70_000]],
          ])("%s: each reply reaches the guest whole, and every host buffer comes back", async (route, sizes) => {
            for (const size of sizes) {
              const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 31 + size) & 0xff);
              h.reset(() => ({ bytes }));
              const call = encodeFrame(
                HostCallV1Schema,
                create(HostCallV1Schema, {
                  routeKey: "r",
                  dest: create(DestV1Schema, { kind: { case: "local", value: true } }),
                }),
              );
              const answer = await h.guest.handle(envelope(route, call), ctx);
              expect(new DataView(answer.buffer, answer.byteOffset).getInt32(0, true)).toBe(code.SUCCESS);
              expect(answer.subarray(4)).toEqual(successReply(bytes));
              expect(h.guest.outstandingHostBuffers).toBe(0);
              expect(h.state.hostErrors).toEqual([]);
            }
          });

          it.each([
            ["a frame that does not decode", new Uint8Array([0x0a, 0x09]), code.PROTOCOL_ERROR],
            ["abi_version 2", new Uint8Array([0x08, 0x02, 0x10, 0x02]), code.PROTOCOL_ERROR],
            ["a guest op", new Uint8Array([0x08, 0x01, 0x10, 0x65]), code.UNSUPPORTED_OP],
            ["an unknown op", new Uint8Array([0x08, 0x01, 0x10, 0x63]), code.UNSUPPORTED_OP],
            [
              "a payload that does not decode",
              new Uint8Array([0x08, 0x01, 0x10, 0x02, 0x1a, 0x02, 0x0a, 0x05]),
              code.PROTOCOL_ERROR,
            ],
          ])("%s", async (_, bytes, rc) => {
            h.reset(() => ({ done: true }));
            expect(await invokeRaw(bytes)).toEqual({ rc, reply: new Uint8Array(0) });
            expect(h.state.operations).toEqual([]);
            expect(h.state.hostErrors).toHaveLength(1);
            expect(h.state.hostErrors[0]).toBeInstanceOf(AbiError);
          });
        });

        describe("lifecycle, hooks, data streams", () => {
          it("lifecycle hooks run with the Rust host's context; ON_STOP's failure rejects", async () => {
            const reports = h.collectReports();
            await h.guest.lifecycle(lifecycleHook.ON_START, lifecycleContext(selfId, lifecycleHook.ON_START));
            await h.guest.lifecycle(lifecycleHook.ON_READY, lifecycleContext(selfId, lifecycleHook.ON_READY));
            const failure = await rejection(
              h.guest.lifecycle(lifecycleHook.ON_STOP, lifecycleContext(selfId, lifecycleHook.ON_STOP)),
              ActrError,
            );
            expect(failure.message).toBe("internal error: internal error: stop refused");
            expect(reports).toEqual([
              "report.lifecycle hook=1 self=5 caller=none request_id=lifecycle:on_start",
              "report.lifecycle hook=2 self=5 caller=none request_id=lifecycle:on_ready",
              "report.lifecycle hook=3 self=5 caller=none request_id=lifecycle:on_stop",
            ]);
          });

          it("runtime hooks deliver their events", async () => {
            const reports = h.collectReports();
            await h.guest.hook({ hook: "signalingConnected" }, ctx);
            await h.guest.hook(
              { hook: "webrtcConnected", peer: callerId, relayed: true, status: webrtcPeerStatus.CONNECTED },
              ctx,
            );
            await h.guest.hook({ hook: "websocketDisconnected", peer: callerId }, ctx);
            await h.guest.hook({ hook: "credentialRenewed", newExpiry: { seconds: 1700000000n, nanos: 5 } }, ctx);
            await h.guest.hook({ hook: "mailboxBackpressure", queueLen: 120, threshold: 100 }, ctx);
            expect(reports).toEqual([
              "report.hook hook=2 self=5 caller=9 request_id=req-1",
              "report.hook hook=8 peer=9 relayed=Some(true) status=Some(2) self=5 caller=9 request_id=req-1",
              "report.hook hook=6 peer=9 relayed=None status=None self=5 caller=9 request_id=req-1",
              "report.hook hook=10 expiry=1700000000.000000005 self=5 caller=9 request_id=req-1",
              "report.hook hook=12 queue_len=120 threshold=100 self=5 caller=9 request_id=req-1",
            ]);
          });

          it("a data-stream chunk reaches the actor with its sender", async () => {
            const reports = h.collectReports();
            const chunk = dataStream({
              streamId: "cam",
              sequence: 4,
              payload: new Uint8Array([0xab, 0xcd]),
              metadata: [{ key: "a", value: "b" }],
              timestampMs: 12,
            });
            await h.guest.dataStream(chunk, callerId);
            expect(reports).toEqual([
              "report.dataStream stream=cam seq=4 payload=abcd metadata=[a=b] timestamp_ms=Some(12) sender=9",
            ]);
          });

          it("a stream callback may not register a stream: UNSUPPORTED_OP, the handler is not asked", async () => {
            const reports = h.collectReports();
            await h.guest.dataStream(
              dataStream({ streamId: "register-inside", sequence: 1, payload: new Uint8Array(0) }),
              callerId,
            );
            expect(reports).toEqual([
              `report.dataStream stream=register-inside seq=1 payload= metadata=[] timestamp_ms=None sender=9 register=refused(${abiErrorToActr(code.UNSUPPORTED_OP).message})`,
            ]);
            expect(h.state.operations.map((o) => o.kind)).toEqual(["tell"]);
          });

          it("registering a stream outside a stream callback is asked of the handler", async () => {
            h.reset(() => ({ done: true }));
            await h.guest.handle(envelope("registerStream", "s"), ctx);
            expect(h.state.operations.map((o) => o.kind)).toEqual(["registerStream"]);
          });
        });

        describe("concurrency", () => {
          it("100 concurrent handle() calls resolve with their own answers, one guest entry at a time", async () => {
            let inside = 0;
            let most = 0;
            h.reset(async (operation) => {
              inside += 1;
              most = Math.max(most, inside);
              if (threading === "worker") await new Promise((resolve) => setTimeout(resolve, Math.random() * 2));
              inside -= 1;
              return { bytes: operation.kind === "call" ? operation.payload.payload : new Uint8Array(0) };
            });
            if (threading === "same-thread")
              h.reset((operation) => ({
                bytes: operation.kind === "call" ? operation.payload.payload : new Uint8Array(0),
              }));
            const calls = Array.from({ length: 100 }, (_, i) =>
              h.guest.handle(envelope(i % 2 === 0 ? "call" : "echo", `n${i}`), ctx),
            );
            expect((await Promise.all(calls)).map(text)).toEqual(Array.from({ length: 100 }, (_, i) => `n${i}`));
            expect(most).toBeLessThanOrEqual(1);
            expect(h.state.operations).toHaveLength(50);
          });

          it("a call made from inside a handler runs after the current one", async () => {
            let inner: Promise<Uint8Array> | undefined;
            h.reset(() => {
              inner ??= h.guest.handle(envelope("echo", "inner"), ctx);
              return { bytes: bytesOf("outer") };
            });
            expect(text(await h.guest.handle(envelope("call"), ctx))).toBe("outer");
            expect(text(await inner!)).toBe("inner");
          });

          it("a call made while a frame is being encoded (from a getter of its payload) gets its own answer, and the frame stays whole", async () => {
            const outerCtx = invocationContext({ selfId, callerId, requestId: "outer" });
            const innerCtx = invocationContext({
              selfId: callerId,
              requestId: "the inner call's own, longer, request id",
            });
            const expected = text(await h.guest.handle(envelope("context"), outerCtx));
            let inner: Promise<Uint8Array> | undefined;
            const outer = envelope("context");
            Object.defineProperty(outer, "routeKey", {
              get() {
                inner ??= h.guest.handle(envelope("echo", "inner payload"), innerCtx);
                return "context";
              },
            });
            expect(text(await h.guest.handle(outer, outerCtx))).toBe(expected);
            expect(text(await inner!)).toBe("inner payload");
          });
        });

        describe("loading", () => {
          it("the same path twice gives a separate instance (a private copy), each with its own init", async () => {
            const init = (actrType: string) =>
              encodeMessage(InitPayloadV1Schema, create(InitPayloadV1Schema, { actrType, version: 1 }));
            const first = await harness(library, threading, { init: init("acme:first") });
            const second = await harness(library, threading, { init: init("acme:second") });
            try {
              expect(new Set([h.guest.path, first.guest.path, second.guest.path]).size).toBe(3);
              expect(await first.guest.handle(envelope("init"), ctx)).toEqual(init("acme:first"));
              expect(await second.guest.handle(envelope("init"), ctx)).toEqual(init("acme:second"));
            } finally {
              await first.guest.close();
              await second.guest.close();
            }
          });

          if (threading === "worker") {
            it("two instances run in parallel: one guest waiting in invoke does not hold up the other", async () => {
              const other = await harness(library, threading);
              try {
                let release!: () => void;
                const released = new Promise<void>((resolve) => (release = resolve));
                h.reset(async () => {
                  await released; // answered only after the other guest has run a call
                  return { bytes: bytesOf("after") };
                });
                const waiting = h.guest.handle(envelope("call"), ctx);
                other.reset(() => ({ bytes: bytesOf("other") }));
                expect(text(await other.guest.handle(envelope("call"), ctx))).toBe("other");
                release();
                expect(text(await waiting)).toBe("after");
              } finally {
                await other.guest.close();
              }
            });
          }

          it("rejects with actr_init's status", async () => {
            const refused = encodeMessage(
              InitPayloadV1Schema,
              create(InitPayloadV1Schema, { actrType: "test:refuse-init" }),
            );
            const error = await rejection(harness(library, threading, { init: refused }), AbiError);
            expect(error.status).toBe(code.INIT_FAILED);
            const garbage = await rejection(harness(library, threading, { init: new Uint8Array([0xff]) }), AbiError);
            expect(garbage.status).toBe(code.PROTOCOL_ERROR);
            expect(garbage.message).toContain("actr_init returned PROTOCOL_ERROR (-5)");
          });

          it("a file that cannot be loaded: AbiError INIT_FAILED naming it", async () => {
            const error = await rejection(
              loadGuest("/nonexistent/libguest.so", { threading, host: () => ({ done: true }) }),
              AbiError,
            );
            expect(error.status).toBe(code.INIT_FAILED);
            expect(error.message).toContain("cannot load the guest library /nonexistent/libguest.so");
          });

          it("maxBytes: a longer reply is freed unread and rejects with PROTOCOL_ERROR", async () => {
            const small = await harness(library, threading, { maxBytes: 256 }); // the stats reply below fits
            try {
              const error = await rejection(small.guest.handle(envelope("echo", new Uint8Array(300)), ctx), AbiError);
              expect(error.status).toBe(code.PROTOCOL_ERROR);
              expect(error.message).toMatch(/over maxBytes \(256\)/);
              expect(await guestStats(small.guest)).toMatchObject({ outstanding: 0, badFrees: 0 });
            } finally {
              await small.guest.close();
            }
          });

          it("close() waits for the calls made, then refuses new ones", async () => {
            const { guest } = await harness(library, threading);
            const last = guest.handle(envelope("echo", "last"), ctx);
            await guest.close();
            expect(text(await last)).toBe("last");
            const error = await rejection(guest.handle(envelope("echo"), ctx), AbiError);
            expect(error.message).toMatch(/is closed/);
          });
        });
      },
    );
  }
}
