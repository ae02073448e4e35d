// Which reader a data file goes to, and what it gives back: records with their line numbers and
// the problems found, whatever the format, for examples.ts to check and encode.
//
//   jsonl  JSON Lines (jsonl.ts): one JSON object a line; any file not named below
//   csv    a header row, then a row an example, cells separated by commas (csv.ts)
//   tsv    the same with tabs
//   text   plain text for a character (or word) model (text.ts); a .txt file
//
// The format is the file's ending (.csv, .tsv, .txt, any case) unless it is given. `tokens`
// (chars or words) says how CSV, TSV and text cut a cell or a line into tokens; `chunk` cuts
// running text into examples. Neither means anything to JSON Lines, whose values say it (a
// string is characters, an array one token a string), nor `chunk` to a table: optionProblem says so.

import { TOKEN_SPLITS, type TokenSplit } from "./cells.ts";
import { readCsv } from "./csv.ts";
import type { DataField } from "./fields.ts";
import { readJsonLines, type JsonLines } from "./jsonl.ts";
import { readText } from "./text.ts";

export type DataFormat = "jsonl" | "csv" | "tsv" | "text";
export const DATA_FORMATS: readonly DataFormat[] = ["jsonl", "csv", "tsv", "text"];
export { TOKEN_SPLITS, type TokenSplit };

export interface ReadOptions {
  /** The format; by default the file's ending says it. */
  format?: DataFormat;
  /** CSV, TSV and text: a token per character (the default) or per word. */
  tokens?: TokenSplit;
  /** Text: the whole text cut into examples of this many tokens, instead of an example a line. */
  chunk?: number;
  /** The file name used in errors (default: the path). */
  file?: string;
  /** The longest line read, in bytes (text-file.ts: 64 MiB unless given; tests give less). */
  maxLineBytes?: number;
}

const ENDINGS: Record<string, DataFormat> = { ".csv": "csv", ".tsv": "tsv", ".txt": "text" };

/** The format given, or the one the file's ending names; JSON Lines for any other ending. */
export function formatOf(path: string, given?: DataFormat): DataFormat {
  if (given) return given;
  const ending = /\.[^./\\]*$/.exec(path)?.[0].toLowerCase() ?? "";
  return ENDINGS[ending] ?? "jsonl";
}

/** Words for a format, in messages: "train.csv is CSV". */
export const formatName: Record<DataFormat, string> = { jsonl: "JSON Lines", csv: "CSV", tsv: "TSV", text: "plain text" };

/** Why `tokens` or `chunk` cannot apply to a file of this format, or undefined when they can. */
export function optionProblem(path: string, options: ReadOptions): string | undefined {
  const format = formatOf(path, options.format);
  const is = `${path} is ${formatName[format]}`;
  if (options.tokens !== undefined && format === "jsonl") {
    return `--tokens says how CSV, TSV and text are cut into tokens; ${is}, where a string is a token per character and an array a token per string`;
  }
  if (options.chunk !== undefined && format !== "text") return `--chunk cuts plain text (--text FILE, or a .txt file) into examples; ${is}`;
  return undefined;
}

/** Reads a data file of any format into records; problems come back as errors, never thrown. */
export async function readRecords(path: string, fields: readonly DataField[], options: ReadOptions = {}): Promise<JsonLines> {
  const file = options.file ?? path;
  const tokens = options.tokens ?? "chars";
  const limit = options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes };
  switch (formatOf(path, options.format)) {
    case "jsonl":
      return readJsonLines(path, file, limit);
    case "csv":
      return readCsv(path, fields, { delimiter: ",", tokens, file, ...limit });
    case "tsv":
      return readCsv(path, fields, { delimiter: "\t", tokens, file, ...limit });
    case "text":
      return readText(path, fields, { tokens, file, ...limit, ...(options.chunk === undefined ? {} : { chunk: options.chunk }) });
  }
}
