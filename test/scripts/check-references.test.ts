// The rules of scripts/check-references.ts (npm run check:references), and the
// repository itself against them.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  checkedFiles,
  checkRepository,
  findBadReferences,
  headingAnchor,
  isShipped,
} from "../../scripts/check-references.js";

const root = join(import.meta.dirname, "../..");
const problems = (file: string, text: string) =>
  findBadReferences(root, file, text).map((b) => `${b.line}: ${b.problem}`);

describe("findBadReferences", () => {
  it("flags a path into shared/, the Rust module file and a spec section", () => {
    const text = "The contract is `shared/spec/dynclib-abi.md`.\nNames follow `dynclib_abi.rs`.\nSee spec section 4.\n";
    expect(problems("README.md", text)).toEqual([
      "1: points into shared/, which is not part of this repository",
      "2: names the Rust module file, which users do not have (point at docs/abi.md)",
      '3: cites "spec section" (cite "docs/abi.md section N")',
    ]);
  });

  it("flags a spec section split over comment lines", () => {
    expect(problems("src/errors.ts", "/**\n * the same texts (spec\n * section 6)\n */\n")).toEqual([
      '2: cites "spec section" (cite "docs/abi.md section N")',
    ]);
  });

  it("flags a ../ path that leaves the repository, from the file's directory", () => {
    expect(problems("README.md", "beside this repository: ../shared-notes/abi.md\n")).toEqual([
      '1: "../shared-notes/abi.md" leaves the repository',
    ]);
    expect(problems("src/cli/dispatch.ts", 'new URL("../../../../package.json", import.meta.url)')).toEqual([
      '1: "../../../../package.json" leaves the repository',
    ]);
  });

  it("accepts ../ paths that stay inside, also from the compiled file in dist/", () => {
    expect(problems("src/values.ts", 'import { x } from "../gen/actr/actr_pb.js";')).toEqual([]);
    // dist/src/cli/dispatch.js reads the package's own package.json.
    expect(problems("src/cli/dispatch.ts", 'new URL("../../../package.json", import.meta.url)')).toEqual([]);
    expect(problems("docs/abi.md", "[schema](../proto/actr/actr.proto)")).toEqual([]);
  });

  it("checks relative Markdown links and their headings", () => {
    expect(problems("README.md", "[abi](docs/abi.md#7-hosting-a-guest) [site](https://example.org/x)")).toEqual([]);
    expect(problems("README.md", "[abi](docs/abi.md#8-more)\n[gone](docs/nothing.md)")).toEqual([
      "1: links to #8-more, which is not a heading of docs/abi.md",
      "2: links to docs/nothing.md, which does not exist",
    ]);
  });

  it("in a shipped Markdown file, flags a link to a file the tarball does not hold", () => {
    expect(problems("README.md", "[abi](docs/abi.md) [schema](proto/actr/actr.proto) [top](#install)")).toEqual([]);
    expect(problems("README.md", "see [contributing](CONTRIBUTING.md)")).toEqual([
      '1: links to CONTRIBUTING.md, which the package tarball does not hold (README.md ships; see package.json "files")',
    ]);
    // A file the package does not ship may link anywhere in the repository.
    expect(problems("CONTRIBUTING.md", "[bench](bench/README.md)")).toEqual([]);
  });

  it("reads package.json's files as npm does", () => {
    for (const file of [
      "README.md",
      "LICENSE",
      "package.json",
      "docs/abi.md",
      "dist/src/host/index.js",
      "proto/actr/dynclib/v1/abi.proto",
      "src/index.ts",
    ]) {
      expect(isShipped(root, file), file).toBe(true);
    }
    for (const file of [
      "CONTRIBUTING.md",
      "bench/README.md",
      "docs/architecture.md",
      "examples/run/answers.json",
      "proto/baseline/v1.binpb",
      "test/readme.test.ts",
    ]) {
      expect(isShipped(root, file), file).toBe(false);
    }
  });

  it("spells heading anchors as GitHub does", () => {
    expect(headingAnchor("4. Encoding and decoding, as prost does it")).toBe(
      "4-encoding-and-decoding-as-prost-does-it",
    );
    expect(headingAnchor("What `actr_handle` returns")).toBe("what-actr_handle-returns");
  });
});

describe("this repository", () => {
  it("checks the README, docs/abi.md, src/, gen/ and proto/", () => {
    const files = checkedFiles(root);
    for (const file of ["README.md", "docs/abi.md", "src/index.ts", "gen/actr/actr_pb.ts", "proto/actr/actr.proto"]) {
      expect(files).toContain(file);
    }
  });

  it("points only inside itself", () => {
    expect(checkRepository(root).bad).toEqual([]);
  });
});
