// Which IR nodes an export must compute: those the predictions depend on, across blocks. A read
// of a sequence or a value needs the block node that stores it, and a read of a sequence (which
// may run past an end) needs its init too.
//
// The compiler has no such analysis yet; this is the one interop uses, kept small so that it can
// move into the compiler's planning phase as it is.
import type { Program } from "../../compiler/ir/nodes.ts";

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

/** Each loss's prediction: the first argument of its loss node. */
export function predictionNodes(program: Program): NodeRef[] {
  return program.blocks.flatMap((block, b) => block.losses.map((term) => ({ block: b, node: block.nodes[term.node].args[0] })));
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
