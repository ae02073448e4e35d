// A TensorFlow.js layers model on disk → the params of a matching rnnc model. The model the
// .rnn file maps onto (layers/, build.ts) is built and compared with the loaded one layer
// by layer — the layers that hold weights, in the order tfjs lists them: the same class, the
// same configuration where it changes the numbers (units, activations, direction, masking) and
// the same weight shapes. Then each layer's weights are converted back (weights.ts). Layers
// without weights (Masking, Add, Concatenate, Activation, Dropout) are not compared: a model
// that differs only there imports, and computes what its .rnn file says.
import * as tf from "@tensorflow/tfjs";
import type { CheckedModel } from "../../compiler/2-check/checked.ts";
import type { DataSizes } from "../../compiler/3-lower/index.ts";
import type { Program } from "../../compiler/ir/nodes.ts";
import { inProgramOrder } from "../recognise/param-rows.ts";
import { readArtifacts } from "./artifacts.ts";
import { cpuBackend } from "./backend.ts";
import { buildModel } from "./build.ts";
import { TfjsError } from "./errors.ts";
import type { LayerGraph } from "./graph.ts";
import { layerGraph } from "./layers/index.ts";
import { readMetadata } from "./metadata.ts";
import { fromTfjs, type Weight } from "./weights.ts";

export { TfjsError } from "./errors.ts";

export interface OpenedTfjsModel {
  /** From an rnnc export's metadata: the model's name, dims and vocabularies. */
  model?: string;
  overrides?: Record<string, number>;
  vocabularies?: Record<string, string[]>;
  /** The weights as the params of `model` (lowered as `program`: every param of it), or a TfjsError listing every mismatch. */
  params(model: CheckedModel, source: string, dataSizes: DataSizes, program: Program): Map<string, Float32Array>;
}

/** Loads DIR/model.json and its weights with tf.loadLayersModel. */
export async function openTfjs(dir: string): Promise<OpenedTfjsModel> {
  const artifacts = readArtifacts(dir);
  await cpuBackend();
  let loaded: tf.LayersModel;
  try {
    loaded = await tf.loadLayersModel({ load: async () => artifacts });
  } catch (error) {
    throw new TfjsError(`${dir}: tfjs cannot load the model: ${(error as Error).message}`);
  }
  return {
    ...readMetadata(artifacts.userDefinedMetadata),
    params: (model, source, dataSizes, program) => paramsFrom(loaded, layerGraph(model, source, program, dataSizes), program.params, dir),
  };
}

function paramsFrom(loaded: tf.LayersModel, graph: LayerGraph, layout: readonly { name: string; shape: readonly number[] }[], dir: string): Map<string, Float32Array> {
  const expected = buildModel(graph);
  const want = expected.layers.filter((l) => l.weights.length > 0);
  const have = loaded.layers.filter((l) => l.weights.length > 0);
  const problems: string[] = [];
  const rnncOf = (l: tf.layers.Layer) => {
    const layers = graph.weights.filter((w) => w.tfjs === l.name).map((w) => `${w.layer} (${w.kind})`);
    return layers.length > 0 ? `rnnc's ${layers.join(" and ")}` : `rnnc's onehot (a frozen table)`;
  };
  if (want.length !== have.length) {
    const list = (ls: tf.layers.Layer[]) => ls.map((l) => `${l.name} (${l.getClassName()})`).join(", ");
    problems.push(`the tfjs model has ${have.length} layers with weights (${list(have)}); ${graph.model} maps onto ${want.length}: ${list(want)}`);
  } else {
    want.forEach((w, i) => problems.push(...differences(w, have[i], i, rnncOf(w))));
  }
  if (problems.length > 0) throw new TfjsError(`${dir} does not match ${graph.model}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);

  const params = new Map<string, Float32Array>();
  const shapes = new Map(layout.map((p) => [p.name, p.shape]));
  for (const w of graph.weights) {
    const index = want.findIndex((l) => l.name === w.tfjs);
    const all = weightsOf(have[index]);
    const half = all.length / 2;
    const weights = w.half === "forward" ? all.slice(0, half) : w.half === "backward" ? all.slice(half) : all;
    let converted: Record<string, Float32Array>;
    try {
      converted = fromTfjs(w.kind, weights);
    } catch (error) {
      throw new TfjsError(`${dir}: tfjs layer ${have[index].name} as ${w.layer} (${w.kind}): ${(error as Error).message}`);
    }
    for (const [role, values] of Object.entries(converted)) params.set(w.params[role].name, inProgramOrder(values, w.params[role].rows));
  }
  for (const [name, shape] of shapes) {
    const values = params.get(name);
    const size = shape.reduce((a, b) => a * b, 1);
    if (!values || values.length !== size) throw new TfjsError(`${dir}: no weights for ${name} [${shape.join(", ")}] (an internal mismatch between the layer maps)`);
  }
  expected.dispose();
  return params;
}

function weightsOf(layer: tf.layers.Layer): Weight[] {
  return layer.getWeights().map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array }));
}

/** The configuration that decides what a layer computes, by class. */
const keys: Record<string, string[]> = {
  Embedding: ["inputDim", "outputDim", "maskZero"],
  Dense: ["units", "useBias", "activation"],
  LSTM: ["units", "activation", "recurrentActivation", "useBias", "goBackwards", "returnSequences"],
  GRU: ["units", "activation", "recurrentActivation", "useBias", "goBackwards", "returnSequences", "resetAfter"],
  SimpleRNN: ["units", "activation", "useBias", "goBackwards", "returnSequences"],
  Bidirectional: ["mergeMode"],
};

/** How the loaded layer differs from the expected one, in words. */
function differences(want: tf.layers.Layer, have: tf.layers.Layer, i: number, rnnc: string): string[] {
  const where = `tfjs layer ${i + 1} with weights, ${have.name}`;
  if (want.getClassName() !== have.getClassName()) return [`${where}, is of class ${have.getClassName()}; ${rnnc} needs class ${want.getClassName()}`];
  const out: string[] = [];
  const compare = (wc: tf.serialization.ConfigDict, hc: tf.serialization.ConfigDict, cls: string, what: string) => {
    for (const key of keys[cls] ?? []) {
      const [a, b] = [show(wc[key]), show(hc[key])];
      if (a === b) continue;
      if (key === "activation" && cls === "Dense" && b === "linear" && (a === "softmax" || a === "sigmoid")) continue; // logits out: the same weights
      out.push(`${what}: ${key} is ${b}; ${rnnc} needs ${a}${key === "recurrentActivation" ? gatesHint(cls, b) : ""}`);
    }
  };
  compare(want.getConfig(), have.getConfig(), want.getClassName(), `${where} (${have.getClassName()})`);
  if (want.getClassName() === "Bidirectional") {
    const inner = (l: tf.layers.Layer) => (l.getConfig().layer as { className: string; config: tf.serialization.ConfigDict });
    const [w, h] = [inner(want), inner(have)];
    if (w.className !== h.className) out.push(`${where} wraps class ${h.className}; ${rnnc} needs class ${w.className}`);
    else compare(w.config, h.config, w.className, `${where} (${h.className} in a Bidirectional)`);
  }
  const shapes = (l: tf.layers.Layer) => l.weights.map((v) => `[${v.shape.join(", ")}]`).join(" ");
  if (out.length === 0 && shapes(want) !== shapes(have)) out.push(`${where} (${have.getClassName()}): its weights have shapes ${shapes(have)}; ${rnnc} needs ${shapes(want)}`);
  if (out.length === 0 && !want.trainable) {
    // A frozen onehot table: rnnc computes onehot(), so the loaded table must be that one.
    const [a, b] = [want.getWeights()[0].dataSync(), have.getWeights()[0].dataSync()];
    if (a.some((x, k) => x !== b[k])) out.push(`${where}: its table is not onehot's (row id + 1 = the unit vector of id); ${rnnc} cannot hold other values`);
  }
  return out;
}

/** The prelude cell with the loaded layer's gates, when there is one. */
function gatesHint(cls: string, have: string): string {
  const cell = cls === "LSTM" ? "lstm" : "gru";
  if (have === "hardSigmoid") return ` (hardSigmoid is tfjs's default: the prelude's ${cell}_hard_sigmoid has those gates)`;
  if (have === "sigmoid") return ` (the prelude's ${cell} has sigmoid gates)`;
  return "";
}

const show = (v: unknown) => (v === undefined || v === null ? "unset" : typeof v === "object" ? JSON.stringify(v) : String(v));
