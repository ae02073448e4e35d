// Between a checked model and its data: the fields the data layer reads, the sizes the data
// binds (`vocab(x)`, `classes(y)`) and the minibatches the model runs on.
import type { CheckedModel, DataItem } from "../compiler/2-check/checked.ts";
import { numeric } from "../compiler/2-check/sizes.ts";
import type { DataSizes } from "../compiler/3-lower/index.ts";
import type { Example } from "../data/examples.ts";
import type { DataField } from "../data/fields.ts";
import type { Vocabulary } from "../data/vocabulary.ts";
import type { Axis, DataLayout, ModelBatch } from "../runtime/model.ts";
import type { FloatArray } from "../runtime/types.ts";

/** The model's inputs and targets as the data layer describes them. */
export function modelFields(model: CheckedModel): DataField[] {
  return model.data.map((d) => ({
    name: d.name,
    role: d.role,
    sequence: d.type.sequence,
    element: elementOf(d),
    ...(d.axis ? { axis: d.axis } : {}),
    ...(d.autoregressive ? { autoregressive: true } : {}),
  }));
}

function elementOf(d: DataItem): DataField["element"] {
  const e = d.type.element;
  if (e.kind === "token" || e.kind === "class") return { kind: e.kind };
  const size = e.kind === "tensor" && e.shape.length === 1 ? numeric(e.shape[0]) : undefined;
  if (size === undefined) throw new Error(`the size of ${d.name} is not a number after checking`);
  return { kind: "vector", size };
}

/** `vocab(x)` for a token field, `classes(y)` for a class field. */
export const sizeKey = (d: DataItem): string | undefined =>
  d.type.element.kind === "token" ? `vocab(${d.name})` : d.type.element.kind === "class" ? `classes(${d.name})` : undefined;

/**
 * The sizes the vocabularies bind, for `lower`. A size the model fixes (`dense(H, 2)` for
 * `classes(even)`) stays as the model says, and the data may not have more ids than that.
 */
export function dataSizes(model: CheckedModel, vocabularies: ReadonlyMap<string, Vocabulary>, file: string): { sizes: DataSizes; errors: string[] } {
  const sizes: DataSizes = new Map();
  const errors: string[] = [];
  for (const d of model.data) {
    const key = sizeKey(d);
    const vocabulary = vocabularies.get(d.name);
    if (!key || !vocabulary) continue;
    const fixed = model.sizeConstraints.get(key);
    const n = fixed ? numeric(fixed) : undefined;
    if (n === undefined) {
      sizes.set(key, vocabulary.size);
      continue;
    }
    sizes.set(key, n);
    if (vocabulary.size > n) {
      const what = d.type.element.kind === "class" ? "classes" : "ids (tokens and specials)";
      const shown = vocabulary.tokens.slice(0, 10).join(", ") + (vocabulary.size > 10 ? ", …" : "");
      errors.push(`${file}: ${d.name} has ${vocabulary.size} ${what} (${shown}), but the model fixes ${key} = ${n}`);
    }
  }
  return { sizes, errors };
}

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
