// Which nodes of a block are needed: those its results read (what it stores, its losses, what it
// keeps on the tape for the backward pass, the gradients it adds into, the adjoints it keeps for
// gradientFlow), and whatever those read in turn. Everything else is dead work the lowering
// and the sweep left behind (a one-hot beside the gather that replaced it, the adjoint of a
// target), and gets no code.
import type { Block } from "../ir/nodes.ts";

export function liveNodes(block: Block, kept: ReadonlySet<number> = new Set()): Set<number> {
  const roots = [
    ...block.stores.map((s) => s.node),
    ...block.losses.map((l) => l.node),
    ...(block.flows ?? []).map((f) => f.node),
    ...kept,
    ...block.nodes.flatMap((node, id) => (node.op === "accumulate" ? [id] : [])),
  ];
  const live = new Set<number>();
  const visit = (id: number) => {
    if (live.has(id)) return;
    live.add(id);
    for (const a of block.nodes[id].args) visit(a);
  };
  roots.forEach(visit);
  return live;
}
