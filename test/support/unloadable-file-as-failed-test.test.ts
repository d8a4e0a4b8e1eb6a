// The mutation run's reporter, checked on a real vitest run and read back the
// way Stryker's vitest runner reads it (its own helpers, from its dist files):
// a test file whose import throws must come out as a failed test.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createVitest } from "vitest/node";
import UnloadableFileAsFailedTest, { unloadableFileTestName } from "./unloadable-file-as-failed-test.js";

const helpers = fileURLToPath(new URL("../../node_modules/@stryker-mutator/vitest-runner/dist/src/vitest-helpers.js", import.meta.url));
const { collectTestsFromSuite, convertTestToTestResult } = (await import(pathToFileURL(helpers).href)) as {
  collectTestsFromSuite(file: unknown): unknown[];
  convertTestToTestResult(test: unknown): { name: string; status: number; failureMessage?: string };
};
// @stryker-mutator/api's TestStatus.
const TestStatus = { Success: 0, Failed: 1 };

const dir = mkdtempSync(join(tmpdir(), "unloadable-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "breaks.test.mjs"), `throw new Error("module refused to load");\n`);
writeFileSync(join(dir, "loads.test.mjs"), `import { it } from "vitest";\nit("passes", () => {});\n`);

async function strykerView(reporters: object[]) {
  const vitest = await createVitest("test", { root: dir, watch: false, reporters, include: ["*.test.mjs"], config: false });
  try {
    await vitest.start();
    const byFile = new Map<string, ReturnType<typeof convertTestToTestResult>[]>();
    for (const file of vitest.state.getFiles()) {
      byFile.set(file.name, collectTestsFromSuite(file).map(convertTestToTestResult));
    }
    return byFile;
  } finally {
    await vitest.close();
  }
}

describe("unloadable-file-as-failed-test", () => {
  it("without it, Stryker sees no test at all in a file that fails to load", async () => {
    const view = await strykerView([{}]); // a silent reporter, not the default one
    expect(view.get("breaks.test.mjs")).toEqual([]);
  });

  it("with it, that file holds one failed test carrying the load error; a file that loaded is unchanged", async () => {
    const view = await strykerView([new UnloadableFileAsFailedTest()]);
    const broken = view.get("breaks.test.mjs");
    expect(broken).toHaveLength(1);
    expect(broken?.[0]?.status).toBe(TestStatus.Failed);
    expect(broken?.[0]?.name).toContain(unloadableFileTestName);
    expect(broken?.[0]?.failureMessage).toBe("module refused to load");
    expect(view.get("loads.test.mjs")?.map((t) => [t.name, t.status])).toEqual([["passes", TestStatus.Success]]);
  });
});
