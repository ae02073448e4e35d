// How a command gives up on a user's problem: one clear message (to stderr) and an exit code,
// never a stack trace. Anything else thrown is a bug, reported by main.ts as an internal error.
import { printable } from "../compiler/escape.ts";

/** An empty message: the problem has already been printed. */
export class Stop extends Error {
  constructor(message: string, readonly code = 1) {
    super(message);
  }
}

/** Runs a command, turning a Stop into its message and exit code. */
export async function stopping(command: () => Promise<number>): Promise<number> {
  try {
    return await command();
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    if (error.message) console.error(printable(error.message, "\n\t")); // it may quote tokens, labels, file names: written out (compiler/escape.ts)
    return error.code;
  }
}
