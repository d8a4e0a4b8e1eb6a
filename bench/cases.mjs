// The benchmark cases, one function per case and implementation. The values
// mirror conformance/oracle/src/bench.rs, so every implementation, prost
// included, works on the same bytes (run.mjs asserts that before timing).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import protobuf from "protobufjs";
import * as abi from "../dist/src/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));

/** `n` bytes of the oracle's pattern: byte i is (i * 31 + salt) mod 256. */
export function pattern(n, salt) {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + salt) & 0xff;
  return out;
}

const ids = {
  self: {
    realm: 1001,
    serialNumber: 0x0123_4567_89abn,
    type: { manufacturer: "acme", name: "echo-service", version: "1.2.0" },
  },
  caller: { realm: 1001, serialNumber: 42n, type: { manufacturer: "acme", name: "echo-client", version: "1.2.0" } },
};
const requestId = "req-0001-7f3a9c";
const routeKey = "echo.EchoService.Echo";
const envelope = pattern(256, 1);
const replyPayload = pattern(1024, 5);
const metadata = [{ key: "content-type", value: "application/octet-stream" }];

export const caseIds = [
  "guest-handle-encode",
  "guest-handle-decode",
  "host-call-decode",
  "reply-roundtrip",
  "data-stream-decode-64B",
  "data-stream-decode-64KiB",
  "data-stream-decode-1MiB",
];
const chunkSizes = {
  "data-stream-decode-64B": 64,
  "data-stream-decode-64KiB": 64 * 1024,
  "data-stream-decode-1MiB": 1024 * 1024,
};

// ---- this package -----------------------------------------------------------

function ours() {
  const self = abi.actrId(ids.self);
  const caller = abi.actrId(ids.caller);
  const hostCall = abi.encodeFrame(
    abi.HostCallV1Schema,
    create(abi.HostCallV1Schema, {
      routeKey,
      dest: abi.destToV1({ kind: "actor", id: self }),
      payload: pattern(256, 3),
    }),
  );
  const dataStreams = Object.fromEntries(
    Object.entries(chunkSizes).map(([id, n]) => [
      id,
      abi.encodeGuestDataStreamRequest(
        abi.dataStream({
          streamId: "stream-1",
          sequence: 7,
          payload: pattern(n, 9),
          metadata,
          timestampMs: 1_700_000_000_000n,
        }),
        caller,
      ),
    ]),
  );
  const guestHandle = () =>
    abi.encodeGuestHandleRequest(envelope, abi.invocationContext({ selfId: self, callerId: caller, requestId }));
  const guestHandleBytes = guestHandle();
  const decodeDataStream = (bytes) => () => abi.decodePayload(abi.GuestDataStreamV1Schema, abi.decodeFrame(bytes));
  return {
    "guest-handle-encode": { input: guestHandleBytes, run: guestHandle },
    "guest-handle-decode": {
      input: guestHandleBytes,
      run: () => abi.decodePayload(abi.GuestHandleV1Schema, abi.decodeFrame(guestHandleBytes)),
    },
    "host-call-decode": { input: hostCall, run: () => abi.decodeHostOperation(hostCall) },
    "reply-roundtrip": {
      input: abi.successReply(replyPayload),
      run: () => abi.decodeReply(abi.successReply(replyPayload)),
    },
    ...Object.fromEntries(
      Object.entries(dataStreams).map(([id, bytes]) => [id, { input: bytes, run: decodeDataStream(bytes) }]),
    ),
  };
}

// ---- plain protobuf-es on the generated schemas ----------------------------------

function protobufEs() {
  const id = (v) =>
    create(abi.ActrIdSchema, {
      realm: create(abi.RealmSchema, { realmId: v.realm }),
      serialNumber: v.serialNumber,
      type: create(abi.ActrTypeSchema, v.type),
    });
  const self = id(ids.self);
  const caller = id(ids.caller);
  const frame = (op, schema, payload) =>
    toBinary(abi.AbiFrameSchema, create(abi.AbiFrameSchema, { abiVersion: 1, op, payload: toBinary(schema, payload) }));
  const guestHandle = () =>
    frame(
      101,
      abi.GuestHandleV1Schema,
      create(abi.GuestHandleV1Schema, {
        ctx: create(abi.InvocationContextV1Schema, { selfId: self, callerId: caller, requestId }),
        rpcEnvelope: envelope,
      }),
    );
  const guestHandleBytes = guestHandle();
  const hostCall = frame(
    1,
    abi.HostCallV1Schema,
    create(abi.HostCallV1Schema, {
      routeKey,
      dest: create(abi.DestV1Schema, { kind: { case: "actor", value: self } }),
      payload: pattern(256, 3),
    }),
  );
  const dataStream = (n) =>
    frame(
      102,
      abi.GuestDataStreamV1Schema,
      create(abi.GuestDataStreamV1Schema, {
        chunk: create(abi.DataStreamSchema, {
          streamId: "stream-1",
          sequence: 7n,
          payload: pattern(n, 9),
          metadata: metadata.map((m) => create(abi.MetadataEntrySchema, m)),
          timestampMs: 1_700_000_000_000n,
        }),
        sender: caller,
      }),
    );
  const decodeWith = (schema, bytes) => () => fromBinary(schema, fromBinary(abi.AbiFrameSchema, bytes).payload);
  const reply = () =>
    toBinary(abi.AbiReplySchema, create(abi.AbiReplySchema, { abiVersion: 1, status: 0, payload: replyPayload }));
  return {
    "guest-handle-encode": { input: guestHandleBytes, run: guestHandle },
    "guest-handle-decode": { input: guestHandleBytes, run: decodeWith(abi.GuestHandleV1Schema, guestHandleBytes) },
    "host-call-decode": { input: hostCall, run: decodeWith(abi.HostCallV1Schema, hostCall) },
    "reply-roundtrip": { input: reply(), run: () => fromBinary(abi.AbiReplySchema, reply()) },
    ...Object.fromEntries(
      Object.entries(chunkSizes).map(([caseId, n]) => {
        const bytes = dataStream(n);
        return [caseId, { input: bytes, run: decodeWith(abi.GuestDataStreamV1Schema, bytes) }];
      }),
    ),
  };
}

// ---- protobufjs 7 on the same .proto ---------------------------------------------

function protobufjs() {
  const require = createRequire(import.meta.url);
  const pbjsDir = path.dirname(require.resolve("protobufjs/package.json"));
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) =>
    target.startsWith("google/protobuf/") ? path.join(pbjsDir, target) : path.join(here, "../proto", target);
  root.loadSync("actr/dynclib/v1/abi.proto");
  root.resolveAll();
  const T = (name) => root.lookupType(name);
  const [AbiFrame, AbiReply, GuestHandleV1, HostCallV1, GuestDataStreamV1] = [
    "actr.dynclib.v1.AbiFrame",
    "actr.dynclib.v1.AbiReply",
    "actr.dynclib.v1.GuestHandleV1",
    "actr.dynclib.v1.HostCallV1",
    "actr.dynclib.v1.GuestDataStreamV1",
  ].map(T);
  // protobufjs writes an implicit field whenever it is set, zero or not, so
  // zero values are left out here to match prost's bytes.
  const id = (v) => ({
    realm: { realmId: v.realm },
    serialNumber: protobuf.util.Long.fromString(String(v.serialNumber), true),
    type: v.type,
  });
  const self = id(ids.self);
  const caller = id(ids.caller);
  const frame = (op, Type, payload) =>
    AbiFrame.encode({ abiVersion: 1, op, payload: Type.encode(payload).finish() }).finish();
  const guestHandle = () =>
    frame(101, GuestHandleV1, { ctx: { selfId: self, callerId: caller, requestId }, rpcEnvelope: envelope });
  const guestHandleBytes = guestHandle();
  const hostCall = frame(1, HostCallV1, { routeKey, dest: { actor: self }, payload: pattern(256, 3) });
  const dataStream = (n) =>
    frame(102, GuestDataStreamV1, {
      chunk: { streamId: "stream-1", sequence: 7, payload: pattern(n, 9), metadata, timestampMs: 1_700_000_000_000 },
      sender: caller,
    });
  // Node hosts hold Buffers; protobufjs returns views into a Buffer (it copies from a plain Uint8Array).
  const asBuffer = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decodeWith = (Type, bytes) => () => Type.decode(AbiFrame.decode(bytes).payload);
  const reply = () => AbiReply.encode({ abiVersion: 1, payload: replyPayload }).finish();
  return {
    "guest-handle-encode": { input: guestHandleBytes, run: guestHandle },
    "guest-handle-decode": { input: guestHandleBytes, run: decodeWith(GuestHandleV1, asBuffer(guestHandleBytes)) },
    "host-call-decode": { input: hostCall, run: decodeWith(HostCallV1, asBuffer(hostCall)) },
    "reply-roundtrip": { input: reply(), run: () => AbiReply.decode(reply()) },
    ...Object.fromEntries(
      Object.entries(chunkSizes).map(([caseId, n]) => {
        const bytes = asBuffer(dataStream(n));
        return [caseId, { input: bytes, run: decodeWith(GuestDataStreamV1, bytes) }];
      }),
    ),
  };
}

// ---- protobufjs 7 static code (pbjs -t static-module) ------------------------------

/** The static module pbjs writes for abi.proto, regenerated when a .proto is newer. */
function loadPbjsStatic() {
  const out = path.join(here, ".pbjs/abi.cjs");
  const protos = ["actr/actr.proto", "actr/dynclib/v1/abi.proto", "actr/dynclib/v1/codes.proto"].map((p) =>
    path.join(here, "../proto", p),
  );
  const stale = !existsSync(out) || protos.some((p) => statSync(p).mtimeMs > statSync(out).mtimeMs);
  if (stale) {
    mkdirSync(path.dirname(out), { recursive: true });
    const pbjs = path.join(here, "../node_modules/.bin/pbjs");
    const args = [
      "-t",
      "static-module",
      "-w",
      "commonjs",
      "--no-verify",
      "--no-convert",
      "--no-delimited",
      "--no-service",
    ];
    const result = spawnSync(
      pbjs,
      [...args, "-p", path.join(here, "../proto"), "actr/dynclib/v1/abi.proto", "-o", out],
      { stdio: "inherit" },
    );
    if (result.status !== 0) throw new Error("pbjs -t static-module failed");
  }
  return createRequire(import.meta.url)(out);
}
const pbjsStatic = loadPbjsStatic();

function protobufjsStatic() {
  const { actr } = pbjsStatic;
  const v1 = actr.dynclib.v1;
  const id = (v) => ({
    realm: { realmId: v.realm },
    serialNumber: protobuf.util.Long.fromString(String(v.serialNumber), true),
    type: v.type,
  });
  const self = id(ids.self);
  const caller = id(ids.caller);
  const frame = (op, Type, payload) =>
    v1.AbiFrame.encode({ abiVersion: 1, op, payload: Type.encode(payload).finish() }).finish();
  const guestHandle = () =>
    frame(101, v1.GuestHandleV1, { ctx: { selfId: self, callerId: caller, requestId }, rpcEnvelope: envelope });
  const guestHandleBytes = guestHandle();
  const hostCall = frame(1, v1.HostCallV1, { routeKey, dest: { actor: self }, payload: pattern(256, 3) });
  const dataStream = (n) =>
    frame(102, v1.GuestDataStreamV1, {
      chunk: { streamId: "stream-1", sequence: 7, payload: pattern(n, 9), metadata, timestampMs: 1_700_000_000_000 },
      sender: caller,
    });
  const asBuffer = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decodeWith = (Type, bytes) => () => Type.decode(v1.AbiFrame.decode(bytes).payload);
  const reply = () => v1.AbiReply.encode({ abiVersion: 1, payload: replyPayload }).finish();
  return {
    "guest-handle-encode": { input: guestHandleBytes, run: guestHandle },
    "guest-handle-decode": { input: guestHandleBytes, run: decodeWith(v1.GuestHandleV1, asBuffer(guestHandleBytes)) },
    "host-call-decode": { input: hostCall, run: decodeWith(v1.HostCallV1, asBuffer(hostCall)) },
    "reply-roundtrip": { input: reply(), run: () => v1.AbiReply.decode(reply()) },
    ...Object.fromEntries(
      Object.entries(chunkSizes).map(([caseId, n]) => {
        const bytes = asBuffer(dataStream(n));
        return [caseId, { input: bytes, run: decodeWith(v1.GuestDataStreamV1, bytes) }];
      }),
    ),
  };
}

/** The implementations by impl id: for each case, its input bytes and the function timed. */
export function implementations() {
  return {
    "actr-dynclib-abi": ours(),
    "protobuf-es": protobufEs(),
    protobufjs: protobufjs(),
    "protobufjs-static": protobufjsStatic(),
  };
}
