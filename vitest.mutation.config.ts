// The vitest configuration of `npm run mutation` (Stryker): the in-process
// tests only. Left out:
// - tests that run the built command, the packed tarball or a hostile guest
//   in a child process (test/cli, test/package, the README examples, the
//   conformance runner, the host without koffi, test/host/hostile): a mutant
//   never reaches them, and the dist/ build they need is not made;
// - the check of the repository's own files (test/scripts: it asks git,
//   which Stryker's sandbox copy is not);
// - the public API report (test/api.test.ts: it reads the types of the
//   instrumented sources, which Stryker's mutant switching changes);
// - test/support/, the harness.
// Property tests run fewer cases (test/support/mutation-setup.ts). A test
// file that fails to load counts as one failed test
// (test/support/unloadable-file-as-failed-test.ts), so a mutant that breaks a
// module's load is scored killed, not survived. One configuration, not
// vitest.config.ts's two projects: what they share, and no dist/ build.
import { defineConfig, mergeConfig } from "vitest/config";
import { allTests, shared } from "./vitest.config.js";

export default mergeConfig(
  {
    ...shared,
    test: {
      ...shared.test,
      include: allTests,
      reporters: ["default", "./test/support/unloadable-file-as-failed-test.ts"],
    },
  },
  defineConfig({
    test: {
      setupFiles: ["./test/support/mutation-setup.ts"],
      exclude: [
        "test/cli/**",
        "test/package/**",
        "test/scripts/**",
        "test/host/koffi-missing.test.ts",
        "test/host/hostile/**",
        "test/readme.test.ts",
        "test/api.test.ts",
        "test/conformance/runner.test.ts",
        "test/proto/breaking.test.ts",
        "test/support/**",
        "**/node_modules/**",
      ],
    },
  }),
);
