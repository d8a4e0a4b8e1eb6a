// The README's runnable examples: each ```ts block after a
// `<!-- readme-example: NAME -->` marker.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** One example of the README, by the name of its marker. */
export interface ReadmeExample {
  readonly name: string;
  readonly code: string;
}

/** The README's text. */
export const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");

/** Every `<!-- readme-example: NAME -->` TypeScript block of the README, in order. */
export const readmeExamples: readonly ReadmeExample[] = [
  ...readme.matchAll(/<!-- readme-example: ([\w-]+) -->\s*```ts\n([\s\S]*?)```/g),
].map((m) => ({ name: m[1]!, code: m[2]! }));
