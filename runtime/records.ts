// Predictions from records: a trained model asked about examples written as in its data files
// (`{"bits": "0110"}`) and answering in the same terms (`{"even": {"label": "even",
// "probability": 0.97}}`). One implementation: `rnnc predict` prints what this returns (as JSON
// Lines with --json), and the browser bundle's predict is this.
//
// A record means here what the same line means in training: it is encoded by the data layer's
// own code (data/examples.ts: an unknown token becomes <unk>, an unknown class is an error) and
// batched by the training loop's (toModelBatch, in length order as evaluation does). Only the
// inputs are read; the targets may be there (a line of a test file) and are ignored, but a field
// the model does not have at all is an error, since it is most likely a misspelt input.
//
// Browser-safe: the data layer's encoding and the CLI's batching import nothing from Node.
import { batchesByLength, exampleLengths, toModelBatch } from "../data/batches.ts";
import type { DataError } from "../data/errors.ts";
import { encodeExamples, type Example, type NumberedRecord } from "../data/examples.ts";
import type { DataField } from "../data/fields.ts";
import type { Vocabulary } from "../data/vocabulary.ts";
import type { Checkpoint } from "./checkpoint-shared.ts";
import type { Axis, CompiledModel, DataLayout, LossLayout, ModelBatch, OutputLayout } from "./model.ts";
import { argmax } from "./sampling.ts";
import { restore, type Trained } from "./trained.ts";
import type { FloatArray } from "./types.ts";

/** A class (or token) and how likely the model finds it. */
export interface Choice {
  label: string;
  probability: number;
}

/** The likeliest class; with `top` > 1, also the `top` likeliest, best first (the first is the same). */
export interface ClassPrediction extends Choice {
  top?: Choice[];
}

/**
 * One target's prediction, shaped like the target in a data file: a class target gives a
 * ClassPrediction, a sequence of classes or tokens one per step; a `vec(n)` target its n numbers
 * (the values for mse, the probabilities for binary_cross_entropy), a `seq<vec(n)>` target one
 * such array per step — flattened to one number per step for `seq<vec(1)>`, as data files write it.
 * A declared output (`output probs[t] = softmax(…)`) is shaped the same way: a softmax over a
 * field's classes or tokens gives ClassPredictions, anything else its numbers (a scalar: one number).
 */
export type TargetPrediction = ClassPrediction | ClassPrediction[] | number | number[] | number[][];

/** One example's predictions, keyed by the declared outputs' names, or by the losses' targets' when the model declares none. */
export type Prediction = Record<string, TargetPrediction>;

/** What one key of a Prediction holds. */
export interface Output {
  key: string;
  /** One per step of `axis` (a sequence), or one per example. */
  sequence: boolean;
  axis?: Axis;
  /** labels: ClassPredictions, named by the vocabulary of the field `labelsOf`; numbers: values or probabilities. */
  gives: "labels" | "numbers";
  labelsOf?: string;
  /** What the numbers are: probabilities (shown to two decimals) or values (to four significant digits). */
  numbers: "probabilities" | "values";
  /** For a model that declares no outputs: the loss (and its target) the key is the prediction of. */
  loss?: { kind: LossLayout["kind"]; target: string };
}

export interface PredictOptions {
  /** How many of the likeliest classes to list in `top` (1: none listed, only the likeliest). */
  top?: number;
}

export interface PredictorOptions {
  /** Examples per call of the model (64); a longer list is cut into batches of similar length. */
  batch?: number;
}

export interface Predictor {
  /** The fields a record gives. */
  readonly inputs: readonly DataField[];
  /** The keys of a prediction: the declared outputs, or else one per loss, in the model's order. */
  readonly outputs: readonly Output[];
  /** One record's predictions; throws a RecordError when the record is not a valid one. */
  predict(record: unknown, options?: PredictOptions): Prediction;
  /** Each record's predictions, in order; throws a RecordError naming every bad record (by index). */
  predictBatch(records: readonly unknown[], options?: PredictOptions): Prediction[];
  /** The checks and encoding of predictBatch, with each problem as `file:line: message` (rnnc predict --data). */
  encode(records: readonly NumberedRecord[], file: string): { examples: Example[]; errors: DataError[] };
  /** Predictions for records that encode() accepted, in their order. */
  predictEncoded(examples: readonly Example[], options?: PredictOptions): Prediction[];
}

/** Records that cannot be predicted from; `problems` has each one's index (from 0) and what is wrong. */
export class RecordError extends Error {
  constructor(readonly problems: { index: number; message: string }[], single: boolean) {
    super(problems.map((p) => `${single ? "record" : `records[${p.index}]`}: ${p.message}`).join("\n"));
    this.name = "RecordError";
  }
}

/**
 * Predictions of `model` with the params and vocabularies of `checkpoint`: a Trained (the
 * browser bundle's loadCheckpoint, or restore()) or a Checkpoint as decodeCheckpoint and
 * loadCheckpointFile return it. Throws for a model whose targets cannot be predicted from its
 * inputs: one generated token by token (read at t-1; see the module's generate, or rnnc sample),
 * or one on a time axis that no input has (its length would be unknown).
 */
export function predictor<A extends FloatArray>(model: CompiledModel<A>, checkpoint: Trained<A> | Checkpoint, options: PredictorOptions = {}): Predictor {
  const trained = checkpoint.vocabularies instanceof Map ? (checkpoint as Trained<A>) : restore(model, checkpoint as Checkpoint);
  const { params, vocabularies } = trained;
  const fields = fieldsOf(model, vocabularies);
  const inputs = fields.filter((f) => f.role === "input");
  const inputLayout = model.data.filter((d) => d.role === "input");
  const targetLayout = model.data.filter((d) => d.role === "target");
  refuseUnpredictable(model, fields);
  const batchSize = options.batch ?? 64;
  if (!(Number.isSafeInteger(batchSize) && batchSize >= 1)) throw new RangeError(`batch must be a whole number, at least 1; got ${batchSize}`);
  // The batch in the module's own float type (its params say which).
  const arrays = params.values().next().value instanceof Float32Array ? Float32Array : Float64Array;
  const declared = model.outputs.length > 0;
  const outputs = declared ? declaredOutputs(model.outputs, vocabularies) : lossOutputs(model.losses, fields, vocabularies);
  const known = new Set(fields.map((f) => f.name));
  const describe = `${model.name} reads ${names(fields, "input")} and predicts ${names(fields, "target")}`;

  function encode(records: readonly NumberedRecord[], file: string): { examples: Example[]; errors: DataError[] } {
    const strangers: DataError[] = [];
    for (const { line, value } of records) {
      if (typeof value !== "object" || value === null || Array.isArray(value)) continue; // encodeExamples says what it should be
      for (const key of Object.keys(value)) if (!known.has(key)) strangers.push({ file, line, message: `unknown field ${JSON.stringify(key)}: ${describe}` });
    }
    const encoded = encodeExamples(records, inputs, vocabularies, { file });
    const bad = new Set(strangers.map((e) => e.line));
    const examples = encoded.examples.filter((e) => !bad.has(e.line));
    return { examples, errors: [...strangers, ...encoded.errors].sort((a, b) => a.line - b.line) };
  }

  /** Examples `indices` as one batch. predict() computes the loss on the way, so the targets get arrays too: zeros, read by no prediction. */
  function batchOf(examples: readonly Example[], indices: Int32Array): ModelBatch {
    const batch = toModelBatch(examples, indices, inputLayout, { vocabularies, arrays });
    for (const d of targetLayout) {
      const lengths = d.sequence && d.axis ? batch.lengths[d.axis]! : undefined;
      const steps = lengths ? lengths.reduce((a, b) => Math.max(a, b), 1) : 1;
      batch.fields.set(d.name, new arrays(steps * indices.length * (d.kind === "ids" ? 1 : d.size)));
    }
    return batch;
  }

  function predictEncoded(examples: readonly Example[], { top = 1 }: PredictOptions = {}): Prediction[] {
    if (!(Number.isSafeInteger(top) && top >= 1)) throw new RangeError(`top must be a whole number, at least 1; got ${top}`);
    const results: Prediction[] = new Array(examples.length);
    for (const indices of batchesByLength(exampleLengths(examples, model.data), batchSize)) {
      const batch = batchOf(examples, indices);
      const predicted = declared ? model.outputValues(params, batch) : model.predict(params, batch);
      const widths = declared ? model.outputs.map((o) => o.size) : model.losses.map((l) => l.size);
      indices.forEach((example, b) => {
        const prediction: Prediction = {};
        outputs.forEach((output, i) => (prediction[output.key] = read(output, widths[i], predicted[i], batch, b, top, vocabularies)));
        results[example] = prediction;
      });
    }
    return results;
  }

  function predictBatch(records: readonly unknown[], options?: PredictOptions, single = false): Prediction[] {
    const { examples, errors } = encode(
      records.map((value, index) => ({ line: index + 1, value })),
      "records",
    );
    if (errors.length > 0) throw new RecordError(errors.map((e) => ({ index: e.line - 1, message: e.message })), single);
    return predictEncoded(examples, options);
  }

  return {
    inputs,
    outputs,
    predict: (record, options) => predictBatch([record], options, true)[0],
    predictBatch: (records, options) => predictBatch(records, options),
    encode,
    predictEncoded,
  };
}

/** The model's inputs and targets as the data layer describes them; the vocabularies say tokens from classes. */
function fieldsOf(model: CompiledModel, vocabularies: ReadonlyMap<string, Vocabulary>): DataField[] {
  return model.data
    .filter((d) => !d.name.endsWith("@input"))
    .map((d) => ({
      name: d.name,
      role: d.role,
      sequence: d.sequence,
      element: d.kind === "vectors" ? { kind: "vector" as const, size: d.size } : { kind: vocabularyOf(vocabularies, d).kind },
      ...(d.axis ? { axis: d.axis } : {}),
      ...(d.shifted ? { autoregressive: true } : {}),
    }));
}

function vocabularyOf(vocabularies: ReadonlyMap<string, Vocabulary>, d: Pick<DataLayout, "name">): Vocabulary {
  const vocabulary = vocabularies.get(d.name);
  if (!vocabulary) throw new Error(`no vocabulary for ${d.name}: the checkpoint does not fit the model`);
  return vocabulary;
}

function refuseUnpredictable(model: CompiledModel, fields: readonly DataField[]): void {
  const along = (axis: Axis | undefined) => fields.some((g) => g.role === "input" && g.sequence && g.axis === axis);
  for (const f of fields) {
    if (f.autoregressive) throw new Error(`${model.name}: ${f.name} is read at t-1 and predicted at t: it is generated token by token (rnnc sample, or the module's generate), not predicted from inputs`);
    if (model.outputs.length === 0 && f.role === "target" && f.sequence && !along(f.axis)) {
      throw new Error(`${model.name}: target ${f.name} runs along axis ${f.axis}, which no input does: its length cannot be known without it`);
    }
  }
  for (const o of model.outputs)
    if (o.axis && !along(o.axis)) throw new Error(`${model.name}: output ${o.name} runs along axis ${o.axis}, which no input does: its length cannot be known without it`);
}

/** A model without declared outputs: each loss's prediction, keyed by its target. */
function lossOutputs(losses: readonly LossLayout[], fields: readonly DataField[], vocabularies: ReadonlyMap<string, Vocabulary>): Output[] {
  const keys = new Map<string, number>();
  return losses.map((loss) => {
    const target = fields.find((f) => f.name === loss.target)!;
    const seen = (keys.get(loss.target) ?? 0) + 1;
    keys.set(loss.target, seen);
    const labels = target.element.kind !== "vector" && loss.kind !== "mse";
    if (labels) vocabularyOf(vocabularies, target);
    // A second loss on the same target (rare) gets its own key: `y#2`.
    return {
      key: seen === 1 ? loss.target : `${loss.target}#${seen}`,
      sequence: target.sequence,
      ...(target.axis ? { axis: target.axis } : {}),
      gives: labels ? "labels" : "numbers",
      ...(labels ? { labelsOf: target.name } : {}),
      numbers: loss.kind === "mse" ? "values" : "probabilities",
      loss: { kind: loss.kind, target: loss.target },
    };
  });
}

/** The declared outputs: a softmax over a field's ids names its classes; anything else is numbers. */
function declaredOutputs(outputs: readonly OutputLayout[], vocabularies: ReadonlyMap<string, Vocabulary>): Output[] {
  return outputs.map((o) => {
    if (o.over) vocabularyOf(vocabularies, { name: o.over });
    return {
      key: o.name,
      sequence: o.axis !== undefined,
      ...(o.axis ? { axis: o.axis } : {}),
      gives: o.over ? "labels" : "numbers",
      ...(o.over ? { labelsOf: o.over } : {}),
      numbers: o.over ? "probabilities" : "values",
    };
  });
}

/** Example b's value of one output (n numbers a step), from the module's time-major arrays: (t, b, i) at (t * B + b) * n + i. */
function read(output: Output, n: number, predicted: FloatArray, batch: ModelBatch, b: number, top: number, vocabularies: ReadonlyMap<string, Vocabulary>): TargetPrediction {
  const B = batch.size;
  const steps = output.axis ? batch.lengths[output.axis]![b] : 1;
  const at = (t: number) => (t * B + b) * n;
  if (output.gives === "labels") {
    const vocabulary = vocabularies.get(output.labelsOf!)!;
    const one = (t: number) =>
      output.loss?.kind === "binary_cross_entropy"
        ? choose(Float64Array.of(1 - predicted[at(t)], predicted[at(t)]), 0, 2, vocabulary, top) // the logit is the second class's
        : choose(predicted, at(t), Math.min(n, vocabulary.size), vocabulary, top);
    return output.sequence ? Array.from({ length: steps }, (_, t) => one(t)) : one(0);
  }
  const values = (t: number) => Array.from(predicted.subarray(at(t), at(t) + n));
  const scalar = !output.loss && n === 1; // a declared scalar: a number (a loss's vec(1) target stays [x], as data files write it)
  if (!output.sequence) return scalar ? predicted[at(0)] : values(0);
  return Array.from({ length: steps }, (_, t) => (n === 1 ? predicted[at(t)] : values(t))) as number[] | number[][];
}

/** The likeliest of the `count` classes at probabilities[from…], and the `top` likeliest when top > 1 (ties: the lower id first). */
function choose(probabilities: ArrayLike<number>, from: number, count: number, vocabulary: Vocabulary, top: number): ClassPrediction {
  const choice = (id: number): Choice => ({ label: vocabulary.token(id), probability: probabilities[from + id] });
  if (top === 1) return choice(argmax(probabilities, from, count));
  const ranked = Array.from({ length: count }, (_, id) => id).sort((x, y) => probabilities[from + y] - probabilities[from + x] || x - y);
  const listed = ranked.slice(0, top).map(choice);
  return { ...listed[0], top: listed };
}

const names = (fields: readonly DataField[], role: DataField["role"]) => fields.filter((f) => f.role === role).map((f) => f.name).join(", ") || "nothing";
