/**
 * Writing the command's output with back-pressure.
 *
 * @module
 */

/** Resolves when `output` can take more, or has closed or failed (then there is no one left to answer). */
export function drained(output: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      output.off("drain", done);
      output.off("close", done);
      output.off("error", done);
      resolve();
    };
    output.once("drain", done);
    output.once("close", done);
    output.once("error", done);
  });
}
