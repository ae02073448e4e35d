// How a backward block's weight gradients are formed. A param's gradient summed over the batch
// (outer, scatter, batch_sum) and used only to be added into it adds straight into the gradient
// (`direct`): no buffer to clear and add again each step. And in a backward loop, a weight's
// gradient Σ_t Σ_b g ⊗ x is one large product after the loop (K = T·B) instead of T small ones
// (`deferred`): the adjoints g are kept per step, x is already on the forward tape.
import type { Block } from "../ir/nodes.ts";

/** Node → the param whose gradient it adds straight into. */
export function directGradients(block: Block, uses: ReadonlyMap<number, number>): Map<number, string> {
  const direct = new Map<number, string>();
  for (const node of block.nodes) {
    const source = block.nodes[node.args[0]];
    if (node.op === "accumulate" && node.attrs.into === "param" && uses.get(node.args[0]) === 1 && ["outer", "scatter", "batch_sum"].includes(source.op))
      direct.set(node.args[0], node.attrs.name!);
  }
  return direct;
}

/**
 * The outer products (node ids) of a backward loop formed after it: each an [m, n] product
 * added into the gradient's rows from `from` (a stacked weight's rows; else 0, and m is all).
 */
export function deferredProducts(block: Block, direct: ReadonlyMap<number, string>): Map<number, { m: number; n: number; from: number }> {
  const deferred = new Map<number, { m: number; n: number; from: number }>();
  if (block.kind !== "loop" || block.primalOf === undefined) return deferred;
  for (const [id] of direct) {
    const node = block.nodes[id];
    const [g, x] = node.args.map((a) => block.nodes[a]);
    if (node.op === "outer" && x.op === "primal" && g.batched && x.batched) deferred.set(id, { m: g.shape[0], n: node.shape[1], from: node.attrs.from ?? 0 });
  }
  return deferred;
}
