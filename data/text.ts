// Plain text for a language model: a model whose one field is a seq<token> target read at t-1
// (examples/names.rnn: `target name: seq<token>`, predicted from `name[t-1]`) learns from text as
// it is, with no JSON around it.
//
// - By default each line that is not blank is an example, its characters the tokens (by code
//   point, as a JSON string is split); with `tokens: "words"`, its whitespace-separated words.
//   The line's end is not part of it; spaces are (they are characters like any other).
// - `chunk: N` reads running text instead, a book: the whole text, line breaks included (each a
//   "\n" token, however the file ends its lines), cut into examples of N tokens in order, the
//   last one what remains. A model with `bptt` then carries its state across windows of an
//   example, so N can be far longer than a window.
// Each example carries the line it starts on, for messages. A byte-order mark is dropped. The
// file is read a line at a time (text-file.ts: a line over 64 MiB, a binary file are errors).

import { splitTokens, type TokenSplit } from "./cells.ts";
import type { DataError } from "./errors.ts";
import { describeField, type DataField } from "./fields.ts";
import type { JsonLines, JsonRecord } from "./jsonl.ts";
import { eachLine, type LineOptions } from "./text-file.ts";

export interface TextOptions extends LineOptions {
  /** Characters (the default) or words. */
  tokens: TokenSplit;
  /** Running text cut into examples of this many tokens, instead of an example a line. */
  chunk?: number;
  /** The file name used in errors. */
  file: string;
}

export async function readText(path: string, fields: readonly DataField[], options: TextOptions): Promise<JsonLines> {
  const records = textRecords(fields, options);
  if ("errors" in records) return records;
  const errors: DataError[] = [];
  const notText = await eachLine(
    path,
    options,
    (line) => records.line(line.line, line.text, line.ending !== ""),
    (line, message) => errors.push({ file: options.file, line, message }),
  );
  if (notText) return { records: [], errors: [{ file: options.file, line: 0, message: notText }] };
  return { records: records.finish(), errors };
}

export function parseText(text: string, fields: readonly DataField[], options: TextOptions): JsonLines {
  const records = textRecords(fields, options);
  if ("errors" in records) return records;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r\n|\r|\n/);
  lines.forEach((line, i) => records.line(i + 1, line, i < lines.length - 1));
  return { records: records.finish(), errors: [] };
}

/** Lines in (each with whether a line break ended it), records out; or why the model cannot read text. */
function textRecords(fields: readonly DataField[], options: TextOptions): TextRecords | JsonLines {
  const field = fields.length === 1 && fields[0].sequence && fields[0].element.kind === "token" ? fields[0] : undefined;
  if (!field) {
    const has = fields.map((f) => `${f.name}: ${describeField(f)}`).join(", ");
    const message = `plain text fits a model whose one field is a seq<token> target read at t-1, like examples/names.rnn; this model has ${has} (give it JSON Lines, CSV or TSV)`;
    return { records: [], errors: [{ file: options.file, line: 0, message }] };
  }
  return new TextRecords((line, value) => ({ line, value: { [field.name]: value } }), options);
}

type MakeRecord = (line: number, value: unknown) => JsonRecord;

/**
 * An example a line that is not blank; or, with `chunk`, the text's tokens N at a time (line breaks
 * included, a "\n" token each), a chunk's line that of its first token.
 */
class TextRecords {
  private readonly records: JsonRecord[] = [];
  private chunk: string[] = [];
  private chunkLine = 1;

  constructor(private readonly record: MakeRecord, private readonly options: TextOptions) {}

  line(line: number, text: string, ended: boolean): void {
    const { chunk: size, tokens } = this.options;
    if (size === undefined) {
      if (text.trim() !== "") this.records.push(this.record(line, splitTokens(text, tokens)));
      return;
    }
    const pieces = tokens === "chars" ? [...text, ...(ended ? ["\n"] : [])] : (text.match(/\S+/g) ?? []);
    for (const token of pieces) {
      if (this.chunk.length === 0) this.chunkLine = line;
      this.chunk.push(token);
      if (this.chunk.length === size) this.flush();
    }
  }

  finish(): JsonRecord[] {
    if (this.chunk.length > 0) this.flush();
    return this.records;
  }

  private flush(): void {
    this.records.push(this.record(this.chunkLine, this.options.tokens === "chars" ? this.chunk.join("") : this.chunk));
    this.chunk = [];
  }
}
