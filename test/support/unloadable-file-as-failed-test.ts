// A vitest reporter for the mutation run only (vitest.mutation.config.ts).
//
// Stryker's vitest runner (9.x, 10.0) builds a mutant's result from the tests
// vitest collected, and gives "Survived" when none of them failed. A test file
// whose import throws (a static mutant that breaks a module's load, such as a
// schema check that throws at the top level) collects no test at all, so the
// mutant the suite does catch would count as a survivor. This reporter gives
// each such file one failed test carrying the file's load error, so Stryker
// scores the mutant as killed. A file that loaded is left as it is.
import type { RunnerTestCase, RunnerTestFile } from "vitest";
import type { Reporter, Vitest } from "vitest/node";

/** The name of the failed test that stands for a test file that could not load. */
export const unloadableFileTestName = "the test file loads";

/**
 * Adds one failed test to `file` when it failed without collecting any test
 * (its import threw); returns whether it did. A file with tests is unchanged.
 */
export function markUnloadableFile(file: RunnerTestFile): boolean {
  if (file.result?.state !== "fail" || file.tasks.length > 0) return false;
  const errors = file.result.errors ?? [{ message: "the test file failed to load", name: "Error" }];
  // vitest types a test with a context only vitest can build; nothing reads it
  // once the run has ended, so this test has none.
  const test = {
    type: "test",
    id: `${file.id}_unloadable`,
    name: unloadableFileTestName,
    fullName: `${file.name} ${unloadableFileTestName}`,
    mode: "run",
    file,
    suite: file,
    meta: {},
    annotations: [],
    artifacts: [],
    timeout: 0,
    result: { state: "fail", errors },
  } as unknown as RunnerTestCase;
  file.tasks.push(test);
  return true;
}

/** The reporter: marks every test file that could not load as holding one failed test. */
export default class UnloadableFileAsFailedTest implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  // The files of vitest's state, which Stryker reads once the run has ended.
  onTestRunEnd(): void {
    for (const file of this.vitest?.state.getFiles() ?? []) markUnloadableFile(file);
  }
}
