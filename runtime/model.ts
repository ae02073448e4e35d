// What a compiled model offers the training loop, whoever implements it: the TypeScript module
// the compiler emits (fast, Float32 by default), or the reference interpreter (Float64, slow,
// the oracle). The loop, the optimizers and the checkpoints only ever see this.
import type { FloatArray } from "./types.ts";

export type Axis = "t" | "s";

export interface ParamLayout {
  name: string; // `layer.param`, e.g. `enc.W`
  shape: number[];
  init: { name: string; args: number[] };
  decay: boolean; // weight decay applies (weights, not biases)
  layer: string;
}

export interface DataLayout {
  name: string; // a field of the batch; an autoregressive target also has `NAME@input`
  role: "input" | "target";
  kind: "ids" | "vectors";
  size: number; // ids: how many (vocabulary or classes); vectors: their size
  sequence: boolean;
  axis?: Axis;
  shifted: boolean; // an autoregressive target (read through `NAME@input`)
}

/**
 * One minibatch, time-major: field value (t, b, i) at (t * size + b) * width + i, where width
 * is 1 for ids. A field without a time axis has one step. Ids at padded steps are ignored.
 */
export interface ModelBatch {
  size: number;
  lengths: Partial<Record<Axis, Int32Array>>;
  fields: Map<string, FloatArray>;
  /**
   * Truncated BPTT: what the window before handed on (its `finalStates()`), per carried name:
   * each example's last steps of that sequence or field, [B × steps × width], oldest first.
   * Absent for the first window, which has nothing before it.
   */
  carry?: Map<string, FloatArray>;
  /**
   * Per loss, what its sum is divided by: by default this batch's examples (B) or valid tokens
   * (`mean over tokens`). A part of a larger batch (one worker's share) passes the whole batch's,
   * so that the parts' losses and gradients add up to the whole batch's.
   */
  denominators?: number[];
  /**
   * A training step: dropout is on, its masks a hash of the run's `seed`, the `update` (the
   * optimizer's steps before this one), the example's index in the whole batch (`offset` + b: a
   * part of a larger batch says where it starts) and where in the model. Absent: dropout is the
   * identity, as in evaluation. predict, generation and outputs never drop.
   */
  training?: { seed: number; update: number; offset?: number };
}

export interface LossLayout {
  kind: "cross_entropy" | "binary_cross_entropy" | "mse";
  target: string;
  axis?: Axis;
  reduction: "sum_over_steps" | "mean_over_tokens";
  size: number; // classes, or vector size
}

/** `output probs[t] = softmax(head(h[t]))`: a value the model declares for its user. */
export interface OutputLayout {
  name: string;
  axis?: Axis; // one value per step of this axis; else one per example
  size: number; // numbers a value holds: 1 for a scalar
  scalar: boolean;
  /** A softmax over this token or class field's ids: the probability of each. */
  over?: string;
}

export interface CompiledModel<A extends FloatArray = FloatArray> {
  readonly name: string;
  readonly params: ParamLayout[];
  readonly data: DataLayout[];
  readonly losses: LossLayout[];
  /** The outputs the model declares, in order; none when it declares none (its predictions are then each loss's). */
  readonly outputs: OutputLayout[];
  /** Zeroed arrays, one per param, in layout order. */
  createParams(): Map<string, A>;
  /** The mean loss of the batch (as the language defines its reduction). */
  loss(params: Map<string, A>, batch: ModelBatch): number;
  /** The loss, and every param's gradient written into `grads` (overwritten, not added to). */
  lossAndGrad(params: Map<string, A>, grads: Map<string, A>, batch: ModelBatch): number;
  /**
   * Each loss's prediction: per valid step (or per example) the probabilities (cross_entropy),
   * the probabilities of each output (binary_cross_entropy) or the values (mse), laid out like
   * the target: (t, b, i) at (t * size + b) * width + i.
   */
  predict(params: Map<string, A>, batch: ModelBatch): A[];
  /**
   * Each declared output's values, as computed (no softmax added): (t, b, i) at
   * (t * size + b) * width + i for an output per step (0 at padded steps), b * width + i for one
   * per example. The targets are not read; a batch needs only the inputs.
   */
  outputValues(params: Map<string, A>, batch: ModelBatch): A[];
  /** Truncated BPTT: the sequences and fields that a window reads before its first step (at t-k), carried from window to window. */
  readonly carried: string[];
  /** After loss or lossAndGrad: the carry for the next window — per carried name, each example's last steps in this window (older ones from this window's carry). */
  finalStates(): Map<string, A>;
  /**
   * Gradient flow through time: the loss and gradients of the batch computed (into scratch
   * arrays: nothing of a training step changes), then per recurrent state, at each step, the
   * mean over the examples running there of |∂L/∂h_t|, the L2 norm of the loss's gradient with
   * respect to the state. Where it shrinks going back in time, the gradient vanishes.
   */
  gradientFlow?(params: Map<string, A>, batch: ModelBatch): Map<string, Float64Array>;
  /**
   * Models with an autoregressive target: the model run one step of that target's axis at a
   * time, for runtime/generation.ts's `generate` and `beamSearch`.
   */
  generator?: ModelGenerator<A>;
}

/**
 * The part of generation that needs a module's own buffers; the decoding algorithms over it are
 * runtime/generation.ts's. A generation runs on the rows of the batch given to `start`
 * (rows = batch.size): the target's input and every per-step buffer hold row r of step t at
 * (t * rows + r) * width. The arrays returned are the module's own buffers, valid until it is
 * next called for another batch.
 */
export interface ModelGenerator<A extends FloatArray = FloatArray> {
  /** V, how many ids the target has: a row's logits at a step are V numbers. */
  readonly vocabularySize: number;
  /**
   * Sets the model up for a batch (its fields are the inputs; the target's axis runs to `steps`),
   * runs what comes before the target's loop whole (an encoder, an init), and returns the
   * target's input as the model reads it, [steps × rows]: <bos> at step 0 of every row; the
   * caller writes the ids chosen at step t into step t + 1 before running it.
   */
  start(params: Map<string, A>, batch: ModelBatch, steps: number, bos: number): A;
  /** Runs step t of the target's loops (steps 0…t-1 have run); returns the logits, row r's at (t * rows + r) * V. */
  step(t: number): A;
  /**
   * For beam search, after step t: row r of every per-step buffer of the target's axis (its input
   * too), at steps 0…t, becomes row parents[r]'s — each hypothesis takes over its parent's past.
   */
  reorder(parents: Int32Array, t: number): void;
}
