/**
 * Where the `actr-abi` command reads and writes: the one thing every
 * command module takes from the dispatcher (dispatch.ts), kept apart so
 * that the commands need not import the dispatcher that imports them.
 *
 * @module
 */

/** Where the command reads and writes. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}
