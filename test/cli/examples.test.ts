// examples/ holds what `npm run examples` writes: a frame for each op and two replies.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeFrame, decodeReply, op, opName } from "../../src/index.js";
import { buildExamples } from "../../scripts/examples.js";
import { root } from "./run-cli.js";

const examples = buildExamples();

describe("examples/", () => {
  it("holds exactly what npm run examples writes", () => {
    const committed = readdirSync(join(root, "examples"))
      .filter((f) => f.endsWith(".bin"))
      .sort();
    expect(committed).toEqual([...examples.keys()].sort());
    for (const [name, bytes] of examples) {
      expect([name, readFileSync(join(root, "examples", name)).toString("hex")]).toEqual([
        name,
        Buffer.from(bytes).toString("hex"),
      ]);
    }
  });

  it("has a frame for each of the 11 ops, named after it", () => {
    for (const value of Object.values(op)) {
      const name = `${opName(value)!.toLowerCase().replace(/_/g, "-")}.bin`;
      expect(decodeFrame(examples.get(name)!).op).toBe(value);
    }
  });

  it("has a success and a failed reply", () => {
    expect(decodeReply(examples.get("reply-success.bin")!).status).toBe(0);
    expect(decodeReply(examples.get("reply-failed.bin")!).status).toBe(-3);
  });
});
