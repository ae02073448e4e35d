// User text (file names, names, vocabulary tokens, class labels, source lines and the string
// literals in them) on its way into generated code or onto a terminal. Anything can be in it: a
// line break that would end a `//` comment and make the rest of the name code, `*/` that would
// end a block comment, an ESC that starts a terminal's escape sequences (moving the cursor,
// recolouring, retitling the window), a bidirectional override that makes a line read other
// than it is (Trojan Source). Here each such character is written out as an escape you can read,
// `\x1b`, `\u202e`, `\n`: it stays visible and does nothing. A backslash is left as it is, so
// ordinary text prints unchanged; where the exact text matters, JSON (`--json`) has it exactly.

/**
 * What is written out: the C0 controls, DEL and the C1 controls; the line and paragraph
 * separators U+2028 and U+2029 (line breaks to JavaScript and to some terminals); the
 * bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F,
 * U+202A–U+202E, U+2066–U+2069); and lone surrogates, which UTF-8 cannot carry.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The same characters but the C0 controls and lone surrogates, which JSON.stringify already escapes. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const SHORT: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
const hex = (c: string, digits: number) => c.charCodeAt(0).toString(16).padStart(digits, "0");

/** One character as an escape: `\n`, `\x1b`, `\u202e`, `\ud800`. */
const escaped = (c: string) => SHORT[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`);

/**
 * `text` as it may go to a terminal: every character above written out (`\x1b[31m`, `\u202e`),
 * but those in `keep` (a sample's line breaks and tabs, `"\n\t"`; a multi-line message's).
 * Everything else, non-ASCII letters and emoji included, prints as it is.
 */
export function printable(text: string, keep = ""): string {
  return text.replace(UNSAFE, (c) => (keep.includes(c) ? c : escaped(c)));
}

/**
 * `text` as it may stand in a generated comment, `//` or `/* … *\/`: on one line (a line break
 * is written `\n`), with no `*\/` to end it early, no control character and no bidirectional
 * override (the comment reads as the code runs).
 */
export const commentText = (text: string): string => printable(text).replaceAll("*/", "*\\/");

/**
 * A value as JSON that is also safe as JavaScript or TypeScript source, and on a terminal:
 * JSON.stringify, with U+2028, U+2029 (line breaks in a string literal before ES2019), DEL, the
 * C1 controls and the bidirectional controls escaped as `\uXXXX` too (JSON.stringify escapes the
 * C0 controls and lone surrogates already). The same value: JSON.parse gives back exactly it.
 */
export const safeJson = (value: unknown): string => (JSON.stringify(value) ?? "undefined").replace(UNSAFE_IN_JSON, (c) => `\\u${hex(c, 4)}`);
