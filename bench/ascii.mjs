// node bench/ascii.mjs: the decoder's string path (src/decoder.ts's
// readString after its length: "" for no bytes, asciiString for short ASCII,
// the strict TextDecoder of src/utf8.ts otherwise) on the built package
// (`npm run build` first), one string length or kind per case.
//
// Beside the package's asciiString it times `textdecoder` (the same path with
// no asciiString: every string through the TextDecoder), and any module given
// with --against FILE that exports asciiString and MAX_ASCII_STRING (an
// older src/ascii.ts, or a form in bench/ascii-forms/), so that a change to
// src/ascii.ts is measured against the old one in the same process. Each
// implementation's timing loop is code of its own (new Function), so no call
// site in the harness is shared, and so polymorphic, between implementations.
// The implementations take turns, --ms milliseconds each, for --rounds
// rounds (A B C, then C B A, then A B C, ...); a row is the median ns per string over the rounds,
// with the lowest and highest round, and its ratio to the first
// implementation is the median (and range) of the per-round ratios.
//
// Usage: node bench/ascii.mjs [--rounds N] [--ms MS] [--case ID]... [--against FILE]... [--json]
// (npm run bench:ascii builds dist/ first). FILE may be a .ts file: Node 22.18
// and later strip its types, so an older src/ascii.ts runs as it is:
//   git show REV:src/ascii.ts > /tmp/ascii-REV.ts
//   node bench/ascii.mjs --against /tmp/ascii-REV.ts
// bench/ascii-forms/ holds the compact forms measured against the generated
// switch (see bench/README.md).
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import * as ascii from "../dist/src/ascii.js";
import { utf8TextOrUndefined } from "../dist/src/utf8.js";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "15" },
    ms: { type: "string", default: "40" },
    case: { type: "string", multiple: true },
    against: { type: "string", multiple: true },
    json: { type: "boolean", default: false },
  },
});

/** The strings of the benchmark's frames (bench/cases.mjs): actor types, ids, route key, metadata. */
const realistic = [
  "acme",
  "echo-service",
  "1.2.0",
  "echo-client",
  "req-0001-7f3a9c",
  "echo.EchoService.Echo",
  "stream-1",
  "content-type",
  "application/octet-stream",
];
const asciiOf = (n) => Array.from({ length: n }, (_, i) => String.fromCharCode(0x20 + ((i * 7 + n) % 95))).join("");

/** Each case: the strings it decodes in turn. */
const cases = {
  "len-0": [""],
  ...Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`len-${i + 1}`, [asciiOf(i + 1)]])),
  "len-24": [asciiOf(24)],
  "len-32": [asciiOf(32)],
  "len-33": [asciiOf(33)],
  "len-100": [asciiOf(100)],
  "len-1000": [asciiOf(1000)],
  "mixed-realistic": realistic,
  "non-ascii-8": ["caf\u00e9-\u00e9t\u00e9"], // 11 bytes: the ASCII check fails, then the TextDecoder
  "non-ascii-32": ["\u00e9" + asciiOf(30)], // 32 bytes, the first not ASCII
  "non-ascii-last-32": [asciiOf(30) + "\u00e9"], // 32 bytes, the last two not ASCII
};
const caseIds = values.case ?? Object.keys(cases);
for (const id of caseIds)
  if (!(id in cases)) throw new Error(`unknown case ${id} (one of ${Object.keys(cases).join(", ")})`);

/** The strings of a case laid out in one buffer, each after 3 filler bytes: [buffer, starts, lengths]. */
function layout(strings) {
  const encoded = strings.map((s) => new TextEncoder().encode(s));
  const buf = new Uint8Array(encoded.reduce((sum, e) => sum + 3 + e.length, 3)).fill(0xff);
  const starts = [];
  let at = 3;
  for (const e of encoded) {
    buf.set(e, at);
    starts.push(at);
    at += e.length + 3;
  }
  return { buf, starts: Int32Array.from(starts), lengths: Int32Array.from(encoded, (e) => e.length) };
}

// readString's logic, as fresh code for each implementation.
const readStringSource = `
  if (n === 0) return "";
  if (asciiString !== undefined && n <= max) {
    const text = asciiString(buf, start, n);
    if (text !== undefined) return text;
  }
  return utf8(buf.subarray(start, start + n)) ?? fail();
`;
const fail = () => {
  throw new Error("not UTF-8");
};
const makeReadString = (asciiString, max) =>
  new Function(
    "asciiString",
    "max",
    "utf8",
    "fail",
    `return function readString(buf, start, n) {${readStringSource}};`,
  )(asciiString, max, utf8TextOrUndefined, fail);

const loopSource = `
  let sink = 0;
  for (let i = 0; i < calls; i++) {
    const k = i % starts.length;
    sink += readString(buf, starts[k], lengths[k]).length;
  }
  return sink;
`;
const makeLoop = () => new Function("readString", "buf", "starts", "lengths", "calls", loopSource);

const implementations = [{ id: "actr-dynclib-abi", asciiString: ascii.asciiString, max: ascii.MAX_ASCII_STRING }];
for (const file of values.against ?? []) {
  const mod = await import(pathToFileURL(path.resolve(file)).href);
  implementations.push({
    id: path.basename(file, path.extname(file)),
    asciiString: mod.asciiString,
    max: mod.MAX_ASCII_STRING,
  });
}
implementations.push({ id: "textdecoder", asciiString: undefined, max: 0 });

// Every implementation decodes every case's strings to the same text first.
for (const id of caseIds) {
  const { buf, starts, lengths } = layout(cases[id]);
  for (const impl of implementations) {
    const readString = makeReadString(impl.asciiString, impl.max);
    cases[id].forEach((s, k) => {
      const got = readString(buf, starts[k], lengths[k]);
      if (got !== s) throw new Error(`${impl.id} decodes ${JSON.stringify(got)} for ${JSON.stringify(s)} (${id})`);
    });
  }
}

const rounds = Number(values.rounds);
const roundNs = Number(values.ms) * 1e6;
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const rows = [];
let total = 0;
for (const id of caseIds) {
  const { buf, starts, lengths } = layout(cases[id]);
  const entries = implementations.map((impl) => {
    const readString = makeReadString(impl.asciiString, impl.max);
    const loop = makeLoop();
    for (let i = 0; i < 20; i++) total += loop(readString, buf, starts, lengths, 10_000); // warm-up
    // Calls per timing, so that one takes about a tenth of a round.
    const t = process.hrtime.bigint();
    total += loop(readString, buf, starts, lengths, 100_000);
    const ns = Number(process.hrtime.bigint() - t) / 100_000;
    return { impl, readString, loop, calls: Math.max(1000, Math.round(roundNs / 10 / ns)), perRound: [] };
  });
  for (let round = 0; round < rounds; round++) {
    for (const entry of round % 2 === 0 ? entries : [...entries].reverse()) {
      const { readString, loop, calls } = entry;
      const samples = [];
      const end = process.hrtime.bigint() + BigInt(roundNs);
      do {
        const t = process.hrtime.bigint();
        total += loop(readString, buf, starts, lengths, calls);
        samples.push(Number(process.hrtime.bigint() - t) / calls);
      } while (process.hrtime.bigint() < end);
      entry.perRound.push(median(samples));
    }
  }
  const base = entries[0].perRound;
  for (const { impl, perRound } of entries) {
    const ratios = perRound.map((ns, r) => ns / base[r]);
    rows.push({
      case: id,
      impl: impl.id,
      ns: median(perRound),
      min: Math.min(...perRound),
      max: Math.max(...perRound),
      ratio: median(ratios),
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
    });
  }
}
if (total === 0) throw new Error("nothing ran");

if (values.json) console.log(JSON.stringify(rows, null, 2));
else {
  const f1 = (x) => x.toFixed(1);
  const f2 = (x) => x.toFixed(2);
  console.log(
    `node ${process.version}, ${rounds} rounds of ${values.ms} ms per implementation and case; ns per string, median (lowest-highest round); ratio to ${implementations[0].id}, median (range) of the rounds' ratios`,
  );
  console.log("");
  console.log("| case | impl | ns/string | × " + implementations[0].id + " |");
  console.log("|---|---|---:|---:|");
  for (const r of rows)
    console.log(
      `| ${r.case} | ${r.impl} | ${f1(r.ns)} (${f1(r.min)}-${f1(r.max)}) | ${f2(r.ratio)}× (${f2(r.ratioMin)}-${f2(r.ratioMax)}) |`,
    );
}
