// compile(source) reads as the pipeline it is: one line a phase. Each phase reads only what
// the phase before it produced, and reports problems instead of throwing.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "./1-parse/index.ts";
import { check, type CheckResult } from "./2-check/index.ts";
import { lower, type DataSizes } from "./3-lower/index.ts";
import { differentiate } from "./4-differentiate/index.ts";
import { emitModule, type EmitOptions } from "./6-emit/index.ts";
import type { DifferentiatedProgram, Program } from "./ir/nodes.ts";
import { validate } from "./ir/validate.ts";
import type { CheckedCell, CheckedModel } from "./2-check/checked.ts";
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

export interface CompileOptions extends ModelOptions, EmitOptions {
  /** Sizes bound from the data: `vocab(x)` → 60. */
  dataSizes: DataSizes;
  /** Which model of the file (default: the only one). */
  model?: string;
}

export type CompileResult =
  | { ok: true; program: DifferentiatedProgram; code: string; checked: CheckResult }
  | { ok: false; checked: CheckResult };

/** After checking, with the data's sizes known: lower → differentiate (each IR validated between phases under RNNC_VALIDATE=1). */
export function differentiatedProgram(model: CheckedModel, dataSizes: DataSizes): DifferentiatedProgram {
  const lowered = validated(lower(model, dataSizes), "lowering");
  return validated(differentiate(lowered), "differentiation");
}

/** With RNNC_VALIDATE set, a phase's IR is checked before the next reads it: a compiler bug stops there, named. */
function validated<P extends Program>(program: P, after: string): P {
  if (!globalThis.process?.env?.RNNC_VALIDATE) return program;
  const problems = validate(program);
  if (problems.length > 0) throw new Error(`the IR after ${after} is malformed (a compiler bug):\n  ${problems.join("\n  ")}`);
  return program;
}

/** The whole pipeline: parse → check → lower → differentiate → emit. */
export function compile(source: string, file: string, options: CompileOptions): CompileResult {
  const checked = checkSource(source, file, options);
  const model = options.model ? checked.models.find((m) => m.name === options.model) : checked.models[0];
  if (hasErrors(checked.diagnostics) || !model) return { ok: false, checked };
  const program = differentiatedProgram(model, options.dataSizes);
  const code = emitModule(program, options);
  return { ok: true, program, code, checked };
}
