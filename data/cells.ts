// A cell of text as a field's value: what CSV, TSV and plain text hand to read-field.ts, in the
// form JSON would have given it, so that every check (and every message) about a value stays in
// one place, and the one-way-per-field rule (mixed-types.ts) applies to text as it does to JSON.
//
//   seq<token>    chars: the text itself, which read-field.ts splits by code point (as it does a
//                 JSON string); words: the text split on whitespace (as a JSON array of strings)
//   seq<class>    the same cut, each piece a label (below)
//   token         the text
//   class         the text; a label that spells a number ("3", "-0.5") is that number, as JSON's
//                 3 is, so that a column mixing 1 and "meh" is refused as a JSON file mixing them is
//   vec(n)        numbers separated by whitespace or ";" ("0.5 -1 2e-3", "0.5;-1;2e-3")
//   seq<vec(n)>   the same, n numbers a step, in order ("1 2; 3 4" is two steps of vec(2))
//
// An empty cell is an empty sequence (read-field.ts refuses it) or, for a class or a token, an
// error here: a spreadsheet's blank is a missing value, not a label "".

import type { DataField } from "./fields.ts";
import { describeField } from "./fields.ts";
import { isNumberLabel } from "./vocabulary.ts";

/** How a cell of text becomes a sequence of tokens (or labels): one per character, or per word. */
export type TokenSplit = "chars" | "words";
export const TOKEN_SPLITS: readonly TokenSplit[] = ["chars", "words"];

export type CellResult = { ok: true; value: unknown } | { ok: false; message: string };

export function cellValue(text: string, field: DataField, tokens: TokenSplit): CellResult {
  const name = `field ${JSON.stringify(field.name)}`;
  const element = field.element;
  if (element.kind === "vector") return numbersOf(text, field, element.size, name);
  if (field.sequence) {
    if (element.kind === "token") return { ok: true, value: splitTokens(text, tokens) };
    const pieces = splitTokens(text, tokens);
    return { ok: true, value: (typeof pieces === "string" ? Array.from(pieces) : pieces).map(label) };
  }
  if (text === "") return { ok: false, message: `${name} is an empty cell: a ${describeField(field)} needs ${element.kind === "class" ? "a label" : "a token"}` };
  return { ok: true, value: element.kind === "class" ? label(text) : text };
}

/** chars: the text as it is (split later, by code point); words: its whitespace-separated words. */
export function splitTokens(text: string, tokens: TokenSplit): string | string[] {
  if (tokens === "chars") return text;
  const trimmed = text.trim();
  return trimmed === "" ? [] : trimmed.split(/\s+/);
}

/** A class label: a number when it spells one (as JSON would have written it), else the text. */
const label = (text: string): string | number => (isNumberLabel(text) ? Number(text) : text);

// A decimal number: JSON's form, also with a leading "+" or "." (".5"), which spreadsheets write.
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function numbersOf(text: string, field: DataField, size: number, name: string): CellResult {
  const trimmed = text.trim();
  const pieces = trimmed === "" ? [] : trimmed.split(/\s*;\s*|\s+/);
  const numbers: number[] = [];
  for (const [i, piece] of pieces.entries()) {
    if (piece === "") return { ok: false, message: `${name}: number ${i + 1} is missing (two separators in a row, or one at an end)` };
    if (!NUMBER.test(piece)) {
      return { ok: false, message: `${name}: ${JSON.stringify(piece)} is not a number (a cell's numbers are separated by spaces or ";", with "." for the decimal point)` };
    }
    numbers.push(Number(piece));
  }
  // vec(n) and seq<vec(1)> are flat arrays in JSON too; a longer vector per step is grouped here.
  if (!field.sequence || size === 1) return { ok: true, value: numbers };
  if (numbers.length % size !== 0) {
    return { ok: false, message: `${name} has ${numbers.length} numbers; ${describeField(field)} needs ${size} a step, so a multiple of ${size}` };
  }
  return { ok: true, value: Array.from({ length: numbers.length / size }, (_, step) => numbers.slice(step * size, (step + 1) * size)) };
}
