// The probabilities the losses imply (softmax for cross_entropy, sigmoid for binary), as the
// activation of the last dense layer when it computes nothing else, else as a layer of its own:
// the tfjs model gives what rnnc's `predict` gives, not logits.
import type { Activation, GraphOutput } from "../graph.ts";
import type { Draft } from "./draft.ts";

export function foldOutputActivations(d: Draft, outputs: GraphOutput[]): void {
  const uses = new Map<number, number>();
  const denseUses = new Map<string, number>();
  const refs = [...d.nodes.flatMap((n) => ("from" in n ? (Array.isArray(n.from) ? n.from : [n.from]) : [])), ...outputs.map((o) => o.from)];
  for (const r of refs) uses.set(r.node, (uses.get(r.node) ?? 0) + 1);
  for (const n of d.nodes) if (n.op === "dense") denseUses.set(n.layer, (denseUses.get(n.layer) ?? 0) + 1);
  for (const output of outputs) {
    const activation: Activation = output.loss === "cross_entropy" ? "softmax" : output.loss === "binary_cross_entropy" ? "sigmoid" : "linear";
    if (activation === "linear") continue;
    const node = d.nodes[output.from.node];
    if (node.op === "dense" && uses.get(output.from.node) === 1 && denseUses.get(node.layer) === 1) node.activation = activation;
    else output.from = d.node({ op: "activation", activation, from: output.from, sequence: output.sequence, size: output.size });
  }
}
