// npm run conformance without a Rust toolchain says how to install one and fails.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const runner = fileURLToPath(new URL("../../conformance/run.mjs", import.meta.url));

describe("conformance runner", () => {
  it("without cargo: names the packages to install and exits non-zero", () => {
    const r = spawnSync(process.execPath, [runner, "--count", "10"], {
      env: { PATH: "/nonexistent" },
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("cargo is not installed");
    expect(r.stderr).toContain("apt-get install -y cargo librust-prost-dev librust-prost-derive-dev librust-bytes-dev");
  });

  it("rejects a bad --count", () => {
    const r = spawnSync(process.execPath, [runner, "--count", "many"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/usage: node conformance\/run.mjs/);
  });
});
