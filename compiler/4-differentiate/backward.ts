// The generic reverse sweep: one block's step graph → the graph of its adjoint step. Adjoints
// enter at what the step stored (read back from the sequences' and values' adjoints) and at its
// loss terms (their seeds); they leave at the leaves: a param's into its gradient, a read of a
// sequence or value into that one's adjoint. Nothing here knows any op: that is vjp-rules.ts.
import { GraphBuilder } from "../ir/builder.ts";
import type { Block } from "../ir/nodes.ts";
import { vjpRules } from "./vjp-rules.ts";

export interface AdjointStep {
  nodes: GraphBuilder["nodes"];
  /** Forward nodes whose values this step reads: they must be kept by the forward pass. */
  kept: Set<number>;
  /** A loop's per-example states: the node of each one's whole adjoint at this step, ∂L/∂h_t (Block.flows). */
  flows: { name: string; node: number }[];
  names: Record<number, string>;
  origins: Record<number, string>;
}

export function adjointStep(block: Block): AdjointStep {
  const b = new GraphBuilder();
  const kept = new Set<number>();
  const forward = block.nodes;

  /** The forward value of node `id` at this step: a param or constant again, else kept. */
  const primal = (id: number): number => {
    const node = forward[id];
    if (node.op === "param") return b.param(node.attrs.name!, node.shape);
    if (node.op === "const") return b.constant(node.attrs.value!);
    return b.leaf(`primal:${id}`, () => {
      kept.add(id);
      const leaf = b.leafNode("primal", node.shape, node.batched, { node: id });
      if (block.names?.[id]) b.name(leaf, block.names[id]); // the forward value, by its own name
      return leaf;
    });
  };

  const adjoints = new Map<number, number>();
  const paramTerms = new Map<number, number[]>(); // a param's terms after its first (in adjoints)
  const contribute = (id: number, contribution: number | undefined) => {
    const node = forward[id];
    if (contribution === undefined || node.op === "data" || node.op === "const") return; // nothing to learn
    // A shared value was read by every example: its adjoint is the sum of theirs.
    const adjoint = !node.batched && b.get(contribution).batched ? b.batchSum(contribution) : contribution;
    const previous = adjoints.get(id);
    // A param's gradient is a sum: each term adds into it on its own, with no sum of the terms
    // first, so that the rows of a stacked weight (W[0:2*H] @ x, W[2*H:3*H] @ x) add each into
    // its own rows, and every product can add into the gradient as it is formed (5-plan).
    if (previous !== undefined && node.op === "param") return void (paramTerms.get(id) ?? paramTerms.set(id, []).get(id)!).push(adjoint);
    adjoints.set(id, previous === undefined ? adjoint : b.add(previous, adjoint));
  };

  for (const store of block.stores) {
    const into = block.kind === "loop" ? "sequence" : "value";
    const node = forward[store.node];
    contribute(store.node, b.leafNode("adjoint", node.shape, true, { name: store.name, into }));
  }
  for (const term of block.losses) contribute(term.node, b.leafNode("seed", [], true, { loss: term.loss }));

  // By the time the sweep reaches a node, every use of it has added to its adjoint: a stored
  // state's adjoint is then ∂L/∂h_t, through later steps, other blocks and this step alike.
  const flows: AdjointStep["flows"] = [];
  for (let id = forward.length - 1; id >= 0; id--) {
    const g = adjoints.get(id);
    if (g === undefined) continue;
    const node = forward[id];
    if (block.kind === "loop" && node.batched) for (const store of block.stores) if (store.node === id) flows.push({ name: store.name, node: g });
    // The adjoint of a named value is named after it, and says what it is the adjoint of.
    if (block.names?.[id]) b.name(g, `d_${block.names[id]}`);
    if (block.origins?.[id]) b.origin(g, `adjoint of ${block.origins[id]}`);
    const rule = vjpRules[node.op];
    if (rule === "not differentiable" || rule === "sink" || rule === "forms gradients only") continue;
    if (rule === "leaf") {
      if (node.op === "param") for (const term of [g, ...(paramTerms.get(id) ?? [])]) b.node("accumulate", [term], { name: node.attrs.name!, into: "param" });
      else if (node.op === "read") b.node("accumulate", [g], { name: node.attrs.name!, index: node.attrs.index!, into: "sequence" });
      else if (node.op === "value") b.node("accumulate", [g], { name: node.attrs.name!, into: "value" });
      continue; // data and constants: nothing to learn
    }
    const contributions = rule({ b, node, g, x: (i) => primal(node.args[i]), y: () => primal(id), arg: (i) => forward[node.args[i]] });
    contributions.forEach((adjoint, i) => contribute(node.args[i], adjoint));
  }
  return { nodes: b.nodes, kept, flows, names: b.names, origins: b.origins };
}
