// Phase 1: text → AST. Lexes, keeps the significant newlines, parses with error recovery and
// builds the AST; every problem becomes a Diagnostic. Never throws, whatever the input.
import { parseTokens } from "../../grammar/parser.ts";
import { diagnostic, sortDiagnostics, type Diagnostic } from "../diagnostics.ts";
import { SyntaxErrorMessages } from "./error-messages.ts";
import type { Program } from "./ast.ts";
import { bracketTooDeep, MAX_BRACKETS, MAX_DEPTH, nodeTooDeep } from "./depth.ts";
import { lex } from "./lex.ts";
import { syntaxDiagnostics } from "./syntax-errors.ts";
import { buildAst } from "./visitor.ts";

export interface ParseResult {
  program: Program; // partial when there are syntax errors, but always well formed
  diagnostics: Diagnostic[];
}

/** Syntax errors shown per file: beyond this, garbage input would print pages of them. */
export const MAX_SYNTAX_ERRORS = 20;

export function parse(source: string): ParseResult {
  try {
    return parseText(source);
  } catch (error) {
    // A bug, not the user's fault: still a diagnostic, never a crash.
    const reason = error instanceof Error ? error.message : String(error);
    return { program: emptyProgram(source), diagnostics: [diagnostic("parserFailure", { start: 0, end: 0 }, reason)] };
  }
}

function parseText(source: string): ParseResult {
  const program = emptyProgram(source);
  const binaryAt = firstBinaryCharacter(source);
  if (binaryAt !== undefined) {
    return { program, diagnostics: [diagnostic("binaryFile", { start: binaryAt, end: binaryAt + 1 })] };
  }
  const lexed = lex(source);
  if (lexed.tokens.length === 0) {
    const diagnostics = lexed.diagnostics.length > 0 ? lexed.diagnostics : [diagnostic("emptyFile", { start: 0, end: 0 })];
    return { program, diagnostics: capped(diagnostics) };
  }
  const deepBracket = bracketTooDeep(lexed.tokens);
  if (deepBracket) {
    const tooDeep = diagnostic("nestedTooDeeply", deepBracket, "brackets", MAX_BRACKETS);
    return { program, diagnostics: capped([...lexed.diagnostics, tooDeep]) };
  }

  const { cst, errors } = parseTokens(lexed.tokens, () => new SyntaxErrorMessages());
  const syntax = syntaxDiagnostics(errors, { source, cst, lexing: lexed.diagnostics, ...lexed });
  const built = buildAst(cst, source.length);
  const diagnostics = [...lexed.diagnostics, ...syntax, ...built.diagnostics];
  const deepNode = nodeTooDeep(built.program);
  if (deepNode) {
    const tooDeep = diagnostic("nestedTooDeeply", deepNode, "expression", MAX_DEPTH);
    return { program, diagnostics: capped([...diagnostics, tooDeep]) };
  }
  if (diagnostics.length === 0 && built.program.models.length + built.program.cells.length === 0) {
    return { program, diagnostics: [diagnostic("emptyFile", { start: 0, end: 0 })] }; // only `;`s
  }
  return { program: built.program, diagnostics: capped(diagnostics) };
}

function emptyProgram(source: string): Program {
  return { kind: "program", cells: [], models: [], span: { start: 0, end: source.length } };
}

/** One diagnostic per place, in source order, at most MAX_SYNTAX_ERRORS and a last word. */
function capped(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<number>();
  const unique = sortDiagnostics(diagnostics).filter((d) => !seen.has(d.span.start) && seen.add(d.span.start));
  if (unique.length <= MAX_SYNTAX_ERRORS) return unique;
  const kept = unique.slice(0, MAX_SYNTAX_ERRORS);
  return [...kept, diagnostic("tooManyErrors", unique[MAX_SYNTAX_ERRORS].span, MAX_SYNTAX_ERRORS)];
}

/**
 * Where a file stops looking like text: its first NUL, or its first control character when
 * they make up more than a quarter of its beginning (random bytes, an image, a checkpoint).
 */
function firstBinaryCharacter(source: string): number | undefined {
  const nul = source.indexOf("\0");
  if (nul >= 0) return nul;
  const sample = source.slice(0, 8192);
  let count = 0;
  let firstAt: number | undefined;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    const control = (c < 32 && c !== 9 && c !== 10 && c !== 11 && c !== 12 && c !== 13) || (c >= 0x7f && c <= 0x9f) || c === 0xfffd;
    if (control) {
      count++;
      firstAt ??= i;
    }
  }
  return count * 4 > sample.length ? firstAt : undefined;
}
