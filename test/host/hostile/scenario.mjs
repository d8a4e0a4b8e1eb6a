// One hostile-guest scenario, run in a child process by the hardening tests
// (test/host/hostile/*.test.ts), against the built package (dist/, which
// Vitest's global setup builds): what can crash or hang the process does it
// here, never in the test runner.
//
//   node test/host/hostile/scenario.mjs '{"scenario": "huge-frame", "library": "...", "threading": "worker", ...}'
//
// The guest's behaviour comes from the environment (HOSTILE_MODE, ...: see
// test/hostile/README.md), set by the test. The scenario prints one line
// `RESULT <json>` on stdout. Unless the scenario is about how the process
// ends, it then exits with process.exit(0).
import { create } from "@bufbuild/protobuf";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { AbiError, actrId, invocationContext, RpcEnvelopeSchema } from "../../../dist/src/index.js";
import { loadGuest } from "../../../dist/src/host/index.js";

const args = JSON.parse(process.argv[2] ?? "{}");
const started = performance.now();
/** Milliseconds since the scenario started. */
const now = () => Math.round(performance.now() - started);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const text = (bytes) => new TextDecoder().decode(bytes);

const selfId = actrId({ realm: 1, serialNumber: 5n, type: { manufacturer: "acme", name: "hostile", version: "1.0" } });
const ctx = invocationContext({ selfId, requestId: "req-1" });
const envelope = (routeKey = "x", payload = new Uint8Array(0)) =>
  create(RpcEnvelopeSchema, {
    routeKey,
    payload: typeof payload === "string" ? new TextEncoder().encode(payload) : payload,
    requestId: "req-1",
    timeoutMs: 1000n,
  });

/** An error as JSON: its class, AbiError's status, its message, and when it came. */
const describeError = (error) => ({
  name: error?.name,
  abiError: error instanceof AbiError,
  status: error instanceof AbiError ? error.status : undefined,
  message: error instanceof Error ? error.message : String(error),
  typeError: error instanceof TypeError,
  at: now(),
});

/** How a promise settled: `{ ok, value, at }` or `{ ok: false, error }`. */
async function outcome(promise, map = text) {
  try {
    const value = await promise;
    return { ok: true, value: map(value), at: now() };
  } catch (error) {
    return { ok: false, error: describeError(error), at: now() };
  }
}

/** What every scenario records: the host errors reported, and the handler's calls. */
const hostErrors = [];
const handlerCalls = [];
const onHostError = (error, operation) => hostErrors.push({ ...describeError(error), operation: operation?.kind });
/** A handler answering every operation with "pong" (bytes), recording each call. */
const pong = (operation, origin) => {
  handlerCalls.push({ kind: operation.kind, at: now(), callReturned: origin?.callReturned });
  return { bytes: new TextEncoder().encode("pong") };
};

const options = (extra = {}) => ({ threading: args.threading, host: pong, onHostError, ...args.options, ...extra });

function print(result) {
  process.stdout.write(`RESULT ${JSON.stringify({ ...result, hostErrors, handlerCalls })}\n`);
}
function printAndExit(result) {
  print(result);
  process.exit(0);
}

/** Waits up to `ms` for `file` to hold a line starting with `prefix`; returns the file's text (or null). */
async function waitForLine(file, prefix, ms) {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (existsSync(file)) {
      const content = readFileSync(file, "utf8");
      if (content.split("\n").some((line) => line.startsWith(prefix))) return content;
    }
    await sleep(20);
  }
  return existsSync(file) ? readFileSync(file, "utf8") : null;
}

/** Threads of this process now (Linux). */
const threadCount = () => readdirSync("/proc/self/task").length;

const scenarios = {
  /** Item 1: invoke claims 20 MiB, then 2^40 bytes, from a 15-byte buffer; then a good invoke; twice. */
  async "huge-frame"() {
    const guest = await loadGuest(args.library, options());
    const first = await outcome(guest.handle(envelope(), ctx));
    const second = await outcome(guest.handle(envelope(), ctx));
    printAndExit({ first, second });
  },

  /** Item 2: actr_init calls invoke; the guest tells in a later call what it got. */
  async "init-invoke"() {
    const guest = await loadGuest(args.library, options());
    const callsDuringLoad = handlerCalls.length;
    const reply = await outcome(guest.handle(envelope(), ctx));
    printAndExit({ loaded: true, callsDuringLoad, reply });
  },

  /** Item 3: a guest thread calls invoke 300 ms after the call that started it, by when the guest is closed. Ends by itself. */
  async "late-invoke"() {
    const guest = await loadGuest(args.library, options());
    const reply = await outcome(guest.handle(envelope(), ctx));
    const closed = await outcome(guest.close(), () => "closed");
    const out = await waitForLine(process.env.HOSTILE_OUT, "late_invoke_rc=", 3000);
    await sleep(50); // let the guest's thread finish its bookkeeping
    print({ reply, closed, out });
    // No process.exit: the process must end by itself.
  },

  /** Item 5: actr_handle joins a thread of its own that calls invoke. Ends by itself. */
  async "join-invoke"() {
    const guest = await loadGuest(args.library, options());
    const callStarted = now();
    const reply = await outcome(guest.handle(envelope(), ctx));
    print({ reply, callMs: reply.at - callStarted });
    // No process.exit and no close(): the process must end by itself, whatever the guest's thread does.
  },

  /** Item 6, same-thread: `count` loads whose actr_init fails, then a good one. */
  async "failed-loads"() {
    const statuses = {};
    let other;
    for (let i = 0; i < args.count; i++) {
      try {
        await loadGuest(args.library, options({ init: new Uint8Array([0xff]) }));
        statuses.loaded = (statuses.loaded ?? 0) + 1;
      } catch (error) {
        const key = error instanceof AbiError ? String(error.status) : "other";
        statuses[key] = (statuses[key] ?? 0) + 1;
        if (key !== String(-5) && other === undefined) other = { index: i, ...describeError(error) };
      }
    }
    let good;
    try {
      const guest = await loadGuest(args.library, options());
      good = await outcome(guest.handle(envelope("echo", "still works"), ctx));
    } catch (error) {
      good = { ok: false, error: describeError(error) };
    }
    printAndExit({ statuses, other, good });
  },

  /** Item 6, worker: `count` load+close cycles, then a load; the process's threads sampled after each. */
  async "load-close-cycles"() {
    const baseline = threadCount();
    let maxThreads = baseline;
    let failed;
    for (let i = 0; i < args.count && failed === undefined; i++) {
      try {
        const guest = await loadGuest(args.library, options());
        await guest.close();
      } catch (error) {
        failed = { index: i, ...describeError(error) };
      }
      maxThreads = Math.max(maxThreads, threadCount());
    }
    let last;
    try {
      const guest = await loadGuest(args.library, options());
      last = await outcome(guest.handle(envelope("echo", "still works"), ctx));
    } catch (error) {
      last = { ok: false, error: describeError(error) };
    }
    maxThreads = Math.max(maxThreads, threadCount());
    printAndExit({ baseline, maxThreads, failed, last });
  },

  /** Item 7: the guest invokes HOSTILE_COUNT times in one call and never frees. */
  async "no-free"() {
    const guest = await loadGuest(args.library, options());
    const reply = await outcome(guest.handle(envelope(), ctx));
    printAndExit({ reply, outstanding: guest.outstandingHostBuffers });
  },

  /** Item 7: `calls` calls at once into a guest whose actr_handle sleeps. */
  async "queue-cap"() {
    const guest = await loadGuest(args.library, options());
    const madeAt = now();
    const calls = await Promise.all(Array.from({ length: args.calls }, () => outcome(guest.handle(envelope(), ctx))));
    printAndExit({ madeAt, calls });
  },

  /** Item 8: a handler that never settles, or settles late; the guest reports what its invoke got, and how long it waited. */
  async "invoke-timeout"() {
    const handler = (operation) => {
      handlerCalls.push({ kind: operation.kind, at: now() });
      if (args.handler === "never") return new Promise(() => {});
      return sleep(args.settleAfterMs).then(() => {
        handlerCalls.push({ kind: "settled", at: now() });
        return { bytes: new TextEncoder().encode("late pong") };
      });
    };
    const guest = await loadGuest(args.library, options({ host: handler }));
    const reply = await outcome(guest.handle(envelope(), ctx));
    await sleep(args.waitAfterMs ?? 0);
    printAndExit({ reply });
  },

  /** Item 8: close({ force: true }) with calls queued behind a sleeping one. */
  async "force-close"() {
    const guest = await loadGuest(args.library, options());
    const calls = Array.from({ length: args.calls }, () => outcome(guest.handle(envelope(), ctx)));
    await sleep(args.closeAfterMs); // the first call is inside actr_handle by now
    const closeAt = now();
    const closed = await outcome(guest.close({ force: true }), () => "closed");
    printAndExit({ closeAt, closed, calls: await Promise.all(calls) });
  },

  /** Item 8: a handler that makes a call into the same guest. */
  async reentrant() {
    let guest;
    let inner;
    let innerStartedAt;
    const handler = (operation) => {
      handlerCalls.push({ kind: operation.kind, at: now() });
      const answer = { bytes: new TextEncoder().encode("pong") };
      if (inner !== undefined) return answer; // only the first invoke calls back in
      innerStartedAt = now();
      inner = outcome(guest.handle(envelope("inner"), ctx));
      if (args.threading === "same-thread") return answer; // a sync handler: the inner call is queued
      return inner.then(() => answer);
    };
    guest = await loadGuest(args.library, options({ host: handler }));
    const outer = await outcome(guest.handle(envelope("outer"), ctx));
    const innerOutcome =
      inner === undefined ? undefined : await Promise.race([inner, sleep(3000).then(() => "unsettled")]);
    printAndExit({ outer, inner: innerOutcome, innerStartedAt });
  },

  /** Item 9 and 10: one call; what the guest recorded in HOSTILE_OUT comes with the result. */
  async "one-call"() {
    const guest = await loadGuest(args.library, options());
    const reply = await outcome(guest.handle(envelope(), ctx));
    const out =
      process.env.HOSTILE_OUT && existsSync(process.env.HOSTILE_OUT)
        ? readFileSync(process.env.HOSTILE_OUT, "utf8")
        : null;
    printAndExit({ reply, out });
  },

  /** Item 10: loads the same path twice (the second actr_init crashes the process). */
  async "load-twice"() {
    await loadGuest(args.library, options());
    process.stdout.write("LOADED once\n");
    await loadGuest(args.library, options());
    printAndExit({ loadedTwice: true });
  },
};

const scenario = scenarios[args.scenario];
if (scenario === undefined) throw new Error(`no scenario ${args.scenario}`);
await scenario();
