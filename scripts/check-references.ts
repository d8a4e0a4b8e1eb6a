// npm run check:references: fails when the README, the changelog, src/, gen/,
// proto/, docs/ or bin/ point at something a user of the package does not
// have: a path that leaves the repository (`../` past its root, `shared/`),
// the Rust module file, "spec section N" (the contract is docs/abi.md), a
// relative Markdown link to a file or heading that does not exist, or, in a
// Markdown file the package ships, a relative link to a file it does not ship
// (a reader of node_modules/@actr/dynclib-abi has only the tarball).
// test/scripts/check-references.test.ts checks the rules themselves.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** One reference that points outside the repository. */
export interface BadReference {
  /** The file, relative to the repository root. */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** What is wrong. */
  readonly problem: string;
}

/** The repository paths whose text is checked: shipped or shown to users. */
export const checkedPaths: readonly RegExp[] = [
  /^README\.md$/,
  /^CHANGELOG\.md$/,
  /^src\//,
  /^gen\//,
  /^proto\/.*\.proto$/,
  /^docs\/.*\.md$/,
  /^bin\//,
];

const namedPatterns: readonly { pattern: RegExp; problem: string }[] = [
  { pattern: /(?<![\w-])shared\//g, problem: "points into shared/, which is not part of this repository" },
  {
    pattern: /dynclib_abi\.rs/g,
    problem: "names the Rust module file, which users do not have (point at docs/abi.md)",
  },
  { pattern: /\bspec(?:[\s*/#]|\/\/)+sections?\b/gi, problem: 'cites "spec section" (cite "docs/abi.md section N")' },
];

const relativePath = /(?<![\w.])(?:\.\.\/)+[\w@.\-/]*/g;
const markdownLink = /\]\(([^)\s]+)\)/g;

/** A relative link of a Markdown text: its file part (`""` for a heading of the same file), its heading, and where it stands. */
export interface MarkdownLink {
  readonly path: string;
  readonly anchor: string | undefined;
  readonly index: number;
}

/** The relative links of a Markdown text, `[text](target)`; links with a scheme (`https:`, `mailto:`, ...) are left out. */
export function relativeLinksOf(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  for (const m of markdown.matchAll(markdownLink)) {
    const target = m[1]!;
    if (/^[a-z][a-z+.-]*:/i.test(target)) continue;
    const [path, anchor] = target.split("#", 2) as [string, string | undefined];
    links.push({ path, anchor, index: m.index });
  }
  return links;
}

/** A `files` pattern of package.json as a regular expression over repository paths. */
function filesPattern(glob: string): RegExp {
  const source = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*\*\//g, "\u0000")
    .replace(/\*/g, "[^/]*")
    .replace(/\u0000/g, "(?:.*/)?");
  return new RegExp(`^${source}$`);
}

/** Whether `file` (relative to `root`) is in the tarball `npm pack` writes: package.json's `files`, and what npm always adds. */
export function isShipped(root: string, file: string): boolean {
  if (/^(package\.json|README(\.\w+)?|LICEN[CS]E(\.\w+)?)$/i.test(file)) return true;
  const { files } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { files?: string[] };
  return (files ?? []).some((glob) => filesPattern(glob).test(file));
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !rel.startsWith(sep));
}

/** GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces as dashes. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchorsOf(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => headingAnchor(m[1]!)));
}

/**
 * The bad references in `text`, the content of `file` (relative to `root`).
 * A `../` path counts as inside when it resolves inside `root` from the file's
 * directory or, for src/ and gen/, from the compiled file's directory in dist/.
 */
export function findBadReferences(root: string, file: string, text: string): BadReference[] {
  const found: BadReference[] = [];
  const report = (index: number, problem: string) => found.push({ file, line: lineOf(text, index), problem });

  for (const { pattern, problem } of namedPatterns) {
    for (const m of text.matchAll(pattern)) report(m.index, problem);
  }

  const from = [dirname(join(root, file))];
  if (/^(src|gen)\//.test(file)) from.push(dirname(join(root, "dist", file)));
  for (const m of text.matchAll(relativePath)) {
    if (!from.some((dir) => isInside(root, resolve(dir, m[0])))) {
      report(m.index, `"${m[0]}" leaves the repository`);
    }
  }

  if (file.endsWith(".md")) {
    const shipped = isShipped(root, file);
    for (const { path, anchor, index } of relativeLinksOf(text)) {
      const absolute = path === "" ? join(root, file) : resolve(dirname(join(root, file)), path);
      if (!isInside(root, absolute)) continue; // reported as a `../` path above
      if (!existsSync(absolute)) {
        report(index, `links to ${path}, which does not exist`);
      } else if (shipped && path !== "" && !isShipped(root, relative(root, absolute).split(sep).join("/"))) {
        report(
          index,
          `links to ${path}, which the package tarball does not hold (${file} ships; see package.json "files")`,
        );
      } else if (
        anchor !== undefined &&
        absolute.endsWith(".md") &&
        !anchorsOf(readFileSync(absolute, "utf8")).has(anchor)
      ) {
        report(index, `links to #${anchor}, which is not a heading of ${relative(root, absolute)}`);
      }
    }
  }
  return found;
}

/** Tracked and untracked (not ignored) files of the repository at `root` that the check covers. */
export function checkedFiles(root: string): string[] {
  const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8",
  });
  return listed
    .split("\n")
    .filter((file) => file !== "" && checkedPaths.some((p) => p.test(file)) && existsSync(join(root, file)));
}

/** Every bad reference in the repository at `root`. */
export function checkRepository(root: string): { files: string[]; bad: BadReference[] } {
  const files = checkedFiles(root);
  const bad: BadReference[] = [];
  for (const file of files) bad.push(...findBadReferences(root, file, readFileSync(join(root, file), "utf8")));
  return { files, bad };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { files, bad } = checkRepository(fileURLToPath(new URL("..", import.meta.url)));
  if (bad.length > 0) {
    console.error(`bad references:\n${bad.map((b) => `  ${b.file}:${b.line}: ${b.problem}`).join("\n")}`);
    process.exit(1);
  }
  console.log(`references: ${files.length} files point only inside the repository`);
}
