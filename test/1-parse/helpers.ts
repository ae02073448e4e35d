// Shared helpers for the parser tests: parse and inspect ASTs by compact text, not snapshots.
import { expect } from "vitest";
import type { Expr, ModelStatement, Program } from "../../compiler/1-parse/ast.ts";
import { parse } from "../../compiler/1-parse/index.ts";
import { positionOf } from "../../compiler/diagnostics.ts";

/** An expression as fully parenthesised text: `((a + (b * c)) - (-d))`, `f(x, lr: 0.1)`. */
export function show(e: Expr): string {
  switch (e.kind) {
    case "number":
      return e.text;
    case "string":
      return JSON.stringify(e.value);
    case "ref":
      return e.name + (e.primed ? "'" : "");
    case "binary":
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case "unary":
      return `(-${show(e.operand)})`;
    case "call":
      return `${e.callee.text}(${e.args.map((a) => (a.name ? `${a.name.text}: ` : "") + show(a.value)).join(", ")})`;
    case "index":
      return `${show(e.target)}[${show(e.index)}]`;
    case "slice":
      return `${show(e.target)}[${show(e.from)}:${show(e.to)}]`;
    case "paren":
      return `{${show(e.inner)}}`;
  }
}

/** Parses a file that must have no diagnostics. */
export function parseClean(source: string): Program {
  const { program, diagnostics } = parse(source);
  expect(diagnostics.map((d) => d.message)).toEqual([]);
  return program;
}

/** The statements of `model m { <body> }`, which must parse cleanly. */
export function modelBody(body: string): ModelStatement[] {
  const program = parseClean(`model m {\n${body}\n}\n`);
  expect(program.models).toHaveLength(1);
  return program.models[0].body;
}

/** Diagnostics as `line:col message`. */
export function errors(source: string): string[] {
  return parse(source).diagnostics.map((d) => {
    const { line, column } = positionOf(source, d.span.start);
    return `${line}:${column} ${d.message}`;
  });
}

/** The source text a span covers. */
export const textOf = (source: string, node: { span: { start: number; end: number } }) =>
  source.slice(node.span.start, node.span.end);
