// Gradient clipping by global norm (Pascanu, Mikolov & Bengio 2013): when the gradients of all
// parameters together are longer than maxNorm, scale them all by the same factor down to it —
// the direction is kept, only the exploding step is shortened.

import type { FloatArray } from "./types.ts";

/** The L2 norm of all the arrays taken as one vector, summed in float64. */
export function globalNorm(grads: readonly ArrayLike<number>[]): number {
  let sum = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sum += g[i] * g[i];
  return Math.sqrt(sum);
}

/**
 * Scales `grads` in place so their global norm is at most `maxNorm`, and returns the norm
 * before clipping. Nothing changes when maxNorm is undefined or 0 (clipping off), when the norm
 * is already within it, or when the norm is not finite — rescaling by 0 would hide the NaN or
 * overflow that the caller should report (see finite.ts).
 */
export function clipGlobalNorm(grads: readonly FloatArray[], maxNorm: number | undefined): number {
  const norm = globalNorm(grads);
  if (!maxNorm || !(norm > maxNorm) || norm === Infinity) return norm;
  const scale = maxNorm / norm;
  for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= scale;
  return norm;
}
