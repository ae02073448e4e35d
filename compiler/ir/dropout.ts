// Dropout's masks, in float64 for the interpreter (op-semantics.ts); the emitted module writes
// the same arithmetic as text (6-emit/dropout-code.ts) and is tested against this one.
//
// A mask is not drawn from a random stream, whose state would depend on what ran before and on
// which thread ran it: each entry is a hash of where it is — the run's seed and the update
// (together: the step's key), the site (which dropout of the program), the example's index in
// the whole batch (not in a thread's part of it), the time step (not for locked dropout, whose
// mask holds for the whole sequence) and the feature. Any number of threads, the interpreter and
// the emitted module, forward and backward, all compute the same mask from the same place.

/** A training step, as a batch carries it: dropout is on (the identity without it). */
export interface Training {
  /** The run's seed. */
  seed: number;
  /** Which update of the run this is (the optimizer's steps before it). */
  update: number;
  /** The index, in the whole batch, of this batch's first example: a thread's part of one says where it starts (0 if absent). */
  offset?: number;
}

/** What a shared value's mask (one for the whole batch) hashes as its example, and a locked mask as its step. */
export const NONE = -1;

/** murmur3's 32-bit finalizer, after adding the golden ratio (so that 0 does not stay 0): a well-mixed uint32. */
export function mix32(h: number): number {
  h = (h + 0x9e3779b9) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The high 32 bits of a whole number below 2^53 (a clock-sized seed): they count too. */
const high = (x: number) => Math.floor(x / 4294967296);

/** A training step's key: its seed and update, mixed (computed once per batch). */
export const stepKey = (t: Training) => mix32(mix32(mix32(mix32(high(t.seed)) ^ t.seed) ^ high(t.update)) ^ t.update);

/**
 * The mask's entry at (site, example, step, feature): 0 (dropped, with probability `rate`) or
 * 1 / (1 - rate) (kept, scaled so that the expectation is unchanged). `example` is NONE for a
 * value shared by the batch, `step` NONE for locked dropout.
 */
export function dropoutMask(key: number, site: number, example: number, step: number, feature: number, rate: number): number {
  const h = mix32(mix32(mix32(mix32(key ^ site) ^ example) ^ step) ^ feature);
  return h < rate * 4294967296 ? 0 : 1 / (1 - rate);
}
