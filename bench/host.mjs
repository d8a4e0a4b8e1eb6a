// The host runtime's cases of `npm run bench`: round trips through the test
// guest (test/guest/), for @actr/dynclib-abi/host in both threading modes and
// for a small Rust host (bench/rust-host/) driving the same guest the same way.
//
//   host-roundtrip-echo      GUEST_HANDLE with a 256-byte payload, echoed: encode, actr_handle, decode, free; one call at a time
//   host-roundtrip-callback  the same, where the guest calls the host once (HOST_CALL) and returns its answer
//   host-pipelined-echo      the echo with 64 calls in flight (ns per call); rust-host: its sequential echo
//
// Beside them, impl koffi-floor: the same guest driven through koffi with no codec and no copies (see measureFloor).
//
// Usage: node bench/host.mjs [--time MS]   (npm run bench runs it after the codec cases)
//        node bench/host.mjs --measure IMPL --case CASE [--time MS]   (one of ours, in this process)
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { cargoBuild as buildCrate } from "../scripts/cargo.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, "..");
const guestDir = path.join(root, "test/guest");
const rustHostDir = path.join(here, "rust-host");

/** The case ids of this file, in table order. */
export const hostCaseIds = ["host-roundtrip-echo", "host-roundtrip-callback", "host-pipelined-echo"];
const IN_FLIGHT = 64;
/** Times each case is measured, in turns; a row is the median of its rounds (this VM's speed drifts within seconds). */
const ROUNDS = 5;

function cargoBuild(dir) {
  const built = buildCrate(dir); // scripts/cargo.mjs: crates.io, or Debian's packages with ACTR_CARGO_REGISTRY=debian
  return built.ok ? undefined : built.reason;
}

/**
 * Median ns per call of `run` (async, one call per invocation, `calls` calls
 * each), over samples of about 2 ms for `timeMs`, after `warmMs` of
 * unmeasured calls (V8 optimises the hot path during the first tens of
 * thousands of calls).
 */
async function measure(timeMs, run, calls = 1, warmMs = 1000) {
  let n = 0;
  let start = process.hrtime.bigint();
  while (process.hrtime.bigint() - start < BigInt(warmMs) * 1_000_000n) {
    await run();
    n++;
  }
  const batch = Math.max(1, Math.round(n / (warmMs / 2)));
  const samples = [];
  start = process.hrtime.bigint();
  while (Number(process.hrtime.bigint() - start) / 1e6 < timeMs || samples.length < 5) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) await run();
    samples.push(Number(process.hrtime.bigint() - t) / (batch * calls));
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

const library = path.join(guestDir, "target/release/libactr_test_guest.so");
const rustHost = path.join(rustHostDir, "target/release/actr-rust-host");
/** Our implementations: impl id → the `threading` option of `loadGuest`. */
const threadingOf = { "actr-dynclib-abi": "worker", "actr-dynclib-abi-sync": "same-thread" };

/**
 * What every implementation sends for case `id`: the 256-byte payload, the
 * RpcEnvelope to the test guest's route (`call` for the callback case, `echo`
 * otherwise) and its context, built with this package's API (`dist/`).
 */
async function caseRequest(id) {
  const { actrId, invocationContext, RpcEnvelopeSchema } = await import(pathToFileURL(path.join(root, "dist/src/index.js")).href);
  const { create } = await import("@bufbuild/protobuf");
  const actor = (serialNumber, name) => actrId({ realm: 1, serialNumber, type: { manufacturer: "acme", name, version: "1.0" } });
  const ctx = invocationContext({ selfId: actor(5n, "test"), callerId: actor(9n, "caller"), requestId: "req-1" });
  const payload = Uint8Array.from({ length: 256 }, (_, i) => (i * 7) & 0xff);
  const request = create(RpcEnvelopeSchema, { routeKey: id === "host-roundtrip-callback" ? "call" : "echo", payload, requestId: "req-1", timeoutMs: 1000n });
  return { ctx, payload, request };
}

/**
 * Times one case for one of our implementations, in this process (see
 * `hostBench`, which runs it in a process of its own): loads the test guest,
 * checks the answer, returns the median ns per call.
 */
async function measureOurs(id, impl, time) {
  const { loadGuest } = await import(pathToFileURL(path.join(root, "dist/src/host/index.js")).href);
  const { ctx, payload, request } = await caseRequest(id);
  const host = (operation) => ({ bytes: operation.payload.payload });
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

  const guest = await loadGuest(library, { threading: threadingOf[impl], host });
  try {
    if (id === "host-pipelined-echo") {
      const window = () => Promise.all(Array.from({ length: IN_FLIGHT }, () => guest.handle(request, ctx)));
      for (const response of await window()) if (!same(response, payload)) throw new Error(`${impl} answers other bytes for ${id}`);
      return await measure(time, window, IN_FLIGHT);
    }
    if (!same(await guest.handle(request, ctx), payload)) throw new Error(`${impl} answers other bytes for ${id}`);
    return await measure(time, () => guest.handle(request, ctx));
  } finally {
    await guest.close();
  }
}

/**
 * The floor under any koffi host (impl `koffi-floor`): the test guest driven
 * through koffi with the least JavaScript there can be. The request frame is
 * encoded once, into native memory; `invoke` answers every call with one
 * constant reply kept in native memory, and `free_host_buf` does nothing;
 * the guest's reply is freed unread. What is left is koffi's calls and
 * callbacks and the guest's own work: no codec, no copy, no bookkeeping.
 */
async function measureFloor(id, time) {
  const { default: koffi } = await import("koffi");
  const abi = await import(pathToFileURL(path.join(root, "dist/src/index.js")).href);
  const { addressOf, copyNative: memcpy, malloc } = await import(pathToFileURL(path.join(root, "dist/src/host/native-memory.js")).href);
  const native = (bytes) => {
    const address = malloc(bytes.length);
    memcpy(address, addressOf(bytes), bytes.length);
    return address;
  };
  const lib = koffi.load(library);
  const init = lib.func("int32_t actr_init(uintptr_t vt, uintptr_t init, size_t initLen)");
  const handle = lib.func("int32_t actr_handle(uintptr_t req, size_t reqLen, uintptr_t respOut, uintptr_t respLenOut)");
  const freeResponse = lib.func("void actr_free_response(uintptr_t ptr, size_t len)");

  const { ctx, payload, request } = await caseRequest(id);
  const reply = abi.encodeHostReply({ bytes: payload });
  // Out-pointers at 0 and 8 (actr_handle's), the constant reply's pointer and length at 16 and 24.
  const out = malloc(32);
  const words = new Uint32Array(koffi.view(out, 32));
  const replyAddress = native(reply);
  words.set([replyAddress % 2 ** 32, Math.floor(replyAddress / 2 ** 32), reply.length, 0], 4);
  const invoke = koffi.register((frame, frameLen, replyOut, replyLenOut) => {
    memcpy(replyOut, out + 16, 8);
    memcpy(replyLenOut, out + 24, 8);
    return 0;
  }, koffi.pointer(koffi.proto(null, "int32_t", ["uintptr_t", "size_t", "uintptr_t", "uintptr_t"])));
  const freeHostBuf = koffi.register(() => {}, koffi.pointer(koffi.proto(null, "void", ["uintptr_t", "size_t"])));
  const vtable = malloc(16);
  new BigUint64Array(koffi.view(vtable, 16)).set([BigInt(koffi.address(invoke)), BigInt(koffi.address(freeHostBuf))]);
  if (init(vtable, 0, 0) !== 0) throw new Error("koffi-floor: actr_init failed");

  const frame = abi.encodeGuestHandleRequest(request, ctx);
  const frameAddress = native(frame);
  const call = () => {
    if (handle(frameAddress, frame.length, out, out + 8) !== 0) throw new Error(`koffi-floor: actr_handle failed for ${id}`);
    freeResponse(words[0] + words[1] * 2 ** 32, words[2] + words[3] * 2 ** 32);
  };
  call();
  return await measure(time, call);
}

/** Runs `command` and reads the `CASE NS` line it prints for `id`. */
function timed(command, args, id) {
  const run = spawnSync(command, args, { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`${path.basename(command)} ${args.join(" ")} failed:\n${run.stderr}`);
  const [printed, ns] = run.stdout.trim().split("\n").at(-1).split(" ");
  if (printed !== id) throw new Error(`${path.basename(command)} printed ${printed}, not ${id}`);
  return Number(ns);
}

/**
 * Runs the host cases; returns `{ case, impl, nsPerOp }` rows (none when
 * cargo or the guest is missing, with a note printed). Each implementation
 * runs in a process of its own, as the Rust host does: one mode's garbage
 * and compiled code never weigh on another's numbers. Each case is timed in
 * `ROUNDS` turns of `time / ROUNDS` ms, the Rust host right before our
 * modes, and each row is its median turn, so the ratios compare measurements
 * seconds apart: the load of a shared machine drifts, and would otherwise
 * skew one side. The Rust host's echo, timed for the echo and the pipelined
 * rows, is one measurement: both rows are the median of its turns.
 */
export async function hostBench({ time = 1000 } = {}) {
  const missing = cargoBuild(guestDir) ?? cargoBuild(rustHostDir);
  if (missing !== undefined) {
    console.log(`bench: host cases skipped: ${missing}`);
    return [];
  }
  const slice = String(Math.max(100, Math.round(time / ROUNDS)));
  const rust = (id) => timed(rustHost, [library, "--time", slice, "--case", id], id);
  const ours = (id, impl) => timed(process.execPath, [fileURLToPath(import.meta.url), "--measure", impl, "--case", id, "--time", slice], id);
  // [case, impl, what is timed, how to time it]; the Rust host's pipelined row is its sequential echo.
  const plan = [];
  for (const id of ["host-roundtrip-echo", "host-roundtrip-callback"]) {
    plan.push([id, "rust-host", `rust ${id}`, () => rust(id)]);
    for (const impl of Object.keys(threadingOf)) plan.push([id, impl, `${impl} ${id}`, () => ours(id, impl)]);
    plan.push([id, "koffi-floor", `koffi-floor ${id}`, () => ours(id, "koffi-floor")]);
  }
  plan.push(["host-pipelined-echo", "rust-host", "rust host-roundtrip-echo", () => rust("host-roundtrip-echo")]);
  plan.push(["host-pipelined-echo", "actr-dynclib-abi", "actr-dynclib-abi host-pipelined-echo", () => ours("host-pipelined-echo", "actr-dynclib-abi")]);
  // Every case runs ROUNDS times, each time the Rust host right before ours.
  // Each row is the median of the rounds of what it times: the Rust host's
  // echo is timed for two rows (twice per round), and both rows get the median of all its rounds.
  const samples = new Map();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [, , timedWhat, measureOne] of plan) {
      if (!samples.has(timedWhat)) samples.set(timedWhat, []);
      samples.get(timedWhat).push(measureOne());
    }
  }
  return plan.map(([id, impl, timedWhat]) => {
    const sorted = samples.get(timedWhat).sort((a, b) => a - b);
    return { case: id, impl, nsPerOp: Math.round(sorted[sorted.length >> 1] * 10) / 10 };
  });
}

/** The markdown table of host rows: ns per call and the ratio over the Rust host. */
export function hostTable(rows) {
  const ns = (id, impl) => rows.find((r) => r.case === id && r.impl === impl)?.nsPerOp;
  const lines = ["| case | impl | ns/op | × rust-host |", "|---|---|---:|---:|"];
  for (const id of hostCaseIds) {
    for (const impl of ["actr-dynclib-abi", "actr-dynclib-abi-sync", "koffi-floor", "rust-host"]) {
      const n = ns(id, impl);
      if (n === undefined) continue;
      const rust = ns(id, "rust-host");
      lines.push(`| ${id} | ${impl} | ${n.toFixed(0)} | ${rust === undefined ? "–" : `${(n / rust).toFixed(2)}×`} |`);
    }
  }
  return lines.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { time: { type: "string", default: "1000" }, measure: { type: "string" }, case: { type: "string" } },
  });
  if (values.measure !== undefined) {
    // One case for one of our implementations (hostBench runs this in a process of its own).
    if (!(values.measure in threadingOf || values.measure === "koffi-floor") || !hostCaseIds.includes(values.case)) throw new Error("usage: --measure IMPL --case CASE");
    const ns = values.measure === "koffi-floor" ? await measureFloor(values.case, Number(values.time)) : await measureOurs(values.case, values.measure, Number(values.time));
    console.log(`${values.case} ${ns}`);
  } else {
    console.log(hostTable(await hostBench({ time: Number(values.time) })));
  }
}
