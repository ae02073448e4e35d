// Which IR nodes an export must compute: those the predictions depend on, across blocks (the
// planning phase's analysis, compiler/5-plan/live.ts), and the reads among them.
import { neededNodes, type NodeRef } from "../../compiler/5-plan/live.ts";
import type { Program } from "../../compiler/ir/nodes.ts";

export { neededNodes, type NodeRef };

/** What the graph gives: the declared outputs, or else each loss's prediction (the first argument of its loss node). */
export function predictionNodes(program: Program): NodeRef[] {
  return program.blocks.flatMap((block, b) =>
    (program.outputs.length > 0 ? (block.outputs ?? []).map((o) => o.node) : block.losses.map((l) => block.nodes[l.node].args[0])).map((node) => ({ block: b, node })),
  );
}

/** Every needed read of each sequence, by its name. */
export function neededReads(program: Program, needed: readonly ReadonlySet<number>[]): Map<string, NodeRef[]> {
  const reads = new Map<string, NodeRef[]>();
  program.blocks.forEach((block, b) => {
    for (const id of needed[b]) {
      const node = block.nodes[id];
      if (node.op === "read") (reads.get(node.attrs.name!) ?? reads.set(node.attrs.name!, []).get(node.attrs.name!)!).push({ block: b, node: id });
    }
  });
  return reads;
}
