import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { actrAbi, isOneLineError, root } from "./run-cli.js";

const work = mkdtempSync(join(tmpdir(), "actr-abi-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const packageVersion = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;

describe("actr-abi encode", () => {
  it("builds the frame for an op from the payload's JSON, however the op is spelled", () => {
    const json = '{"streamId": "s1"}';
    const expected = "080110051a040a027331";
    for (const op of ["HOST_REGISTER_STREAM", "host-register-stream", "OP_HOST_REGISTER_STREAM", "5"]) {
      const r = actrAbi(["encode", "--op", op, json]);
      expect([op, r.status, r.stdout]).toEqual([op, 0, `${expected}\n`]);
    }
  });

  it("builds a message by name from an argument, @file or stdin", () => {
    const json = '{"abiVersion": 1, "status": -3, "payload": "YmFk"}';
    const expected = "080110fdffffffffffffffff011a03626164\n";
    expect(actrAbi(["encode", "AbiReply", json]).stdout).toBe(expected);
    writeFileSync(join(work, "reply.json"), json);
    expect(actrAbi(["encode", "AbiReply", `@${join(work, "reply.json")}`]).stdout).toBe(expected);
    expect(actrAbi(["encode", "AbiReply"], json).stdout).toBe(expected);
    expect(actrAbi(["encode", "actr.dynclib.v1.AbiReply", "-"], json).stdout).toBe(expected);
  });

  it("keeps 64-bit integers exact", () => {
    const r = actrAbi(["encode", "BackpressureEventV1", '{"queueLen": "18446744073709551615"}']);
    expect(r.stdout).toBe("08ffffffffffffffffff01\n");
  });

  it("--out writes the raw bytes", () => {
    const out = join(work, "frame.bin");
    const r = actrAbi(["encode", "--op", "GUEST_LIFECYCLE", '{"hook": 1}', "--out", out]);
    expect([r.status, r.stdout]).toEqual([0, ""]);
    expect(readFileSync(out).toString("hex")).toBe("080110671a140a100a0e0a02080010001a060a0012001a001001");
  });

  it("fills the op (and abi_version 1) of a frame from the payload's @type", () => {
    const r = actrAbi([
      "encode",
      "AbiFrame",
      '{"abiVersion": 1, "payload": {"@type": "actr.dynclib.v1.HostRegisterStreamV1", "streamId": "s1"}}',
    ]);
    expect(r.stdout).toBe("080110051a040a027331\n");
    const bare = actrAbi([
      "encode",
      "AbiFrame",
      '{"payload": {"@type": "actr.dynclib.v1.HostRegisterStreamV1", "streamId": "s1"}}',
    ]);
    expect(bare.stdout).toBe("080110051a040a027331\n");
  });

  const bad: [string, string[], string | undefined, RegExp][] = [
    ["an unknown op", ["encode", "--op", "HOST_NOPE", "{}"], undefined, /unknown op "HOST_NOPE" \(one of HOST_CALL, /],
    ["an op with no payload", ["encode", "--op", "99", "{}"], undefined, /op 99 has no payload message/],
    ["an unknown message", ["encode", "Nope", "{}"], undefined, /unknown message "Nope"/],
    ["no message or op", ["encode"], undefined, /encode needs a message NAME or --op OP/],
    ["text that is not JSON", ["encode", "AbiFrame", "{op:"], undefined, /the JSON argument is not valid JSON/],
    [
      "JSON that does not fit, naming the field",
      ["encode", "AbiFrame", '{"op": "x"}'],
      undefined,
      /JSON does not fit actr.dynclib.v1.AbiFrame: cannot decode field actr.dynclib.v1.AbiFrame.op from JSON: expected number \(uint32\), got "x"/,
    ],
    ["an unknown JSON field", ["encode", "ActrId", '{"nope": 1}'], undefined, /JSON does not fit actr.ActrId: .*nope/],
    [
      "a uint32 out of range",
      ["encode", "AbiFrame", '{"op": 4294967296}'],
      undefined,
      /JSON does not fit actr.dynclib.v1.AbiFrame/,
    ],
    [
      "an @type that does not match the op",
      ["encode", "AbiFrame", '{"op": 1, "payload": {"@type": "actr.dynclib.v1.HostTellV1"}}'],
      undefined,
      /op 1 does not carry actr.dynclib.v1.HostTellV1/,
    ],
    ["an unknown @type", ["encode", "AbiFrame", '{"payload": {"@type": "x.Y"}}'], undefined, /unknown "@type" "x.Y"/],
    ["JSON on stdin that is not JSON", ["encode", "AbiFrame"], "nope", /stdin is not valid JSON/],
  ];
  for (const [what, args, input, message] of bad) {
    it(`bad input: ${what}`, () => {
      const r = actrAbi(args, input);
      expect(r.stderr).toMatch(message);
      expect(isOneLineError(r)).toBe(true);
    });
  }
});

describe("actr-abi check", () => {
  it("answers each line in order, as the prost oracle does", () => {
    const input =
      [
        "ActrId ",
        "AbiFrame",
        "AbiFrame 1200",
        "Nope 00",
        "AbiFrame 080",
        "PeerEventV1 1000\tcomment",
        "AbiFrame 0801\r",
      ].join("\n") + "\n";
    const r = actrAbi(["check"], input);
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.slice(0, 2)).toEqual(["ok 0a02080010001a060a0012001a00", "ok "]);
    expect(lines[2]).toMatch(/^err cannot decode actr.dynclib.v1.AbiFrame: field op: wire type 2/);
    expect(lines[3]).toBe("err unknown message Nope");
    expect(lines[4]).toMatch(/^err invalid hex/);
    expect(lines[5]).toBe("ok 0a0e0a02080010001a060a0012001a001000");
    expect(lines[6]).toBe("ok 0801");
    expect(lines.length).toBe(8);
  });

  it("answers a last line without a newline, and nothing for no input", () => {
    expect(actrAbi(["check"], "Realm 0801").stdout).toBe("ok 0801\n");
    expect(actrAbi(["check"], "").stdout).toBe("");
  });

  it("handles 100,000 lines in one process", () => {
    const input = "AbiFrame 080110651a00\n".repeat(100_000);
    const r = actrAbi(["check"], input);
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.length).toBe(100_001);
    expect(lines[99_999]).toBe("ok 08011065");
  });

  it("takes no arguments", () => {
    expect(isOneLineError(actrAbi(["check", "x"]))).toBe(true);
  });

  it("stops quietly when its reader goes away", () => {
    const main = join(root, "dist/src/cli/main.js");
    const r = spawnSync(
      "sh",
      ["-c", `yes 'AbiFrame 0801' | head -n 200000 | "${process.execPath}" "${main}" check | head -n 1`],
      { encoding: "utf8" },
    );
    expect(r.stdout).toBe("ok 0801\n");
    expect(r.stderr).toBe("");
  });
});

describe("actr-abi codes", () => {
  it("prints the tables of spec section 2 with the op payloads and hook events", () => {
    const r = actrAbi(["codes"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Status codes \(int32\)\n\s+SUCCESS\s+0\n\s+GENERIC_ERROR\s+-1\n/);
    expect(r.stdout).toMatch(/GUEST_HANDLE\s+101\s+actr.dynclib.v1.GuestHandleV1\n/);
    expect(r.stdout).toMatch(/ON_MAILBOX_BACKPRESSURE\s+12\s+backpressure\n/);
    expect(r.stdout).toMatch(/RECOVERING\s+3\n/);
    expect(r.stdout).toMatch(/MEDIA_RTP\s+4\n/);
  });

  it("shows the released framework's names beside the schema's, read from the schema", () => {
    const r = actrAbi(["codes"]);
    const section = r.stdout.slice(r.stdout.indexOf("Names in the released actr framework"));
    expect(
      section
        .split("\n")
        .slice(1, -1)
        .map((line) => line.trim().split(/\s+/)),
    ).toEqual([
      ["actr.dynclib.v1.Op.OP_HOST_SEND_DATA_STREAM", "HOST_SEND_DATA_CHUNK"],
      ["actr.dynclib.v1.Op.OP_GUEST_DATA_STREAM", "GUEST_DATA_CHUNK"],
      ["actr.dynclib.v1.GuestDataStreamV1", "GuestDataChunkV1"],
      ["actr.DataStream", "DataChunk"],
      ["actr.dynclib.v1.DestV1.shell", "Host"],
      ["actr.dynclib.v1.DestV1.local", "Workload"],
      ["actr.dynclib.v1.DestV1.actor", "Peer"],
      ["actr.dynclib.v1.HostSendDataStreamV1", "HostSendDataChunkV1"],
    ]);
    expect(JSON.parse(actrAbi(["codes", "--json"]).stdout).ReleasedNames["actr.DataStream"]).toBe("DataChunk");
  });

  it("--json prints one document", () => {
    const doc = JSON.parse(actrAbi(["codes", "--json"]).stdout);
    expect(doc.Op.GUEST_HOOK).toBe(104);
    expect(doc.Code.UNSUPPORTED_OP).toBe(-7);
    expect(doc.WebrtcPeerStatus.IDLE).toBe(0);
    expect(Object.keys(doc)).toEqual([
      "Code",
      "Version",
      "Op",
      "LifecycleHook",
      "RuntimeHook",
      "WebrtcPeerStatus",
      "PayloadType",
      "ErrorCode",
      "ReleasedNames",
    ]);
    expect(doc.ErrorCode.CONNECTION_NOT_READY).toBe(10011);
  });
});

describe("actr-abi help and version", () => {
  it("--version prints the package version", () => {
    expect(actrAbi(["--version"]).stdout).toBe(`${packageVersion}\n`);
    expect(actrAbi(["-V"]).stdout).toBe(`${packageVersion}\n`);
  });

  it("--help lists the commands; no command prints usage and exits 2 (a usage error)", () => {
    const r = actrAbi(["--help"]);
    expect(r.status).toBe(0);
    for (const command of ["decode", "encode", "check", "codes"]) expect(r.stdout).toContain(`  ${command} `);
    const none = actrAbi([]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("Usage: actr-abi <command>");
  });

  for (const command of ["decode", "encode", "check", "codes"]) {
    it(`${command} --help`, () => {
      const r = actrAbi([command, "--help"]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: actr-abi ${command}`));
    });
  }

  it("an unknown command is one line on stderr, whatever its name", () => {
    const r = actrAbi(["nope"]);
    expect(r.stderr).toBe('actr-abi: unknown command "nope" (see actr-abi --help)\n');
    expect(isOneLineError(r)).toBe(true);
    for (const name of ["toString", "constructor", "__proto__", "hasOwnProperty"])
      expect(isOneLineError(actrAbi([name]))).toBe(true);
  });
});
