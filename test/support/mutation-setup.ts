// Setup of the mutation run (vitest.mutation.config.ts): fewer property runs
// per test, so that each of the many mutant runs stays short. The full runs
// of `npm test` are unchanged.
import fc from "fast-check";

fc.configureGlobal({ numRuns: 40 });
