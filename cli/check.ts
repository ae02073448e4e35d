// rnnc check FILE.rnn...: diagnostics, or a summary of every model in each file.
import { readModelSource } from "./model-source.ts";
import { checkSource } from "../compiler/index.ts";
import { formatDiagnostic, hasErrors } from "../compiler/diagnostics.ts";
import { printable } from "../compiler/escape.ts";
import { overrideProblem } from "./setup.ts";
import { summarize } from "./summary.ts";

export function checkCommand(files: string[], sets: string[]): number {
  if (files.length === 0) {
    console.error("rnnc check: name a .rnn file to check, e.g. rnnc check examples/parity.rnn");
    return 2;
  }
  const overrides = parseOverrides(sets);
  if (!overrides) return 2;
  let failed = false;
  for (const file of files) {
    let source: string;
    try {
      source = readModelSource(file);
    } catch (error) {
      console.error(printable((error as Error).message));
      failed = true;
      continue;
    }
    const result = checkSource(source, file, { overrides });
    for (const d of result.diagnostics) console.error(formatDiagnostic(d, file, source));
    if (hasErrors(result.diagnostics)) {
      const errors = result.diagnostics.filter((d) => d.severity === "error").length;
      console.error(`${printable(file)}: ${errors} error${errors === 1 ? "" : "s"}`);
      failed = true;
      continue;
    }
    if (result.models.length === 0) console.log(`${printable(file)}: no model (${result.cells.length} cell and layer definitions check)`);
    for (const model of result.models) {
      const problem = overrideProblem(model, overrides);
      if (problem) {
        console.error(problem);
        return 2;
      }
      console.log(printable(summarize(model, source), "\n"));
    }
  }
  return failed ? 1 : 0;
}

/** `H=64` → H → 64. */
export function parseOverrides(sets: string[]): Map<string, number> | undefined {
  const overrides = new Map<string, number>();
  for (const s of sets) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(s);
    const value = match ? Number(match[2]) : NaN;
    if (!match || !Number.isFinite(value)) {
      console.error(`rnnc: --set takes NAME=NUMBER, as --set H=64, not '${s}'`);
      return undefined;
    }
    overrides.set(match[1], value);
  }
  return overrides;
}
