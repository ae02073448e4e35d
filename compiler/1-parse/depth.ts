// Limits on nesting. The parser and every later phase recurse on nested brackets and operators,
// so input nested absurdly deep (generated, or garbage) is refused before it can overflow a stack.
import type { IToken } from "chevrotain";
import { LAngle, LBracket, LParen, RAngle, RBracket, RParen } from "../../grammar/tokens.ts";
import type { Program, Span } from "./ast.ts";
import { tokenSpan } from "./spans.ts";

/** Brackets nested deeper than this are refused before parsing. */
export const MAX_BRACKETS = 64;
/** AST nodes nested deeper than this (`x + x + ... + x` is as deep as it is long) are refused. */
export const MAX_DEPTH = 500;

/** The bracket that opens one level too many: `(`, `[` and `<` nest expressions and types. */
export function bracketTooDeep(tokens: IToken[]): Span | undefined {
  let depth = 0;
  for (const token of tokens) {
    const type = token.tokenType;
    if (type === LParen || type === LBracket || type === LAngle) depth++;
    else if ((type === RParen || type === RBracket || type === RAngle) && depth > 0) depth--;
    if (depth > MAX_BRACKETS) return tokenSpan(token);
  }
  return undefined;
}

/** The first node nested deeper than MAX_DEPTH, found without recursing. */
export function nodeTooDeep(program: Program): Span | undefined {
  const pending: [unknown, number][] = [[program, 0]];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const [value, depth] = item;
    if (typeof value !== "object" || value === null) continue;
    const isNode = "span" in value;
    if (isNode && depth > MAX_DEPTH) return (value as { span: Span }).span;
    for (const [key, child] of Object.entries(value)) {
      if (key !== "span") pending.push([child, isNode ? depth + 1 : depth]);
    }
  }
  return undefined;
}
