// The documentation's runnable examples: each ```ts block after a
// `<!-- readme-example: NAME -->` marker, and each `$ command` of a
// ```console block after a marker such as `<!-- readme-cli -->`, in the
// files of `exampleFiles`.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** One example of the README, by the name of its marker. */
export interface ReadmeExample {
  readonly name: string;
  readonly code: string;
}

/** The files whose marked blocks run as tests, from the repository root. */
export const exampleFiles: readonly string[] = ["README.md", "docs/cli.md", "docs/host-runtime.md"];

const read = (file: string) => readFileSync(join(import.meta.dirname, "../..", file), "utf8");

/** The README's text. */
export const readme = read("README.md");

/** The text of every file of `exampleFiles`, one after another. */
export const exampleText = exampleFiles.map(read).join("\n");

/** Every `<!-- readme-example: NAME -->` TypeScript block of `exampleFiles`, in order. */
export const readmeExamples: readonly ReadmeExample[] = [
  ...exampleText.matchAll(/<!-- readme-example: ([\w-]+) -->\s*```ts\n([\s\S]*?)```/g),
].map((m) => ({ name: m[1]!, code: m[2]! }));

/** One command of a console block and the output the documentation shows for it. */
export interface ConsoleSession {
  readonly command: string;
  readonly output: string;
}

/** The `$ command` lines of every ```console block right after `<!-- marker -->`, with the output under each. */
export function consoleSessions(marker: string): ConsoleSession[] {
  const blocks = [
    ...exampleText.matchAll(new RegExp(`<!-- ${marker} -->\\s*\`\`\`console\\n([\\s\\S]*?)\`\`\``, "g")),
  ].map((m) => m[1]!);
  return blocks.flatMap((block) =>
    block
      .split(/^\$ /m)
      .slice(1)
      .map((chunk) => {
        const [command, ...output] = chunk.split("\n");
        return { command: command!, output: output.join("\n") };
      }),
  );
}
