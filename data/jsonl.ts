// JSON Lines reader: one JSON value per line, read as a stream so large files work.
//
// Blank lines are skipped. A line that is not valid JSON becomes a DataError with its line
// number and reading goes on, so one run reports every bad line of a file.

import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { DataError } from "./errors.ts";

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

/** Reads a JSON Lines file line by line. `file` is the name used in errors (default: the path). */
export async function readJsonLines(path: string, file: string = path): Promise<JsonLines> {
  const result: JsonLines = { records: [], errors: [] };
  const stream = createReadStream(path, { encoding: "utf8" });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) parseLine(text, ++line, file, result);
  } catch (error) {
    result.errors.push({ file, line: 0, message: `cannot read the file: ${reason(error)}` });
  } finally {
    lines.close();
    stream.destroy();
  }
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
