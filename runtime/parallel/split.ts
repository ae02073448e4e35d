// A minibatch cut by examples into parts that add up: each part keeps the whole batch's loss
// denominators (B, or the batch's valid tokens for `mean over tokens`), so the parts' losses and
// gradients sum to the whole batch's. Fields are time-major, (t, b, i) at (t * B + b) * width + i:
// a part of examples [start, start + count) is, at each step, one contiguous run of its rows.
import type { Axis, DataLayout, LossLayout, ModelBatch } from "../model.ts";
import { batchDenominators } from "../batch.ts";
import type { FloatArray } from "../types.ts";

/**
 * Where each of `parts` parts starts, and its size, for a batch of B examples: as even as
 * possible, the larger parts last (part 0 is the main thread's, which also gathers and sums).
 * Fewer parts than asked when B is smaller. Writes [start0, count0, start1, count1, …] into
 * `into` and returns how many parts there are.
 */
export function splitExamples(B: number, parts: number, into: Int32Array): number {
  const n = partCount(B, parts);
  const base = Math.floor(B / n);
  const extra = B % n;
  let start = 0;
  for (let k = 0; k < n; k++) {
    const count = base + (k >= n - extra ? 1 : 0);
    into[2 * k] = start;
    into[2 * k + 1] = count;
    start += count;
  }
  return n;
}

/** How many parts a batch of B examples is cut into when `parts` are asked: at least 1, at most B. */
export const partCount = (B: number, parts: number) => Math.max(1, Math.min(parts, B));

/** Width of one step of a field: 1 for ids, the vector size otherwise. */
export const widthOf = (d: Pick<DataLayout, "kind" | "size">) => (d.kind === "ids" ? 1 : d.size);

/** The steps a part of a field needs: its examples' longest on the field's axis (at most the field's). */
export function partSteps(batch: ModelBatch, d: DataLayout, field: FloatArray, start: number, count: number): number {
  const stored = batch.size === 0 ? 0 : field.length / (batch.size * widthOf(d));
  if (!d.sequence) return stored;
  const lengths = d.axis ? batch.lengths[d.axis] : undefined;
  if (!lengths) return stored;
  let steps = 0;
  for (let b = start; b < start + count; b++) if (lengths[b] > steps) steps = lengths[b];
  return Math.min(steps, stored);
}

/** Copies `steps` steps of examples [start, start + count) of a time-major field into `out` (count rows a step). */
export function copyRows(from: ArrayLike<number>, B: number, width: number, start: number, count: number, steps: number, out: { [i: number]: number }, at = 0): void {
  const run = count * width;
  for (let t = 0; t < steps; t++) {
    const src = (t * B + start) * width;
    const dst = at + t * run;
    for (let i = 0; i < run; i++) out[dst + i] = from[src + i];
  }
}

/**
 * Examples [start, start + count) of a batch as a batch of their own, carrying the whole batch's
 * denominators (so that the parts add up). Allocates: for tests and one-off use; the parallel
 * model gathers into buffers it reuses.
 */
export function sliceBatch(batch: ModelBatch, layout: readonly DataLayout[], losses: readonly LossLayout[], start: number, count: number): ModelBatch {
  const lengths: Partial<Record<Axis, Int32Array>> = {};
  for (const axis of ["t", "s"] as const) {
    const l = batch.lengths[axis];
    if (l) lengths[axis] = l.slice(start, start + count);
  }
  const fields = new Map<string, FloatArray>();
  for (const d of layout) {
    const field = batch.fields.get(d.name);
    if (!field) continue;
    const width = widthOf(d);
    const steps = partSteps(batch, d, field, start, count);
    const out = new (field instanceof Float64Array ? Float64Array : Float32Array)(steps * count * width);
    copyRows(field, batch.size, width, start, count, steps, out);
    fields.set(d.name, out);
  }
  const part: ModelBatch = { size: count, lengths, fields, denominators: batchDenominators(losses, batch) };
  if (batch.carry) {
    const carry = new Map<string, FloatArray>();
    for (const [name, rows] of batch.carry) {
      const size = rows.length / batch.size;
      carry.set(name, rows.slice(start * size, (start + count) * size));
    }
    part.carry = carry;
  }
  return part;
}
