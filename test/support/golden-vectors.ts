// The golden vectors of test/vectors/prost.tsv (written by `npm run vectors`
// from the prost oracle): one per row, with prost's verdict and, for an
// accepted input, its canonical re-encoding.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** One golden vector: an input of a message, and what prost says of it. */
export interface GoldenVector {
  /** Its line in prost.tsv. */
  readonly line: number;
  readonly message: string;
  /** The input, in hex. */
  readonly input: string;
  readonly verdict: "ok" | "err";
  /** prost's re-encoding in hex (ok), or its reason (err). */
  readonly output: string;
  readonly description: string;
}

/** Every golden vector, in file order. */
export const goldenVectors: readonly GoldenVector[] = readFileSync(
  join(import.meta.dirname, "../vectors/prost.tsv"),
  "utf8",
)
  .trimEnd()
  .split("\n")
  .slice(1)
  .map((row, i) => {
    const [message, input, verdict, output, description] = row.split("\t") as [
      string,
      string,
      "ok" | "err",
      string,
      string,
    ];
    return { line: i + 2, message, input, verdict, output, description };
  });
