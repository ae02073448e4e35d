// Which checked models are tf.layers models, and which layers: the one place that decides.
//
// A model maps onto tfjs layers when every loss's prediction is built, step by step, from
//   - an input sequence of ids through `embedding` or `onehot`, or of vectors (Keras' Masking(0));
//     an autoregressive target read at t-1 is an input too (its shifted copy, `name@input`);
//   - recurrences that are one cell stepping its own states, `h[t] = cell(x[t], h[t-1])`
//     (forward: its steps h[t] or its last state h[last]; backward, `b[t+1]`: its b[first], or
//     its steps paired with a forward one over the same input as concat(f[t], b[t]), and
//     concat(f[last], b[first]) — tfjs's Bidirectional), where the cell computes the prelude's
//     lstm, gru, rnn, rnn_relu, lstm_hard_sigmoid or gru_hard_sigmoid (recurrences.ts: by its
//     equations, whatever its name);
//   - `dense` layers, concat, `+`, and tanh, relu, sigmoid, softmax;
// on one time axis, with every recurrence starting from zeros. Anything else (another cell, an
// `init`, an encoder–decoder's second axis, gru_reset_after, `*`) is a problem, and the model's
// every problem is listed at once in one TfjsError.
import type { CheckedModel } from "../../../compiler/2-check/checked.ts";
import type { Size } from "../../../compiler/2-check/sizes.ts";
import type { DataSizes } from "../../../compiler/3-lower/index.ts";
import type { Program } from "../../../compiler/ir/nodes.ts";
import { recogniseCells } from "../../recognise/index.ts";
import { TfjsError } from "../errors.ts";
import type { GraphOutput, LayerGraph } from "../graph.ts";
import { Draft } from "./draft.ts";
import { ExpressionLayers } from "./expressions.ts";
import { layerWeights } from "./layer-weights.ts";
import { foldOutputActivations } from "./output-activations.ts";
import { recurrencesOf } from "./recurrences.ts";

/** The tf.layers graph of `model` (lowered as `program`, with its data-bound sizes), or a TfjsError listing why not. */
export function layerGraph(model: CheckedModel, source: string, program: Program, dataSizes: DataSizes): LayerGraph {
  const d = new Draft(model, source);
  const bindings = new Map<string, Size>([...model.sizeConstraints]);
  for (const [key, n] of dataSizes) bindings.set(key, new Map([["", n]]));
  const layers = new ExpressionLayers(d, recurrencesOf(model, recogniseCells(program), (e) => d.text(e)), bindings);

  const axes = new Set([...model.data.map((x) => x.axis), ...model.values.map((v) => v.axis)].filter((a) => a !== undefined));
  if (axes.size > 1) d.problem(`it runs over two time axes (${[...axes].join(" and ")}), an encoder and a decoder: a tfjs layers model has one`);
  for (const v of model.values) if (v.init) d.problem(`${d.text(v.init)}: tfjs's recurrent layers start from zeros (a computed first state is not part of a layers model)`);

  // What the model gives: its declared outputs, or else each loss's prediction.
  const given = model.outputs.length > 0
    ? model.outputs.map((o) => ({ value: o.value, target: o.name, ...(o.over ? { over: o.over } : {}) }))
    : model.losses.map((l) => ({ value: l.prediction, target: l.target, loss: l.kind }));
  const outputs: GraphOutput[] = [];
  for (const { value, ...output } of given) {
    const from = layers.expression(value);
    if (!from) continue;
    if (d.isIds(from)) {
      d.problem(`${d.text(value)}: the prediction is ids, not numbers`);
      continue;
    }
    outputs.push({ ...output, from, sequence: d.isSequence(from), size: d.sizeOf(from) });
  }
  const weights = layerWeights(d, layers.cellParams);
  if (d.problems.length > 0) {
    const list = [...new Set(d.problems)].map((p) => `  - ${p}`).join("\n");
    throw new TfjsError(`${model.name} does not map onto TensorFlow.js layers:\n${list}`);
  }
  foldOutputActivations(d, outputs);
  return { model: model.name, inputs: d.inputs, nodes: d.nodes, outputs, weights };
}
