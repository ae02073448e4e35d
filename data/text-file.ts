// Data files read as text, a line at a time, never holding more than one line: every reader of
// a data file (JSON Lines, CSV and TSV, plain text) takes its lines from here.
//
// - Lines end at "\n", "\r\n" or a lone "\r" (as readline and the CSV parser count them); each
//   line comes with its 1-based number and the ending it had ("" for a last line without one).
// - A line longer than MAX_LINE_BYTES (64 MiB) is not read: it comes as `{ line, tooLong }` and
//   the reader skips to the next line. No example needs a line that long, and a string built
//   from one would pass what a JavaScript string can hold (about 512 MiB: `RangeError: Invalid
//   string length`); JSON.parse of 64 MiB of numbers already takes a few hundred MB.
// - A file that is not text stops the reading with a NotText error (its message says why): a
//   directory, a NUL byte (a binary file, /dev/zero; text never holds one), or bytes that are not
//   UTF-8 (a file saved as Latin-1 would otherwise turn into U+FFFD tokens without a word).
// - A byte-order mark at the start is dropped.
// Reads go through one file handle in chunks, so a pipe or a FIFO (`--data <(zcat x.gz)`) works.
// A stream that never ends keeps being read (a line past the limit is dropped as it comes, so
// memory stays bounded) until it ends or the user stops it.

import { open } from "node:fs/promises";

/** The longest line a data file may have, in bytes: 64 MiB. */
export const MAX_LINE_BYTES = 64 * 2 ** 20;

/** Bytes per read. */
const CHUNK_BYTES = 2 ** 20;

/** The file is not a text file (or cannot be read at all): the message says why. */
export class NotText extends Error {}

export type TextLine =
  | { line: number; text: string; ending: Ending }
  /** A line of more than `maxLineBytes` bytes: skipped, reported as soon as it passes the limit. */
  | { line: number; tooLong: true };

export interface LineOptions {
  /** The longest line read (bytes); MAX_LINE_BYTES unless given (tests give less). */
  maxLineBytes?: number;
  /** Bytes per read (tests: lines and "\r\n" split between reads). */
  chunkBytes?: number;
}

/** `64 MiB`, `1000 bytes`: a limit in words. */
export function formatBytes(bytes: number): string {
  return bytes >= 2 ** 20 && bytes % 2 ** 20 === 0 ? `${bytes / 2 ** 20} MiB` : `${bytes} bytes`;
}

/** The message for a line over the limit. */
export const tooLongMessage = (maxLineBytes = MAX_LINE_BYTES) =>
  `this line is longer than ${formatBytes(maxLineBytes)}, the most a line of a data file may hold; it was not read (is this the data file?)`;

/** A NotText's message from an error of the file system (its code kept: ENOENT, EACCES…). */
function cannotRead(error: unknown): NotText {
  if ((error as NodeJS.ErrnoException).code === "EISDIR") return new NotText("cannot read the file: it is a directory, not a data file");
  return new NotText(`cannot read the file: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * Every line of the file to `onLine`, and the number of each line over the limit, with its message,
 * to `onTooLong`, in order. Returns why the file is not text (NotText's message: the one error
 * about the whole file, which ends the reading), or undefined when it was read to its end.
 */
export async function eachLine(
  path: string,
  options: LineOptions,
  onLine: (line: { line: number; text: string; ending: Ending }) => void,
  onTooLong: (line: number, message: string) => void,
): Promise<string | undefined> {
  try {
    for await (const batch of textLines(path, options))
      for (const line of batch) {
        if ("tooLong" in line) onTooLong(line.line, tooLongMessage(options.maxLineBytes));
        else onLine(line);
      }
  } catch (error) {
    if (!(error instanceof NotText)) throw error;
    return error.message;
  }
  return undefined;
}

/**
 * The file's lines, a batch per chunk read (a yield per line would cost more than the reading).
 * Throws NotText when the file cannot be read or is not text.
 */
export async function* textLines(path: string, options: LineOptions = {}): AsyncGenerator<TextLine[]> {
  const max = options.maxLineBytes ?? MAX_LINE_BYTES;
  const CHUNK = options.chunkBytes ?? CHUNK_BYTES;
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const decode = (bytes: Uint8Array, line: number) => {
    try {
      return decoder.decode(bytes);
    } catch {
      throw new NotText(`not UTF-8 text: line ${line} has bytes that UTF-8 does not allow; save the file as UTF-8`);
    }
  };
  let handle;
  try {
    handle = await open(path, "r");
    if ((await handle.stat()).isDirectory()) throw new NotText("cannot read the file: it is a directory, not a data file");
  } catch (error) {
    await handle?.close();
    throw error instanceof NotText ? error : cannotRead(error);
  }
  let line = 1; // the number of the line being read
  let parts: Uint8Array[] = []; // its bytes so far
  let size = 0;
  let skipping = false; // it passed the limit
  let carryCr = false; // the last chunk ended with "\r": a "\n" first in this one is part of its ending
  let offset = 0; // of the chunk in the file
  let batch: TextLine[] = [];
  const take = (bytes: Uint8Array) => {
    if (skipping || bytes.length === 0) return;
    if (size + bytes.length > max) {
      [skipping, parts] = [true, []];
      batch.push({ line, tooLong: true }); // said now: the rest of the line may never come (a FIFO)
      return;
    }
    parts.push(bytes);
    size += bytes.length;
  };
  const finish = (ending: Ending) => {
    let bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    const skipped = skipping;
    [parts, size, skipping] = [[], 0, false];
    const number = line++;
    if (skipped) return; // reported when it passed the limit
    if (number === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    batch.push({ line: number, text: decode(bytes, number), ending });
  };
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      let n: number;
      try {
        n = (await handle.read(chunk, 0, CHUNK, null)).bytesRead;
      } catch (error) {
        throw cannotRead(error);
      }
      if (n === 0) break;
      const bytes = chunk.subarray(0, n);
      const nul = bytes.indexOf(0);
      if (nul >= 0) {
        const at = line + count(bytes.subarray(0, nul), 10);
        throw new NotText(`not a text file: it holds a NUL byte (byte ${offset + nul}, line ${at}), as binary files do; give a JSON Lines, CSV, TSV or text file`);
      }
      offset += n;
      let start = 0;
      if (carryCr) {
        // The last chunk ended with "\r": its line ends here, with "\r\n" or "\r" alone.
        carryCr = false;
        const ending = bytes[0] === 10 ? "\r\n" : "\r";
        finish(ending);
        start = ending.length - 1;
      }
      let end = n;
      if (bytes[n - 1] === 13 && n - 1 >= start) [carryCr, end] = [true, n - 1]; // a "\n" may come next
      const view = bytes.subarray(0, end);
      const first = nextBreak(view, start);
      if (first < 0) {
        take(view.subarray(start));
      } else {
        // The line begun in earlier chunks ends here.
        take(view.subarray(start, first));
        const ending = endingAt(view, first);
        finish(ending);
        start = first + ending.length;
        // Whole lines: decoded at once, then split.
        const last = Math.max(view.lastIndexOf(10), view.lastIndexOf(13));
        if (last >= start) {
          wholeLines(view.subarray(start, last + 1));
          start = last + 1;
        }
        take(view.subarray(start));
      }
      if (batch.length > 0) {
        yield batch;
        batch = [];
      }
    }
    if (carryCr) finish("\r");
    else if (size > 0) finish("");
    if (batch.length > 0) yield batch;
  } finally {
    await handle.close();
  }

  /** Lines that start and end in one chunk (`bytes` ends with a line break). */
  function wholeLines(bytes: Uint8Array): void {
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      // Which line: decoded one by one.
      for (let at = 0, number = line; at < bytes.length; number++) {
        const end = nextBreak(bytes, at);
        decode(bytes.subarray(at, end), number);
        at = end + endingAt(bytes, end).length;
      }
      throw new NotText("not UTF-8 text; save the file as UTF-8");
    }
    const breaks = /\r\n|\r|\n/g;
    let from = 0;
    for (let match = breaks.exec(text); match; match = breaks.exec(text)) {
      const piece = text.slice(from, match.index);
      from = match.index + match[0].length;
      // A line of n characters has from n to 3n bytes (UTF-16 units to UTF-8).
      if (piece.length * 3 > max && Buffer.byteLength(piece) > max) batch.push({ line: line++, tooLong: true });
      else batch.push({ line: line++, text: piece, ending: match[0] as Ending });
    }
  }
}

type Ending = "" | "\n" | "\r\n" | "\r";

/** The index of the first "\n" or "\r" from `from`, or -1. */
function nextBreak(bytes: Uint8Array, from: number): number {
  const nl = bytes.indexOf(10, from);
  const cr = bytes.indexOf(13, from);
  return nl < 0 ? cr : cr < 0 ? nl : Math.min(nl, cr);
}

/** The line ending at `at` (a "\n" or "\r"). */
function endingAt(bytes: Uint8Array, at: number): "\n" | "\r\n" | "\r" {
  return bytes[at] === 10 ? "\n" : bytes[at + 1] === 10 ? "\r\n" : "\r";
}

function count(bytes: Uint8Array, byte: number): number {
  let n = 0;
  for (let at = bytes.indexOf(byte); at >= 0; at = bytes.indexOf(byte, at + 1)) n++;
  return n;
}
