// Encoded examples as the time-major minibatches a CompiledModel takes: which examples go
// together (of similar lengths, so that little of a batch is padding) and their fields laid out
// step by step. Browser-safe: training, evaluation, prediction and the browser bundle share it.
import type { Example } from "./examples.ts";
import type { Vocabulary } from "./vocabulary.ts";
import type { Axis, DataLayout, ModelBatch } from "../runtime/model.ts";
import type { FloatArray } from "../runtime/types.ts";

/** The steps each example runs for on each axis (1 for an example without sequences): for bucketing. */
export function exampleLengths(examples: readonly Example[], layout: readonly DataLayout[]): Int32Array {
  const sequences = layout.filter((d) => d.sequence && !d.name.endsWith("@input"));
  return Int32Array.from(examples, (e) => {
    let steps = 0;
    const counted = new Set<Axis | undefined>();
    for (const d of sequences) {
      if (counted.has(d.axis)) continue;
      counted.add(d.axis);
      steps += e.fields.get(d.name)?.steps ?? 0;
    }
    return Math.max(1, steps);
  });
}

export interface BatchOptions {
  /** Token vocabularies give each field's pad id (ids at padded steps); others pad with 0. */
  vocabularies?: ReadonlyMap<string, Vocabulary>;
  /** Float32Array for a float32 backend; Float64Array by default. */
  arrays?: Float32ArrayConstructor | Float64ArrayConstructor;
}

/**
 * Examples `indices` of `examples` as one time-major minibatch: field value (t, b, i) at
 * (t * B + b) * width + i. Ids are stored as numbers; an autoregressive target gives `NAME`
 * (what is predicted) and `NAME@input` (what is read, from <bos>). Padded steps hold the
 * field's pad id, or zeros.
 */
export function toModelBatch(examples: readonly Example[], indices: ArrayLike<number>, layout: readonly DataLayout[], options: BatchOptions = {}): ModelBatch {
  const Arrays = options.arrays ?? Float64Array;
  const B = indices.length;
  const picked = Array.from({ length: B }, (_, b) => examples[indices[b]]);
  const lengths: Partial<Record<Axis, Int32Array>> = {};
  const fields = new Map<string, FloatArray>();
  for (const d of layout) {
    const base = d.name.endsWith("@input") ? d.name.slice(0, -"@input".length) : d.name;
    const encoded = picked.map((e) => {
      const field = e.fields.get(base);
      if (!field) throw new Error(`example on line ${e.line} has no field ${base}`);
      return field;
    });
    if (d.sequence && d.axis && !lengths[d.axis]) lengths[d.axis] = Int32Array.from(encoded, (f) => f.steps);
    const T = d.sequence ? Math.max(...encoded.map((f) => f.steps)) : 1;
    const width = d.kind === "ids" ? 1 : d.size;
    const values = new Arrays(T * B * width);
    if (d.kind === "ids") values.fill(options.vocabularies?.get(base)?.kind === "token" ? options.vocabularies.get(base)!.pad : 0);
    encoded.forEach((f, b) => {
      if (f.kind === "vectors") {
        for (let t = 0; t < f.steps; t++) values.set(f.values.subarray(t * width, (t + 1) * width), (t * B + b) * width);
        return;
      }
      const ids = f.kind === "ids" ? f.ids : d.name === base ? f.target : f.input;
      for (let t = 0; t < ids.length; t++) values[t * B + b] = ids[t];
    });
    fields.set(d.name, values);
  }
  return { size: B, lengths, fields };
}

/** Batches of examples of similar length, in a fixed order (no shuffling: evaluation). */
export function batchesByLength(lengths: Int32Array, batchSize: number): Int32Array[] {
  const order = Int32Array.from(lengths.keys()).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const batches: Int32Array[] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.subarray(i, i + batchSize));
  return batches;
}
