// Truncated BPTT's windows: a time-major batch cut along an axis into runs of K steps. Each
// field on that axis is a contiguous slice; lengths are what is left of each example in the
// window (0 once it has ended); fields without that axis stay whole. Each window divides its
// losses by the whole batch's denominators (examples, or its valid tokens for `mean over
// tokens`), so that the windows' losses and gradients add up to the whole batch's.
import { batchDenominators } from "../runtime/batch.ts";
import type { Axis, LossLayout, ModelBatch } from "../runtime/model.ts";

export function* windows(
  batch: ModelBatch,
  axis: Axis,
  layout: readonly { name: string; axis?: Axis; sequence: boolean; kind: "ids" | "vectors"; size: number }[],
  K: number,
  losses: readonly Pick<LossLayout, "reduction" | "axis">[],
): Generator<ModelBatch> {
  const denominators = batchDenominators(losses, batch);
  const lengths = batch.lengths[axis];
  if (!lengths) {
    yield batch;
    return;
  }
  const T = lengths.reduce((a, b) => Math.max(a, b), 0);
  const B = batch.size;
  for (let from = 0; from < T; from += K) {
    const to = Math.min(T, from + K);
    const fields = new Map(batch.fields);
    for (const d of layout) {
      if (!d.sequence || d.axis !== axis) continue;
      const width = d.kind === "ids" ? 1 : d.size;
      fields.set(d.name, batch.fields.get(d.name)!.subarray(from * B * width, to * B * width));
    }
    yield { ...batch, fields, lengths: { ...batch.lengths, [axis]: lengths.map((L) => Math.max(0, Math.min(L, to) - from)) }, denominators };
  }
}
