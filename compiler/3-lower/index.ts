// Checked model → IR. Each loop group becomes a block, each init and each loss a block of its
// own; cells and layers are inlined, so an LSTM is matvecs, slices and sigmoids like any other
// equations. Sizes bound from data (`vocab(x)`) must be known here.
import type * as ast from "../1-parse/ast.ts";
import type { CheckedModel, ModelValue } from "../2-check/checked.ts";
import { numeric, substitute, type Size } from "../2-check/sizes.ts";
import { GraphBuilder } from "../ir/builder.ts";
import type { Block, CarryInfo, DataInfo, ParamInfo, Program, SequenceInfo } from "../ir/nodes.ts";
import { inlineCall, lowerExpression, originOf, type Scope } from "./expressions.ts";

/** Sizes known from the data: `vocab(x)` → 60, `classes(y)` → 2. */
export type DataSizes = Map<string, number>;

export function lower(model: CheckedModel, dataSizes: DataSizes): Program {
  const bindings = new Map<string, Size>([...model.sizeConstraints]);
  for (const [key, n] of dataSizes) bindings.set(key, new Map([["", n]]));
  const number = (s: Size, what: string): number => {
    const n = numeric(substitute(s, bindings));
    if (n === undefined) throw new Error(`the size of ${what} depends on data that is not loaded: ${[...s.keys()].join(", ")}`);
    return n;
  };
  const shapeOf = (value: { type: ModelValue["type"] }, what: string): number => {
    const t = value.type;
    if (t.kind !== "tensor") throw new Error(`${what} is not a real vector`);
    return t.shape.reduce((p, s) => p * number(s, what), 1);
  };

  const params: ParamInfo[] = model.layers.flatMap((layer) =>
    layer.params.map((p) => ({
      name: `${layer.name}.${p.name}`,
      shape: p.shape.map((s) => number(s, `${layer.name}.${p.name}`)),
      init: p.init,
      decay: p.shape.length === 2,
      layer: layer.name,
    })),
  );

  const data: DataInfo[] = model.data.flatMap((d) => {
    const element = d.type.element;
    const size =
      element.kind === "tensor" ? number(element.shape[0], d.name)
      : element.kind === "token" ? number(element.vocab!, `vocab(${d.name})`)
      : element.kind === "class" ? number(element.classes!, `classes(${d.name})`)
      : 0;
    const info: DataInfo = {
      name: d.name,
      role: d.role,
      kind: element.kind === "tensor" ? "vectors" : "ids",
      size,
      sequence: d.type.sequence,
      ...(d.axis ? { axis: d.axis } : {}),
      shifted: d.autoregressive,
    };
    // An autoregressive target is read through its shifted copy: name[t-1] is (name@input)[t].
    return d.autoregressive ? [info, { ...info, name: `${d.name}@input`, role: "input" as const, shifted: false }] : [info];
  });

  const stateDirection = new Map(model.loops.flatMap((g) => g.states.map((s) => [s.name, g.direction] as const)));
  const sequences: SequenceInfo[] = model.values
    .filter((v) => v.axis)
    .map((v) => {
      const direction = stateDirection.get(v.name);
      return {
        name: v.name,
        axis: v.axis!,
        size: shapeOf(v, v.name),
        ...(direction === "forward" || direction === "backward" ? { direction } : {}),
        ...(v.init ? { init: `${v.name}@init` } : {}),
      };
    });
  const values = [
    ...model.values.filter((v) => !v.axis).map((v) => ({ name: v.name, size: shapeOf(v, v.name) })),
    ...model.values.filter((v) => v.init).map((v) => ({ name: `${v.name}@init`, size: shapeOf(v, v.name) })),
  ];

  const program: Program = { model: model.name, params, data, sequences, values, blocks: [], losses: [], outputs: [], carries: [] };
  let dropoutSites = 0; // each dropout's own masks (Scope.dropoutSite)
  const scopeFor = (graph: GraphBuilder, axis: Program["sequences"][number]["axis"] | undefined, here: Map<string, number>): Scope => ({
    model,
    program,
    graph,
    axis,
    here,
    size: (s: Size, what: string) => number(s, what),
    dropoutSite: () => dropoutSites++,
  });

  for (const group of model.loops) {
    for (const state of group.states) {
      if (!state.init) continue;
      const graph = new GraphBuilder();
      const value = lowerExpression(state.init.value, scopeFor(graph, undefined, new Map()));
      graph.name(value, `${state.name}_init`, true);
      graph.origin(value, originOf(state.init, model.file, model.source));
      program.blocks.push(block("once", graph, [{ name: `${state.name}@init`, node: value }], `init ${state.name}`));
    }
    const graph = new GraphBuilder();
    const here = new Map<string, number>(); // values of this step computed so far
    const stores: Block["stores"] = [];
    for (const eq of group.equations) {
      const scope = scopeFor(graph, group.axis, here);
      const results = eq.tuple ? inlineCall(eq.value as ast.Call, scope) : [lowerExpression(eq.value, scope)];
      eq.targets.forEach((target, k) => {
        here.set(target.name.text, results[k]);
        stores.push({ name: target.name.text, node: results[k] });
        graph.name(results[k], target.name.text, true); // the model's name for it
        graph.origin(results[k], originOf(eq, model.file, model.source));
      });
    }
    const names = group.equations.flatMap((eq) => eq.targets.map((t) => t.name.text)).join(", ");
    const kind = group.axis ? "loop" : "once";
    const direction = group.direction === "backward" ? "backward" : "forward";
    const comment = group.axis ? `${names}: ${group.direction === "map" ? "each step" : `recurrence ${direction}`} over ${group.axis}` : names;
    program.blocks.push({ ...block(kind, graph, stores, comment), ...(group.axis ? { axis: group.axis, direction } : {}) });
  }

  model.losses.forEach((loss, i) => {
    program.losses.push({ kind: loss.kind, target: loss.target, ...(loss.axis ? { axis: loss.axis } : {}), reduction: loss.reduction });
    const graph = new GraphBuilder();
    const scope = scopeFor(graph, loss.axis, new Map());
    const prediction = lowerExpression(loss.prediction, scope);
    const call = (loss.decl.value.kind === "paren" ? loss.decl.value.inner : loss.decl.value) as ast.Call;
    const target = lowerExpression(call.args[1].value, scope);
    const node = graph.loss(loss.kind, prediction, target);
    graph.name(node, `loss${i + 1}`);
    graph.origin(node, originOf(loss.decl, model.file, model.source));
    const b = block(loss.axis ? "loop" : "once", graph, [], `loss ${i + 1}: ${loss.kind} of ${loss.target}`);
    program.blocks.push({ ...b, losses: [{ loss: i, node }], ...(loss.axis ? { axis: loss.axis, direction: "forward" as const } : {}) });
  });
  // Outputs last: nothing a loss needs is computed here, so a training step can leave them out.
  model.outputs.forEach((output, i) => {
    const shape = output.type.kind === "tensor" ? output.type.shape : [];
    program.outputs.push({
      name: output.name,
      ...(output.axis ? { axis: output.axis } : {}),
      size: shape.length === 0 ? 1 : number(shape[0], `output ${output.name}`),
      scalar: shape.length === 0,
      ...(output.over ? { over: output.over } : {}),
    });
    const graph = new GraphBuilder();
    const node = lowerExpression(output.value, scopeFor(graph, output.axis, new Map()));
    graph.name(node, output.name);
    graph.origin(node, originOf(output.decl, model.file, model.source));
    const b = block(output.axis ? "loop" : "once", graph, [], `output ${output.name}`);
    program.blocks.push({ ...b, outputs: [{ output: i, node }], ...(output.axis ? { axis: output.axis, direction: "forward" as const } : {}) });
  });
  if (model.train.bptt !== undefined) program.carries = carries(program);
  return program;
}

/**
 * Truncated BPTT cuts t into windows: whatever a step reads at t-k (states, intermediates, data)
 * is carried from window to window, as deep as the furthest read. Nothing flows back into a
 * carry: gradients stop at the window's edge. (2-check/bptt.ts refuses what cannot be carried.)
 */
function carries(program: Program): CarryInfo[] {
  const steps = new Map<string, number>();
  for (const block of program.blocks)
    for (const node of block.nodes) {
      const index = node.attrs.index;
      if ((node.op === "data" || node.op === "read") && index?.kind === "step" && index.axis === "t" && index.offset < 0)
        steps.set(node.attrs.name!, Math.max(steps.get(node.attrs.name!) ?? 0, -index.offset));
    }
  return [...steps].map(([name, k]): CarryInfo => {
    const sequence = program.sequences.find((s) => s.name === name);
    if (sequence) return { name, of: "sequence", steps: k, width: sequence.size };
    const data = program.data.find((d) => d.name === name)!;
    return { name, of: "data", steps: k, width: data.kind === "ids" ? 1 : data.size };
  });
}

function block(kind: Block["kind"], graph: GraphBuilder, stores: Block["stores"], comment: string): Block {
  return { kind, nodes: graph.nodes, stores, losses: [], comment, names: graph.names, origins: graph.origins };
}
