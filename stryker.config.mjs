// Mutation testing (`npm run mutation`; not part of `npm test`: it is slow).
// Narrow it from the command line: npm run mutation -- --mutate src/decoder.ts
// With --ignoreStatic (much faster), read survivors on module-level code with
// care: a test that re-imports the package (vi.resetModules) makes every
// module-level mutant "hybrid", so Stryker runs it against that one test only
// and it survives whatever the other tests check. Judge those lines in a run
// without --ignoreStatic on a line range: --mutate src/errors.ts:97-125
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts" },
  coverageAnalysis: "perTest",
  // The core: not the command (src/cli), the FFI host (src/host) or the index of exports.
  mutate: ["src/*.ts", "!src/index.ts", "gen/**/*_codec.ts"],
  ignorePatterns: ["dist", "coverage", "conformance/oracle/target", "bench/.pbjs", "reports"],
  reporters: ["clear-text", "progress", "html", "json"],
  concurrency: 2,
  timeoutMS: 30_000,
  tempDirName: ".stryker-tmp",
};
