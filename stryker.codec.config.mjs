// `npm run mutation:codec`: mutation testing of the codec alone (its runtime
// in src/ and the generated gen/**/*_codec.ts) against the tests written for
// it (vitest.mutation.codec.config.ts). About 11 minutes for the runtime on
// two cores; for the generated code, add --ignoreStatic (a third of its
// mutants are module-level tables, each of which would need every test run
// again, for hours):
//   npm run mutation:codec
//   npm run mutation:codec -- --mutate 'gen/**/*_codec.ts' --ignoreStatic
import base from "./stryker.config.mjs";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  ...base,
  vitest: { ...base.vitest, configFile: "vitest.mutation.codec.config.ts" },
  mutate: ["src/encoder.ts", "src/decoder.ts", "src/codec.ts", "src/pool.ts", "src/ascii.ts"],
  jsonReporter: { fileName: "reports/mutation-codec.json" },
  htmlReporter: { fileName: "reports/mutation-codec.html" },
};
