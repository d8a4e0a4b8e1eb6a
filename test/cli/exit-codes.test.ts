// One rule for every command's exit code: 0 success, 1 the operation failed
// (bad input, an unknown name, bytes that do not decode), 2 a usage error
// (an unknown command or option, a missing or extra argument, options that
// cannot go together, a malformed option value). `run` follows it too
// (test/cli/run-guest.test.ts).
import { describe, expect, it } from "vitest";
import { actrAbi, isOneLineError } from "./run-cli.js";

describe("actr-abi exit codes", () => {
  it.each([
    ["decode", ["decode", "0801"]],
    ["encode", ["encode", "actr.Realm", '{"realmId": 1}']],
    ["codes", ["codes"]],
    ["help", ["help", "decode"]],
  ])("0 on success: %s", (_, args) => {
    expect(actrAbi(args).status).toBe(0);
  });

  it.each([
    ["odd-length hex", ["decode", "080"]],
    ["bytes that do not decode", ["decode", "080110651a040a020a05"]],
    ["an unknown message", ["decode", "--as", "Nope", "08"]],
    ["an unknown op", ["encode", "--op", "NOPE", "{}"]],
    ["JSON that does not fit", ["encode", "actr.Realm", '{"nope": 1}']],
    ["a file that cannot be read", ["decode", "@/nonexistent/frame.bin"]],
  ])("1 when the operation fails: %s", (_, args) => {
    const r = actrAbi(args);
    expect(r.status).toBe(1);
    expect(isOneLineError(r)).toBe(true);
  });

  it.each([
    ["an unknown command", ["nope"]],
    ["an unknown option", ["decode", "--nope", "08"]],
    ["an option without its value", ["decode", "--as"]],
    ["two inputs", ["decode", "08", "08"]],
    ["a malformed count", ["decode", "--bytes-limit", "-1", "08"]],
    ["formats that cannot go together", ["decode", "--base64", "--raw", "-"]],
    ["encode without a NAME", ["encode"]],
    ["encode with two JSON arguments", ["encode", "actr.Realm", "{}", "{}"]],
    ["check with an argument", ["check", "extra"]],
    ["codes with an argument", ["codes", "extra"]],
    ["help for an unknown command", ["help", "nope"]],
    ["run without a guest", ["run"]],
  ])("2 on a usage error: %s", (_, args) => {
    const r = actrAbi(args);
    expect(r.status).toBe(2);
    expect(isOneLineError(r)).toBe(true);
  });

  it("2 with the usage text when no command is given", () => {
    const r = actrAbi([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Usage: actr-abi <command>");
  });
});
