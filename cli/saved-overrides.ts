// The dims and train settings a checkpoint's run was trained with (its --set and flags, saved as
// meta.overrides), which evaluate, predict, sample, export, compile and train --resume apply
// again. They come from a file, not from the user's command line: one that is not a number, or
// that the model refuses (an unknown name, a dim of -3), is a problem of that checkpoint file and
// is reported as one (path, key, what is wrong), not as a `--set` mistake or an error in the .rnn.
import { checkSource } from "../compiler/index.ts";
import { hasErrors } from "../compiler/diagnostics.ts";
import type { CheckedModel } from "../compiler/2-check/checked.ts";
import { grouped, MAX_SIZE, validDim } from "../compiler/limits.ts";
import { readModelSource } from "./model-source.ts";
import { overrideProblem } from "./setup.ts";
import { Stop } from "./stop.ts";

/**
 * meta.overrides of the checkpoint at `path`, checked against the model in `modelFile`; the names
 * in `given` (the command's own --set, which replaces them) are not checked. Throws a Stop naming
 * the checkpoint, the key and the problem, or saying that it is another model's (when the
 * checkpoint says whose it is): its overrides would only be that model's names.
 */
export function savedOverrides(checkpoint: { model?: string; meta: Record<string, unknown> }, path: string, modelFile: string, given: Iterable<string> = []): Map<string, number> {
  // Another model's checkpoint first: its overrides would only be that model's names. (A model file
  // that does not check says so when it is loaded; the runtime compares the names again then.)
  const model = plainModel(modelFile);
  if (model && checkpoint.model !== undefined && checkpoint.model !== model.name) throw new Stop(`${path}: a checkpoint of model ${checkpoint.model}, not ${model.name}`);
  const o = checkpoint.meta.overrides;
  const bad = (what: string): never => {
    throw new Stop(`${path}: meta.overrides${what}\n  (a checkpoint's meta.overrides holds the dims and settings its run was trained with: was this file edited, or written by another tool?)`);
  };
  if (o === undefined) return new Map();
  if (typeof o !== "object" || o === null || Array.isArray(o)) return bad(` is ${JSON.stringify(o) ?? String(o)}, not an object of names and numbers`);
  const overrides = new Map<string, number>();
  for (const [key, value] of Object.entries(o)) {
    if (typeof value !== "number" || !Number.isFinite(value)) bad(`.${key} is ${JSON.stringify(value) ?? String(value)}, not a number`);
    overrides.set(key, value as number);
  }
  const replaced = new Set(given);
  if (!model) return overrides; // the model file's own problems are said when it is loaded
  for (const [key, value] of overrides) {
    if (replaced.has(key)) continue;
    if (model.dims.has(key)) {
      if (!validDim(value)) bad(`.${key} is ${value}: dim ${key} must be a whole number from 1 to ${grouped(MAX_SIZE)}`);
      continue;
    }
    const problem = overrideProblem(model, new Map([[key, value]]));
    if (problem) bad(`.${key} is ${value}: ${problem.replace(/^rnnc: --set [^:]*: /, "")}`);
  }
  return overrides;
}

/** The model of a file as written (no overrides), or undefined when it cannot be read or has errors. */
function plainModel(file: string): CheckedModel | undefined {
  try {
    const result = checkSource(readModelSource(file), file);
    return hasErrors(result.diagnostics) || result.models.length !== 1 ? undefined : result.models[0];
  } catch {
    return undefined;
  }
}
