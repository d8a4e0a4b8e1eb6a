// The host runtime's cases of `npm run bench`: round trips through the test
// guest (test/guest/), for @actr/dynclib-abi/host in both threading modes and
// for a small Rust host (bench/rust-host/) driving the same guest the same way.
//
//   host-roundtrip-echo      GUEST_HANDLE with a 256-byte payload, echoed: encode, actr_handle, decode, free; one call at a time
//   host-roundtrip-callback  the same, where the guest calls the host once (HOST_CALL) and returns its answer
//   host-pipelined-echo      the echo with 64 calls in flight (ns per call); rust-host: its sequential echo
//
// Usage: node bench/host.mjs [--time MS]   (npm run bench runs it after the codec cases)
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, "..");
const guestDir = path.join(root, "test/guest");
const rustHostDir = path.join(here, "rust-host");

/** The case ids of this file, in table order. */
export const hostCaseIds = ["host-roundtrip-echo", "host-roundtrip-callback", "host-pipelined-echo"];
const IN_FLIGHT = 64;

function cargoBuild(dir) {
  const cargo = spawnSync("cargo", ["--version"]);
  if (cargo.error || cargo.status !== 0) return "cargo is not installed";
  const build = spawnSync("cargo", ["build", "--release", "--offline", "--quiet"], { cwd: dir, stdio: "inherit" });
  return build.status === 0 ? undefined : `${path.relative(root, dir)} did not build`;
}

/** Median ns per call of `run` (async, one call per invocation, `calls` calls each), over samples of about 2 ms for `timeMs`. */
async function measure(timeMs, run, calls = 1) {
  let n = 0;
  let start = process.hrtime.bigint();
  while (process.hrtime.bigint() - start < 50_000_000n) {
    await run();
    n++;
  }
  const batch = Math.max(1, Math.round(n / 25));
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

/** Runs the host cases; returns `{ case, impl, nsPerOp }` rows (none when cargo or the guest is missing, with a note printed). */
export async function hostBench({ time = 1000 } = {}) {
  const missing = cargoBuild(guestDir) ?? cargoBuild(rustHostDir);
  if (missing !== undefined) {
    console.log(`bench: host cases skipped: ${missing}`);
    return [];
  }
  const library = path.join(guestDir, "target/release/libactr_test_guest.so");
  const { loadGuest } = await import(pathToFileURL(path.join(root, "dist/src/host/index.js")).href);
  const { actrId, invocationContext, RpcEnvelopeSchema } = await import(pathToFileURL(path.join(root, "dist/src/index.js")).href);
  const { create } = await import("@bufbuild/protobuf");

  const id = (serialNumber, name) => actrId({ realm: 1, serialNumber, type: { manufacturer: "acme", name, version: "1.0" } });
  const ctx = invocationContext({ selfId: id(5n, "test"), callerId: id(9n, "caller"), requestId: "req-1" });
  const payload = Uint8Array.from({ length: 256 }, (_, i) => (i * 7) & 0xff);
  const envelope = (routeKey) => create(RpcEnvelopeSchema, { routeKey, payload, requestId: "req-1", timeoutMs: 1000n });
  const echo = envelope("echo");
  const call = envelope("call");
  const host = (operation) => ({ bytes: operation.payload.payload });
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

  // Each case is timed for the Rust host right before our two modes, so the
  // ratios compare measurements minutes apart at most seconds apart: the load
  // of a shared machine drifts, and would otherwise skew one side.
  const rustHost = path.join(rustHostDir, "target/release/actr-rust-host");
  const rust = (id) => {
    const run = spawnSync(rustHost, [library, "--time", String(time), "--case", id], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`the Rust host failed:\n${run.stderr}`);
    const [printed, ns] = run.stdout.trim().split(" ");
    if (printed !== id) throw new Error(`the Rust host printed ${printed}, not ${id}`);
    return Number(ns);
  };
  const guests = new Map();
  const rows = [];
  try {
    for (const [impl, threading] of [["actr-dynclib-abi", "worker"], ["actr-dynclib-abi-sync", "same-thread"]]) {
      guests.set(impl, await loadGuest(library, { threading, host }));
    }
    for (const [id, request] of [["host-roundtrip-echo", echo], ["host-roundtrip-callback", call]]) {
      rows.push({ case: id, impl: "rust-host", nsPerOp: rust(id) });
      for (const [impl, guest] of guests) {
        if (!same(await guest.handle(request, ctx), payload)) throw new Error(`${impl} answers other bytes for ${id}`);
        rows.push({ case: id, impl, nsPerOp: await measure(time, () => guest.handle(request, ctx)) });
      }
    }
    // The Rust host's pipelined row is its sequential echo, timed again beside ours.
    rows.push({ case: "host-pipelined-echo", impl: "rust-host", nsPerOp: rust("host-roundtrip-echo") });
    const worker = guests.get("actr-dynclib-abi");
    const window = () => Promise.all(Array.from({ length: IN_FLIGHT }, () => worker.handle(echo, ctx)));
    for (const response of await window()) if (!same(response, payload)) throw new Error("pipelined echo answers other bytes");
    rows.push({ case: "host-pipelined-echo", impl: "actr-dynclib-abi", nsPerOp: await measure(time, window, IN_FLIGHT) });
  } finally {
    for (const guest of guests.values()) await guest.close();
  }
  for (const r of rows) r.nsPerOp = Math.round(r.nsPerOp * 10) / 10;
  return rows;
}

/** The markdown table of host rows: ns per call and the ratio over the Rust host. */
export function hostTable(rows) {
  const ns = (id, impl) => rows.find((r) => r.case === id && r.impl === impl)?.nsPerOp;
  const lines = ["| case | impl | ns/op | × rust-host |", "|---|---|---:|---:|"];
  for (const id of hostCaseIds) {
    for (const impl of ["actr-dynclib-abi", "actr-dynclib-abi-sync", "rust-host"]) {
      const n = ns(id, impl);
      if (n === undefined) continue;
      const rust = ns(id, "rust-host");
      lines.push(`| ${id} | ${impl} | ${n.toFixed(0)} | ${rust === undefined ? "–" : `${(n / rust).toFixed(2)}×`} |`);
    }
  }
  return lines.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { time: { type: "string", default: "1000" } } });
  const rows = await hostBench({ time: Number(values.time) });
  console.log(hostTable(rows));
}
