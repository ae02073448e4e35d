// A LayerGraph as a tf.LayersModel (the functional API), with rnnc's params as its weights.
// Recurrent layers have the gates of the cell they compute: sigmoid for lstm and gru,
// hardSigmoid (tfjs's default) for lstm_hard_sigmoid and gru_hard_sigmoid. tfjs 4's hardSigmoid
// is rnnc's hard_sigmoid, clip(0.2x + 0.5, 0, 1) (@tensorflow/tfjs-layers 4.22.0,
// dist/backend/tfjs_backend.js: hardSigmoid(x) = clipByValue(add(.5, mul(.2, x)), 0, 1)). GRUs
// are the reset-before form (tfjs's only one).
import * as tf from "@tensorflow/tfjs";
import type { FloatArray } from "../../runtime/types.ts";
import { inReferenceOrder } from "../recognise/param-rows.ts";
import type { Cell, GraphNode, LayerGraph, LayerWeights, Ref } from "./graph.ts";
import { toTfjs, type LayerParams } from "./weights.ts";

/** rnnc params by name (`enc.W`) with their shapes. */
export type ParamValues = ReadonlyMap<string, { shape: readonly number[]; values: FloatArray }>;

/**
 * The tfjs model of `graph`. With `params`, its weights are rnnc's; without, tfjs's initial ones
 * (for comparing a loaded model's structure with the one expected).
 */
export function buildModel(graph: LayerGraph, params?: ParamValues): tf.LayersModel {
  const inputs = graph.inputs.map((input) =>
    tf.input({
      name: input.name,
      dtype: input.kind === "ids" ? "int32" : "float32",
      shape: input.sequence ? (input.kind === "ids" ? [null] : [null, input.size]) : [input.size],
    }),
  );
  const layers = new Map<string, tf.layers.Layer>(); // by tfjs name: a layer applied twice shares its weights
  const layer = (name: string, make: () => tf.layers.Layer) => layers.get(name) ?? layers.set(name, make()).get(name)!;
  const tfjsName = (rnnc: string) => graph.weights.find((w) => w.layer === rnnc)!.tfjs;
  const outputs: tf.SymbolicTensor[] = [];
  const finals: tf.SymbolicTensor[] = [];
  const tensor = (r: Ref) => (r.final ? finals[r.node] : outputs[r.node]);
  const frozen: [tf.layers.Layer, GraphNode & { op: "onehot" }][] = [];

  graph.nodes.forEach((node, i) => {
    const apply = (l: tf.layers.Layer, from: Ref | Ref[]) => l.apply(Array.isArray(from) ? from.map(tensor) : tensor(from)) as tf.SymbolicTensor | tf.SymbolicTensor[];
    let out: tf.SymbolicTensor | tf.SymbolicTensor[];
    switch (node.op) {
      case "input":
        out = inputs[node.input];
        break;
      case "masking":
        out = apply(tf.layers.masking({ maskValue: 0 }), node.from);
        break;
      case "embedding":
        out = apply(layer(tfjsName(node.layer), () => tf.layers.embedding({ name: tfjsName(node.layer), inputDim: node.vocab + 1, outputDim: node.size, maskZero: true })), node.from);
        break;
      case "onehot": {
        const from = graph.nodes[node.from.node];
        const name = `onehot_${from.op === "input" ? graph.inputs[from.input].name : i}_${node.size}`;
        const l = tf.layers.embedding({ name, inputDim: node.vocab + 1, outputDim: node.size, maskZero: true, trainable: false });
        frozen.push([l, node]);
        out = apply(l, node.from);
        break;
      }
      case "recurrent": {
        const name = tfjsName(node.layer);
        const both = node.sequences && node.final;
        out = apply(layer(name, () => recurrentLayer(node.cell, { name, units: node.size, returnSequences: node.sequences, returnState: both, goBackwards: node.backward })), node.from);
        if (Array.isArray(out)) {
          finals[i] = out[1]; // [sequence, h, (c)]: h is the last output
          out = out[0];
        } else if (!node.sequences) finals[i] = out;
        break;
      }
      case "bidirectional": {
        const name = tfjsName(node.forward);
        const make = () =>
          tf.layers.bidirectional({ name, mergeMode: "concat", layer: recurrentLayer(node.cell, { name: node.forward, units: node.size / 2, returnSequences: node.sequences }) as tf.RNN });
        out = apply(layer(name, make), node.from);
        break;
      }
      case "dense":
        out = apply(layer(tfjsName(node.layer), () => tf.layers.dense({ name: tfjsName(node.layer), units: node.size, activation: node.activation })), node.from);
        break;
      case "dropout":
        out = apply(node.locked && node.sequence ? tf.layers.spatialDropout1d({ rate: node.rate }) : tf.layers.dropout({ rate: node.rate }), node.from);
        break;
      case "concat":
        out = apply(tf.layers.concatenate({ axis: -1 }), node.from);
        break;
      case "add":
        out = apply(tf.layers.add({}), node.from);
        break;
      case "activation":
        out = apply(tf.layers.activation({ activation: node.activation }), node.from);
        break;
      case "leakyReLU":
        out = apply(tf.layers.leakyReLU({ alpha: node.alpha }), node.from);
        break;
    }
    outputs[i] = out as tf.SymbolicTensor;
  });

  const model = tf.model({ name: graph.model, inputs, outputs: graph.outputs.map((o) => tensor(o.from)) });
  for (const [l, node] of frozen) l.setWeights([tf.tensor2d(onehotTable(node.vocab, node.size), [node.vocab + 1, node.size])]);
  if (params) setWeights(graph, layers, params);
  return model;
}

/** Row id + 1 is onehot(id, size): the unit vector e_id, or zeros for an id at or past size. */
function onehotTable(vocab: number, size: number): Float32Array {
  const table = new Float32Array((vocab + 1) * size);
  for (let id = 0; id < Math.min(vocab, size); id++) table[(id + 1) * size + id] = 1;
  return table;
}

function setWeights(graph: LayerGraph, layers: Map<string, tf.layers.Layer>, params: ParamValues): void {
  for (const [name, l] of layers) {
    const halves = graph.weights.filter((w) => w.tfjs === name).sort((a, b) => (a.half === "backward" ? 1 : 0) - (b.half === "backward" ? 1 : 0));
    const weights = halves.flatMap((w) => toTfjs(w.kind, layerParams(params, w)));
    l.setWeights(weights.map((w) => tf.tensor(w.values, w.shape, "float32")));
  }
}

/** One rnnc layer's params by their roles in its kind (`enc.W` → `W`), in the prelude's gate order. */
function layerParams(params: ParamValues, w: LayerWeights): LayerParams {
  const out: LayerParams = {};
  for (const [role, { name, rows }] of Object.entries(w.params)) {
    const p = params.get(name);
    if (p) out[role] = { shape: [...p.shape], values: inReferenceOrder(p.values, rows) };
  }
  return out;
}

interface RecurrentOptions {
  name: string;
  units: number;
  returnSequences: boolean;
  returnState?: boolean;
  goBackwards?: boolean;
}

/** The gates' activation of each gated cell, as tfjs names it. */
const gates = { lstm: "sigmoid", gru: "sigmoid", lstm_hard_sigmoid: "hardSigmoid", gru_hard_sigmoid: "hardSigmoid" } as const;

function recurrentLayer(cell: Cell, options: RecurrentOptions): tf.layers.Layer {
  // Glorot rather than tfjs's default orthogonal recurrent initializer: the weights are set from
  // rnnc's params right after, and orthogonal takes minutes on the cpu backend at 256 units.
  const initializers = { kernelInitializer: "glorotUniform", recurrentInitializer: "glorotUniform" } as const;
  const common = { ...options, ...initializers, returnState: options.returnState ?? false, goBackwards: options.goBackwards ?? false };
  switch (cell) {
    case "lstm":
    case "lstm_hard_sigmoid":
      return tf.layers.lstm({ ...common, activation: "tanh", recurrentActivation: gates[cell], unitForgetBias: false });
    case "gru":
    case "gru_hard_sigmoid":
      return tf.layers.gru({ ...common, activation: "tanh", recurrentActivation: gates[cell] }); // resetAfter: false, tfjs's only form
    case "rnn":
      return tf.layers.simpleRNN({ ...common, activation: "tanh" });
    case "rnn_relu":
      return tf.layers.simpleRNN({ ...common, activation: "relu" });
  }
}
