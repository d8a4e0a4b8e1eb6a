// `actr-abi run` end to end: the built command drives the Rust test guest
// (test/guest), answers its invokes from answers files, and traces every frame.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { actrAbi, root } from "./run-cli.js";
import { testGuest, testGuestGen2 } from "../host/test-guest.js";

const work = mkdtempSync(join(tmpdir(), "actr-abi-run-e2e-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const file = (name: string, content: string) => {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
};
const answers = (rules: unknown[]) =>
  file(`answers-${Math.random().toString(36).slice(2)}.json`, JSON.stringify(rules));
/** The trace with each duration replaced by `T`, so it can be compared. */
const untimed = (text: string) => text.replace(/\d+(\.\d+)? (µs|ms)/g, "T");
const hex = (text: string) => Buffer.from(text).toString("hex");
/** How the trace shows `text` carried in a bytes field (hex, as actr-abi decode shows bytes), with --bytes-limit 200. */
const shownBytes = (text: string) => `payload: ${hex(text)} (${Buffer.byteLength(text)} bytes)`;

/** A C compiler, to build a shared library that is not a guest; undefined when none is installed. */
const cc = ["cc", "gcc"].find((command) => spawnSync(command, ["--version"], { stdio: "ignore" }).status === 0);

describe.skipIf("skip" in testGuest)(
  `actr-abi run against the test guest${"skip" in testGuest ? ` (skipped: ${testGuest.skip})` : ""}`,
  () => {
    const lib = "library" in testGuest ? testGuest.library : "";
    const run = (...args: string[]) => actrAbi(["run", lib, ...args]);

    it("sends a GUEST_HANDLE and prints the response as decode --as AbiReply does, with the trace on stderr", () => {
      const r = run("--route", "echo", "--payload", hex("hi"));
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(
        [
          "actr.dynclib.v1.AbiReply (6 bytes)",
          "  abi_version: 1 (V1)",
          "  status: 0 (SUCCESS)",
          '  payload: "hi" (2 bytes, UTF-8 text)',
          "",
        ].join("\n"),
      );
      const lines = untimed(r.stderr).split("\n");
      expect(lines).toContain("[0] host → guest  actr_init");
      expect(lines).toContain("[0] guest → host  actr_init returned SUCCESS (0), T");
      expect(lines).toContain('[1] host → guest  GUEST_HANDLE "echo"');
      expect(lines[lines.indexOf('[1] host → guest  GUEST_HANDLE "echo"') + 1]).toMatch(
        /^    actr\.dynclib\.v1\.AbiFrame \(\d+ bytes\)$/,
      );
      expect(lines).toContain('          route_key: "echo"');
      expect(lines).toContain('          request_id: "req-1"');
      expect(lines).toContain("[1] guest → host  reply SUCCESS (0), T");
    });

    it("answers the guest's invoke from the answers file and traces both ways", () => {
      const rules = answers([{ kind: "callRaw", route: "peer.Raw/Get", reply: { hex: "0e000000" } }]);
      const r = run("--route", "callRaw", "--payload", hex("ping"), "--answers", rules);
      expect(r.status).toBe(0);
      expect(hex(run("--route", "callRaw", "--answers", rules, "--raw").stdout)).toBe("0e000000");
      const lines = untimed(r.stderr).split("\n");
      const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
      expect(lines[at("[1.1] guest → host")]).toBe('[1.1] guest → host  HOST_CALL_RAW "peer.Raw/Get"');
      expect(lines).toContain('        route_key: "peer.Raw/Get"');
      expect(lines[at("[1.1] host → guest")]).toBe("[1.1] host → guest  reply SUCCESS (0), rule 1, T");
      // In order: the call, the guest's invoke, the host's answer, the guest's reply.
      expect([
        at("[1] host → guest"),
        at("[1.1] guest → host"),
        at("[1.1] host → guest"),
        at("[1] guest → host"),
      ]).toEqual(
        [at("[1] host → guest"), at("[1.1] guest → host"), at("[1.1] host → guest"), at("[1] guest → host")].sort(
          (a, b) => a - b,
        ),
      );
    });

    it("answers each kind of reply as the issue's format says", () => {
      const rules = answers([
        { kind: "callRaw", reply: { echo: true } },
        { kind: "call", reply: { text: "hello" } },
        {
          kind: "discover",
          reply: {
            json: { realm: { realmId: 1 }, serialNumber: "9", type: { manufacturer: "a", name: "b", version: "1" } },
          },
        },
        { kind: "tell", reply: { done: true } },
        { route: "broken", reply: { status: "GENERIC_ERROR" } },
        { reply: { error: { variant: "NotFound", message: "no such thing" } } },
      ]);
      const payload = (args: string[]) => {
        const r = run(...args, "--answers", rules, "--raw");
        return [r.status, r.stdout];
      };
      expect(payload(["--route", "callRaw", "--payload", hex("echoed")])).toEqual([0, "echoed"]);
      expect(payload(["--route", "call"])).toEqual([0, "hello"]);
      expect(payload(["--route", "discover"])).toEqual([0, "realm=1 serial=9 type=a/b/1"]);
      expect(payload(["--route", "tell"])).toEqual([0, ""]);
      // A status answers the guest's operation with that code: the guest fails with abi_error_to_actr's error.
      const broken = run("--route", "registerStream", "--payload", hex("broken"), "--answers", rules);
      expect([broken.status, broken.stderr.split("\n").at(-2)]).toEqual([
        1,
        "actr-abi run: guest failed: ActrError Internal: internal error: internal error: host returned generic ABI error",
      ]);
      // An ActrError answers with the status a Rust host gives it (GENERIC_ERROR for NotFound).
      const error = run("--route", "unregisterStream", "--payload", hex("s1"), "--answers", rules);
      expect(untimed(error.stderr)).toContain(
        "[1.1] host → guest  reply GENERIC_ERROR (-1), rule 6, T (ActrError NotFound: not found: no such thing)",
      );
    });

    it("answers UNSUPPORTED_OP when no rule matches, and says so in the trace", () => {
      const r = run("--route", "callRaw");
      expect(untimed(r.stderr)).toContain(
        "[1.1] host → guest  reply UNSUPPORTED_OP (-7), T (no rule matches, so the host answers UNSUPPORTED_OP)",
      );
      expect(r.status).toBe(1);
      expect(r.stderr.split("\n").at(-2)).toBe(
        "actr-abi run: guest failed: ActrError Internal: internal error: not implemented: unsupported ABI operation",
      );
    });

    it("runs a lifecycle sequence from a script against one instance", () => {
      const script = file(
        "session.txt",
        ["--lifecycle on_start", "--lifecycle on_ready", '{"route": "context"}', "--lifecycle on_stop"].join("\n"),
      );
      const rules = answers([{ kind: "tell", route: "report.lifecycle", reply: { done: true } }]);
      const r = run(
        "--script",
        script,
        "--answers",
        rules,
        "--bytes-limit",
        "200",
        "--self",
        '{"realm": {"realmId": 1}, "serialNumber": "77", "type": {"manufacturer": "a", "name": "b", "version": "1"}}',
      );
      const trace = untimed(r.stderr);
      for (const [call, hook] of [
        [1, "ON_START"],
        [2, "ON_READY"],
        [4, "ON_STOP"],
      ] as const) {
        expect(trace).toContain(`[${call}] host → guest  GUEST_LIFECYCLE ${hook}`);
        expect(trace).toContain(`[${call}.1] guest → host  HOST_TELL "report.lifecycle"`);
        expect(trace).toContain(`hook: ${hook === "ON_START" ? 1 : hook === "ON_READY" ? 2 : 3} (${hook})`);
      }
      expect(trace).toContain(shownBytes("hook=1 self=77 caller=none request_id=lifecycle:on_start"));
      expect(trace).toContain("[3] guest → host  reply SUCCESS (0), T");
      expect(trace).toContain('payload: "self=77 caller=none request_id=req-3" (36 bytes, UTF-8 text)');
      // The test guest refuses to stop: the last call failed, so the run did.
      expect(r.status).toBe(1);
      expect(r.stderr.split("\n").at(-2)).toBe(
        "actr-abi run: guest failed: ActrError Internal: internal error: internal error: stop refused",
      );
    });

    it("delivers hooks with their event and data-stream chunks", () => {
      const rules = answers([{ kind: "tell", reply: { done: true } }]);
      const peer =
        '{"peer": {"realm": {"realmId": 7}, "serialNumber": "42", "type": {"manufacturer": "a", "name": "b", "version": "1"}}, "relayed": true}';
      const hook = run("--hook", "webrtcConnected", peer, "--answers", rules, "--bytes-limit", "200");
      expect(hook.status).toBe(0);
      expect(hook.stderr).toContain(
        shownBytes("hook=8 peer=42 relayed=Some(true) status=None self=1 caller=none request_id="),
      );
      const chunk = run(
        "--data-stream",
        '{"streamId": "s1", "sequence": "5", "payload": "aGk="}',
        "--answers",
        rules,
        "--bytes-limit",
        "200",
        "--caller",
        '{"realm": {"realmId": 1}, "serialNumber": "9", "type": {"manufacturer": "a", "name": "b", "version": "1"}}',
      );
      expect(chunk.status).toBe(0);
      expect(chunk.stderr).toContain(shownBytes("stream=s1 seq=5 payload=6869 metadata=[] timestamp_ms=None sender=9"));
    });

    it("traces an invoke frame the host refuses before its handler, with the code it returned", () => {
      // The test guest's invokeRaw passes its payload to invoke as the frame and answers invoke's return code (little-endian).
      const garbage = run("--route", "invokeRaw", "--payload", "08", "--brief");
      expect(untimed(garbage.stderr)).toContain(
        "[1.1] guest → host  invoke refused by the host with PROTOCOL_ERROR (-5): cannot decode actr.dynclib.v1.AbiFrame: field abi_version: truncated varint at byte 1",
      );
      const notHostOp = run("--route", "invokeRaw", "--payload", "080110651a00");
      expect(untimed(notHostOp.stderr)).toContain(
        "[1.1] guest → host  invoke refused by the host with UNSUPPORTED_OP (-7): op 101 (GUEST_HANDLE) is not a host operation",
      );
      expect(notHostOp.stdout).toContain("  payload: f9ffffff (4 bytes)"); // -7, as the guest saw it
    });

    it("exits 1 with the ActrError of a failing route", () => {
      const r = run("--route", "fail", "--payload", hex("user 7"));
      expect(r.status).toBe(1);
      expect(r.stdout).toBe("");
      // The guest's NotFound("user 7") crosses as HANDLE_FAILED + its Display text, read back as a Rust host does.
      expect(untimed(r.stderr)).toContain(
        "[1] guest → host  failed: ActrError Internal: internal error: not found: user 7, T",
      );
      expect(r.stderr.split("\n").at(-2)).toBe(
        "actr-abi run: guest failed: ActrError Internal: internal error: not found: user 7",
      );
    });

    it("exits 1 with the code actr_handle returned", () => {
      const r = run("--route", "frame.generic");
      expect(r.status).toBe(1);
      expect(r.stderr.split("\n").at(-2)).toMatch(/^actr-abi run: actr_handle returned GENERIC_ERROR \(-1\)/);
    });

    it("with nothing to send, only loads the guest and calls actr_init", () => {
      const r = run("--brief");
      expect([r.status, r.stdout]).toEqual([0, ""]);
      expect(untimed(r.stderr)).toBe(
        "[0] host → guest  actr_init\n[0] guest → host  actr_init returned SUCCESS (0), T\n",
      );
    });

    it("exits 1 with the code actr_init returned", () => {
      const r = run("--init", '{"actrType": "test:refuse-init"}', "--route", "echo");
      expect(r.status).toBe(1);
      expect(untimed(r.stderr)).toContain('      actr_type: "test:refuse-init"');
      expect(r.stderr.split("\n").at(-2)).toMatch(/^actr-abi run: actr_init returned INIT_FAILED \(-2\)/);
    });

    it("with --json prints one JSON object per event, in order, then the exit", () => {
      const rules = answers([{ kind: "callRaw", reply: { text: "pong" } }]);
      const r = run("--route", "callRaw", "--answers", rules, "--json");
      expect([r.status, r.stderr]).toEqual([0, ""]);
      const events = r.stdout
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line));
      expect(events.map((e) => [e.event, e.call, e.invoke, e.direction])).toEqual([
        ["send", 0, undefined, "host → guest"],
        ["return", 0, undefined, "guest → host"],
        ["send", 1, undefined, "host → guest"],
        ["invoke", 1, 1, "guest → host"],
        ["answer", 1, 1, "host → guest"],
        ["return", 1, undefined, "guest → host"],
        ["exit", undefined, undefined, undefined],
      ]);
      expect(events[2].frame.payload.rpcEnvelope.routeKey).toBe("callRaw");
      expect(events[3]).toMatchObject({
        op: "HOST_CALL_RAW",
        frame: { payload: { "@type": "actr.dynclib.v1.HostCallRawV1", routeKey: "peer.Raw/Get" } },
      });
      expect(events[4]).toMatchObject({ status: 0, statusName: "SUCCESS", rule: 1 });
      expect(events[5]).toMatchObject({
        status: 0,
        statusName: "SUCCESS",
        reply: { payload: Buffer.from("pong").toString("base64") },
      });
      expect(typeof events[5].durationMs).toBe("number");
      expect(events[6]).toEqual({ event: "exit", status: 0 });
    });

    it("with --raw writes the response's bytes, exactly", () => {
      const bytes = "00ff10800a";
      const r = spawnSync(
        process.execPath,
        [join(root, "dist/src/cli/main.js"), "run", lib, "--route", "echo", "--payload", bytes, "--raw"],
        { cwd: root },
      );
      expect(r.status).toBe(0);
      expect(Buffer.from(r.stdout).toString("hex")).toBe(bytes);
    });

    it("keeps a discovered ActrId's 64-bit serial exact on its way to the guest", () => {
      const json = {
        realm: { realmId: 3 },
        serialNumber: "18446744073709551615",
        type: { manufacturer: "m", name: "n", version: "v" },
      };
      const r = run("--route", "discover", "--answers", answers([{ kind: "discover", reply: { json } }]), "--raw");
      expect(r.stdout).toBe("realm=3 serial=18446744073709551615 type=m/n/v");
    });
  },
);

describe("actr-abi run with a guest that cannot be loaded", () => {
  const oneLine = (r: ReturnType<typeof actrAbi>) => {
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^actr-abi run: [^\n]+\n$/);
    return r.stderr;
  };

  it("names a missing file", () => {
    expect(oneLine(actrAbi(["run", join(work, "missing.so"), "--route", "echo"]))).toMatch(/missing\.so/);
  });

  it("names the loader's error for a file that is not a shared library", () => {
    const notLib = file("not-a-library.so", "just text\n");
    expect(oneLine(actrAbi(["run", notLib, "--route", "echo"]))).toMatch(
      /not-a-library\.so.*(invalid ELF header|file too short|not a dynamic)/i,
    );
  });

  it.skipIf(cc === undefined)(
    `names the missing symbol of a shared library that is not a guest${cc === undefined ? " (skipped: no C compiler, cc or gcc)" : ""}`,
    () => {
      const source = file("half.c", "int actr_init(void *vt, const unsigned char *p, unsigned long n) { return 0; }\n");
      const out = join(work, "libhalf.so");
      expect(spawnSync(cc!, ["-shared", "-fPIC", "-o", out, source]).status).toBe(0);
      expect(oneLine(actrAbi(["run", out, "--route", "echo"]))).toMatch(/actr_handle/);
    },
  );

  it("with --json, ends the NDJSON with the exit and its reason", () => {
    const r = actrAbi(["run", join(work, "missing.so"), "--json"]);
    expect(r.status).toBe(1);
    const events = r.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event: "exit", status: 1, reason: expect.stringMatching(/missing\.so/) });
    expect(r.stderr).toBe(`actr-abi run: ${events[0].reason}\n`);
  });

  it("reads what it can before loading: a usage error exits 2, not 1", () => {
    const r = actrAbi(["run", join(work, "missing.so"), "--lifecycle", "on_pause"]);
    expect([r.status, r.stderr]).toEqual([
      2,
      'actr-abi run: unknown lifecycle hook "on_pause" (one of on_start, on_ready, on_stop)\n',
    ]);
  });
});

describe.skipIf("skip" in testGuestGen2)(
  `actr-abi run against the generation-2 test guest${"skip" in testGuestGen2 ? ` (skipped: ${testGuestGen2.skip})` : ""}`,
  () => {
    const lib = "library" in testGuestGen2 ? testGuestGen2.library : "";
    const run = (...args: string[]) => actrAbi(["run", lib, ...args]);
    const rules = () =>
      answers([
        { kind: "call", reply: { echo: true } },
        { kind: "tell", reply: { done: true } },
      ]);
    /** The token of the first call of the first guest of a process: its key (1) × 2^32 + its sequence (1). */
    const T = String(2 ** 32 + 1);

    it("traces the call's token, its retains and releases, and a background invoke under the call that spawned it (--linger)", () => {
      const r = run(
        "--route",
        "spawnCall",
        "--payload",
        hex("10"),
        "--answers",
        rules(),
        "--brief",
        "--linger",
        "1500",
      );
      expect(r.status).toBe(0);
      const lines = untimed(r.stderr).split("\n");
      expect(lines).toContain(`[1] host → guest  GUEST_HANDLE "spawnCall", token ${T}`);
      expect(lines).toContain(`[1] token ${T} retain, 2 references left`);
      expect(lines).toContain(`[1] token ${T} returned, 1 reference left`);
      expect(lines).toContain(`[1.1] guest → host  HOST_CALL "peer.Echo/Ping", background, token ${T}`);
      expect(lines).toContain(`[1.2] guest → host  HOST_TELL "report.spawnCall", background, token ${T}`);
      expect(lines).toContain(`[1] token ${T} release, 0 references left`);
      // The background call comes after the call returned.
      expect(lines.indexOf("[1] guest → host  reply SUCCESS (0), T")).toBeLessThan(
        lines.indexOf(`[1.1] guest → host  HOST_CALL "peer.Echo/Ping", background, token ${T}`),
      );
    });

    it("without --linger the guest is closed first: the background invoke never reaches the host", () => {
      const r = run("--route", "spawnCall", "--payload", hex("3000"), "--answers", rules(), "--brief");
      expect(r.status).toBe(0);
      expect(r.stderr).not.toMatch(/background/);
      expect(r.stderr).toMatch(new RegExp(`\\[1\\] token ${T} release, 0 references left`)); // actr_shutdown dropped the task's context
    });

    it("an invoke inside the handler is not marked background, and --json carries the token", () => {
      const r = run("--route", "call", "--payload", hex("x"), "--answers", rules(), "--json");
      expect(r.status).toBe(0);
      const events = r.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const invoke = events.find((e) => e.event === "invoke")!;
      expect(invoke).toMatchObject({ call: 1, invoke: 1, bridgeToken: T, background: false });
      expect(events.filter((e) => e.event === "token").map((e) => e.action)).toEqual(["retain", "release", "returned"]);
    });

    it("--timeout ends a call that does not return in time: exit 1, one line", () => {
      const started = Date.now();
      const r = run("--route", "sleep", "--payload", hex("20000"), "--timeout", "700", "--brief");
      expect(r.status).toBe(1);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(r.stderr.trim().split("\n").at(-1)).toBe(
        "actr-abi run: the guest did not finish within --timeout 700 ms; its process was killed",
      );
    });

    it("--timeout must be a positive integer (exit 2)", () => {
      expect(run("--route", "echo", "--timeout", "0").status).toBe(2);
    });

    it("--linger must be a non-negative integer (exit 2)", () => {
      const r = run("--route", "echo", "--linger", "soon");
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/--linger must be a non-negative integer/);
    });
  },
);
