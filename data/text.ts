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
// Each example carries the line it starts on, for messages. A byte-order mark is dropped.

import { readFile } from "node:fs/promises";
import { splitTokens, type TokenSplit } from "./cells.ts";
import { describeField, type DataField } from "./fields.ts";
import type { JsonLines, JsonRecord } from "./jsonl.ts";

export interface TextOptions {
  /** Characters (the default) or words. */
  tokens: TokenSplit;
  /** Running text cut into examples of this many tokens, instead of an example a line. */
  chunk?: number;
  /** The file name used in errors. */
  file: string;
}

export async function readText(path: string, fields: readonly DataField[], options: TextOptions): Promise<JsonLines> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    return { records: [], errors: [{ file: options.file, line: 0, message: `cannot read the file: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  return parseText(text, fields, options);
}

export function parseText(text: string, fields: readonly DataField[], options: TextOptions): JsonLines {
  const field = fields.length === 1 && fields[0].sequence && fields[0].element.kind === "token" ? fields[0] : undefined;
  if (!field) {
    const has = fields.map((f) => `${f.name}: ${describeField(f)}`).join(", ");
    const message = `plain text fits a model whose one field is a seq<token> target read at t-1, like examples/names.rnn; this model has ${has} (give it JSON Lines, CSV or TSV)`;
    return { records: [], errors: [{ file: options.file, line: 0, message }] };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const record = (line: number, value: unknown): JsonRecord => ({ line, value: { [field.name]: value } });
  const records = options.chunk === undefined ? lineRecords(text, options.tokens, record) : chunkRecords(text.replace(/\r\n?/g, "\n"), options.chunk, options.tokens, record);
  return { records, errors: [] };
}

type MakeRecord = (line: number, value: unknown) => JsonRecord;

function lineRecords(text: string, tokens: TokenSplit, record: MakeRecord): JsonRecord[] {
  const records: JsonRecord[] = [];
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    if (line.trim() !== "") records.push(record(i + 1, splitTokens(line, tokens)));
  });
  return records;
}

/** The text's tokens N at a time; a chunk's line is that of its first token. */
function chunkRecords(text: string, size: number, tokens: TokenSplit, record: MakeRecord): JsonRecord[] {
  const records: JsonRecord[] = [];
  let chunk: string[] = [];
  let line = 1;
  const flush = () => records.push(record(line, tokens === "chars" ? chunk.join("") : chunk));
  for (const piece of tokens === "chars" ? codePoints(text) : words(text)) {
    if (chunk.length === 0) line = piece.line;
    chunk.push(piece.token);
    if (chunk.length === size) {
      flush();
      chunk = [];
    }
  }
  if (chunk.length > 0) flush();
  return records;
}

interface Piece {
  token: string;
  line: number;
}

// Generators, so that a long book is never held as one object per character.
function* codePoints(text: string): Generator<Piece> {
  let line = 1;
  for (const token of text) {
    yield { token, line };
    if (token === "\n") line++;
  }
}

function* words(text: string): Generator<Piece> {
  let line = 1;
  let counted = 0; // the line breaks before this offset are counted in `line`
  for (const match of text.matchAll(/\S+/g)) {
    for (let i = counted; i < match.index; i++) if (text.charCodeAt(i) === 10) line++;
    counted = match.index;
    yield { token: match[0], line };
  }
}
