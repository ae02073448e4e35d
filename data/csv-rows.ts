// The rows of a CSV or TSV text, RFC 4180 style, each with the physical line it starts on.
//
// - Cells are separated by the delimiter ("," for CSV, a tab for TSV); rows end at "\n", "\r\n"
//   or a lone "\r" (as readline splits JSON Lines, so line numbers agree between formats).
// - A cell that starts with `"` is quoted: it may hold delimiters, line breaks and `""` (one
//   quote), and ends at the next lone `"`. Its lines still count, so the row after it starts on
//   its true line. Text between a closing quote and the next delimiter is an error; a quote in
//   the middle of an unquoted cell (`5" disk`) is kept as it is, as most spreadsheets write it.
// - A byte-order mark at the start is dropped; empty lines are skipped, as in JSON Lines.
//
// The text arrives in chunks (a file read as a stream) or at once. Problems are reported with the
// line the row starts on, and the row is then left out; reading goes on, so a file's every
// problem is reported in one run. A quote that never closes swallows the rest of the file, so it
// is reported at the row it opened in.

import { formatBytes, MAX_LINE_BYTES } from "./text-file.ts";

export interface Row {
  /** The 1-based physical line the row starts on. */
  line: number;
  cells: string[];
}

export class CsvRows {
  private cells: string[] = [];
  private cell = "";
  /** Inside a quoted cell. */
  private quoting = false;
  /** A `"` was seen inside a quoted cell: the cell ends there, unless the next character is another `"`. */
  private quoteSeen = false;
  /** The current cell was quoted and is closed: only a delimiter or a line end may follow. */
  private closed = false;
  /** What first follows a closing quote in this row, and in which cell (reported at the row's end). */
  private junk: { text: string; cell: number } | undefined;
  private line = 1;
  private rowLine = 1;
  /** The last character was "\r": a "\n" right after it (in the next chunk, too) ends no other line. */
  private afterCr = false;
  private started = false;
  /** The row's quoted cell passed `maxCell`: reported, and the rest of the row is dropped. */
  private dropping = false;

  constructor(
    private readonly delimiter: string,
    private readonly onRow: (row: Row) => void,
    private readonly onProblem: (line: number, message: string) => void,
    /** The longest quoted cell (characters), the limit of a line: a quote that never closes must not grow one string without end. */
    private readonly maxCell = MAX_LINE_BYTES,
  ) {}

  push(text: string): void {
    if (!this.started) {
      this.started = text.length > 0;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (this.afterCr) {
        this.afterCr = false;
        if (c === "\n") continue; // the "\n" of a "\r\n" already counted
      }
      if (this.quoting && !this.quoteSeen) {
        if (c === '"') this.quoteSeen = true;
        else {
          // A line break inside quotes is one "\n" however the file ends its lines, so a file
          // saved on Windows gives the same tokens.
          if (c === "\r" || c === "\n") this.newLine(c);
          if (!this.dropping) this.cell += c === "\r" ? "\n" : c;
          if (this.cell.length > this.maxCell) this.drop();
        }
        continue;
      }
      if (this.quoteSeen) {
        this.quoteSeen = false;
        if (c === '"') {
          this.cell += '"';
          continue;
        }
        this.quoting = false;
        this.closed = true;
      }
      if (c === this.delimiter) this.endCell();
      else if (c === "\r" || c === "\n") {
        this.endRow();
        this.newLine(c);
        this.rowLine = this.line;
      } else if (this.closed) this.junk ??= { text: c, cell: this.cells.length + 1 };
      else if (c === '"' && this.cell === "") this.quoting = true;
      else this.cell += c;
    }
  }

  /** The end of the text: the last row, if it has no line end. */
  end(): void {
    if (this.quoting && !this.quoteSeen && this.dropping) return; // said already
    if (this.quoting && !this.quoteSeen) {
      this.onProblem(this.rowLine, `cell ${this.cells.length + 1} opens a quote that never closes (the rest of the file is inside it)`);
      return;
    }
    if (this.quoteSeen) this.closed = true;
    this.quoting = this.quoteSeen = false;
    this.endRow();
  }

  private drop(): void {
    this.onProblem(this.rowLine, `cell ${this.cells.length + 1} is longer than ${formatBytes(this.maxCell)}, the most a line of a data file may hold (a quote that never closes?); the row was not read`);
    this.dropping = true;
    this.cell = "";
  }

  private newLine(c: string): void {
    this.line++;
    if (c === "\r") this.afterCr = true;
  }

  private endCell(): void {
    this.cells.push(this.cell);
    this.cell = "";
    this.closed = false;
  }

  private endRow(): void {
    const empty = this.cells.length === 0 && this.cell === "" && !this.closed;
    const junk = this.junk;
    this.endCell();
    const cells = this.cells;
    this.cells = [];
    this.junk = undefined;
    if (this.dropping) this.dropping = false;
    else if (junk) this.onProblem(this.rowLine, `cell ${junk.cell} has text after its closing quote (${JSON.stringify(junk.text)}); a quote inside a quoted cell is written twice: ""`);
    else if (!empty) this.onRow({ line: this.rowLine, cells });
  }
}

/** Every row of a text in memory (tests, small inline data). */
export function csvRows(text: string, delimiter: string): { rows: Row[]; problems: { line: number; message: string }[] } {
  const rows: Row[] = [];
  const problems: { line: number; message: string }[] = [];
  const parser = new CsvRows(delimiter, (row) => rows.push(row), (line, message) => problems.push({ line, message }));
  parser.push(text);
  parser.end();
  return { rows, problems };
}
