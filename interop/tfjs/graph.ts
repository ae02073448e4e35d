// A model as tf.layers sees it: inputs, layers applied to tensors, and outputs. layers/ finds
// it in a checked model; build.ts turns it into a tf.LayersModel. Every tensor is either
// per step ([batch, steps, size], `sequence`) or per example ([batch, size]).
import type { CellKind, ParamMapping } from "../recognise/index.ts";
import type { LayerKind } from "./weights.ts";

/** The prelude cells tfjs has a recurrent layer for (its GRU is only the reset-before form). */
export type Cell = Exclude<CellKind, "gru_reset_after">;

export interface GraphInput {
  /** The tfjs input's name: the field's, `@` spelled `_` (`name@input` → `name_input`). */
  name: string;
  /** The batch field it carries: an input, or an autoregressive target's shifted copy (`name@input`). */
  field: string;
  kind: "ids" | "vectors";
  /** ids: the vocabulary's size (the tfjs input carries rnnc's id + 1, 0 at padded steps); vectors: their size. */
  size: number;
  sequence: boolean;
}

/** A tensor: a node's output, or a recurrent layer's final state when the layer also returns its sequence. */
export interface Ref {
  node: number;
  final?: boolean;
}

export type GraphNode = { sequence: boolean; size: number } & (
  | { op: "input"; input: number }
  /** Keras' Masking(0): a step whose vector is all zeros is padding. For vector sequences. */
  | { op: "masking"; from: Ref }
  | { op: "embedding"; layer: string; from: Ref; vocab: number }
  /** onehot(ids, size) as a frozen embedding: row id + 1 is the unit vector (zeros past `size`). */
  | { op: "onehot"; from: Ref; vocab: number }
  /** One recurrent layer: its sequence of states, its final state (`final`), or both. */
  | { op: "recurrent"; cell: Cell; layer: string; from: Ref; backward: boolean; sequences: boolean; final: boolean }
  /** A forward and a backward layer over the same input: concat(f[t], b[t]) per step, or concat(f[last], b[first]). */
  | { op: "bidirectional"; cell: Cell; forward: string; backward: string; from: Ref; sequences: boolean }
  | { op: "dense"; layer: string; from: Ref; activation: Activation }
  | { op: "concat"; from: Ref[] }
  | { op: "add"; from: Ref[] }
  | { op: "activation"; activation: Activation; from: Ref }
  /** leaky_relu(x, a): Keras' LeakyReLU layer, its alpha a. */
  | { op: "leakyReLU"; alpha: number; from: Ref }
  /** dropout(x, p): Keras' Dropout; locked_dropout(x, p) of a sequence: SpatialDropout1D (one mask per sequence). Identities at inference. */
  | { op: "dropout"; rate: number; locked: boolean; from: Ref }
);

export type Activation = "linear" | "tanh" | "relu" | "sigmoid" | "softmax" | "softplus" | "gelu" | "swish" | "hardSigmoid" | "elu";

export interface GraphOutput {
  /** A declared output's name, or else the loss's target. */
  target: string;
  /** The loss it is the prediction of: its probabilities are added as an activation. A declared output has none (it is given as computed). */
  loss?: "cross_entropy" | "binary_cross_entropy" | "mse";
  /** A declared output that is a softmax over this field's ids. */
  over?: string;
  from: Ref;
  sequence: boolean;
  size: number;
}

/** An rnnc layer and the tfjs layer holding its weights (`f1` → `f1_b1`, the forward half). */
export interface LayerWeights {
  layer: string;
  kind: LayerKind;
  tfjs: string;
  half?: "forward" | "backward";
  /** The params of `kind` (`W`, `b`, `Wz`, …) → the program's, with their rows if not in the prelude's gate order. */
  params: Record<string, ParamMapping>;
}

export interface LayerGraph {
  model: string;
  inputs: GraphInput[];
  nodes: GraphNode[];
  outputs: GraphOutput[];
  /** Every rnnc layer, in the order the tfjs model lists the layers holding their weights. */
  weights: LayerWeights[];
}
