// Which nodes of a block are needed: those its results read (what it stores, its losses, what it
// keeps on the tape for the backward pass, the gradients it adds into, the adjoints it keeps for
// gradientFlow), and whatever those read in turn. Everything else is dead work the lowering
// and the sweep left behind (a one-hot beside the gather that replaced it, the adjoint of a
// target), and gets no code.
import type { Block, Program } from "../ir/nodes.ts";

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

/**
 * Across blocks: what the program must compute for `roots` (an export's predictions). A read of
 * a sequence or a value needs the node that stores it, and a read of a sequence (which may run
 * past an end) needs its init too.
 */
/** A node of a program's forward blocks. */
export interface NodeRef {
  block: number;
  node: number;
}

/** The nodes each block must compute for `roots`: per block, the ids of its needed nodes. */
export function neededNodes(program: Program, roots: readonly NodeRef[]): Set<number>[] {
  const needed = program.blocks.map(() => new Set<number>());
  const producer = new Map<string, NodeRef>();
  program.blocks.forEach((block, b) => {
    for (const s of block.stores) producer.set(s.name, { block: b, node: s.node });
  });
  const work = roots.map((r) => [r.block, r.node] as [number, number]);
  while (work.length > 0) {
    const [b, id] = work.pop()!;
    if (needed[b].has(id)) continue;
    needed[b].add(id);
    const node = program.blocks[b].nodes[id];
    for (const a of node.args) work.push([b, a]);
    if (node.op === "read" || node.op === "value") {
      const name = node.attrs.name!;
      const init = node.op === "read" ? program.sequences.find((q) => q.name === name)?.init : undefined; // read past an end
      for (const from of [producer.get(name), init && producer.get(init)]) if (from) work.push([from.block, from.node]);
    }
  }
  return needed;
}
