// The public API report (api/*.api.md, scripts/api-report.ts) must be what
// the entry points export: an API change comes with its report (`npm run
// api`), and a removal with a line in CHANGELOG.md.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { apiReports, entryPoints } from "../scripts/api-report.js";

const root = new URL("../", import.meta.url);

describe("the public API report", () => {
  const reports = apiReports();

  it.each(entryPoints.map((e) => [e.subpath, e.report] as const))("%s is recorded in %s", (_subpath, file) => {
    const committed = readFileSync(new URL(file, root), "utf8");
    // One message for the whole file: the diff says which export changed.
    expect(
      reports.get(file),
      `the public API changed: run \`npm run api\` and commit ${file} (and list removals in CHANGELOG.md)`,
    ).toBe(committed);
  });

  it("keeps the codec's internals out of the root entry point", () => {
    const root = reports.get("api/dynclib-abi.api.md")!;
    for (const name of [
      "codecOf",
      "encodeWith",
      "encodeInPlace",
      "decodeWith",
      "decodeField",
      "encodeFrameInPlace",
      "guestHandlePayload",
      "successReplyMessage",
      "hostReplyMessage",
    ]) {
      expect(root).not.toContain(`\n## ${name}\n`);
    }
  });
});
