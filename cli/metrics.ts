// Loss and accuracy (or RMSE) of a model on a data set, in batches: what `train` prints after
// each epoch for the validation set, and what `evaluate` prints.
import type { Example } from "../data/examples.ts";
import type { Vocabulary } from "../data/vocabulary.ts";
import type { CompiledModel, LossLayout, ModelBatch } from "../runtime/model.ts";
import type { FloatArray } from "../runtime/types.ts";
import { batchesByLength, exampleLengths, toModelBatch } from "../data/batches.ts";

/** Accuracy for a class or token target (per example, or per valid step), RMSE for a real one. */
export interface Metric {
  target: string;
  kind: "accuracy" | "rmse";
  value: number;
  count: number; // examples, steps or values it is taken over
}

export interface Evaluation {
  loss: number; // the mean over examples of the batches' losses
  examples: number;
  metrics: Metric[];
}

export function evaluate<A extends FloatArray>(
  model: CompiledModel<A>,
  params: Map<string, A>,
  examples: readonly Example[],
  vocabularies: ReadonlyMap<string, Vocabulary>,
  batchSize: number,
): Evaluation {
  const tallies = model.losses.map(() => ({ sum: 0, count: 0 }));
  let loss = 0;
  for (const indices of batchesByLength(exampleLengths(examples, model.data), batchSize)) {
    const batch = toModelBatch(examples, indices, model.data, { vocabularies });
    loss += model.loss(params, batch) * indices.length;
    model.predict(params, batch).forEach((p, i) => tally(model.losses[i], p, batch, tallies[i]));
  }
  return {
    loss: loss / Math.max(1, examples.length),
    examples: examples.length,
    metrics: model.losses.map((l, i) => {
      const { sum, count } = tallies[i];
      const mean = sum / Math.max(1, count);
      return { target: l.target, kind: l.kind === "mse" ? "rmse" : "accuracy", value: l.kind === "mse" ? Math.sqrt(mean) : mean, count };
    }),
  };
}

/** `valid loss 0.380  valid accuracy 97.5%`; a target is named when there are several losses. */
export function formatEvaluation(e: Evaluation, prefix: string): string {
  const several = e.metrics.length > 1;
  const parts = [`${prefix}loss ${formatLoss(e.loss)}`];
  for (const m of e.metrics) {
    const label = `${prefix}${m.kind === "rmse" ? "RMSE" : "accuracy"}${several ? `(${m.target})` : ""}`;
    parts.push(m.kind === "rmse" ? `${label} ${m.value.toPrecision(4)}` : `${label} ${formatPercent(m.value)}`);
  }
  return parts.join("  ");
}

export const formatLoss = (x: number) => (Math.abs(x) >= 1000 || (x !== 0 && Math.abs(x) < 0.001) ? x.toExponential(2) : x.toFixed(3));
const formatPercent = (x: number) => `${(100 * x).toFixed(x > 0.999 && x < 1 ? 2 : 1)}%`;

/** Adds one batch's hits (or squared errors) and counts. */
function tally(loss: LossLayout, prediction: FloatArray, batch: ModelBatch, into: { sum: number; count: number }) {
  const B = batch.size;
  const n = loss.size;
  const target = batch.fields.get(loss.target)!; // ids (width 1) or values (width n), like the prediction
  const lengths = loss.axis ? batch.lengths[loss.axis]! : undefined;
  const T = lengths ? Math.max(...lengths) : 1;
  for (let t = 0; t < T; t++)
    for (let b = 0; b < B; b++) {
      if (lengths && t >= lengths[b]) continue;
      const at = (t * B + b) * n;
      if (loss.kind === "cross_entropy") {
        into.sum += argmax(prediction, at, n) === target[t * B + b] ? 1 : 0;
        into.count++;
      } else if (loss.kind === "binary_cross_entropy") {
        for (let i = 0; i < n; i++) into.sum += (prediction[at + i] > 0.5) === (target[at + i] > 0.5) ? 1 : 0;
        into.count += n;
      } else {
        for (let i = 0; i < n; i++) into.sum += (prediction[at + i] - target[at + i]) ** 2;
        into.count += n;
      }
    }
}

function argmax(values: FloatArray, from: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (values[from + i] > values[from + best]) best = i;
  return best;
}
