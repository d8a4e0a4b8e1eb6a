// Fails when gen/ is not exactly what `buf generate` writes from proto/.
// Generates into a temporary directory and compares file by file.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

function listFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath ?? entry.path, entry.name)))
    .sort();
}

const out = mkdtempSync(join(tmpdir(), "actr-gen-"));
try {
  execFileSync("buf", ["generate", "--output", out], { stdio: "inherit" });
  const fresh = listFiles(join(out, "gen"));
  const committed = listFiles("gen");
  const problems = [];
  for (const file of new Set([...fresh, ...committed])) {
    if (!committed.includes(file)) problems.push(`missing from gen/: ${file}`);
    else if (!fresh.includes(file)) problems.push(`not generated from proto/: gen/${file}`);
    else if (!readFileSync(join(out, "gen", file)).equals(readFileSync(join("gen", file)))) {
      problems.push(`stale: gen/${file}`);
    }
  }
  if (problems.length > 0) {
    console.error(`gen/ is out of date with proto/ (run \`npm run generate\` and commit):\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  console.log(`gen/ is fresh (${committed.length} files)`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
