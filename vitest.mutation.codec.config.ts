// The vitest configuration of `npm run mutation:codec`: the mutation run's
// setup (vitest.mutation.config.ts) with only the tests written for the codec
// (the codec, ASCII, pool, golden-vector, presence, zero-value and frame
// tests). Every test of the package goes through the codec, so Stryker's
// per-test coverage would otherwise run hundreds of tests for each mutant of
// it; these few hundred run in seconds. The include list replaces the
// mutation run's (a merge would add the two lists together).
import mutation from "./vitest.mutation.config.js";

export default {
  ...mutation,
  test: {
    ...mutation.test,
    include: [
      "test/codec/*.test.ts",
      "test/ascii.test.ts",
      "test/pool.test.ts",
      "test/conformance/vectors.test.ts",
      "test/proto/presence.test.ts",
      "test/proto/zero-values.test.ts",
      "test/frames.test.ts",
      "test/frames.replies.test.ts",
    ],
  },
};
