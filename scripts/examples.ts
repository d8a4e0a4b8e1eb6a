// npm run examples: writes examples/*.bin, a sample frame for each of the 11
// ops and a success and a failed reply, built with the package's own builders.
// test/cli/examples.test.ts checks that the committed files are what this writes.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { create } from "@bufbuild/protobuf";
import {
  actrId,
  actrType,
  code,
  dataStream,
  destToV1,
  encodeFrame,
  encodeGuestDataStreamRequest,
  encodeGuestHandleRequest,
  encodeGuestHookRequest,
  encodeGuestLifecycleRequest,
  errorReply,
  HostCallRawV1Schema,
  HostCallV1Schema,
  HostDiscoverV1Schema,
  HostRegisterStreamV1Schema,
  HostSendDataStreamV1Schema,
  HostTellV1Schema,
  HostUnregisterStreamV1Schema,
  invocationContext,
  lifecycleHook,
  PayloadType,
  RpcEnvelopeSchema,
  successReply,
} from "../src/index.js";

const echo = actrId({ realm: 1, serialNumber: 42n, type: { manufacturer: "acme", name: "echo", version: "1.0.0" } });
const store = actrId({
  realm: 1,
  serialNumber: 9007199254740993n,
  type: { manufacturer: "acme", name: "store", version: "2.1.0" },
});
const text = (s: string) => new TextEncoder().encode(s);

/** The example files by name, each built from the package's builders. */
export function buildExamples(): Map<string, Uint8Array> {
  const envelope = create(RpcEnvelopeSchema, {
    routeKey: "echo.Echo.Say",
    payload: text("hello"),
    traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    requestId: "req-1",
    metadata: [{ key: "tenant", value: "blue" }],
    timeoutMs: 5000n,
  });
  const chunk = dataStream({
    streamId: "camera-1",
    sequence: 17,
    payload: new Uint8Array(48).map((_, i) => i),
    metadata: [{ key: "codec", value: "raw" }],
    timestampMs: 1_700_000_000_000n,
  });
  return new Map([
    [
      "host-call.bin",
      encodeFrame(
        HostCallV1Schema,
        create(HostCallV1Schema, {
          routeKey: "store.Store.Get",
          dest: destToV1({ kind: "actor", id: store }),
          payload: text("key-7"),
        }),
      ),
    ],
    [
      "host-tell.bin",
      encodeFrame(
        HostTellV1Schema,
        create(HostTellV1Schema, {
          routeKey: "log.Log.Write",
          dest: destToV1({ kind: "shell" }),
          payload: text("started"),
        }),
      ),
    ],
    [
      "host-call-raw.bin",
      encodeFrame(
        HostCallRawV1Schema,
        create(HostCallRawV1Schema, {
          routeKey: "store.Store.Get",
          target: store,
          payload: new Uint8Array([0x0a, 0x05, 0x6b, 0x65, 0x79, 0x2d, 0x37]),
        }),
      ),
    ],
    [
      "host-discover.bin",
      encodeFrame(
        HostDiscoverV1Schema,
        create(HostDiscoverV1Schema, {
          targetType: actrType({ manufacturer: "acme", name: "store", version: "2.1.0" }),
        }),
      ),
    ],
    [
      "host-register-stream.bin",
      encodeFrame(HostRegisterStreamV1Schema, create(HostRegisterStreamV1Schema, { streamId: "camera-1" })),
    ],
    [
      "host-unregister-stream.bin",
      encodeFrame(HostUnregisterStreamV1Schema, create(HostUnregisterStreamV1Schema, { streamId: "camera-1" })),
    ],
    [
      "host-send-data-stream.bin",
      encodeFrame(
        HostSendDataStreamV1Schema,
        create(HostSendDataStreamV1Schema, {
          dest: destToV1({ kind: "local" }),
          chunk,
          payloadType: PayloadType.STREAM_LATENCY_FIRST,
        }),
      ),
    ],
    [
      "guest-handle.bin",
      encodeGuestHandleRequest(envelope, invocationContext({ selfId: echo, callerId: store, requestId: "req-1" })),
    ],
    ["guest-data-stream.bin", encodeGuestDataStreamRequest(chunk, store)],
    [
      "guest-lifecycle.bin",
      encodeGuestLifecycleRequest(
        lifecycleHook.ON_START,
        invocationContext({ selfId: echo, requestId: "lifecycle:on_start" }),
      ),
    ],
    [
      "guest-hook.bin",
      encodeGuestHookRequest(
        { hook: "webrtcConnected", peer: store, relayed: false, status: 2 },
        invocationContext({ selfId: echo }),
      ),
    ],
    ["reply-success.bin", successReply(text("hello"))],
    ["reply-failed.bin", errorReply(code.HANDLE_FAILED, "not found: user 7")],
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = fileURLToPath(new URL("../examples/", import.meta.url));
  const examples = buildExamples();
  for (const [name, bytes] of examples) writeFileSync(join(dir, name), bytes);
  console.log(`examples: wrote ${examples.size} files to examples/`);
}
