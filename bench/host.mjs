// The host runtime's cases of `npm run bench`: round trips through the test
// guest (test/guest/), for @actr/dynclib-abi/host in both threading modes, for
// a small Rust host (bench/rust-host/, direct calls, no runtime) and for a Rust
// host built the way the actr framework's is (bench/rust-hyper/: Tokio
// runtime, blocking entries, async host executor) driving the same guest.
//
//   host-roundtrip-echo      GUEST_HANDLE with a 256-byte payload, echoed: encode, actr_handle, decode, free; one call at a time
//   host-roundtrip-callback  the same, where the guest calls the host once (HOST_CALL) and returns its answer
//   host-pipelined-echo      the echo with 64 calls in flight (ns per call); rust-host: its sequential echo
//   host-roundtrip-echo-gen2, host-roundtrip-callback-gen2
//                            the first two against the second-generation test guest (test/guest-gen2/:
//                            bridge tokens, actr_shutdown); rust-hyper and our two modes (skipped, with
//                            the reason, when our host cannot load that guest)
//
// Beside them, impl koffi-floor: the same guest driven through koffi with no codec and no copies (see measureFloor).
//
// Usage: node bench/host.mjs [--time MS] [--case CASE]...   (npm run bench runs it after the codec cases)
//        node bench/host.mjs --measure IMPL --case CASE [--time MS] [--check]   (one of ours, in this process;
//        --check only loads the guest and checks one answer)
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { cargoBuild as buildCrate } from "../scripts/cargo.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, "..");
const guestDir = path.join(root, "test/guest");
const guestGen2Dir = path.join(root, "test/guest-gen2");
const rustHostDir = path.join(here, "rust-host");
const rustHyperDir = path.join(here, "rust-hyper");

/** The case ids of this file, in table order. */
export const hostCaseIds = [
  "host-roundtrip-echo",
  "host-roundtrip-callback",
  "host-pipelined-echo",
  "host-roundtrip-echo-gen2",
  "host-roundtrip-callback-gen2",
];
/** The cases run against the second-generation guest. */
const isGen2 = (id) => id.endsWith("-gen2");
const IN_FLIGHT = 64;
/** Times each case is measured, in turns; a row is the median of its rounds (this VM's speed drifts within seconds). At least 5. */
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
const libraryGen2 = path.join(guestGen2Dir, "target/release/libactr_test_guest_gen2.so");
const guestOf = (id) => (isGen2(id) ? libraryGen2 : library);
const rustHost = path.join(rustHostDir, "target/release/actr-rust-host");
const rustHyper = path.join(rustHyperDir, "target/release/actr-rust-hyper");
/** Our implementations: impl id → the `threading` option of `loadGuest`. */
const threadingOf = { "actr-dynclib-abi": "worker", "actr-dynclib-abi-sync": "same-thread" };

/**
 * What every implementation sends for case `id`: the 256-byte payload, the
 * RpcEnvelope to the test guest's route (`call` for the callback case, `echo`
 * otherwise; the gen-2 cases alike) and its context, built with this package's API (`dist/`).
 */
async function caseRequest(id) {
  const { actrId, invocationContext, RpcEnvelopeSchema } = await import(
    pathToFileURL(path.join(root, "dist/src/index.js")).href
  );
  const { create } = await import("@bufbuild/protobuf");
  const actor = (serialNumber, name) =>
    actrId({ realm: 1, serialNumber, type: { manufacturer: "acme", name, version: "1.0" } });
  const ctx = invocationContext({ selfId: actor(5n, "test"), callerId: actor(9n, "caller"), requestId: "req-1" });
  const payload = Uint8Array.from({ length: 256 }, (_, i) => (i * 7) & 0xff);
  const request = create(RpcEnvelopeSchema, {
    routeKey: id.startsWith("host-roundtrip-callback") ? "call" : "echo",
    payload,
    requestId: "req-1",
    timeoutMs: 1000n,
  });
  return { ctx, payload, request };
}

/**
 * Times one case for one of our implementations, in this process (see
 * `hostBench`, which runs it in a process of its own): loads the test guest
 * (the gen-2 one for a gen-2 case), checks the answer, returns the median ns
 * per call (`check`: returns 0 once the answer is checked).
 */
async function measureOurs(id, impl, time, check = false) {
  const { loadGuest } = await import(pathToFileURL(path.join(root, "dist/src/host/index.js")).href);
  const { ctx, payload, request } = await caseRequest(id);
  const host = (operation) => ({ bytes: operation.payload.payload });
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

  const guest = await loadGuest(guestOf(id), { threading: threadingOf[impl], host });
  try {
    if (id === "host-pipelined-echo") {
      const window = () => Promise.all(Array.from({ length: IN_FLIGHT }, () => guest.handle(request, ctx)));
      for (const response of await window())
        if (!same(response, payload)) throw new Error(`${impl} answers other bytes for ${id}`);
      return check ? 0 : await measure(time, window, IN_FLIGHT);
    }
    if (!same(await guest.handle(request, ctx), payload)) throw new Error(`${impl} answers other bytes for ${id}`);
    return check ? 0 : await measure(time, () => guest.handle(request, ctx));
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
  const {
    addressOf,
    copyNative: memcpy,
    malloc,
  } = await import(pathToFileURL(path.join(root, "dist/src/host/native-memory.js")).href);
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
  const invoke = koffi.register(
    (frame, frameLen, replyOut, replyLenOut) => {
      memcpy(replyOut, out + 16, 8);
      memcpy(replyLenOut, out + 24, 8);
      return 0;
    },
    koffi.pointer(koffi.proto(null, "int32_t", ["uintptr_t", "size_t", "uintptr_t", "uintptr_t"])),
  );
  const freeHostBuf = koffi.register(() => {}, koffi.pointer(koffi.proto(null, "void", ["uintptr_t", "size_t"])));
  const vtable = malloc(16);
  new BigUint64Array(koffi.view(vtable, 16)).set([BigInt(koffi.address(invoke)), BigInt(koffi.address(freeHostBuf))]);
  if (init(vtable, 0, 0) !== 0) throw new Error("koffi-floor: actr_init failed");

  const frame = abi.encodeGuestHandleRequest(request, ctx);
  const frameAddress = native(frame);
  const call = () => {
    if (handle(frameAddress, frame.length, out, out + 8) !== 0)
      throw new Error(`koffi-floor: actr_handle failed for ${id}`);
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

/** One line saying why a child process failed: its error message, else its signal, exit code or timeout. */
function whyFailed(run) {
  if (run.error !== undefined) return run.error.code === "ETIMEDOUT" ? "it did not finish in 60 s" : run.error.message;
  const lines = (run.stderr ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const message = lines.find((l) => /^(\w*Error|panicked at|thread '.*' panicked)/.test(l)) ?? lines.at(-1);
  const how = run.signal !== null ? `killed by ${run.signal}` : `exit code ${run.status}`;
  return (message === undefined ? how : `${message} (${how})`).slice(0, 240);
}

/** Runs `command args` once (a short run that checks the answer); undefined when it worked, else why not. */
function probe(command, args) {
  const run = spawnSync(command, args, { encoding: "utf8", timeout: 60_000 });
  return run.status === 0 ? undefined : whyFailed(run);
}

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const round1 = (n) => Math.round(n * 10) / 10;

/**
 * Runs the host cases (`cases`, default all); returns `{ case, impl, nsPerOp }`
 * rows, rows timed beside rust-hyper with `xRustHyper: { median, min, max }`
 * (their time over rust-hyper's, round by round). None when cargo or the test
 * guest is missing; a case or implementation that cannot run is left out with
 * a one-line note. Each implementation runs in a process of its own, as the
 * Rust hosts do: one mode's garbage and compiled code never weigh on another's
 * numbers. Each case is timed in `ROUNDS` turns of `time / ROUNDS` ms, the Rust
 * hosts right before our modes, and each row is its median turn, so the ratios
 * compare measurements seconds apart: the load of a shared machine drifts, and
 * would otherwise skew one side. rust-host's echo, timed for the echo and the
 * pipelined rows, is one measurement: both rows are the median of its turns.
 */
export async function hostBench({ time = 1000, cases = hostCaseIds } = {}) {
  const missing = cargoBuild(guestDir) ?? cargoBuild(rustHostDir);
  if (missing !== undefined) {
    console.log(`bench: host cases skipped: ${missing}`);
    return [];
  }
  const hyperMissing = cargoBuild(rustHyperDir);
  if (hyperMissing !== undefined) console.log(`bench: rust-hyper rows skipped: ${hyperMissing}`);
  let wanted = cases;
  if (cases.some(isGen2)) {
    const gen2Missing = existsSync(path.join(guestGen2Dir, "Cargo.toml"))
      ? cargoBuild(guestGen2Dir)
      : `${path.relative(root, guestGen2Dir)} is not in this tree`;
    if (gen2Missing !== undefined) {
      console.log(`bench: ${cases.filter(isGen2).join(", ")} skipped: ${gen2Missing}`);
      wanted = cases.filter((id) => !isGen2(id));
    }
  }
  const slice = String(Math.max(100, Math.round(time / ROUNDS)));
  const rust = (binary, id, ms = slice) => [binary, [guestOf(id), "--time", ms, "--case", id], id];
  const ours = (id, impl, ...more) => [
    process.execPath,
    [fileURLToPath(import.meta.url), "--measure", impl, "--case", id, "--time", slice, ...more],
    id,
  ];
  // [case, impl, what is timed, [command, args, id]]; rust-host's pipelined row is its sequential echo.
  const plan = [];
  for (const id of wanted) {
    if (!isGen2(id)) {
      const rustHostCase = id === "host-pipelined-echo" ? "host-roundtrip-echo" : id;
      plan.push([id, "rust-host", `rust-host ${rustHostCase}`, rust(rustHost, rustHostCase)]);
    }
    if (hyperMissing === undefined) plan.push([id, "rust-hyper", `rust-hyper ${id}`, rust(rustHyper, id)]);
    for (const impl of Object.keys(threadingOf)) plan.push([id, impl, `${impl} ${id}`, ours(id, impl)]);
    if (id === "host-roundtrip-echo" || id === "host-roundtrip-callback")
      plan.push([id, "koffi-floor", `koffi-floor ${id}`, ours(id, "koffi-floor")]);
  }
  // A gen-2 row runs only when one short run answers right (our host may not speak generation 2 yet).
  const runnable = plan.filter(([id, impl]) => {
    if (!isGen2(id)) return true;
    const why = impl === "rust-hyper" ? probe(...rust(rustHyper, id, "1")) : probe(...ours(id, impl, "--check"));
    if (why !== undefined) console.log(`bench: ${id} ${impl} skipped: ${why}`);
    return why === undefined;
  });
  // Every case runs ROUNDS times, each time the Rust hosts right before ours.
  // Each row is the median of the rounds of what it times: rust-host's echo
  // is timed for two rows (twice per round), and both rows get the median of all its rounds.
  const samples = new Map();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [, , timedWhat, [command, args, id]] of runnable) {
      if (!samples.has(timedWhat)) samples.set(timedWhat, []);
      samples.get(timedWhat).push(timed(command, args, id));
    }
  }
  return runnable.map(([id, impl, timedWhat]) => {
    const mine = samples.get(timedWhat);
    const row = { case: id, impl, nsPerOp: round1(median(mine)) };
    const hyper = samples.get(`rust-hyper ${id}`);
    // Round by round, when both were timed once per round; else the ratio of the medians.
    if (hyper !== undefined) {
      const ratios = mine.length === hyper.length ? mine.map((n, i) => n / hyper[i]) : [median(mine) / median(hyper)];
      row.xRustHyper = {
        median: Math.round(median(ratios) * 1000) / 1000,
        min: Math.round(Math.min(...ratios) * 1000) / 1000,
        max: Math.round(Math.max(...ratios) * 1000) / 1000,
      };
    }
    return row;
  });
}

/** The markdown table of host rows: ns per call, the ratio over rust-host, and over rust-hyper (median of the rounds' ratios, with their range). */
export function hostTable(rows) {
  const find = (id, impl) => rows.find((r) => r.case === id && r.impl === impl);
  const lines = [
    "| case | impl | ns/op | × rust-host | × rust-hyper (range over rounds) |",
    "|---|---|---:|---:|---:|",
  ];
  for (const id of hostCaseIds) {
    for (const impl of ["actr-dynclib-abi", "actr-dynclib-abi-sync", "koffi-floor", "rust-host", "rust-hyper"]) {
      const row = find(id, impl);
      if (row === undefined) continue;
      const rust = find(id, "rust-host")?.nsPerOp;
      const x = row.xRustHyper;
      const hyper =
        x === undefined
          ? "–"
          : impl === "rust-hyper"
            ? "1.00×"
            : x.min === x.max
              ? `${x.median.toFixed(2)}×`
              : `${x.median.toFixed(2)}× (${x.min.toFixed(2)}–${x.max.toFixed(2)})`;
      lines.push(
        `| ${id} | ${impl} | ${row.nsPerOp.toFixed(0)} | ${rust === undefined ? "–" : `${(row.nsPerOp / rust).toFixed(2)}×`} | ${hyper} |`,
      );
    }
  }
  return lines.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      time: { type: "string", default: "1000" },
      measure: { type: "string" },
      case: { type: "string", multiple: true },
      check: { type: "boolean", default: false },
    },
  });
  if (values.measure !== undefined) {
    // One case for one of our implementations (hostBench runs this in a process of its own).
    const [id] = values.case ?? [];
    const floorCases = ["host-roundtrip-echo", "host-roundtrip-callback"];
    if (
      !(values.measure in threadingOf || (values.measure === "koffi-floor" && floorCases.includes(id))) ||
      !hostCaseIds.includes(id)
    )
      throw new Error("usage: --measure IMPL --case CASE");
    const ns =
      values.measure === "koffi-floor"
        ? await measureFloor(id, Number(values.time))
        : await measureOurs(id, values.measure, Number(values.time), values.check);
    console.log(`${id} ${ns}`);
  } else {
    const cases = values.case ?? hostCaseIds;
    for (const id of cases)
      if (!hostCaseIds.includes(id)) throw new Error(`unknown case ${id} (one of ${hostCaseIds.join(", ")})`);
    console.log(hostTable(await hostBench({ time: Number(values.time), cases })));
  }
}
