// `npm run mutation:codec`: mutation testing of the codec alone (its runtime
// in src/ and the generated gen/**/*_codec.ts) against the tests written for
// it (vitest.mutation.codec.config.ts). About 16 minutes for the runtime on
// two cores; the generated code has several times as many mutants (hours):
//   npm run mutation:codec
//   npm run mutation:codec -- --mutate 'gen/**/*_codec.ts'
import base from "./stryker.config.mjs";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  ...base,
  vitest: { ...base.vitest, configFile: "vitest.mutation.codec.config.ts" },
  // Every mutant runs all of these tests (a few seconds each): with
  // "perTest", Stryker's vitest runner credits a line to fewer tests than
  // run it (the property test credited with a write in the in-line string
  // code of gen/actr/actr_codec.ts was not credited with the condition just
  // before it, which it runs), and reports mutants survived by tests that
  // were never run against them.
  coverageAnalysis: "all",
  mutate: ["src/encoder.ts", "src/decoder.ts", "src/codec.ts", "src/pool.ts", "src/ascii.ts"],
  jsonReporter: { fileName: "reports/mutation-codec.json" },
  htmlReporter: { fileName: "reports/mutation-codec.html" },
};
