// Two Vitest projects (`npm test` runs both; it is the full gate):
//
// - unit: pure JS in this process, no child processes, no guests, no dist/
//   build. `npm run test:unit`, in seconds.
// - integration: what loads a guest through koffi, runs the built command
//   or the packed tarball in a child process, or asks git or buf.
//   `npm run test:integration`; it builds dist/ first (test/support/build-dist.ts).
//
// A new test file is a unit test unless it is listed in `integrationTests`.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** The test files of the integration project. */
export const integrationTests = [
  "test/cli/commands.test.ts",
  "test/cli/decode.test.ts",
  "test/cli/exit-codes.test.ts",
  "test/cli/hardening.test.ts",
  "test/cli/run-guest.test.ts",
  "test/cli/run-readme.test.ts",
  "test/conformance/runner.test.ts",
  "test/host/generation2.test.ts",
  "test/host/guest.test.ts",
  "test/host/hostile/**/*.test.ts",
  "test/host/koffi-missing.test.ts",
  "test/host/leak.test.ts",
  "test/host/native-memory.test.ts",
  "test/host/readme.test.ts",
  "test/host/worker-guest.test.ts",
  "test/package/**/*.test.ts",
  "test/proto/breaking.test.ts",
  "test/readme.test.ts",
  "test/scripts/check-references.test.ts",
];

/** Every test file. */
export const allTests = ["test/**/*.test.ts"];

/**
 * What every configuration of the tests shares (the mutation runs' too). Not
 * the test files: a project that extends the root adds its lists to the root's.
 */
export const shared = {
  resolve: {
    // The README's examples import the package by name.
    alias: [
      {
        find: /^@actr\/dynclib-abi\/host$/,
        replacement: fileURLToPath(new URL("./src/host/index.ts", import.meta.url)),
      },
      { find: /^@actr\/dynclib-abi$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
    ],
  },
  test: {
    testTimeout: 60_000,
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
};

export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: allTests, exclude: [...integrationTests, "**/node_modules/**"] },
      },
      {
        extends: true,
        test: { name: "integration", include: integrationTests, globalSetup: ["./test/support/build-dist.ts"] },
      },
    ],
  },
});
