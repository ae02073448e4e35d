// Elementwise chains fused into one loop: a node is computed inline, inside its consumer's loop
// over (b, i), instead of in a loop and a buffer of its own, when it is elementwise (or a slice,
// read in place), its one use is an elementwise node of the same size, and nothing else reads
// its buffer (the tape, a store, a loss, the gradient flow). Each fused value is still computed
// once: it has one use.
import type { Block, Node } from "../ir/nodes.ts";
import { ops } from "../ir/ops.ts";

const size = (node: Node) => node.shape.reduce((a, b) => a * b, 1);
const elementwise = (node: Node) => ops[node.op].kind === "elementwise";

export function fusedNodes(block: Block, live: ReadonlySet<number>, uses: ReadonlyMap<number, number>, read: ReadonlySet<number>): Set<number> {
  const fused = new Set<number>();
  block.nodes.forEach((consumer, id) => {
    if (!live.has(id) || !elementwise(consumer) || !consumer.batched) return;
    for (const a of consumer.args) {
      const member = block.nodes[a];
      const fusible = elementwise(member) || (member.op === "slice" && block.nodes[member.args[0]].batched);
      if (fusible && member.batched && size(member) === size(consumer) && uses.get(a) === 1 && !read.has(a)) fused.add(a);
    }
  });
  return fused;
}
