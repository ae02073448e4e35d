// Syntax errors in words a user understands: "expected `)` but found end of line". Chevrotain
// calls these builders while parsing; the wording comes from the message table.
import { EOF, tokenMatcher, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";
import { messages } from "../messages.ts";
import * as T from "../../grammar/tokens.ts";

/** Token kinds described by a word rather than by their text. */
const described = new Map<TokenType, string>([
  [T.Identifier, "a name"],
  [T.NumberLiteral, "a number"],
  [T.StringLiteral, "a string"],
  [T.StatementEnd, "end of line"],
  [T.Newline, "end of line"],
  [EOF, "end of file"],
]);

/** What the parser wanted: "a name", "`)`". */
export function describeExpected(type: TokenType): string {
  const word = described.get(type);
  if (word) return word;
  const text = typeof type.PATTERN === "string" ? type.PATTERN : (type.LABEL ?? type.name);
  return `\`${text}\``;
}

const MAX_SHOWN = 24;

/** What the parser found: "end of line", "the keyword `loss`", "`foo`". */
export function describeFound(token: IToken): string {
  if (tokenMatcher(token, EOF)) return "end of file";
  if (token.tokenType === T.Newline) return "end of line";
  const text = token.image.length > MAX_SHOWN ? `${token.image.slice(0, MAX_SHOWN)}…` : token.image;
  if (T.hardKeywords.includes(token.tokenType)) return `the keyword \`${text}\``;
  return `\`${text}\``;
}

/** "a, b or c" */
function oneOf(items: string[]): string {
  const unique = [...new Set(items)];
  return unique.length <= 1 ? (unique[0] ?? "something else") : `${unique.slice(0, -1).join(", ")} or ${unique.at(-1)}`;
}

const blockRules = new Set(["model", "cellBody"]);
const startsItem = [T.Identifier, T.NumberLiteral, T.StringLiteral, T.LParen, T.LBracket, T.Minus];
/** Rules holding comma-separated lists closed by `)` or `]`. */
const listRules = new Set(["call", "cellDef", "layer", "equation", "namedType", "shapeType"]);

/**
 * A closing `}` that is missing is rarely the whole story: right after a statement the user more
 * likely forgot a line break, and where a statement could start, a statement was wanted.
 */
function expectedInContext(expected: TokenType, ruleName: string, previous: IToken | undefined, actual: IToken): string {
  const atEnd = tokenMatcher(actual, EOF);
  if (expected === EOF && ruleName === "program") {
    const atLineStart = !previous || tokenMatcher(previous, T.StatementEnd);
    return atLineStart ? "a `model`, `cell` or `layer` definition" : "end of line";
  }
  if (expected === T.RBrace && !atEnd) {
    const atStatementStart = !previous || tokenMatcher(previous, T.StatementEnd) || tokenMatcher(previous, T.LBrace);
    if (blockRules.has(ruleName)) return atStatementStart ? "a statement or `}`" : "end of line or `}`";
    if (ruleName === "train") return "a setting or `}`";
    if (ruleName === "dims") return "`,` or `}`";
  }
  // `f(a b)`: before another item the comma is as likely missing as the `)`; elsewhere (at a
  // line's end, before `{`) it is the `)`.
  const closesList = expected === T.RParen || expected === T.RBracket;
  if (closesList && listRules.has(ruleName) && startsItem.some((type) => tokenMatcher(actual, type))) {
    return `\`,\` or ${describeExpected(expected)}`;
  }
  return describeExpected(expected);
}

export class SyntaxErrorMessages implements IParserErrorMessageProvider {
  /** The tokens being parsed: Chevrotain's `previous` is wrong after its in-repetition
   *  recovery has skipped tokens, so the token before the offending one is looked up here. */
  tokens: IToken[] = [];

  buildMismatchTokenMessage({ expected, actual, ruleName }: { expected: TokenType; actual: IToken; ruleName: string }) {
    return messages.expected(expectedInContext(expected, ruleName, this.before(actual), actual), describeFound(actual));
  }

  buildNotAllInputParsedMessage({ firstRedundant }: { firstRedundant: IToken }) {
    return messages.unexpected(describeFound(firstRedundant), "after the end of the file's definitions");
  }

  buildNoViableAltMessage(options: { expectedPathsPerAlt: TokenType[][][]; actual: IToken[]; customUserDescription?: string }) {
    const firsts = options.expectedPathsPerAlt.flatMap((paths) => paths.map((path) => describeExpected(path[0])));
    return messages.expected(options.customUserDescription ?? oneOf(firsts), describeFound(options.actual[0]));
  }

  buildEarlyExitMessage(options: { expectedIterationPaths: TokenType[][]; actual: IToken[]; customUserDescription?: string }) {
    const firsts = options.expectedIterationPaths.map((path) => describeExpected(path[0]));
    return messages.expected(options.customUserDescription ?? oneOf(firsts), describeFound(options.actual[0]));
  }

  private before(token: IToken): IToken | undefined {
    if (!Number.isFinite(token.startOffset)) return this.tokens.at(-1); // end of file
    let low = 0;
    let high = this.tokens.length; // first index whose token starts at or after `token`
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.tokens[mid].startOffset < token.startOffset) low = mid + 1;
      else high = mid;
    }
    return this.tokens[low - 1];
  }
}
