/**
 * `actr-abi run`: load a guest, drive it, answer its `invoke`s from an
 * answers file, and trace every frame that crosses the ABI (strace for the ABI).
 *
 * @module
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { ActrId } from "../../gen/actr/actr_pb.js";
import { create } from "@bufbuild/protobuf";
import {
  AbiFrameSchema,
  AbiReplySchema,
  GuestDataStreamV1Schema,
  GuestHandleV1Schema,
  GuestHookV1Schema,
  GuestLifecycleV1Schema,
  type InitPayloadV1,
  InitPayloadV1Schema,
} from "../../gen/actr/dynclib/v1/abi_pb.js";
import { encodeMessage } from "../codec.js";
import { AbiError, ActrError } from "../errors.js";
import { decodeReply, encodeFrame, successReply } from "../frames.js";
import {
  guestDataStreamPayload,
  guestHandlePayload,
  guestHookPayload,
  guestLifecyclePayload,
} from "../guest-requests.js";
import { encodeHostReply, type HostOperation, type HostResult } from "../host-operations.js";
import { payloadSchemaForOp } from "../schemas.js";
import { invocationContext, lifecycleContext } from "../values.js";
import { type AnswerRule, answerOperation, parseAnswers } from "./answers-file.js";
import { CliError, UsageError } from "./errors.js";
import { formatMessage } from "./format.js";
import {
  callOptions,
  defaultSelfId,
  defaultTimeoutMs,
  type GuestCall,
  hasCallOptions,
  parseActrId,
  parseGuestCall,
} from "./guest-calls.js";
import { readJson } from "./input.js";
import { messageFromJson } from "./json.js";
import type { BridgeTokenEvent, Guest, InvokeOrigin, LoadGuestOptions } from "../host/index.js";
import type { CliIo } from "./io.js";
import { parseScript } from "./script.js";
import { actrErrorVariant, type CallOutcome, outcomeSummary, traceWriter } from "./trace.js";

/** The help text of `actr-abi run`. */
export const runUsage = `Usage: actr-abi run GUEST.so [what to send] [--answers FILE] [options]

Loads the DynClib guest GUEST.so (either ABI generation: the second is told
by its actr_shutdown export), calls actr_init, sends it one call (or the
calls of a script, to the same instance), answers each invoke of the guest
from an answers file, and traces every frame that crosses the ABI on stderr:
direction, op, the frame decoded as actr-abi decode shows it, each reply with
its status by name, and the time each call took. For a second-generation
guest the trace also shows each call's bridge token, the guest's retains and
releases of it, and the invokes of its background tasks, marked "background"
and numbered under the call that spawned them. The response of the last call
is printed on stdout as actr-abi decode --as AbiReply shows it.

What to send (one of):
  --route R               a GUEST_HANDLE with an actr.RpcEnvelope for route R, with
    --payload HEX|@file|-   its payload (hex, a file of raw bytes or hex, or stdin)
    --request-id ID         its request id (default req-N, N the call's number)
    --timeout-ms N          its timeout (default ${defaultTimeoutMs})
    --metadata k=v          a metadata entry (repeatable)
  --lifecycle HOOK        a GUEST_LIFECYCLE: on_start, on_ready or on_stop
  --hook NAME [JSON]      a GUEST_HOOK (webrtcConnected, ON_SIGNALING_CONNECTED, ...)
                          with its event as the JSON of its GuestHookV1 field
                          (PeerEventV1, CredentialEventV1 or BackpressureEventV1),
                          as the next argument or with --event JSON
  --data-stream JSON      a GUEST_DATA_STREAM with this actr.DataStream chunk
  --script FILE           the calls of a session, one a line: the options above
                          (--lifecycle on_start) or a JSON object of them
                          ({"route": "echo", "payload": "6869"}); # comments
  (nothing)               only load the guest and call actr_init

How to answer the guest's invokes:
  --answers FILE          a JSON array of rules { kind?, route?, reply }, tried in
                          order; the first that matches answers. kind: call, tell,
                          callRaw, discover, registerStream, unregisterStream,
                          sendDataStream; route: the route key or stream id;
                          reply: {"hex": "..."}, {"text": "..."}, {"echo": true},
                          {"json": {...}} (discover: an actr.ActrId), {"done": true},
                          {"status": "GENERIC_ERROR"}, or
                          {"error": {"variant": "NotFound", "message": "..."}}.
                          Without a matching rule the host answers UNSUPPORTED_OP.

Options:
  --init JSON             the InitPayloadV1 for actr_init (JSON or @file; default empty)
  --self JSON             the guest's own actr.ActrId (default realm 1, serial 1)
  --caller JSON           the actr.ActrId of the caller of each RPC and the sender of
                          each data-stream chunk (default: no caller; chunks from self)
  --json                  the trace as NDJSON on stdout, one object per event, then
                          {"event": "exit", ...}
  --brief                 the trace with one line per event, frames not shown
  --raw                   write the last response's bytes to stdout, nothing else
  --bytes-limit N         hex bytes shown before eliding (default 32)
  --timeout MS            end the run (exit 1, one line) when it takes longer than
                          MS milliseconds: a guest that never returns
  --linger MS             keep the guest open MS milliseconds after the last call,
                          so that invokes of its background tasks are seen before
                          it is closed (actr_shutdown); default 0
  -h, --help              show this help

A script runs every call, whatever the earlier ones answered. The guest
runs in a child process of the command, so that a guest that crashes it or
never returns (--timeout) ends the run with one line. Exit status: 0 when
the last call succeeded (or, with nothing to send, actr_init did); 1 when it
failed (the ActrError, or the non-zero code of actr_handle or actr_init),
the guest cannot be loaded, crashed or timed out, with the reason on one
line of stderr; 2 for a usage error.
`;

/** Loads a guest: `loadGuest` of `@actr/dynclib-abi/host`. */
export type GuestLoader = (path: string, options: LoadGuestOptions) => Promise<Guest>;

/**
 * The host runtime, imported on first use (it needs koffi, which the other
 * commands do not). Guests run on the calling thread: the handler answers
 * synchronously, and the time of a call is the guest's, not a thread hop's.
 */
export async function hostRuntimeLoader(): Promise<GuestLoader> {
  const { loadGuest } = await import("../host/index.js");
  return (path, options) => loadGuest(path, { ...options, threading: "same-thread" });
}

/** Set in the child process that runs the guest for `actr-abi run` (see `runGuest`). */
const SUPERVISED = "ACTR_ABI_RUN_SUPERVISED";

/**
 * Runs `actr-abi run` with its arguments, on the host runtime; resolves to
 * the exit status. On the process's own stdio, the guest runs in a child
 * process (this command again) that this one watches: a guest that crashes
 * the process, or outlives `--timeout`, then ends with one line saying so
 * rather than with nothing.
 */
export function runGuest(args: string[], io: CliIo): Promise<number> {
  if (io.stdout === process.stdout && process.env[SUPERVISED] !== "1" && process.argv[1] !== undefined)
    return superviseRun(args, io);
  return runGuestWith(args, io, hostRuntimeLoader);
}

/**
 * Runs `actr-abi run ARGS` in a child process with this one's stdio, and
 * waits at most `--timeout` for it. Resolves to its exit status, or to 1
 * with one line when it was killed by a signal or timed out.
 */
function superviseRun(args: string[], io: CliIo): Promise<number> {
  const timeoutMs = timeoutOf(args);
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, "run", ...args], {
    stdio: "inherit",
    env: { ...process.env, [SUPERVISED]: "1" },
  });
  let timedOut = false;
  const timer =
    timeoutMs === undefined ? undefined : setTimeout(() => ((timedOut = true), child.kill("SIGKILL")), timeoutMs);
  return new Promise((resolve) => {
    child.on("exit", (status, signal) => {
      clearTimeout(timer);
      if (status !== null && !timedOut) return resolve(status);
      const reason = timedOut
        ? `the guest did not finish within --timeout ${timeoutMs} ms; its process was killed`
        : `the guest's process was killed by ${signal ?? "a signal"} (a crash inside the guest, most likely)`;
      if (args.includes("--json") && !args.includes("--raw"))
        io.stdout.write(JSON.stringify({ event: "exit", status: 1, reason }) + "\n");
      io.stderr.write(`actr-abi run: ${reason}\n`);
      resolve(1);
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      io.stderr.write(`actr-abi run: cannot start the guest's process: ${error.message}\n`);
      resolve(1);
    });
  });
}

/** The value of `--timeout` among `args`, when it is a valid one (the child reports a wrong one as a usage error). */
function timeoutOf(args: string[]): number | undefined {
  let text: string | undefined;
  for (const [i, arg] of args.entries()) {
    if (arg === "--timeout") text = args[i + 1];
    else if (arg.startsWith("--timeout=")) text = arg.slice("--timeout=".length);
  }
  const ms = Number(text);
  return text !== undefined && Number.isSafeInteger(ms) && ms > 0 ? ms : undefined;
}

const runOptions = {
  ...callOptions,
  script: { type: "string" },
  answers: { type: "string" },
  init: { type: "string" },
  self: { type: "string" },
  caller: { type: "string" },
  json: { type: "boolean", default: false },
  brief: { type: "boolean", default: false },
  raw: { type: "boolean", default: false },
  "bytes-limit": { type: "string", default: "32" },
  linger: { type: "string", default: "0" },
  timeout: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** Everything a run needs, read and checked before the guest is loaded. */
interface RunPlan {
  readonly guestPath: string;
  readonly calls: GuestCall[];
  readonly rules: AnswerRule[];
  readonly init: InitPayloadV1;
  readonly selfId: ActrId;
  readonly callerId: ActrId | undefined;
  readonly json: boolean;
  readonly brief: boolean;
  readonly raw: boolean;
  readonly bytesLimit: number;
  /** Milliseconds to keep the guest open after the last call (`--linger`). */
  readonly lingerMs: number;
}

async function readPlan(args: string[], io: CliIo): Promise<RunPlan | "help"> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: runOptions, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs throws only for arguments it cannot read (an unknown option, a missing value).
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  const [guestPath, hookEvent, ...extra] = positionals;
  if (guestPath === undefined)
    throw new UsageError("run needs the path of a guest shared library (see actr-abi run --help)");
  if (extra.length > 0 || (hookEvent !== undefined && (values.hook === undefined || values.event !== undefined))) {
    throw new UsageError(`unexpected argument ${JSON.stringify(extra[0] ?? hookEvent)}`);
  }
  const bytesLimit = Number(values["bytes-limit"]);
  if (!Number.isSafeInteger(bytesLimit) || bytesLimit < 0) {
    throw new UsageError(`--bytes-limit must be a non-negative integer, got ${values["bytes-limit"]}`);
  }
  if (values.timeout !== undefined && !(Number.isSafeInteger(Number(values.timeout)) && Number(values.timeout) > 0)) {
    throw new UsageError(`--timeout must be a positive integer of milliseconds, got ${values.timeout}`);
  }
  const lingerMs = Number(values.linger);
  if (!Number.isSafeInteger(lingerMs) || lingerMs < 0)
    throw new UsageError(`--linger must be a non-negative integer of milliseconds, got ${values.linger}`);
  const callValues = hookEvent === undefined ? values : { ...values, event: hookEvent };
  let calls: GuestCall[];
  if (values.script !== undefined) {
    if (hasCallOptions(callValues))
      throw new UsageError("--script cannot be combined with a call's options (put the call in the script)");
    let text: string;
    try {
      text = readFileSync(values.script, "utf8");
    } catch (err) {
      throw new UsageError(
        `cannot read ${values.script}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    calls = await parseScript(text, io.stdin);
  } else {
    const call = await parseGuestCall(callValues, 1, io.stdin);
    calls = call === undefined ? [] : [call];
  }
  const rules = values.answers === undefined ? [] : parseAnswers(await readJson(`@${values.answers}`, io.stdin));
  const init =
    values.init === undefined
      ? create(InitPayloadV1Schema)
      : (messageFromJson(InitPayloadV1Schema, await readJson(values.init, io.stdin)) as InitPayloadV1);
  return {
    guestPath,
    calls,
    rules,
    init,
    selfId: values.self === undefined ? defaultSelfId : parseActrId(values.self, "--self"),
    callerId: values.caller === undefined ? undefined : parseActrId(values.caller, "--caller"),
    json: values.json,
    brief: values.brief,
    raw: values.raw,
    bytesLimit,
    lingerMs,
  };
}

/**
 * The frame the host sends for `call` (with the bridge token the host
 * issued for it, 0 for none), and the promise of the guest's answer.
 */
function enter(
  guest: Guest,
  call: GuestCall,
  plan: RunPlan,
): { frame: (bridgeToken: bigint) => Uint8Array; run: () => Promise<Uint8Array | undefined> } {
  switch (call.kind) {
    case "handle": {
      const ctx = invocationContext({
        selfId: plan.selfId,
        callerId: plan.callerId,
        requestId: call.envelope.requestId,
      });
      return {
        frame: (bridgeToken) =>
          encodeFrame(GuestHandleV1Schema, { ...guestHandlePayload(call.envelope, ctx), bridgeToken }),
        run: () => guest.handle(call.envelope, ctx),
      };
    }
    case "lifecycle": {
      const ctx = lifecycleContext(plan.selfId, call.hook);
      return {
        frame: (bridgeToken) =>
          encodeFrame(GuestLifecycleV1Schema, { ...guestLifecyclePayload(call.hook, ctx), bridgeToken }),
        run: () => guest.lifecycle(call.hook, ctx).then(() => undefined),
      };
    }
    case "hook": {
      const ctx = invocationContext({ selfId: plan.selfId });
      return {
        frame: (bridgeToken) => encodeFrame(GuestHookV1Schema, { ...guestHookPayload(call.event, ctx), bridgeToken }),
        run: () => guest.hook(call.event, ctx).then(() => undefined),
      };
    }
    case "dataStream": {
      const sender = plan.callerId ?? plan.selfId;
      return {
        frame: (bridgeToken) =>
          encodeFrame(GuestDataStreamV1Schema, { ...guestDataStreamPayload(call.chunk, sender), bridgeToken }),
        run: () => guest.dataStream(call.chunk, sender).then(() => undefined),
      };
    }
  }
}

/** The one-line reason a run failed, for stderr and the exit event. */
function failureReason(outcome: CallOutcome, entry: "actr_init" | "actr_handle"): string {
  if ("error" in outcome) return `guest failed: ActrError ${actrErrorVariant(outcome.error)}: ${outcome.error.message}`;
  return outcomeSummary(outcome, entry);
}

/**
 * Runs `actr-abi run` with its arguments and a way to load guests; resolves
 * to the exit status (0 the last call succeeded, 1 it failed or the guest
 * could not be loaded, 2 a usage error).
 */
export async function runGuestWith(args: string[], io: CliIo, load: () => Promise<GuestLoader>): Promise<number> {
  let plan: RunPlan | "help";
  try {
    plan = await readPlan(args, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr.write(`actr-abi run: ${oneLine(err)}\n`);
      return 2;
    }
    throw err;
  }
  if (plan === "help") {
    io.stdout.write(runUsage);
    return 0;
  }
  const traceOut = plan.json && !plan.raw ? io.stdout : io.stderr;
  const emit = traceWriter(traceOut, plan.json ? "json" : plan.brief ? "brief" : "human", {
    bytesLimit: plan.bytesLimit,
  });
  const finish = (status: number, reason?: string) => {
    if (plan.json)
      traceOut.write(JSON.stringify({ event: "exit", status, ...(reason === undefined ? {} : { reason }) }) + "\n");
    if (reason !== undefined) io.stderr.write(`actr-abi run: ${reason}\n`);
    return status;
  };

  let call = 0;
  /** Invokes numbered so far, by call (a background task's invokes count under the call that spawned it). */
  const invokes = new Map<number, number>();
  /** The call each bridge token was issued for. */
  const callOfToken = new Map<bigint, number>();
  let invoke = 0;
  // actr_init is traced once the loader has reached it (a loader error is not an init).
  const initBytes = encodeMessage(InitPayloadV1Schema, plan.init);
  let initSent = false;
  const sendInit = () => {
    if (!initSent) emit({ event: "send", call: 0, schema: InitPayloadV1Schema, bytes: initBytes });
    initSent = true;
  };
  const rules = plan.rules;
  let hostNs = 0n; // time spent in the handler during the current call
  /** Where an invoke goes in the trace: under the call its token was issued for, numbered there; `background` when that call returned. */
  const placeInvoke = (origin: InvokeOrigin | undefined) => {
    const owner =
      origin === undefined || origin.bridgeToken === 0n ? call : (callOfToken.get(origin.bridgeToken) ?? call);
    const number = (invokes.get(owner) ?? 0) + 1;
    invokes.set(owner, number);
    if (owner === call) invoke = number;
    const bridge =
      origin === undefined || origin.bridgeToken === 0n
        ? {}
        : { bridgeToken: origin.bridgeToken, background: origin.callReturned };
    return { call: owner, invoke: number, ...bridge };
  };
  const host = (operation: HostOperation, origin: InvokeOrigin): HostResult => {
    const entered = process.hrtime.bigint();
    sendInit();
    const at = placeInvoke(origin);
    emit({ event: "invoke", ...at, bytes: encodeFrame(payloadSchemaForOp(operation.op)!, operation.payload) });
    const started = process.hrtime.bigint();
    const answer = answerOperation(rules, operation);
    const reply = encodeHostReply(answer.result);
    emit({
      event: "answer",
      ...at,
      reply,
      rule: answer.rule,
      note: answer.note,
      durationNs: process.hrtime.bigint() - started,
    });
    if (!at.background) hostNs += process.hrtime.bigint() - entered;
    return answer.result;
  };

  /** A bridge token the host issued, or the guest retained or released (generation 2). */
  let opened: bigint | undefined;
  const onBridgeToken = (event: BridgeTokenEvent) => {
    if (event.action === "open") {
      opened = event.token;
      callOfToken.set(event.token, call);
      return; // shown with the call's frame
    }
    emit({
      event: "token",
      call: callOfToken.get(event.token) ?? call,
      action: event.action,
      token: event.token,
      references: event.references,
    });
  };

  // Invokes the host answers with a code before its handler runs (a frame that does not decode).
  const onHostError = (error: Error, operation: HostOperation | undefined) => {
    if (FREE_REPORT.test(error.message)) return emit({ event: "freeRefused", call, message: oneLine(error) });
    if (operation === undefined) invoke = placeInvoke(undefined).invoke;
    emit({
      event: "hostError",
      call,
      invoke,
      status: error instanceof AbiError ? error.status : undefined,
      message: oneLine(error),
    });
  };

  let loadGuest: GuestLoader;
  try {
    loadGuest = await load();
  } catch (err) {
    return finish(1, `cannot load the host runtime: ${oneLine(err)}`);
  }
  let guest: Guest;
  const initStarted = process.hrtime.bigint();
  try {
    guest = await loadGuest(plan.guestPath, { host, init: plan.init, onHostError, onBridgeToken });
  } catch (err) {
    if (err instanceof AbiError && initReturned.test(err.message)) {
      sendInit();
      const outcome: CallOutcome = { status: err.status };
      emit({ event: "return", call: 0, durationNs: process.hrtime.bigint() - initStarted, hostNs, outcome });
      return finish(1, oneLine(err));
    }
    const message = oneLine(err);
    return finish(1, message.includes(plan.guestPath) ? message : `cannot load ${plan.guestPath}: ${message}`);
  }
  sendInit();
  emit({ event: "return", call: 0, durationNs: process.hrtime.bigint() - initStarted, hostNs, outcome: { status: 0 } });

  let last: CallOutcome = { status: 0 };
  let closing: Promise<void>;
  try {
    for (const next of plan.calls) {
      call += 1;
      invoke = 0;
      hostNs = 0n;
      const { frame, run } = enter(guest, next, plan);
      // A first-generation guest runs inside run(), its invokes with it: its frame is shown before. A
      // second-generation call gets its token inside run() and runs on another thread: shown right after.
      if (guest.generation === 1) emit({ event: "send", call, schema: AbiFrameSchema, bytes: frame(0n) });
      opened = undefined;
      const started = process.hrtime.bigint();
      const running = run();
      if (guest.generation === 2) emit({ event: "send", call, schema: AbiFrameSchema, bytes: frame(opened ?? 0n) });
      try {
        last = { reply: successReply((await running) ?? new Uint8Array(0)) };
      } catch (err) {
        // Anything but the guest's own answer is a failure of the host runtime: no trace for it, one line.
        if (!(err instanceof ActrError || err instanceof AbiError))
          return finish(1, `the host runtime failed: ${oneLine(err)}`);
        last = err instanceof ActrError ? { error: err } : { status: err.status, message: err.message };
      }
      emit({ event: "return", call, durationNs: process.hrtime.bigint() - started, hostNs, outcome: last });
    }
    if (plan.lingerMs > 0) await new Promise((resolve) => setTimeout(resolve, plan.lingerMs));
  } finally {
    closing = guest.close();
  }
  try {
    await closing;
  } catch (err) {
    return finish(1, oneLine(err));
  }
  if (plan.calls.length === 0) return finish(0); // only actr_init, and it succeeded
  if (!("reply" in last)) return finish(1, failureReason(last, "actr_handle"));
  const reply = last.reply;
  if (plan.raw) io.stdout.write(decodeReply(reply).payload);
  else if (!plan.json)
    io.stdout.write(
      formatMessage(AbiReplySchema, decodeReply(reply), reply, { bytesLimit: plan.bytesLimit }).join("\n") + "\n",
    );
  return finish(0);
}

/** How the host runtime reports a `free_host_buf` it refused (not an invoke). */
const FREE_REPORT = /^free_host_buf\(/;

/** How `loadGuest` says that `actr_init` itself failed (any other rejection is a library that did not load). */
const initReturned = /^actr_init returned /;

/** The message of `err` on one line (parseArgs and loaders may write several). */
function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).trim().replace(/\s*\n\s*/g, " ");
}
