// Choosing a token from a model's output scores, for generation. Each function works on the
// window values[offset … offset+length) of a larger buffer (one example's logits in a batch)
// and returns an index within that window.

import type { Rng } from "./rng.ts";
import type { FloatArray } from "./types.ts";

/** The index of the largest value (the first, on ties; NaNs are never chosen unless all are NaN). */
export function argmax(values: ArrayLike<number>, offset = 0, length = values.length - offset): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < length; i++) {
    const x = values[offset + i];
    if (x > bestValue) {
      bestValue = x;
      best = i;
    }
  }
  return best;
}

/** log Σ exp(values[at + i]), i < n, the max subtracted first (no overflow): the runtime's log-sum-exp, written once. */
export function logSumExp(values: ArrayLike<number>, at: number, n: number): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, values[at + i]);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(values[at + i] - max);
  return max + Math.log(sum);
}

/**
 * Replaces the window with softmax(values / temperature). Subtracting the maximum first keeps
 * exp from overflowing, whatever the logits' size.
 */
export function softmaxInPlace(values: FloatArray, offset = 0, length = values.length - offset, temperature = 1): void {
  if (!(temperature > 0)) throw new RangeError(`softmax temperature must be positive, got ${temperature}`);
  const end = offset + length;
  let max = -Infinity;
  for (let i = offset; i < end; i++) if (values[i] > max) max = values[i];
  let sum = 0;
  for (let i = offset; i < end; i++) {
    const e = Math.exp((values[i] - max) / temperature);
    values[i] = e;
    sum += e;
  }
  for (let i = offset; i < end; i++) values[i] /= sum;
}

export interface SamplingOptions {
  /** Below 1 sharpens, above 1 flattens; 0 means greedy (argmax). Default 1. */
  temperature?: number;
  /** Draw only among the k largest logits (ties with the k-th included); 0 or absent: all. Allocates k numbers. */
  topK?: number;
}

/**
 * Draws an index from softmax(logits / temperature), restricted to the top k when asked.
 * The window is overwritten with the probabilities it was drawn from (generation discards the
 * logits after drawing, and this keeps sampling free of allocation).
 */
export function sampleLogits(logits: FloatArray, offset: number, length: number, rng: Rng, options: SamplingOptions = {}): number {
  const { temperature = 1, topK = 0 } = options;
  if (temperature === 0) return argmax(logits, offset, length);
  if (topK > 0 && topK < length) {
    // Logits below the k-th largest become -Infinity: probability exactly 0 after the softmax.
    const threshold = kthLargest(logits, offset, length, topK);
    for (let i = offset; i < offset + length; i++) if (logits[i] < threshold) logits[i] = -Infinity;
  }
  softmaxInPlace(logits, offset, length, temperature);
  return rng.categorical(logits, offset, length);
}

/** The k-th largest value of the window, keeping a sorted list of the k largest seen (k is small). */
function kthLargest(values: ArrayLike<number>, offset: number, length: number, k: number): number {
  const top = new Float64Array(k).fill(-Infinity); // descending
  for (let i = 0; i < length; i++) {
    const x = values[offset + i];
    if (!(x > top[k - 1])) continue;
    let j = k - 1;
    while (j > 0 && top[j - 1] < x) {
      top[j] = top[j - 1];
      j--;
    }
    top[j] = x;
  }
  return top[k - 1];
}
