// Minibatches of variable-length sequences. Layout is TIME-MAJOR: element (t, b) of a batch of
// B sequences is at t * B + b, so the B values of one time step are contiguous — what a loop
// over t that processes the whole batch at each step wants.

import type { LossLayout, ModelBatch } from "./model.ts";
import type { Rng } from "./rng.ts";
import type { FloatArray } from "./types.ts";

export interface PaddedTokens {
  ids: Int32Array; // [maxLen * B], ids[t * B + b]; padId past each sequence's end
  lengths: Int32Array; // [B]
  maxLen: number;
}

export interface PaddedVectors {
  values: Float32Array; // [maxLen * B * dim], values[(t * B + b) * dim + k]; 0 past each end
  lengths: Int32Array; // [B]
  maxLen: number;
}

/** Pads token sequences to the longest one, time-major. */
export function padTokens(sequences: readonly ArrayLike<number>[], padId = 0): PaddedTokens {
  const batch = sequences.length;
  const { lengths, maxLen } = lengthsOf(sequences, (s) => s.length);
  const ids = new Int32Array(maxLen * batch);
  if (padId !== 0) ids.fill(padId);
  for (let b = 0; b < batch; b++) {
    const sequence = sequences[b];
    for (let t = 0; t < sequence.length; t++) ids[t * batch + b] = sequence[t];
  }
  return { ids, lengths, maxLen };
}

/**
 * Pads sequences of `dim`-vectors to the longest one, time-major. Each sequence is either an
 * array of steps (each `dim` numbers) or one flat typed array of length × dim numbers.
 */
export function padVectors(sequences: readonly (readonly ArrayLike<number>[] | FloatArray)[], dim: number): PaddedVectors {
  const batch = sequences.length;
  const isFlat = (s: readonly ArrayLike<number>[] | FloatArray): s is FloatArray => ArrayBuffer.isView(s);
  const { lengths, maxLen } = lengthsOf(sequences, (s, b) => {
    if (!isFlat(s)) return s.length;
    if (s.length % dim !== 0) throw new RangeError(`padVectors: sequence ${b} has ${s.length} values, not a multiple of dim ${dim}`);
    return s.length / dim;
  });
  const values = new Float32Array(maxLen * batch * dim);
  for (let b = 0; b < batch; b++) {
    const sequence = sequences[b];
    for (let t = 0; t < lengths[b]; t++) {
      const at = (t * batch + b) * dim;
      if (isFlat(sequence)) {
        values.set(sequence.subarray(t * dim, (t + 1) * dim), at);
        continue;
      }
      const step = sequence[t];
      if (step.length !== dim) throw new RangeError(`padVectors: step ${t} of sequence ${b} has ${step.length} values, dim is ${dim}`);
      for (let k = 0; k < dim; k++) values[at + k] = step[k];
    }
  }
  return { values, lengths, maxLen };
}

/** [maxLen * B], time-major: 1 where t < lengths[b] (a real step), 0 on padding. */
export function mask(lengths: ArrayLike<number>, maxLen: number): Float32Array {
  const batch = lengths.length;
  const result = new Float32Array(maxLen * batch);
  for (let b = 0; b < batch; b++) {
    const end = Math.min(lengths[b], maxLen);
    for (let t = 0; t < end; t++) result[t * batch + b] = 1;
  }
  return result;
}

/**
 * The example indices 0 … count-1 cut into batches of `batchSize` (the last may be smaller),
 * shuffled when an rng is given. The batches are views of one buffer.
 */
export function batchIndices(count: number, batchSize: number, rng: Rng | undefined): Int32Array[] {
  checkBatchSize(batchSize);
  const order = identity(count);
  if (rng) rng.shuffle(order);
  return cut(order, 0, count, batchSize);
}

/**
 * Batches of examples of similar length, so little of each batch is padding. The examples are
 * shuffled, taken in pools of `poolBatches` batches, sorted by length within each pool and cut
 * into batches; then the order of the batches is shuffled. Pools keep the batches' membership
 * random from epoch to epoch (a global sort would give the same batches every time when lengths
 * are distinct). Only the last batch may be smaller than batchSize. Every index appears once.
 */
export function bucketByLength(lengths: ArrayLike<number>, batchSize: number, rng: Rng, poolBatches = 100): Int32Array[] {
  checkBatchSize(batchSize);
  const count = lengths.length;
  const order = rng.shuffle(identity(count));
  const poolSize = batchSize * Math.max(1, Math.floor(poolBatches));
  const batches: Int32Array[] = [];
  for (let start = 0; start < count; start += poolSize) {
    const end = Math.min(start + poolSize, count);
    order.subarray(start, end).sort((a, b) => lengths[a] - lengths[b]);
    batches.push(...cut(order, start, end, batchSize));
  }
  return rng.shuffle(batches);
}

function lengthsOf<S>(sequences: readonly S[], lengthOf: (sequence: S, b: number) => number): { lengths: Int32Array; maxLen: number } {
  const lengths = new Int32Array(sequences.length);
  let maxLen = 0;
  for (let b = 0; b < sequences.length; b++) {
    lengths[b] = lengthOf(sequences[b], b);
    if (lengths[b] > maxLen) maxLen = lengths[b];
  }
  return { lengths, maxLen };
}

function identity(count: number): Int32Array {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  return order;
}

/** Views of order[start, end) of batchSize each (the last may be shorter). */
function cut(order: Int32Array, start: number, end: number, batchSize: number): Int32Array[] {
  const batches: Int32Array[] = [];
  for (let i = start; i < end; i += batchSize) batches.push(order.subarray(i, Math.min(i + batchSize, end)));
  return batches;
}

function checkBatchSize(batchSize: number): void {
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
}

/** Per loss, what the whole batch's sum is divided by: what `batch.denominators` would say by default. */
export function batchDenominators(
  losses: readonly Pick<LossLayout, "reduction" | "axis">[],
  batch: Pick<ModelBatch, "size" | "lengths" | "denominators">,
  into: number[] = [],
): number[] {
  into.length = losses.length;
  for (let i = 0; i < losses.length; i++) {
    const given = batch.denominators?.[i];
    const loss = losses[i];
    if (given !== undefined) into[i] = given;
    else if (loss.reduction === "mean_over_tokens" && loss.axis) {
      const lengths = batch.lengths[loss.axis];
      let tokens = 0;
      if (lengths) for (let b = 0; b < batch.size; b++) tokens += lengths[b];
      else tokens = batch.size; // no lengths on the axis: one step per example
      into[i] = Math.max(1, tokens);
    } else into[i] = batch.size;
  }
  return into;
}
