// Gradients travel from a worker to the main thread by chunks of CHUNK values (16: a cache line
// of float32): the worker flags each chunk of its gradients that holds anything but zeros, and
// the main thread adds only those. An embedding's gradient is zero but at the batch's tokens (one
// value in V in each of its E rows): of the Brown tagger's 52,879 × 64, a worker's half of a
// batch of 32 leaves about 4% to add (770k values in all instead of 4M), and adding costs what
// reading another core's writes costs: about 5 ns a value. A dense gradient costs the worker one
// read per chunk (the scan stops at the first non-zero value).
import type { FloatArray } from "../types.ts";

export const CHUNK_BITS = 4;
export const CHUNK = 1 << CHUNK_BITS;

/** Chunks of `values` values. */
export const chunkCount = (values: number) => Math.ceil(values / CHUNK);

/** The worker's side: flags, one per chunk of `values`, 1 where any of them is not 0 (NaN included). */
export function flagChunks(values: FloatArray, flags: Uint8Array): void {
  const n = values.length;
  for (let c = 0, from = 0; from < n; c++, from += CHUNK) {
    const to = Math.min(n, from + CHUNK);
    let any = 0;
    for (let i = from; i < to; i++)
      if (values[i] !== 0) {
        any = 1;
        break;
      }
    flags[c] = any;
  }
}

/**
 * The main thread's side: adds to `into` (one param's gradient, `into.length` values at `offset`
 * of the worker's gradients `from`) the values of the chunks `flags` says hold anything.
 */
export function addFlaggedChunks(into: FloatArray, from: FloatArray, offset: number, flags: Uint8Array): void {
  const length = into.length;
  for (let i = 0; i < length; ) {
    const chunk = (offset + i) >> CHUNK_BITS;
    const end = Math.min(length, ((chunk + 1) << CHUNK_BITS) - offset);
    if (flags[chunk]) for (let j = offset + i; i < end; i++, j++) into[i] += from[j];
    else i = end;
  }
}
