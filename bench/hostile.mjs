// The hostile-input cost check: decoding a 32 MiB HOST_SEND_DATA_STREAM frame
// made of empty `MetadataEntry` records (`22 00` repeated), by this package
// (decodeHostOperation) and by prost (`actr-abi-oracle hostile`), in time per
// decode and in the memory the decoded value holds.
//
// Usage: node --expose-gc bench/hostile.mjs [--mib N] [--oracle PATH]
// (bench/run.mjs runs it). Prints one line per side and the ratios.
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import * as abi from "../dist/src/index.js";

const { values } = parseArgs({ options: { mib: { type: "string", default: "32" }, oracle: { type: "string" } } });
const mib = Number(values.mib);
if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc");

/** The same bytes as the oracle's `hostile_frame`. */
function hostileFrame() {
  const chunk = new Uint8Array(mib * 1024 * 1024);
  for (let i = 0; i < chunk.length; i += 2) chunk[i] = 0x22;
  // HostSendDataStreamV1 { chunk (field 2): chunk }, framed as op 7.
  const lengthPrefix = [];
  for (let v = chunk.length; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      lengthPrefix.push(v);
      break;
    }
    lengthPrefix.push((v % 128) | 0x80);
  }
  const inner = new Uint8Array(1 + lengthPrefix.length + chunk.length);
  inner.set([0x12, ...lengthPrefix]);
  inner.set(chunk, 1 + lengthPrefix.length);
  const frame = abi.encodeMessage(abi.AbiFrameSchema, {
    $typeName: "actr.dynclib.v1.AbiFrame",
    abiVersion: 1,
    op: 7,
    payload: inner,
  });
  return frame;
}

const frame = hostileFrame();
const heldBytes = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

// Memory: what one decoded operation holds while it is kept.
const before = heldBytes();
let kept = abi.decodeHostOperation(frame);
const held = heldBytes() - before;
if (kept.payload.chunk.metadata.length !== (mib * 1024 * 1024) / 2) throw new Error("wrong entry count");
kept = undefined;

// Time: the best of three decodes.
let best = Infinity;
for (let i = 0; i < 3; i++) {
  gc();
  const start = process.hrtime.bigint();
  kept = abi.decodeHostOperation(frame);
  best = Math.min(best, Number(process.hrtime.bigint() - start));
  kept = undefined;
}
console.log(
  `hostile ${mib} MiB of 22 00: actr-dynclib-abi ${(best / 1e6).toFixed(0)} ms, holds ${(held / 2 ** 20).toFixed(0)} MiB (${(held / frame.length).toFixed(1)}× the input)`,
);

if (values.oracle !== undefined) {
  const out = spawnSync(values.oracle, ["hostile", "--mib", String(mib), "--iters", "3"], { encoding: "utf8" });
  const [, ns, prostHeld] = out.stdout.trim().split(" ").map(Number);
  console.log(
    `hostile ${mib} MiB of 22 00: prost ${(ns / 1e6).toFixed(0)} ms, holds ${(prostHeld / 2 ** 20).toFixed(0)} MiB (${(prostHeld / frame.length).toFixed(1)}× the input)`,
  );
  console.log(
    `hostile: time ${(best / ns).toFixed(2)}× prost (goal ≤ 2), memory ${(held / prostHeld).toFixed(2)}× prost (goal ≤ 1.3)`,
  );
}
