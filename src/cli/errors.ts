/**
 * The command's own errors, each shown as one line on stderr. Exit codes,
 * for every command: 0 success, 1 the operation failed (bad input, bytes
 * that do not decode, a file that cannot be read or written, a failing
 * guest), 2 a usage error (see `UsageError`).
 *
 * @module
 */

/** The operation failed: bad input, an unknown name, an I/O error. Exit code 1. */
export class CliError extends Error {
  override readonly name: string = "CliError";
}

/**
 * A usage mistake: an unknown command or option, a missing or extra
 * argument, options that cannot go together, a malformed option value.
 * Exit code 2.
 */
export class UsageError extends CliError {
  override readonly name: string = "UsageError";
}

/** The exit code of a failure: 2 for a usage error (ours or parseArgs's `ERR_PARSE_ARGS_*`), 1 otherwise. */
export function exitCodeOf(err: unknown): 1 | 2 {
  if (err instanceof UsageError) return 2;
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_") ? 2 : 1;
}
