// What each loss's sum over a batch is divided by, as the language defines its reductions: the
// batch's examples, or its valid tokens for `mean over tokens`. A part of a larger batch (a
// worker's share, a bptt window) passes the whole batch's instead, so that the parts add up.
// This is the compiler's copy of the rule: the emitted module writes it in its own code, and the
// runtime keeps one (runtime/batch.ts) for cutting batches; neither may import the compiler.
import type { Axis, LossInfo } from "./nodes.ts";

export function lossDenominators(
  losses: readonly Pick<LossInfo, "reduction" | "axis">[],
  batch: { size: number; lengths: Partial<Record<Axis, Int32Array>>; denominators?: number[] },
): number[] {
  return losses.map((loss, i) => {
    const given = batch.denominators?.[i];
    if (given !== undefined) return given;
    if (loss.reduction !== "mean_over_tokens" || !loss.axis) return batch.size;
    const lengths = batch.lengths[loss.axis];
    return Math.max(1, lengths ? lengths.reduce((a, b) => a + b, 0) : batch.size); // no lengths: a step per example
  });
}
