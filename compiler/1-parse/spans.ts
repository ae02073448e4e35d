// Spans from tokens. Tokens that Chevrotain's error recovery inserted have NaN offsets: they
// never reach a span, and a node built only from them has no span (and is left out of the AST).
import type { IToken } from "chevrotain";
import type { Name, Span } from "./ast.ts";

/** A token really present in the source (not inserted by recovery). */
export function isReal(token: IToken | undefined): token is IToken {
  return tokenSpan(token) !== undefined;
}

/** The span of a token. The lexer tracks start offsets only: a token's text gives its end. */
export function tokenSpan(token: IToken | undefined): Span | undefined {
  if (token === undefined || token.isInsertedInRecovery || !Number.isFinite(token.startOffset)) return undefined;
  return { start: token.startOffset, end: token.startOffset + token.image.length };
}

type Part = IToken | { span: Span } | undefined;

const partSpan = (part: Part): Span | undefined => (part && "span" in part ? part.span : tokenSpan(part));

/** The narrowest span covering every part that has one. */
export function spanOf(...parts: (Part | Part[])[]): Span | undefined {
  let start = Infinity;
  let end = -Infinity;
  for (const part of parts.flat()) {
    const span = partSpan(part);
    if (span === undefined) continue;
    start = Math.min(start, span.start);
    end = Math.max(end, span.end);
  }
  return start <= end ? { start, end } : undefined;
}

/** A name as written, or undefined when recovery invented it. */
export function nameOf(token: IToken | undefined): Name | undefined {
  const span = tokenSpan(token);
  return span && token ? { text: token.image, span } : undefined;
}

/** `h'` → name `h`, primed. */
export function splitPrime(text: string): { name: string; primed: boolean } {
  return text.endsWith("'") ? { name: text.slice(0, -1), primed: true } : { name: text, primed: false };
}

export const first = <T>(items: T[] | undefined): T | undefined => items?.[0];

/** Keeps the items that could be built. */
export const present = <T>(items: (T | undefined)[]): T[] => items.filter((item): item is T => item !== undefined);
