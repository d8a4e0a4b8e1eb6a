// What a hostile input or a careless command line can do to `actr-abi`:
// linear time on long lines and large payloads, bounded output pieces, and
// one line on stderr for every foreseen failure.
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { constants } from "node:buffer";
import { Readable, Writable } from "node:stream";
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { answerLines } from "../../src/cli/check.js";
import { messageToJson, writeJson } from "../../src/cli/json.js";
import { decodeFrame, destToV1, encodeFrame, HostCallV1Schema, AbiFrameSchema } from "../../src/index.js";
import { expectLinearAsync } from "../support/linearity.js";
import { actrAbi, isOneLineError } from "./run-cli.js";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** A stream of `text` in chunks of `size` characters, one chunk per read, as a pipe delivers it. */
function chunked(text: string, size: number): Readable {
  let at = 0;
  return new Readable({
    highWaterMark: 1,
    read() {
      this.push(at < text.length ? text.slice(at, (at += size)) : null);
    },
  });
}

/** A sink that keeps only the sizes of the writes and the last 200 characters. */
function sink() {
  const writes: number[] = [];
  let tail = "";
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      writes.push(chunk.length);
      tail = (tail + chunk.toString()).slice(-200);
      done();
    },
  });
  return { stream, writes, tail: () => tail };
}

describe("actr-abi check", () => {
  it("answers one long line that arrives in many chunks in linear time", async () => {
    // AbiFrame with abi_version written n times: each "0801" is valid, the last one wins.
    await expectLinearAsync(
      async (line: string) => {
        const out = sink();
        await answerLines(chunked(line, 4096), out.stream);
        expect(out.tail()).toBe("ok 0801\n");
      },
      64 * 1024,
      (n) => "AbiFrame " + "0801".repeat(n) + "\n",
    );
  });

  it("answers a line longer than a string can be with err, and goes on with the next line", async () => {
    const mib = "0".repeat(1 << 20);
    const chunks = 513; // one more MiB than a string can hold
    let sent = 0;
    const input = new Readable({
      highWaterMark: 1,
      read() {
        sent++;
        this.push(sent <= chunks ? mib : sent === chunks + 1 ? "\nAbiFrame 0801\n" : null);
      },
    });
    const out = sink();
    await answerLines(input, out.stream);
    expect(out.tail()).toBe(
      `err a line of ${chunks << 20} characters is longer than this command can read (${constants.MAX_STRING_LENGTH})\nok 0801\n`,
    );
  });

  it("answers a line split across chunks exactly as the same line in one chunk", async () => {
    const input = "AbiFrame 0801\nActrId zz\n\nAbiReply 0801\tcomment\nAbiFrame 08";
    const whole = sink();
    await answerLines(chunked(input, input.length), whole.stream);
    for (const size of [1, 2, 3, 7]) {
      const split = sink();
      await answerLines(chunked(input, size), split.stream);
      expect(split.tail()).toBe(whole.tail());
    }
    expect(whole.tail()).toBe(
      'ok 0801\nerr invalid hex: character "z" at offset 0\nerr unknown message \nok 0801\nerr cannot decode actr.dynclib.v1.AbiFrame: field abi_version: truncated varint at byte 1\n',
    );
  });
});

describe("actr-abi decode --json", () => {
  const frameWith = (payloadSize: number) =>
    encodeFrame(
      HostCallV1Schema,
      create(HostCallV1Schema, {
        routeKey: "a",
        dest: destToV1({ kind: "shell" }),
        payload: new Uint8Array(payloadSize).fill(7),
      }),
    );

  it("writes a large payload in linear time, in pieces of about 1 MiB", async () => {
    await expectLinearAsync(
      async (input: Uint8Array) => {
        const out = sink();
        await writeJson(messageToJson(AbiFrameSchema, decodeFrame(input), input), out.stream);
        expect(Math.max(...out.writes)).toBeLessThan(2 << 20);
        expect(out.tail()).toMatch(/[A-Za-z0-9+/]{100}={0,2}"\n {2}}\n}\n$/);
      },
      1 << 20,
      frameWith,
    );
  });

  it("writes exactly what JSON.stringify(tree, null, 2) writes, base64 and all", async () => {
    for (const size of [0, 1, 2, 3, 786_431, 786_432, 786_433, 3_000_000]) {
      const input = frameWith(size);
      const out: string[] = [];
      const stream = new Writable({
        write(chunk: Buffer, _e, done) {
          out.push(chunk.toString());
          done();
        },
      });
      await writeJson(messageToJson(AbiFrameSchema, decodeFrame(input), input), stream);
      const json = JSON.parse(out.join("")) as { payload: { payload?: string; routeKey: string } };
      expect(Buffer.from(json.payload.payload ?? "", "base64").equals(Buffer.alloc(size, 7))).toBe(true);
      expect(out.join("")).toBe(JSON.stringify(json, null, 2) + "\n");
    }
  });
});

describe("actr-abi, one line for every foreseen failure", () => {
  const cases: [string, string[], string][] = [
    ["--bytes-limit -1", ["decode", "--bytes-limit", "-1", "0801"], "argument is ambiguous"],
    [
      "--bytes-limit=-1",
      ["decode", "--bytes-limit=-1", "0801"],
      'actr-abi decode: --bytes-limit must be a non-negative integer in decimal digits, got "-1"\n',
    ],
    [
      "--bytes-limit ''",
      ["decode", "--bytes-limit", "", "0801"],
      'actr-abi decode: --bytes-limit must be a non-negative integer in decimal digits, got ""\n',
    ],
    ["--bytes-limit 0x10", ["decode", "--bytes-limit", "0x10", "0801"], 'got "0x10"'],
    ["--bytes-limit 1e3", ["decode", "--bytes-limit", "1e3", "0801"], 'got "1e3"'],
    [
      "--base64 Y (one character cannot be base64)",
      ["decode", "--base64", "Y"],
      "actr-abi decode: input is not base64 text\n",
    ],
    ["--base64 with a stray trailing bit", ["decode", "--base64", "CAF="], "is not canonical base64"],
    ["--base64 with both alphabets", ["decode", "--base64", "+_8A"], "mixes the base64 and base64url alphabets"],
    ["--base64 with bad padding", ["decode", "--base64", "CAE=="], "input is not base64 text"],
    [
      "a JSON number beyond 2^53",
      ["encode", "ActrId", '{"serialNumber": 9007199254740993}'],
      "actr-abi encode: the JSON argument: the number at serialNumber is beyond 2^53 - 1, where JSON numbers lose digits",
    ],
    [
      "a nested JSON number beyond 2^53",
      ["encode", "AbiFrame", '{"payload": {"@type": "actr.dynclib.v1.HostCallV1", "x": [1e300]}}'],
      "the number at payload.x[0] is beyond 2^53 - 1",
    ],
    [
      "help for an unknown command",
      ["help", "nope"],
      'actr-abi help: unknown command "nope" (commands: decode, encode, check, codes, run)\n',
    ],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const r = actrAbi(args);
      expect(r.stderr).toContain(message);
      expect(isOneLineError(r)).toBe(true);
    });
  }

  it("valid base64 in either alphabet, padded or not, still decodes", () => {
    for (const text of ["CAE=", "CAE", "CAEQBQ==", "CAEQBQ"])
      expect(actrAbi(["decode", "--base64", text]).status).toBe(0);
    expect(actrAbi(["decode", "--base64", "--as", "ActrId", "--json", "EP___________wE"]).stdout).toContain(
      '"serialNumber": "18446744073709551615"',
    );
  });

  it("a 64-bit number given as a string is exact", () => {
    // realm and type are required, written empty; serial_number (field 2) is what matters.
    expect(actrAbi(["encode", "ActrId", '{"serialNumber": "9007199254740993"}']).stdout).toBe(
      "0a020800" + "108180808080808010" + "1a060a0012001a00\n",
    );
    expect(actrAbi(["encode", "ActrId", '{"serialNumber": 9007199254740991}']).stdout).toBe(
      "0a020800" + "10ffffffffffffff0f" + "1a060a0012001a00\n",
    );
  });

  it("output to a full disk (ENOSPC) is one line, exit 1", () => {
    const main = fileURLToPath(new URL("../../dist/src/cli/main.js", import.meta.url));
    const full = openSync("/dev/full", "w");
    try {
      const r = spawnSync(process.execPath, [main, "codes"], { stdio: ["ignore", full, "pipe"], encoding: "utf8" });
      expect([r.status, r.stderr]).toEqual([1, "actr-abi: cannot write the output: ENOSPC\n"]);
    } finally {
      closeSync(full);
    }
  });

  it("an input too large to read as text (over 512 MiB) is one line", () => {
    const dir = mkdtempSync(join(tmpdir(), "actr-abi-"));
    try {
      const path = join(dir, "huge.hex");
      writeFileSync(path, "");
      truncateSync(path, 600 * 1024 * 1024); // sparse: no disk used
      const r = actrAbi(["decode", "--hex", `@${path}`]);
      expect(r.stderr).toBe(
        `actr-abi decode: ${path}: 629145600 bytes of text is more than this command can read as text (536870888); pass raw bytes with --raw\n`,
      );
      expect(isOneLineError(r)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe("actr-abi help", () => {
  for (const command of ["decode", "encode", "check", "codes"]) {
    it(`help ${command} prints ${command}'s help, as ${command} --help does`, () => {
      const r = actrAbi(["help", command]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: actr-abi ${command}`));
      expect(r.stdout).toBe(actrAbi([command, "--help"]).stdout);
    });
  }

  it("no --help names a file that an installed package does not have, and every example runs", () => {
    for (const args of [["--help"], ["decode", "--help"], ["encode", "--help"]]) {
      const text = actrAbi(args).stdout;
      expect(text).not.toContain("examples/");
      const examples = text.split("\n").filter((line) => /^ {2}actr-abi (decode|encode) [^@]*$/.test(line));
      expect(examples.length).toBeGreaterThan(0);
      for (const line of examples) {
        // The examples are written for a POSIX shell; split them as one would.
        const words = [...line.trim().matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!).slice(1);
        const r = actrAbi(words);
        expect([line, r.status, r.stderr]).toEqual([line, 0, ""]);
      }
    }
  });
});
