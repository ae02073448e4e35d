// Phase 5: the plan. What the emitted code of each block computes and how, decided here so that
// 6-emit only prints: which nodes are needed (live.ts), which are computed inline in their
// consumer (fusion.ts), which gradients add straight into a param's and which are formed after
// the loop (gradients.ts), which constants need a buffer, and which values the tape keeps.
import type { Block, DifferentiatedProgram } from "../ir/nodes.ts";
import { ops } from "../ir/ops.ts";
import { fusedNodes } from "./fusion.ts";
import { deferredProducts, directGradients } from "./gradients.ts";
import { liveNodes } from "./live.ts";

export interface BlockPlan {
  live: Set<number>;
  /** Computed inline inside their one consumer's loop: no buffer, no code of their own. */
  fused: Set<number>;
  /** Node → the param whose gradient it adds straight into (its `accumulate` has no code). */
  direct: Map<number, string>;
  /** Outer products of a backward loop formed once after it. */
  deferred: Map<number, { m: number; n: number; from: number }>;
  /** Constants that need a buffer of one number (read as an array: by a product, a concat, a loss, a store, the tape). */
  materialized: Set<number>;
  /** Forward blocks: the nodes whose values are kept per step (the backward pass's primals, the predictions). */
  kept: Set<number>;
}

export interface Plan {
  forward: BlockPlan[];
  backward: BlockPlan[];
}

export function plan(p: DifferentiatedProgram): Plan {
  // Predictions and outputs are kept too: predict() and outputValues() read them from the tape.
  const kept = p.blocks.map((b, i) => new Set([...(p.kept.get(i) ?? []), ...b.losses.map((l) => b.nodes[l.node].args[0]), ...(b.outputs ?? []).map((o) => o.node)]));
  return {
    forward: p.blocks.map((block, i) => planBlock(block, kept[i])),
    backward: p.backward.map((block) => planBlock(block, new Set())),
  };
}

function planBlock(block: Block, kept: Set<number>): BlockPlan {
  const live = liveNodes(block, kept);
  const uses = new Map<number, number>();
  block.nodes.forEach((node, id) => {
    if (live.has(id)) for (const a of node.args) uses.set(a, (uses.get(a) ?? 0) + 1);
  });
  const read = new Set([...kept, ...block.stores.map((s) => s.node), ...block.losses.map((l) => l.node), ...(block.flows ?? []).map((f) => f.node)]);
  const direct = directGradients(block, uses);
  const materialized = new Set([...read].filter((id) => block.nodes[id].op === "const"));
  block.nodes.forEach((node, id) => {
    if (live.has(id) && ops[node.op].kind !== "elementwise") for (const a of node.args) if (block.nodes[a].op === "const") materialized.add(a);
  });
  return { live, fused: fusedNodes(block, live, uses, read), direct, deferred: deferredProducts(block, direct), materialized, kept };
}
