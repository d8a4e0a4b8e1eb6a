// The host runtime's platform check: Windows is refused with one line at
// loadGuest, before koffi is asked for anything; Linux, macOS and the BSDs pass.
import { afterEach, describe, expect, it } from "vitest";
import { loadGuest } from "../../src/host/index.js";
import { assertHostPlatform, hostPlatformProblem } from "../../src/host/platform.js";

describe("hostPlatformProblem", () => {
  it.each([
    ["linux", "x64"],
    ["linux", "arm64"],
    ["darwin", "arm64"],
    ["darwin", "x64"],
    ["freebsd", "x64"],
    ["openbsd", "arm64"],
  ])("%s-%s: supported", (platform, arch) => {
    expect(hostPlatformProblem(platform, arch)).toBeUndefined();
    expect(() => assertHostPlatform(platform, arch)).not.toThrow();
  });

  it.each([
    ["win32", "x64"],
    ["win32", "arm64"],
    ["cygwin", "x64"],
  ])("%s-%s: refused with one line saying why", (platform, arch) => {
    const problem = hostPlatformProblem(platform, arch);
    expect(problem).toContain("does not support Windows");
    expect(problem).toContain("dlopen(NULL)");
    expect(problem).not.toContain("\n");
    expect(() => assertHostPlatform(platform, arch)).toThrow(problem);
  });

  it("this machine passes (CI runs on linux-x64)", () => {
    expect(hostPlatformProblem()).toBeUndefined();
  });
});

describe("loadGuest on an unsupported platform", () => {
  const real = Object.getOwnPropertyDescriptor(process, "platform")!;
  afterEach(() => Object.defineProperty(process, "platform", real));

  it("rejects with the one line, before it looks at the file or the options", async () => {
    Object.defineProperty(process, "platform", { ...real, value: "win32" });
    await expect(loadGuest("/nonexistent/guest.dll", {} as never)).rejects.toThrow(
      /^@actr\/dynclib-abi\/host does not support Windows \(win32-/,
    );
  });
});
