// Small programs of the examples, their batches as the runtime sees them, and comparisons.
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { checkSource } from "../../compiler/index.ts";
import { lower } from "../../compiler/3-lower/index.ts";
import { differentiate } from "../../compiler/4-differentiate/index.ts";
import type { Batch } from "../../compiler/ir/interpret.ts";
import type { DifferentiatedProgram } from "../../compiler/ir/nodes.ts";
import type { ModelBatch } from "../../runtime/model.ts";
import type { FloatArray } from "../../runtime/types.ts";

export const meanOverTokens = (s: string) => s.replace(/^(\s*loss .*\]\))/m, "$1 mean over tokens");

export function program(name: string, dims: Record<string, number>, sizes: Record<string, number>, edit: (s: string) => string = (s) => s): DifferentiatedProgram {
  const source = edit(readFileSync(`examples/${name}.rnn`, "utf8"));
  const checked = checkSource(source, name, { overrides: new Map(Object.entries(dims)) });
  if (checked.models.length !== 1) throw new Error(`examples/${name}.rnn did not check`);
  return differentiate(lower(checked.models[0], new Map(Object.entries(sizes))));
}

export const cast = (a: Float64Array, dtype: "float32" | "float64"): FloatArray => (dtype === "float64" ? a : Float32Array.from(a));

export const modelBatch = (batch: Batch, dtype: "float32" | "float64"): ModelBatch => ({
  size: batch.size,
  lengths: batch.lengths,
  fields: new Map([...batch.fields].map(([k, v]) => [k, cast(v, dtype)])),
});

export const castParams = (params: Map<string, Float64Array>, dtype: "float32" | "float64") => new Map([...params].map(([k, v]) => [k, cast(v, dtype)]));

/** The largest |a − b| / max(1, |b|) over two maps of arrays with the same keys and lengths. */
export function maxRelativeDifference(a: Map<string, ArrayLike<number>>, b: Map<string, ArrayLike<number>>): number {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  let worst = 0;
  for (const [k, x] of a) {
    const y = b.get(k)!;
    expect(x.length, k).toBe(y.length);
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / Math.max(1, Math.abs(y[i])));
  }
  return worst;
}

/** Asserts that the gradients are not all zero (a comparison of zeros proves nothing). */
export function expectNonZero(grads: Map<string, ArrayLike<number>>): void {
  let norm = 0;
  for (const g of grads.values()) for (let i = 0; i < g.length; i++) norm += g[i] * g[i];
  expect(norm).toBeGreaterThan(1e-6);
}
