// JSON Lines reader: one JSON value per line, read as a stream so large files work (text-file.ts).
//
// Blank lines are skipped. A line that is not valid JSON becomes a DataError with its line
// number and reading goes on, so one run reports every bad line of a file.

import type { DataError } from "./errors.ts";
import { eachLine, type LineOptions } from "./text-file.ts";

export type { DataError } from "./errors.ts";
export { formatDataError, formatDataErrors } from "./errors.ts";

/** One parsed line: its 1-based line number in the file and its JSON value. */
export interface JsonRecord {
  line: number;
  value: unknown;
}

export interface JsonLines {
  records: JsonRecord[];
  errors: DataError[];
}

/**
 * Reads a JSON Lines file line by line (text-file.ts: never more than a line in memory). `file` is
 * the name used in errors (default: the path). A line over the limit is an error at its line; a
 * file that is not text (binary, a directory, not UTF-8) one error about the whole file (line 0).
 */
export async function readJsonLines(path: string, file: string = path, options: LineOptions = {}): Promise<JsonLines> {
  const result: JsonLines = { records: [], errors: [] };
  const notText = await eachLine(
    path,
    options,
    (line) => parseLine(line.text, line.line, file, result),
    (line, message) => result.errors.push({ file, line, message }),
  );
  if (notText) result.errors.push({ file, line: 0, message: notText });
  return result;
}

/** The same for text already in memory (tests, small inline data). */
export function parseJsonLines(text: string, file = "<data>"): JsonLines {
  const result: JsonLines = { records: [], errors: [] };
  text.split(/\r?\n/).forEach((lineText, index) => parseLine(lineText, index + 1, file, result));
  return result;
}

function parseLine(text: string, line: number, file: string, into: JsonLines): void {
  if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1); // byte-order mark
  if (text.trim() === "") return;
  try {
    into.records.push({ line, value: JSON.parse(text) });
  } catch (error) {
    into.errors.push({ file, line, message: `not valid JSON: ${reason(error)}` });
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
