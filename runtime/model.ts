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
}

export interface LossLayout {
  kind: "cross_entropy" | "binary_cross_entropy" | "mse";
  target: string;
  axis?: Axis;
  reduction: "sum_over_steps" | "mean_over_tokens";
  size: number; // classes, or vector size
}

export interface CompiledModel<A extends FloatArray = FloatArray> {
  readonly name: string;
  readonly params: ParamLayout[];
  readonly data: DataLayout[];
  readonly losses: LossLayout[];
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
  /** Models with an autoregressive target: each example's generated ids (without <eos>). */
  generate?(params: Map<string, A>, batch: ModelBatch, options: GenerateOptions<A>): Int32Array[];
  /** Beam search of width k: each example's best hypothesis by log-probability per token. */
  beamSearch?(params: Map<string, A>, batch: ModelBatch, options: BeamOptions): Int32Array[];
}

export interface BeamOptions {
  steps: number;
  bos: number;
  eos: number;
  width: number; // hypotheses kept per example
}

export interface GenerateOptions<A extends FloatArray = FloatArray> {
  steps: number; // at most this many tokens (and <eos>)
  bos: number; // the id read before the first token
  eos: number; // the id that ends a sequence
  /** Picks the next id from the logits at [offset, offset + length): argmax, or a sample. */
  choose: (logits: A, offset: number, length: number) => number;
}
