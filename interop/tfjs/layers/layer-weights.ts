// Which tfjs layer holds each rnnc layer's weights, and in which roles: a dense or embedding
// layer's own params, a recurrent layer's as the recogniser mapped them onto its cell's (a
// Bidirectional holds two rnnc layers, its forward and backward halves). An rnnc layer that no
// prediction reads would be left out of the tfjs model, which is a problem.
import type { ParamMapping } from "../../recognise/index.ts";
import type { LayerWeights } from "../graph.ts";
import type { Draft } from "./draft.ts";

export function layerWeights(d: Draft, cellParams: ReadonlyMap<string, Record<string, ParamMapping>>): LayerWeights[] {
  const byLayer = new Map<string, LayerWeights>();
  const taken = new Set([...d.model.layers.map((l) => l.name), ...d.inputs.map((i) => i.name)]);
  const ownParams = (layer: string): Record<string, ParamMapping> =>
    Object.fromEntries(d.model.layers.find((l) => l.name === layer)!.params.map((p) => [p.name, { name: `${layer}.${p.name}` }]));
  for (const node of d.nodes) {
    if (node.op === "embedding" || node.op === "dense") byLayer.set(node.layer, { layer: node.layer, kind: node.op, tfjs: node.layer, params: ownParams(node.layer) });
    else if (node.op === "recurrent") byLayer.set(node.layer, { layer: node.layer, kind: node.cell, tfjs: node.layer, params: cellParams.get(node.layer)! });
    else if (node.op === "bidirectional") {
      let name = `${node.forward}_${node.backward}`;
      while (taken.has(name)) name += "_";
      taken.add(name);
      byLayer.set(node.forward, { layer: node.forward, kind: node.cell, tfjs: name, half: "forward", params: cellParams.get(node.forward)! });
      byLayer.set(node.backward, { layer: node.backward, kind: node.cell, tfjs: name, half: "backward", params: cellParams.get(node.backward)! });
    }
  }
  const recurrentLayers = d.nodes.flatMap((n) => (n.op === "recurrent" ? [n.layer] : n.op === "bidirectional" ? [n.forward, n.backward] : []));
  for (const name of new Set(recurrentLayers.filter((l, i) => recurrentLayers.indexOf(l) !== i))) d.problem(`the cell ${name} steps more than one recurrence: a tfjs recurrent layer runs once`);
  if (d.problems.length === 0)
    for (const layer of d.model.layers) if (!byLayer.has(layer.name)) d.problem(`layer ${layer.name} does not feed any loss's prediction, so a tfjs model of the predictions would leave it out`);
  return d.model.layers.flatMap((l) => byLayer.get(l.name) ?? []);
}
