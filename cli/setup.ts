// What `train` and `evaluate` share: a model file checked, data files read and encoded, and the
// model compiled for a backend. A problem is a Stop: one clear message and an exit code.
import type { CheckedModel } from "../compiler/2-check/checked.ts";
import { formatDiagnostic, hasErrors } from "../compiler/diagnostics.ts";
import { printable } from "../compiler/escape.ts";
import { checkSource, differentiatedProgram } from "../compiler/index.ts";
import { encodeExamples, type Example } from "../data/examples.ts";
import type { DataField } from "../data/fields.ts";
import { readRecords, type ReadOptions } from "../data/formats.ts";
import { formatDataErrors } from "../data/jsonl.ts";
import type { Vocabulary } from "../data/vocabulary.ts";
import type { DifferentiatedProgram } from "../compiler/ir/nodes.ts";
import { programSizeProblem } from "../compiler/limits.ts";
import type { CompiledModel } from "../runtime/model.ts";
import { backends, type Backend } from "./backends.ts";
import { dataSizes } from "./model-data.ts";
import { readModelSource } from "./model-source.ts";
import { Stop } from "./stop.ts";


/** Settings `--set` may change besides the model's dims, and what each accepts. */
const settingRules: Record<string, { ok: (x: number) => boolean; describe: string }> = {
  batch: { ok: (x) => Number.isInteger(x) && x >= 1, describe: "a whole number, at least 1" },
  epochs: { ok: (x) => Number.isInteger(x) && x >= 1, describe: "a whole number, at least 1" },
  seed: { ok: (x) => Number.isSafeInteger(x) && x >= 0, describe: "a whole number, at least 0" },
  bptt: { ok: (x) => Number.isInteger(x) && x >= 1, describe: "a whole number, at least 1" },
  clip_norm: { ok: (x) => x >= 0, describe: "a number, at least 0 (0 turns clipping off)" },
  weight_decay: { ok: (x) => x >= 0, describe: "a number, at least 0" },
  lr: { ok: (x) => x > 0, describe: "a number above 0" },
  momentum: { ok: (x) => x >= 0 && x < 1, describe: "a number from 0 up to (not including) 1" },
  beta1: { ok: (x) => x >= 0 && x < 1, describe: "a number from 0 up to (not including) 1" },
  beta2: { ok: (x) => x >= 0 && x < 1, describe: "a number from 0 up to (not including) 1" },
  eps: { ok: (x) => x >= 0, describe: "a number, at least 0" },
  warmup: { ok: (x) => Number.isInteger(x) && x >= 0, describe: "a whole number of updates, at least 0" },
  early_stop: { ok: (x) => Number.isInteger(x) && x >= 1, describe: "a whole number of epochs (the patience), at least 1" },
};

/** Reads and checks a model file; diagnostics (warnings too) go to stderr. */
export function loadModel(file: string, overrides: Map<string, number>): { model: CheckedModel; source: string } {
  let source: string;
  try {
    source = readModelSource(file);
  } catch (error) {
    throw new Stop((error as Error).message);
  }
  const result = checkSource(source, file, { overrides });
  for (const d of result.diagnostics) console.error(formatDiagnostic(d, file, source));
  if (hasErrors(result.diagnostics)) {
    const errors = result.diagnostics.filter((d) => d.severity === "error").length;
    throw new Stop(`${file}: ${errors} error${errors === 1 ? "" : "s"}`);
  }
  if (result.models.length !== 1) {
    const names = result.models.map((m) => m.name).join(", ");
    throw new Stop(result.models.length === 0 ? `${file}: no model to train (only cell and layer definitions)` : `${file}: ${result.models.length} models (${names}); put the one to train in a file of its own`);
  }
  const model = result.models[0];
  const problem = overrideProblem(model, overrides);
  if (problem) throw new Stop(problem, 2);
  return { model, source };
}

/** What is wrong with `--set` for this model: an unknown name, or a value its setting refuses. */
export function overrideProblem(model: CheckedModel, overrides: Map<string, number>): string | undefined {
  for (const [name, value] of overrides) {
    if (model.dims.has(name)) continue;
    const rule = Object.hasOwn(settingRules, name) ? settingRules[name] : undefined;
    if (!rule) {
      const known = [...model.dims.keys(), ...Object.keys(settingRules)].join(", ");
      return `rnnc: --set ${name}=${value}: ${model.name} has no dim or train setting ${name} (it has ${known})`;
    }
    if (!rule.ok(value)) return `rnnc: --set ${name}=${value}: ${name} takes ${rule.describe}`;
  }
  return undefined;
}

export interface DataOptions extends ReadOptions {
  /** Vocabularies to encode with (validation and test data); built from this data when absent. */
  vocabularies?: ReadonlyMap<string, Vocabulary>;
  /** Use only the first `limit` examples of the file. */
  limit?: number;
  /** Train on the good examples when some lines are bad, instead of stopping. */
  skipInvalid: boolean;
}

/**
 * Reads and encodes a data file (JSON Lines, CSV, TSV or text: `format`, or the file's ending);
 * every bad line is reported as `file:line: message`.
 */
export async function loadData(path: string, fields: readonly DataField[], options: DataOptions): Promise<{ examples: Example[]; vocabularies: Map<string, Vocabulary> }> {
  const file = options.file ?? path;
  const lines = await readRecords(path, fields, options);
  const wholeFile = lines.errors.find((e) => e.line === 0);
  if (wholeFile) throw new Stop(formatDataErrors([wholeFile]));
  let { records, errors } = lines;
  if (options.limit !== undefined && records.length > options.limit) {
    records = records.slice(0, options.limit);
    const last = records.at(-1)?.line ?? 0;
    errors = errors.filter((e) => e.line <= last);
  }
  const data = encodeExamples(records, fields, options.vocabularies, { file });
  const bad = [...errors, ...data.errors].sort((a, b) => a.line - b.line);
  const badLines = new Set(bad.map((e) => e.line)).size;
  if (bad.length > 0) {
    const listed = formatDataErrors(bad);
    const count = `${badLines} bad line${badLines === 1 ? "" : "s"}`;
    if (!options.skipInvalid || data.examples.length === 0) {
      const advice = data.examples.length === 0 ? "no example is usable" : `fix them, or pass --skip-invalid to use the other ${data.examples.length}`;
      throw new Stop(`${listed}\n${file}: ${count}; ${advice}`);
    }
    console.error(printable(`${listed}\n${file}: skipped ${count}, using the other ${data.examples.length} examples`, "\n"));
  }
  if (data.examples.length === 0) throw new Stop(`${file}: no examples (the file is empty)`);
  return { examples: data.examples, vocabularies: data.vocabularies };
}

/** The number a flag gives, which must be whole and at least `min`; else a usage error (exit 2). */
export function whole(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) throw new Stop(`rnnc: ${flag} takes a whole number${min > 0 ? ` of at least ${min}` : ""}, not '${text}'`, 2);
  return n;
}

/** Binds the data's sizes, lowers, differentiates and hands the program to a backend. */
export async function compileModel(
  model: CheckedModel,
  vocabularies: ReadonlyMap<string, Vocabulary>,
  dataFile: string,
  backend: Backend,
  /** Sees the program before the backend compiles it: the memory check (cli/memory.ts) refuses a run too large here. */
  before?: (program: DifferentiatedProgram) => void,
): Promise<CompiledModel> {
  const { sizes, errors } = dataSizes(model, vocabularies, dataFile);
  if (errors.length > 0) throw new Stop(errors.join("\n"));
  const program = differentiatedProgram(model, sizes);
  const tooLarge = programSizeProblem(program); // a vocabulary's size times a dim, say
  if (tooLarge) throw new Stop(`${dataFile}: ${tooLarge}`, 2);
  before?.(program);
  return backend.create(program);
}

export function backendNamed(name: string): Backend {
  if (!Object.hasOwn(backends, name)) throw new Stop(`rnnc: --backend ${name}: the backends are ${Object.keys(backends).join(", ")}`, 2);
  return backends[name];
}
