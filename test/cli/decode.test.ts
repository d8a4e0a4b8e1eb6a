import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { actrAbi, isOneLineError, root } from "./run-cli.js";

const example = (name: string) => readFileSync(join(root, "examples", name));
const hexOf = (name: string) => example(name).toString("hex");

describe("actr-abi decode", () => {
  it("shows a GUEST_HANDLE frame: op by name, payload and rpc_envelope decoded, 64-bit exact", () => {
    const r = actrAbi(["decode", "@examples/guest-handle.bin"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(
      "actr.dynclib.v1.AbiFrame (193 bytes)\n  abi_version: 1 (V1)\n  op: 101 (GUEST_HANDLE)\n",
    );
    expect(r.stdout).toContain("  payload: actr.dynclib.v1.GuestHandleV1 (186 bytes)\n");
    expect(r.stdout).toContain('    rpc_envelope: actr.RpcEnvelope (109 bytes)\n      route_key: "echo.Echo.Say"\n');
    expect(r.stdout).toContain("serial_number: 9007199254740993\n");
    expect(r.stdout).toContain("tracestate: (not set)\n");
  });

  it("reads the same frame as hex, @file of hex text, base64, and stdin (raw or hex)", () => {
    const expected = actrAbi(["decode", "@examples/guest-handle.bin"]).stdout;
    const hex = hexOf("guest-handle.bin");
    expect(actrAbi(["decode", hex]).stdout).toBe(expected);
    expect(actrAbi(["decode", "--base64", example("guest-handle.bin").toString("base64")]).stdout).toBe(expected);
    expect(actrAbi(["decode"], example("guest-handle.bin")).stdout).toBe(expected);
    expect(actrAbi(["decode", "-"], `${hex}\n`).stdout).toBe(expected);
    expect(actrAbi(["decode", "-", "--base64"], example("guest-handle.bin").toString("base64")).stdout).toBe(expected);
  });

  it("reads a file of raw bytes that happen to be hex digits with --raw, and hex text with a BOM", () => {
    const dir = mkdtempSync(join(tmpdir(), "actr-abi-decode-"));
    try {
      // HostRegisterStreamV1 { stream_id: "0123456789" }: every byte is an ASCII hex digit or a newline.
      const raw = Buffer.from("0a0a30313233343536373839", "hex");
      writeFileSync(join(dir, "raw.bin"), raw);
      const asRaw = actrAbi(["decode", "--as", "HostRegisterStreamV1", "--raw", `@${join(dir, "raw.bin")}`]);
      expect(asRaw.stdout).toContain('stream_id: "0123456789"');
      writeFileSync(join(dir, "bom.hex"), "\uFEFF" + hexOf("guest-handle.bin") + "\n");
      expect(actrAbi(["decode", `@${join(dir, "bom.hex")}`]).stdout).toContain("op: 101 (GUEST_HANDLE)");
      expect(actrAbi(["decode", "--hex", `@${join(dir, "bom.hex")}`]).stdout).toContain("op: 101 (GUEST_HANDLE)");
      expect(isOneLineError(actrAbi(["decode", "--raw", "0801"]))).toBe(true);
      expect(isOneLineError(actrAbi(["decode", "--raw", "--hex", "-"], "0801"))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("shows a failed reply's payload as text and its status by name", () => {
    const r = actrAbi(["decode", "--as", "AbiReply", "@examples/reply-failed.bin"]);
    expect(r.stdout).toBe(
      'actr.dynclib.v1.AbiReply (32 bytes)\n  abi_version: 1 (V1)\n  status: -3 (HANDLE_FAILED)\n  payload: "not found: user 7" (17 bytes, UTF-8 text)\n',
    );
  });

  it("shows a reply payload that is valid UTF-8 but not text (control bytes) as hex", () => {
    // AbiReply { abi_version: 1, payload: 0e000000 }: four bytes that decode as UTF-8.
    expect(actrAbi(["decode", "--as", "AbiReply", "08011a040e000000"]).stdout).toContain(
      "  payload: 0e000000 (4 bytes)\n",
    );
    expect(actrAbi(["decode", "--as", "AbiReply", "08011a0568690a0974"]).stdout).toContain(
      '  payload: "hi\\n\\tt" (5 bytes, UTF-8 text)\n',
    );
  });

  it("notes when an AbiFrame's op is not an ABI op (a reply decoded as a frame)", () => {
    const r = actrAbi(["decode", "@examples/reply-failed.bin"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("op: 4294967293 (unknown Op)");
    expect(r.stdout).toContain("try --as AbiReply");
  });

  it("names hooks, peer status and payload types", () => {
    expect(actrAbi(["decode", "@examples/guest-hook.bin"]).stdout).toMatch(
      /hook: 8 \(ON_WEBRTC_CONNECTED\)[\s\S]*relayed: false\n\s+status: 2 \(CONNECTED\)/,
    );
    expect(actrAbi(["decode", "@examples/guest-lifecycle.bin"]).stdout).toContain("hook: 1 (ON_START)");
    expect(actrAbi(["decode", "@examples/host-send-data-stream.bin"]).stdout).toContain(
      "payload_type: 3 (STREAM_LATENCY_FIRST)",
    );
    expect(actrAbi(["decode", "@examples/host-tell.bin"]).stdout).toContain("shell: true");
  });

  it("elides long bytes and shows the full length", () => {
    const r = actrAbi(["decode", "@examples/guest-data-stream.bin", "--bytes-limit", "4"]);
    expect(r.stdout).toContain("payload: 00010203… (48 bytes)");
    const frame = actrAbi([
      "encode",
      "--op",
      "GUEST_DATA_STREAM",
      JSON.stringify({ chunk: { payload: Buffer.alloc(70_000, 1).toString("base64") } }),
    ]);
    expect(actrAbi(["decode"], frame.stdout).stdout).toContain(`payload: ${"01".repeat(32)}… (70000 bytes)`);
  });

  it("--as takes bare and full names", () => {
    const id = "0a02080110021a060a0012001a00";
    expect(actrAbi(["decode", "--as", "ActrId", id]).stdout).toBe(
      actrAbi(["decode", "--as", "actr.ActrId", id]).stdout,
    );
    expect(actrAbi(["decode", "--as", "ActrId", id]).stdout).toContain("serial_number: 2\n");
  });

  it("--json prints the protobuf JSON mapping: 64-bit as strings, encoded messages with @type", () => {
    const r = actrAbi(["decode", "--json", "@examples/guest-handle.bin"]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.op).toBe(101);
    expect(doc.payload["@type"]).toBe("actr.dynclib.v1.GuestHandleV1");
    expect(doc.payload.ctx.callerId.serialNumber).toBe("9007199254740993");
    expect(doc.payload.rpcEnvelope["@type"]).toBe("actr.RpcEnvelope");
    expect(doc.payload.rpcEnvelope.timeoutMs).toBe("5000");
  });

  it("decode --json fed to encode gives the same bytes, for every example", () => {
    for (const name of [
      "guest-handle",
      "guest-data-stream",
      "guest-lifecycle",
      "guest-hook",
      "host-call",
      "host-tell",
      "host-call-raw",
      "host-discover",
      "host-register-stream",
      "host-unregister-stream",
      "host-send-data-stream",
    ]) {
      const json = actrAbi(["decode", "--json", `@examples/${name}.bin`]).stdout;
      expect([name, actrAbi(["encode", "AbiFrame", "-"], json).stdout.trim()]).toEqual([name, hexOf(`${name}.bin`)]);
    }
    for (const name of ["reply-success", "reply-failed"]) {
      const json = actrAbi(["decode", "--as", "AbiReply", "--json", `@examples/${name}.bin`]).stdout;
      expect(actrAbi(["encode", "AbiReply", json]).stdout.trim()).toBe(hexOf(`${name}.bin`));
    }
  });
});

describe("actr-abi decode, bad input", () => {
  const cases: [string, string[], RegExp][] = [
    ["odd-length hex", ["decode", "080"], /^actr-abi decode: input: invalid hex: odd length 3\n$/],
    ["a bad hex digit", ["decode", "08zz"], /invalid hex: character "z" at offset 2/],
    ["an unknown message", ["decode", "--as", "Nope", "00"], /unknown message "Nope"/],
    [
      "bytes that do not decode: message, field and offset",
      ["decode", "1201"],
      /cannot decode actr.dynclib.v1.AbiFrame: field op: wire type 2 \(length-delimited\) where varint is expected at byte 0/,
    ],
    [
      "a payload that does not decode: offset in the whole input",
      ["decode", "080110651a040a020a05"],
      /cannot decode actr.dynclib.v1.InvocationContextV1: field self_id: length 5 runs past the end of the input \(0 bytes left\) at byte 9 \(in AbiFrame.payload, which starts at byte 6\)/,
    ],
    ["a missing file", ["decode", "@nope.bin"], /cannot read nope.bin: ENOENT/],
    ["an unknown option", ["decode", "--nope"], /Unknown option '--nope'/],
    ["a bad --bytes-limit", ["decode", "--bytes-limit", "x", "00"], /--bytes-limit must be a non-negative integer/],
    ["two inputs", ["decode", "00", "00"], /decode takes one INPUT, got 2/],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const r = actrAbi(args);
      expect(r.stderr).toMatch(message);
      expect(isOneLineError(r)).toBe(true);
    });
  }
});
