// CSV and TSV files as records: the first row (the header) names the columns, and every later row
// becomes a record with one key per field of the model, its cell turned into the field's value by
// cells.ts. The records then go through examples.ts like JSON Lines records do, so a value is
// checked, and a problem worded, the same way whatever the file's format.
//
// - A model's field is the column of the same name (names are trimmed of spaces). Columns the
//   model does not use are ignored, as JSON keys are: one file can serve several models.
// - A field without a column, or with two, is a problem of the header's line; no row can be read
//   then, so none is.
// - A row must have as many cells as the header; a problem in a row (a cell count, a bad number,
//   an empty label, a quote left open) is reported at the line the row starts on, and the row is
//   left out.

import { cellValue, type TokenSplit } from "./cells.ts";
import { CsvRows, type Row } from "./csv-rows.ts";
import type { DataField } from "./fields.ts";
import type { JsonLines } from "./jsonl.ts";
import { eachLine, type LineOptions } from "./text-file.ts";

export interface TableOptions extends LineOptions {
  /** "," for CSV, "\t" for TSV. */
  delimiter: string;
  /** How a sequence's cell is cut into tokens or labels. */
  tokens: TokenSplit;
  /** The file name used in errors. */
  file: string;
}

/** Reads a CSV or TSV file as a stream, a line at a time (text-file.ts: its limits and checks). */
export async function readCsv(path: string, fields: readonly DataField[], options: TableOptions): Promise<JsonLines> {
  const table = new TableRecords(fields, options);
  const parser = new CsvRows(options.delimiter, (row) => table.row(row), (line, message) => table.problem(line, message), options.maxLineBytes);
  const notText = await eachLine(
    path,
    options,
    (line) => parser.push(line.text + line.ending),
    (line, message) => {
      table.problem(line, message);
      parser.push("\n"); // the line counted, its text left out
    },
  );
  if (notText) table.result.errors.push({ file: options.file, line: 0, message: notText });
  else parser.end();
  return table.result;
}

/** The same for text already in memory (tests, small inline data). */
export function parseCsv(text: string, fields: readonly DataField[], options: TableOptions): JsonLines {
  const table = new TableRecords(fields, options);
  const parser = new CsvRows(options.delimiter, (row) => table.row(row), (line, message) => table.problem(line, message));
  parser.push(text);
  parser.end();
  return table.result;
}

/** Rows in, records out: the first row read is the header. */
class TableRecords {
  readonly result: JsonLines = { records: [], errors: [] };
  private header: { line: number; width: number; columns: number[] } | undefined;
  /** The header does not fit the model: no row can be read. */
  private unusable = false;

  constructor(private readonly fields: readonly DataField[], private readonly options: TableOptions) {}

  problem(line: number, message: string): void {
    this.result.errors.push({ file: this.options.file, line, message });
  }

  row({ line, cells }: Row): void {
    if (this.unusable) return;
    if (!this.header) {
      this.readHeader(line, cells);
      return;
    }
    const { width } = this.header;
    if (cells.length !== width) {
      this.problem(line, `this row has ${cells.length} cell${cells.length === 1 ? "" : "s"}, but the header (line ${this.header.line}) has ${width}`);
      return;
    }
    const value: Record<string, unknown> = {};
    let valid = true;
    this.fields.forEach((field, i) => {
      const cell = cellValue(cells[this.header!.columns[i]], field, this.options.tokens);
      if (cell.ok) value[field.name] = cell.value;
      else {
        this.problem(line, cell.message);
        valid = false;
      }
    });
    if (valid) this.result.records.push({ line, value });
  }

  private readHeader(line: number, cells: string[]): void {
    const names = cells.map((cell) => cell.trim());
    const columns: number[] = [];
    for (const field of this.fields) {
      const found = names.flatMap((name, i) => (name === field.name ? [i] : []));
      if (found.length === 1) columns.push(found[0]);
      else if (found.length === 0) this.problem(line, `missing column ${JSON.stringify(field.name)} (the header names ${names.map((n) => JSON.stringify(n)).join(", ")})`);
      else this.problem(line, `column ${JSON.stringify(field.name)} is named ${found.length} times in the header (columns ${found.map((i) => i + 1).join(", ")}); which one is meant?`);
    }
    if (columns.length < this.fields.length) this.unusable = true;
    else this.header = { line, width: cells.length, columns };
  }
}
