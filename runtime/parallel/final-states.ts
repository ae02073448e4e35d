// After a step cut into parts, the final states of the whole batch, in example order: what
// truncated BPTT carries into the next window, as the single-thread module would give them.
import type { FloatArray } from "../types.ts";
import type { PartSpec, PartView } from "./region.ts";

/**
 * Each carried state's rows of a batch of `size` examples, cut into `parts` parts as `split` says
 * ([start0, count0, start1, count1, …]): part 0's from the main thread's instance (the first rows
 * of `main`: its arrays may be longer than its part), part k's from the final states its worker
 * wrote into its region (`workers[k - 1]`).
 */
export function finalStatesInOrder(spec: PartSpec, size: number, split: Int32Array, parts: number, main: Map<string, FloatArray>, workers: readonly PartView[]): Map<string, FloatArray> {
  const out = new Map<string, FloatArray>();
  spec.carried.forEach((c, i) => {
    const all = spec.bytes === 8 ? new Float64Array(size * c.size) : new Float32Array(size * c.size);
    all.set(main.get(c.name)!.subarray(0, split[1] * c.size), 0);
    for (let k = 1; k < parts; k++) all.set(workers[k - 1].final[i], split[2 * k] * c.size);
    out.set(c.name, all);
  });
  return out;
}
