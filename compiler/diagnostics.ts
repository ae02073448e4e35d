// One diagnostic type and one printer. Every phase reports problems as Diagnostics and keeps
// going; nothing that a user writes makes the compiler throw.
import type { Span } from "./1-parse/ast.ts";
import { printable } from "./escape.ts";
import { messages, type MessageCode } from "./messages.ts";

export type Severity = "error" | "warning";

export interface Diagnostic {
  code: MessageCode;
  severity: Severity;
  span: Span;
  message: string;
  hint?: string;
}

type Args<C extends MessageCode> = Parameters<(typeof messages)[C]>;

/** Builds a diagnostic from the message table: `diagnostic("unknownName", span, "hiden")`. */
export function diagnostic<C extends MessageCode>(code: C, span: Span, ...args: Args<C>): Diagnostic {
  const text = (messages[code] as (...a: Args<C>) => string | [string, string | undefined])(...args);
  const [message, hint] = Array.isArray(text) ? text : [text, undefined];
  return { code, severity: "error", span, message, ...(hint ? { hint } : {}) };
}

export interface Position {
  line: number; // 1-based
  column: number; // 1-based
}

/** Line and column of an offset; offsets past the end point just after the last character. */
export function positionOf(source: string, offset: number): Position {
  const at = Math.max(0, Math.min(offset, source.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: at - lineStart + 1 };
}

/** The text of the line holding `offset`, without its line break. */
function lineAt(source: string, offset: number): { text: string; start: number } {
  const at = Math.max(0, Math.min(offset, source.length));
  const start = at === 0 ? 0 : source.lastIndexOf("\n", at - 1) + 1; // lastIndexOf(…, -1) would look at 0
  let end = source.indexOf("\n", at);
  if (end < 0) end = source.length;
  let text = source.slice(start, end);
  if (text.endsWith("\r")) text = text.slice(0, -1);
  return { text, start };
}

// A tab would break the caret's alignment: it is a space. Control characters and bidirectional
// overrides would act on the terminal: they are written out (`\x1b`, `\u202e`: escape.ts), and
// the caret is placed by the line as shown.
const shownText = (text: string) => printable(text.replace(/\t/g, " "));

const MAX_SHOWN = 160;

/**
 * `file:line:col: error: message`, the source line, a caret under the span, and the hint:
 *
 *     model.rnn:7:22: error: unknown name `hiden`
 *       h[t] = cell(x[t], hiden[t-1])
 *                         ^~~~~
 *       hint: did you mean `hidden`?
 */
export function formatDiagnostic(d: Diagnostic, file: string, source: string): string {
  const { line, column } = positionOf(source, d.span.start);
  const { text, start } = lineAt(source, d.span.start);
  const from = Math.min(d.span.start - start, text.length);
  const width = Math.max(1, Math.min(d.span.end, start + text.length) - d.span.start);
  // Very long lines (minified or binary input) are shown as a window around the span.
  const windowStart = from > MAX_SHOWN - 20 ? from - 40 : 0;
  const raw = text.slice(windowStart, windowStart + MAX_SHOWN);
  const shown = shownText(raw);
  const caretAt = shownText(raw.slice(0, from - windowStart)).length;
  const spanWidth = shownText(raw.slice(from - windowStart, from - windowStart + width)).length;
  const caret = " ".repeat(caretAt) + "^" + "~".repeat(Math.max(0, Math.min(spanWidth, shown.length - caretAt) - 1));
  const lines = [`${printable(file)}:${line}:${column}: ${d.severity}: ${printable(d.message)}`, `  ${shown}`, `  ${caret}`];
  if (d.hint) lines.push(`  hint: ${printable(d.hint)}`);
  return lines.join("\n");
}

export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
}

export const hasErrors = (ds: Diagnostic[]) => ds.some((d) => d.severity === "error");

/** The closest candidate by edit distance, for "did you mean `hidden`?" hints. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    if (c === word) continue;
    // Case differences count less than other edits; a word that extends a candidate
    // (`batchsize` for `batch`) is as near as one edit.
    const folded = editDistance(word.toLowerCase(), c.toLowerCase());
    const extends_ = c.length >= 3 && (word.startsWith(c) || c.startsWith(word)) ? 1 : Infinity;
    const d = Math.min(folded + (editDistance(word, c) > folded ? 0.5 : 0), extends_);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
