// The reference interpreter behind the runtime's CompiledModel interface: what the training loop
// drives until the emitted module replaces it, and the oracle that module is tested against.
// Slow and in float64; everything that knows it runs on the interpreter is in this file.
import type { Axis, CompiledModel, LossLayout, ModelBatch } from "../runtime/model.ts";
import type { FloatArray } from "../runtime/types.ts";
import { finalStates, forward, gradientFlow, lossAndGradient, maxLength, type Batch, type ForwardResult } from "./ir/interpret.ts";
import type { DifferentiatedProgram, Node } from "./ir/nodes.ts";
import { softmax } from "./ir/op-semantics.ts";

/** Where each loss's prediction (the first argument of its loss node) is computed. */
interface PredictionSite {
  block: number;
  node: Node;
  id: number;
}

export function interpretedModel(program: DifferentiatedProgram): CompiledModel<Float64Array> {
  const sites = predictionSites(program);
  const losses: LossLayout[] = program.losses.map((loss, i) => ({
    kind: loss.kind,
    target: loss.target,
    ...(loss.axis ? { axis: loss.axis } : {}),
    reduction: loss.reduction,
    size: sizeOf(sites[i].node),
  }));
  const keep = keepAt(sites);
  const outputSites = program.outputs.map((_, i) => {
    const block = program.blocks.findIndex((b) => b.outputs?.some((o) => o.output === i));
    const id = program.blocks[block].outputs!.find((o) => o.output === i)!.node;
    return { block, node: program.blocks[block].nodes[id], id };
  });
  const outputKeep = keepAt(outputSites);

  let last: { batch: Batch; result: ForwardResult } | undefined;
  const remember = (batch: Batch, result: ForwardResult) => (last = { batch, result });
  return {
    name: program.model,
    carried: program.carries.map((c) => c.name),
    finalStates: () => (last ? finalStates(program, last.batch, last.result) : new Map()),
    params: program.params.map((p) => ({ ...p, shape: [...p.shape] })),
    data: program.data.map((d) => ({ ...d })),
    losses,
    createParams: () => new Map(program.params.map((p) => [p.name, new Float64Array(p.shape.reduce((a, b) => a * b, 1))])),
    loss(params, modelBatch) {
      const batch = trainingBatch(modelBatch);
      return remember(batch, forward(program, params, batch)).result.loss;
    },
    lossAndGrad(params, grads, modelBatch) {
      const batch = trainingBatch(modelBatch);
      const result = lossAndGradient(program, params, batch);
      remember(batch, result.forward);
      for (const [name, grad] of result.grads) grads.get(name)!.set(grad);
      return result.loss;
    },
    gradientFlow(params, modelBatch) {
      const batch = trainingBatch(modelBatch);
      return gradientFlow(program, batch, lossAndGradient(program, params, batch).adjoints);
    },
    outputs: program.outputs.map((o) => ({ ...o })),
    outputValues(params, modelBatch) {
      const batch = toBatch(modelBatch);
      const { tape } = forward(program, params, batch, outputKeep, "outputs");
      return program.outputs.map((output, i) => {
        const site = outputSites[i];
        return rows(output.size, output.axis, site.node, tape.get(site.block)!.get(site.id)!, batch, () => {});
      });
    },
    predict(params, modelBatch) {
      const batch = toBatch(modelBatch);
      const { tape } = forward(program, params, batch, keep);
      return losses.map((loss, i) => {
        const site = sites[i];
        const steps = tape.get(site.block)!.get(site.id)!;
        return rows(loss.size, loss.axis, site.node, steps, batch, probabilities(loss));
      });
    },
  };
}

/** Each loss's prediction node: the first argument of the loss node in its block. */
function predictionSites(program: DifferentiatedProgram): PredictionSite[] {
  const sites: PredictionSite[] = [];
  program.blocks.forEach((block, b) => {
    for (const term of block.losses) {
      const id = block.nodes[term.node].args[0];
      sites[term.loss] = { block: b, node: block.nodes[id], id };
    }
  });
  return sites;
}

/** The nodes to keep on the tape: block → ids. */
function keepAt(sites: readonly PredictionSite[]): Map<number, Set<number>> {
  const keep = new Map<number, Set<number>>();
  for (const site of sites) (keep.get(site.block) ?? keep.set(site.block, new Set()).get(site.block)!).add(site.id);
  return keep;
}

/** What turns a loss's prediction into what it predicts: softmax, sigmoid or nothing. */
const probabilities = (loss: LossLayout) => (row: Float64Array) => {
  if (loss.kind === "cross_entropy") softmax(row.slice(), row);
  else if (loss.kind === "binary_cross_entropy") for (let i = 0; i < row.length; i++) row[i] = 1 / (1 + Math.exp(-row[i]));
};

/** A kept node's value at each valid step (n numbers a row, time-major), through `transform`; 0 on padding. */
function rows(n: number, axis: Axis | undefined, node: Node, steps: Float64Array[], batch: Batch, transform: (row: Float64Array) => void): Float64Array {
  const B = batch.size;
  const T = axis ? maxLength(batch, axis) : 1;
  const lengths = axis ? batch.lengths[axis]! : undefined;
  const out = new Float64Array(T * B * n);
  for (let t = 0; t < T; t++)
    for (let b = 0; b < B; b++) {
      if (lengths && t >= lengths[b]) continue;
      const row = out.subarray((t * B + b) * n, (t * B + b + 1) * n);
      row.set(node.batched ? steps[t].subarray(b * n, (b + 1) * n) : steps[t].subarray(0, n));
      transform(row);
    }
  return out;
}

/** A batch for loss, lossAndGrad and gradientFlow: with its training step, if it has one (dropout); predictions and outputs never drop. */
const trainingBatch = (batch: ModelBatch): Batch => ({ ...toBatch(batch), ...(batch.training ? { training: batch.training } : {}) });

/** The interpreter works in float64: a float32 field is widened (copied) once per batch. */
function toBatch(batch: ModelBatch): Batch {
  const widen = (a: FloatArray) => (a instanceof Float64Array ? a : Float64Array.from(a));
  return {
    size: batch.size,
    lengths: batch.lengths,
    fields: new Map([...batch.fields].map(([name, a]) => [name, widen(a)])),
    ...(batch.denominators ? { denominators: batch.denominators } : {}),
    ...(batch.carry ? { carry: new Map([...batch.carry].map(([name, a]) => [name, widen(a)])) } : {}),
  };
}

const sizeOf = (node: Node) => node.shape.reduce((a, b) => a * b, 1);
