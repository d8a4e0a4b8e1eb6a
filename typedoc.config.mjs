// TypeDoc (npm run docs): the API reference, from the doc comments, into
// docs/api/ (not committed). One entry point per subpath that package.json
// `exports` publishes, mapped from its compiled `.d.ts` back to the source, so
// a new subpath is documented (and checked) without editing this file.
// Any warning fails the run, and so does an export without a doc comment.
import { readFileSync } from "node:fs";
import { OptionDefaults } from "typedoc";

const { exports } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));

/** `./dist/src/host/index.d.ts` -> `./src/host/index.ts`. */
function sourceOf(subpath, target) {
  const types = typeof target === "string" ? target : target.types;
  const match = /^\.\/dist\/(.+)\.d\.ts$/.exec(types ?? "");
  if (match === null) throw new Error(`typedoc.config.mjs: cannot map export "${subpath}" (${types}) to a source file`);
  return `./${match[1]}.ts`;
}

const entryPoints = Object.entries(exports)
  .filter(([subpath]) => subpath !== "./package.json")
  .map(([subpath, target]) => sourceOf(subpath, target));

/** @type {Partial<import("typedoc").TypeDocOptions>} */
export default {
  entryPoints,
  tsconfig: "./tsconfig.build.json",
  out: "docs/api",
  name: "@actr/dynclib-abi",
  readme: "none",
  // protoc-gen-es marks generated declarations with `@generated from ...`.
  blockTags: [...OptionDefaults.blockTags, "@generated"],
  // The package has no public repository URL yet, so no source links.
  disableSources: true,
  excludePrivate: true,
  excludeInternal: true,
  treatWarningsAsErrors: true,
  treatValidationWarningsAsErrors: true,
  // "Every export is documented": each exported declaration and the members of
  // the exported classes and enums. Properties of object types are left to
  // their declaration's comment (protobuf-es's own `oneof` cases have none).
  requiredToBeDocumented: [
    "Enum",
    "EnumMember",
    "Variable",
    "Function",
    "Class",
    "Interface",
    "TypeAlias",
    "Method",
    "Accessor",
  ],
  validation: {
    notExported: true,
    invalidLink: true,
    invalidPath: true,
    rewrittenLink: true,
    notDocumented: true,
    unusedMergeModuleWith: true,
  },
};
