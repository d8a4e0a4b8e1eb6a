// npm run check:package: lints the tarball `npm pack` would publish, with
// publint (--strict) and are-the-types-wrong (ESM only), without touching the
// working tree: the tarball is packed into a temporary directory and removed
// there, so a `.tgz` you made with `npm pack` stays where it is.
// Packs what is in dist/ now (scripts ignored): run `npm run build` first.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

if (!existsSync("dist/src/index.js")) {
  console.error("check:package: dist/ is not built; run `npm run build` first");
  process.exit(1);
}

const bin = (name) => join("node_modules", ".bin", name);
const dir = mkdtempSync(join(tmpdir(), "actr-pack-"));
try {
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { encoding: "utf8" }),
  );
  const tarball = join(dir, packed[0].filename);
  execFileSync(bin("publint"), ["--strict", tarball], { stdio: "inherit" });
  execFileSync(bin("attw"), [tarball, "--profile", "esm-only"], { stdio: "inherit" });
} catch (err) {
  if (err.status === undefined) throw err;
  process.exit(1);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
