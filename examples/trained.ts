// A trained checkpoint, rebuilt for the example scripts that score it themselves (spam.ts, moby.ts):
// the model checked with the overrides it was trained with, compiled with the checkpoint's
// vocabularies, its params restored; then its predictions on records in batches, and samples. The
// same steps as `rnnc evaluate` and `rnnc sample`, which print only the loss and accuracy, or stop
// at <eos>: precision, recall and bits per character need the predictions themselves.
import { checkpointVocabularies, readCheckpoint, restoreParams } from "../cli/checkpoints.ts";
import { modelFields } from "../cli/model-data.ts";
import { toModelBatch } from "../data/batches.ts";
import { backendNamed, compileModel, loadModel } from "../cli/setup.ts";
import { encodeExamples, type Example } from "../data/examples.ts";
import { formatDataErrors } from "../data/errors.ts";
import type { Vocabulary } from "../data/vocabulary.ts";
import { generate } from "../runtime/generation.ts";
import type { CompiledModel } from "../runtime/model.ts";
import { Rng } from "../runtime/rng.ts";
import { neverGenerated } from "../runtime/sample-inputs.ts";
import { sampleLogits } from "../runtime/sampling.ts";
import type { FloatArray } from "../runtime/types.ts";

export interface Trained {
  model: CompiledModel;
  params: Map<string, FloatArray>;
  fields: ReturnType<typeof modelFields>;
  vocabularies: Map<string, Vocabulary>;
}

/** The model of `file` with the params and vocabularies of `checkpoint`, on the compiled backend. */
export async function loadTrained(file: string, checkpoint: string): Promise<Trained> {
  const saved = readCheckpoint(checkpoint);
  const overrides = Object.entries((saved.meta.overrides ?? {}) as Record<string, unknown>).filter((e): e is [string, number] => typeof e[1] === "number");
  const { model: checked } = loadModel(file, new Map(overrides));
  const fields = modelFields(checked);
  const vocabularies = checkpointVocabularies(saved, fields, checkpoint);
  const model = await compileModel(checked, vocabularies, checkpoint, backendNamed("compiled"));
  const params = restoreParams(readCheckpoint(checkpoint, model), model);
  return { model, params, fields, vocabularies };
}

/** Records (the JSON objects of a data file) encoded with the checkpoint's vocabularies; an error is thrown, not skipped. */
export function encodeRecords(trained: Trained, records: readonly object[], file = "records"): Example[] {
  const encoded = encodeExamples(records.map((value, i) => ({ line: i + 1, value })), trained.fields, trained.vocabularies, { file });
  if (encoded.errors.length > 0) throw new Error(formatDataErrors(encoded.errors));
  return encoded.examples;
}

/**
 * `model.predict` over `examples`, `batchSize` at a time: for each example, each loss's prediction
 * (time-major within the batch, so it is cut out per example here): `perExample[i][loss]` holds
 * the example's steps one after another, `width` numbers a step.
 */
export function predictExamples(trained: Trained, examples: readonly Example[], batchSize = 64): Float64Array[][] {
  const { model, params } = trained;
  const out: Float64Array[][] = [];
  for (let from = 0; from < examples.length; from += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, examples.length - from) }, (_, k) => from + k);
    const batch = toModelBatch(examples, indices, model.data, { arrays: Float32Array });
    const predicted = model.predict(params, batch);
    const B = indices.length;
    indices.forEach((_, b) => {
      out.push(model.losses.map((loss, l) => {
        // Each loss's prediction is [T, B, width], T the batch's longest example (1 without an axis).
        const T = loss.axis ? batch.lengths[loss.axis]!.reduce((m, n) => Math.max(m, n), 0) : 1;
        const width = predicted[l]!.length / (T * B);
        const steps = loss.axis ? batch.lengths[loss.axis]![b]! : 1;
        const values = new Float64Array(steps * width);
        for (let t = 0; t < steps; t++) for (let i = 0; i < width; i++) values[t * width + i] = predicted[l]![(t * B + b) * width + i]!;
        return values;
      }));
    });
  }
  return out;
}

/**
 * Samples `count` sequences of the model's autoregressive target from <bos> (a model without
 * inputs), at `temperature`, never choosing the tokens `forbid` names (nor, as rnnc sample,
 * <pad>, <unk>, <bos>): given <eos>, each sample runs the full `steps`. rnnc sample has no such
 * option; moby.ts needs it because its chunks all end after a space, so the model learns to end a
 * text after about one space in a hundred.
 */
export function sampleTexts(trained: Trained, options: { count: number; steps: number; temperature: number; seed: number; forbid?: string[] }): string[] {
  const target = trained.fields.find((f) => f.autoregressive);
  if (!target || !trained.model.generator) throw new Error(`${trained.model.name}: no autoregressive target to sample`);
  if (trained.fields.some((f) => f.role === "input")) throw new Error(`${trained.model.name}: sampleTexts takes models without inputs`);
  const vocabulary = trained.vocabularies.get(target.name)!;
  const exclude = [...neverGenerated(vocabulary), ...(options.forbid ?? []).map((token) => vocabulary.id(token))];
  const rng = new Rng(options.seed);
  const empty = encodeExamples([{ line: 1, value: {} }], [], trained.vocabularies, { file: "sample" });
  const batch = toModelBatch(empty.examples, new Int32Array(options.count), [], { arrays: Float32Array });
  const generated = generate(trained.model, trained.params, batch, {
    steps: options.steps,
    bos: vocabulary.bos,
    eos: vocabulary.eos,
    exclude,
    choose: (logits, offset, length) => sampleLogits(logits, offset, length, rng, { temperature: options.temperature }),
  });
  return generated.map((ids) => vocabulary.decode(ids));
}
