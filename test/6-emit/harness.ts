// What the emitted-module tests share: a module written to test/6-emit/.generated and imported,
// a batch in the dtype of a module, and comparisons that name everything that differs.
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { emitModule } from "../../compiler/6-emit/index.ts";
import type { Batch, Params } from "../../compiler/ir/interpret.ts";
import type { DifferentiatedProgram } from "../../compiler/ir/nodes.ts";
import type { CompiledModel, ModelBatch } from "../../runtime/model.ts";
import type { FloatArray } from "../../runtime/types.ts";

const OUT = "test/6-emit/.generated";
mkdirSync(OUT, { recursive: true });

/** The program's module, written as `.generated/PREFIX-MODEL-DTYPE[-kernels].ts` and imported afresh. */
export async function emitted(p: DifferentiatedProgram, dtype: "float32" | "float64", kernels: boolean, prefix = ""): Promise<CompiledModel> {
  const file = `${OUT}/${prefix}${p.model}-${dtype}${kernels ? "-kernels" : ""}.ts`;
  writeFileSync(file, emitModule(p, { dtype, kernels, runtime: "../../../runtime/model.ts", source: `${p.model}.rnn` }));
  const url = `${pathToFileURL(resolve(file)).href}?${Date.now()}`;
  return (await import(/* @vite-ignore */ url)).default as CompiledModel;
}

export const toModelBatch = (batch: Batch, dtype: "float32" | "float64"): ModelBatch => ({
  size: batch.size,
  lengths: batch.lengths,
  fields: new Map([...batch.fields].map(([k, v]) => [k, dtype === "float64" ? v : Float32Array.from(v)])),
  ...(batch.carry ? { carry: new Map([...batch.carry].map(([k, v]) => [k, dtype === "float64" ? v : Float32Array.from(v)])) } : {}),
});

export const widened = (arrays: Map<string, FloatArray>): Params => new Map([...arrays].map(([k, v]) => [k, Float64Array.from(v)]));

/** What is wrong with `actual` as `expected` to `tolerance` (absolute), or nothing. */
export function mismatch(expected: ArrayLike<number>, actual: ArrayLike<number> | undefined, tolerance: number): string | undefined {
  if (!actual) return "missing";
  if (actual.length !== expected.length) return `length ${actual.length}, expected ${expected.length}`;
  let worst = 0;
  let at = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(expected[i] - actual[i]);
    if (!(diff <= worst)) [worst, at] = [Number.isNaN(diff) ? Infinity : diff, i];
  }
  return worst > tolerance ? `off by ${worst.toExponential(2)} at [${at}] (${actual[at]} for ${expected[at]})` : undefined;
}

export const threw = (error: unknown) => `threw ${(error as Error).message.split("\n")[0]}`;

/** Runs `check`, recording what it reports or throws under `label`. */
export function collect(problems: string[], label: string, check: () => (string | undefined)[]) {
  try {
    for (const problem of check()) if (problem) problems.push(`${label}: ${problem}`);
  } catch (error) {
    problems.push(`${label}: ${threw(error)}`);
  }
}

export const relativeLossError = (expected: number, actual: number) => Math.abs(actual - expected) / Math.max(1, Math.abs(expected));

export interface Reference {
  loss: number;
  grads: Params;
  predictions: Float64Array[];
}

/** Differences of `actual` from `expected`: the loss (relative), every gradient, every prediction. */
export function compare(expected: Reference, actual: Reference, tolerances: { loss: number; grads: number; predictions: number }) {
  const lossError = relativeLossError(expected.loss, actual.loss);
  return [
    lossError <= tolerances.loss ? undefined : `loss ${actual.loss}, expected ${expected.loss} (relative error ${lossError.toExponential(2)})`,
    ...[...expected.grads].map(([name, g]) => {
      const problem = mismatch(g, actual.grads.get(name), tolerances.grads);
      return problem && `gradient of ${name} ${problem}`;
    }),
    ...expected.predictions.map((prediction, l) => {
      const problem = mismatch(prediction, actual.predictions[l], tolerances.predictions);
      return problem && `prediction ${l} ${problem}`;
    }),
  ];
}

/** The tolerances: float64 agrees with the interpreter to rounding; float32 to its precision. */
export const F64 = { loss: 1e-12, grads: 1e-12, predictions: 1e-12 };
export const F32 = { loss: 1e-5, grads: 1e-4, predictions: 1e-4 };
