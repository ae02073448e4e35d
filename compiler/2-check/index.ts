// The checker: resolves every name, gives every expression a type and every equation its
// place in a loop. Problems are collected, never thrown.
import type * as ast from "../1-parse/ast.ts";
import { diagnostic, positionOf, type Diagnostic } from "../diagnostics.ts";
import { checkCell } from "./cells.ts";
import type { CheckedCell, CheckedModel } from "./checked.ts";
import { checkModel, type ModelOptions } from "./model.ts";

export interface CheckResult {
  models: CheckedModel[];
  cells: CheckedCell[]; // the file's own definitions
  diagnostics: Diagnostic[];
}

/** Checks a parsed file against the (already checked) prelude definitions. */
export function check(
  program: ast.Program,
  file: string,
  source: string,
  prelude: CheckedCell[],
  options: ModelOptions = {},
): CheckResult {
  const diagnostics: Diagnostic[] = [];
  const report = (d: Diagnostic) => diagnostics.push(d);
  const line = (node: ast.Node) => positionOf(source, node.span.start).line;

  const definitions = new Map(prelude.map((c) => [c.name, c]));
  const cells: CheckedCell[] = [];
  for (const def of program.cells) {
    const name = def.name.text;
    const previous = cells.find((c) => c.name === name);
    if (previous) report(diagnostic("duplicate", def.name.span, name, line(previous.def)));
    else if (definitions.has(name)) report(diagnostic("shadowsPrelude", def.name.span, name));
    const cell = checkCell(def, file, source, report);
    if (!previous && !definitions.has(name)) {
      cells.push(cell);
      definitions.set(name, cell);
    }
  }

  const models: CheckedModel[] = [];
  for (const decl of program.models) {
    const previous = models.find((m) => m.name === decl.name.text);
    if (previous) report(diagnostic("duplicate", decl.name.span, decl.name.text, line(previous.decl)));
    models.push(checkModel(decl, definitions, file, source, report, options));
  }
  return { models, cells, diagnostics: dedupe(diagnostics) };
}

/** A value typed twice (a recurrence's second pass) may report one problem twice. */
function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.span.start}:${d.span.end}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
