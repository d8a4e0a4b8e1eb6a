import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // The README's examples import the package by name.
    alias: [
      { find: /^@actr\/dynclib-abi\/host$/, replacement: fileURLToPath(new URL("./src/host/index.ts", import.meta.url)) },
      { find: /^@actr\/dynclib-abi$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    globalSetup: ["./test/support/build-dist.ts"],
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
