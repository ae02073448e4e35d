// The parser's recognition errors as diagnostics, without the echoes that one mistake leaves
// behind it in error recovery.
import type { IRecognitionException, IToken } from "chevrotain";
import { Comma, Equals, hardKeywords, LBracket, Newline } from "../../grammar/tokens.ts";
import type { ProgramCstNode } from "../../grammar/cst.d.ts";
import type { Diagnostic } from "../diagnostics.ts";
import type { Span } from "./ast.ts";
import { first, isReal, tokenSpan } from "./spans.ts";

export interface SyntaxContext {
  source: string;
  tokens: IToken[]; // the tokens parsed
  cst: ProgramCstNode;
  lexing: Diagnostic[]; // the lexer's diagnostics
  unterminatedComment: boolean;
}

interface EchoContext extends SyntaxContext {
  definitionStarts: number[]; // where each definition that parsed begins
  lastTopLevel?: number; // where the last "expected a definition" was raised
  strayOnLine: Map<number, number>; // line → where the first lexing error on it starts
  lineStarts: number[];
}

export function syntaxDiagnostics(errors: IRecognitionException[], context: SyntaxContext): Diagnostic[] {
  const endOfFile = endOfFileSpan(context.tokens);
  const lineStarts = lineStartsOf(context.source);
  const strayOnLine = new Map<number, number>();
  for (const d of context.lexing) {
    const line = lineOf(lineStarts, d.span.start);
    strayOnLine.set(line, Math.min(strayOnLine.get(line) ?? Infinity, d.span.start));
  }
  const echoes: EchoContext = { ...context, definitionStarts: topLevelStarts(context.cst), strayOnLine, lineStarts };
  const result: Diagnostic[] = [];
  for (const error of [...errors].sort((a, b) => offsetOf(a) - offsetOf(b))) {
    const span = tokenSpan(error.token) ?? endOfFile; // only the end of file has no place of its own
    if (isEcho(error, span, echoes, result.length > 0)) continue;
    const code = error.name === "NotAllInputParsedException" ? "unexpected" : "expected";
    const hint = keywordAsName(error, context.tokens);
    result.push({ code, severity: "error", span, message: error.message, ...(hint ? { hint } : {}) });
  }
  return result;
}

/** Whether an error only repeats, after recovery, a mistake already reported. */
function isEcho(error: IRecognitionException, span: Span, context: EchoContext, reported: boolean): boolean {
  const topLevel = error.context.ruleStack.length <= 1;
  // Outside definitions, recovery skips to the next line and complains again if that line is no
  // definition either (`modle m {` and every line of its body): once is enough until one parses.
  let repeatsTopLevel = false;
  if (topLevel) {
    const previous = context.lastTopLevel;
    repeatsTopLevel = previous !== undefined && !context.definitionStarts.some((at) => at > previous && at < span.start);
    context.lastTopLevel = span.start;
  }
  return (
    repeatsTopLevel ||
    // After an unterminated comment, "expected `}` but found end of file" only repeats it.
    (context.unterminatedComment && !isReal(error.token)) ||
    // A stray character explains what goes wrong after it on its line.
    (context.strayOnLine.get(lineOf(context.lineStarts, span.start)) ?? Infinity) < span.start ||
    // A `}` left over at the top level after an error was most likely unbalanced by recovery.
    (topLevel && reported && error.token.image === "}")
  );
}

/**
 * A hint when a keyword stands where a name was wanted, or is written as one: `layer loss = …`,
 * `state[t] = …`, `output state = …` (where the parser stops at `output`, a name before it).
 */
function keywordAsName(error: IRecognitionException, tokens: IToken[]): string | undefined {
  const at = tokens.indexOf(error.token);
  const namedBefore = (i: number) => [LBracket, Equals, Comma].some((type) => tokens[i + 1]?.tokenType === type);
  const isKeyword = (i: number) => i >= 0 && tokens[i] !== undefined && hardKeywords.includes(tokens[i].tokenType);
  const keyword =
    isKeyword(at) && (error.message.startsWith("expected a name") || namedBefore(at)) ? tokens[at] : isKeyword(at + 1) && at >= 0 && namedBefore(at + 1) ? tokens[at + 1] : undefined;
  return keyword && `\`${keyword.image}\` is a keyword of the language, so it cannot be a name: call it something else (${keyword.image}_)`;
}

const offsetOf = (error: IRecognitionException) => tokenSpan(error.token)?.start ?? Infinity;

function lineStartsOf(source: string): number[] {
  const starts = [0];
  for (const match of source.matchAll(/\r\n?|\n/g)) starts.push(match.index + match[0].length);
  return starts;
}

/** The 0-based line holding `offset`, by binary search. */
function lineOf(lineStarts: number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (lineStarts[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** "Found end of file" points at the last character of the last token. */
function endOfFileSpan(tokens: IToken[]): Span {
  const last = [...tokens].reverse().find((token) => token.tokenType !== Newline && isReal(token));
  const end = tokenSpan(last)?.end ?? 0;
  return { start: Math.max(0, end - 1), end };
}

/** Where each top-level definition that parsed begins. */
function topLevelStarts(cst: ProgramCstNode): number[] {
  return (cst.children.definition ?? []).flatMap((definition) => {
    const { model, cellDef, layer } = definition.children;
    const keyword =
      first(first(model)?.children.Model) ?? first(first(cellDef)?.children.Cell) ?? first(first(layer)?.children.Layer);
    const span = tokenSpan(keyword);
    return span ? [span.start] : [];
  });
}
