// A .rnn file's text, read with a bound: a model file is a few kilobytes, and a path that is not
// one (/dev/zero, /dev/urandom, a multi-gigabyte file given by mistake) would otherwise be read
// until memory runs out, which ends the process without a message.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/** The most a model file may hold. */
export const MAX_SOURCE_BYTES = 16 * 2 ** 20;

/** A model file that cannot be read: `FILE: error: cannot read the file: why`. */
export class UnreadableSource extends Error {
  constructor(file: string, why: string) {
    super(`${file}: error: cannot read the file: ${why}`);
  }
}

/** The text of the model file at `file`; throws UnreadableSource saying why it cannot be read. */
export function readModelSource(file: string): string {
  const unreadable = (why: string) => new UnreadableSource(file, why);
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw unreadable(code === "ENOENT" ? "no such file" : (error as Error).message);
  }
  try {
    if (fstatSync(fd).isDirectory()) throw unreadable("it is a directory, not a .rnn file");
    const chunks: Buffer[] = [];
    const buffer = Buffer.alloc(1 << 16);
    let total = 0;
    for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) {
      total += n;
      if (total > MAX_SOURCE_BYTES) throw unreadable("it holds more than 16 MiB, and a model file is a few kilobytes: is this the .rnn file?");
      chunks.push(Buffer.from(buffer.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString("utf8");
  } catch (error) {
    if (error instanceof UnreadableSource) throw error;
    throw unreadable((error as Error).message);
  } finally {
    closeSync(fd);
  }
}
