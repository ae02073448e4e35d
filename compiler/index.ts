// compile(source) reads as the pipeline it is: one line a phase. Each phase reads only what
// the phase before it produced, and reports problems instead of throwing.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "./1-parse/index.ts";
import { check, type CheckResult } from "./2-check/index.ts";
import type { CheckedCell } from "./2-check/checked.ts";
import type { ModelOptions } from "./2-check/model.ts";
import { formatDiagnostic, hasErrors, sortDiagnostics } from "./diagnostics.ts";

export const PRELUDE_FILE = fileURLToPath(new URL("./prelude.rnn", import.meta.url));

let prelude: CheckedCell[] | undefined;

/** The prelude's cells and layers, checked once. A problem in it is the compiler's bug. */
export function preludeDefinitions(): CheckedCell[] {
  if (prelude) return prelude;
  const source = readFileSync(PRELUDE_FILE, "utf8");
  const parsed = parse(source);
  const checked = check(parsed.program, PRELUDE_FILE, source, []);
  const problems = [...parsed.diagnostics, ...checked.diagnostics];
  if (problems.length > 0)
    throw new Error(`the prelude does not check:\n${problems.map((d) => formatDiagnostic(d, PRELUDE_FILE, source)).join("\n")}`);
  return (prelude = checked.cells);
}

/** Parses and checks a .rnn file's text. */
export function checkSource(source: string, file: string, options: ModelOptions = {}): CheckResult {
  const parsed = parse(source);
  const checked = check(parsed.program, file, source, preludeDefinitions(), options);
  // Syntax errors leave a partial tree: report what the checker says only where parsing went well.
  const diagnostics = hasErrors(parsed.diagnostics) ? parsed.diagnostics : [...parsed.diagnostics, ...checked.diagnostics];
  return { ...checked, diagnostics: sortDiagnostics(diagnostics) };
}
