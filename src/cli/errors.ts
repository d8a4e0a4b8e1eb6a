/**
 * The command's own error: a usage mistake or bad input, shown as one line on
 * stderr with exit code 1.
 *
 * @module
 */
export class CliError extends Error {
  override readonly name = "CliError";
}
