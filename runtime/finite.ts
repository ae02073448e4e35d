// Finding the first NaN or infinity, so training can stop with a precise message
// ("the gradient of enc.W[1234] is NaN at step 812") instead of silently producing garbage.

/** The index of the first value that is NaN or ±Infinity, or -1 when all are finite. */
export function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x - x !== 0) return i; // x - x is NaN exactly when x is NaN or infinite
  }
  return -1;
}
