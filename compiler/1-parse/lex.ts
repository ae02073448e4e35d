// Text → the tokens the parser reads, plus a diagnostic for every lexing error.
import type { IToken } from "chevrotain";
import { lexer, significantNewlines, UnterminatedComment, UnterminatedString } from "../../grammar/tokens.ts";
import { diagnostic, type Diagnostic } from "../diagnostics.ts";

export interface Lexed {
  tokens: IToken[]; // significant tokens only: see `significantNewlines`
  diagnostics: Diagnostic[];
  unterminatedComment: boolean; // the rest of the file is a comment: errors at its end are noise
}

export function lex(source: string): Lexed {
  const result = lexer.tokenize(source);
  const diagnostics: Diagnostic[] = [];
  // A run of characters no token can start with is one error (Chevrotain skips the whole run).
  for (const error of result.errors) {
    const span = { start: error.offset, end: error.offset + Math.max(1, error.length) };
    const text = source.slice(span.start, span.end);
    diagnostics.push(
      [...text].length === 1
        ? diagnostic("unexpectedCharacter", span, describeCharacter(text))
        : diagnostic("unexpectedCharacters", span, describeCharacters(text)),
    );
  }
  for (const token of result.tokens) {
    if (token.tokenType === UnterminatedString) {
      diagnostics.push(diagnostic("unterminatedString", { start: token.startOffset, end: token.startOffset + 1 }));
    }
  }
  const comments = result.groups["errors"] ?? [];
  for (const token of comments) {
    if (token.tokenType === UnterminatedComment) {
      diagnostics.push(diagnostic("unterminatedComment", { start: token.startOffset, end: token.startOffset + 2 }));
    }
  }
  return {
    tokens: significantNewlines(result.tokens),
    diagnostics,
    unterminatedComment: comments.length > 0,
  };
}

/** "`#`", or the code point of a character that would not show: "U+00A0". */
function describeCharacter(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  const invisible = /[\p{C}\p{Z}]/u.test(ch) && ch !== " ";
  return invisible ? `U+${code.toString(16).toUpperCase().padStart(4, "0")}` : `\`${ch}\``;
}

const MAX_SHOWN = 16;

function describeCharacters(text: string): string {
  const chars = [...text];
  if (chars.every((ch) => describeCharacter(ch).startsWith("`"))) {
    return chars.length > MAX_SHOWN ? `\`${chars.slice(0, MAX_SHOWN).join("")}\`…` : `\`${text}\``;
  }
  return `${describeCharacter(chars[0])} and ${chars.length - 1} more`;
}
