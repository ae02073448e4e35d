// The IR: a program is a list of blocks run in order; a block is a graph of ops, run once per
// example (`once`) or once per time step (`loop`, forward or backward in time). Sizes are
// numbers: by the time a model is lowered its vocabularies are known.
import type { Op } from "./ops.ts";

/** A time axis: `t`, and a second one, `s`, for encoder–decoder models. */
export type Axis = "t" | "s";

/** A time index, read: `t`, `t-1`, `s+2`, `first`, `last`. */
export type TimeIndex = { kind: "step"; axis: Axis; offset: number } | { kind: "first" | "last" };

export interface Attrs {
  name?: string; // param, data, read, value, adjoint, accumulate
  index?: TimeIndex; // data, read
  value?: number; // const
  from?: number; // slice, pad; matvec, matvec_t, outer: the first of their matrix's rows (a stacked weight's W[from:to])
  to?: number; // slice, pad; matvec, matvec_t, outer: past the last of those rows
  size?: number; // onehot, pad, broadcast; outer with rows: the matrix's rows
  alpha?: number; // elu, leaky_relu: the number written out in elu(x, 1.0)
  rate?: number; // dropout, locked_dropout: the share of features dropped, in [0, 1)
  site?: number; // dropout, locked_dropout: which dropout of the program (its masks' own), numbered as lowered
  node?: number; // primal: the forward node
  loss?: number; // seed: which loss term
  into?: "param" | "sequence" | "value"; // accumulate, adjoint
}

export interface Node {
  op: Op;
  args: number[]; // ids of earlier nodes of the same graph
  shape: number[]; // per example ([] a scalar, [n] a vector); a param's or gradient's full shape
  /**
   * One value per example, or one shared value: params, constants, gradients, and whatever is
   * computed from those alone (a slice of a bias). A shared node is one row; an op that reads
   * it for a batch reads that row for every example; a shared value stored as a sequence or a
   * value, or kept on a tape, is written to every example's row; its adjoint is summed over
   * the batch.
   */
  batched: boolean;
  attrs: Attrs;
}

export interface Block {
  kind: "loop" | "once";
  axis?: Axis; // loops: the time axis
  direction?: "forward" | "backward"; // loops
  nodes: Node[];
  /** Per-step values kept as sequences (`h[t]`), or per-example values (`z`, `init h`). */
  stores: { name: string; node: number }[];
  /** Loss terms computed here: summed over valid steps, weighted by their seed. */
  losses: { loss: number; node: number }[];
  /**
   * Declared outputs computed here (`output probs[t] = …`). A block with outputs computes nothing
   * a loss needs: it comes after every other forward block, is not differentiated, and runs only
   * when the outputs are asked for, not in a training step.
   */
  outputs?: { output: number; node: number }[];
  /** What this block is for, for --dump-ir and generated comments. */
  comment: string;
  /** A backward block: the forward block whose values it reads through `primal`. */
  primalOf?: number;
  /** A backward loop: the node holding each state's whole adjoint at the step, ∂L/∂h_t, for gradientFlow. */
  flows?: { name: string; node: number }[];
  /** For readers (generated code, --dump-ir): nodes' names from the model (`cell.i`, `h`, `d_h`)… */
  names?: Record<number, string>;
  /** …and the equation each computes, with where it is written: `i = sigmoid(a[0:H])  prelude.rnn:51`. */
  origins?: Record<number, string>;
}

export interface ParamInfo {
  name: string; // layer.param, e.g. `enc.W`
  shape: number[];
  init: { name: string; args: number[] };
  decay: boolean; // weight decay applies: weights (rank 2), not biases
  layer: string;
}

export interface DataInfo {
  name: string;
  role: "input" | "target";
  kind: "ids" | "vectors";
  size: number; // vector size, or number of ids (vocabulary or classes)
  sequence: boolean;
  axis?: Axis;
  /** An autoregressive target: `name[t-1]` reads `<bos>, c1 … cn` (the data's `input` ids). */
  shifted: boolean;
}

export interface SequenceInfo {
  name: string;
  axis: Axis;
  size: number;
  /** The direction of the recurrence that computes it, if any: which end its init is read at. */
  direction?: "forward" | "backward";
  /** Per-example value read before the first step (forward) or after the last (backward). */
  init?: string;
}

/**
 * Truncated BPTT: a sequence or data field along t that some step reads at t-k. A window reads
 * the k steps before its first from the carry the window before it handed on: per example, its
 * last `steps` steps, oldest first (absent for the first window: nothing was before it).
 */
export interface CarryInfo {
  name: string;
  of: "sequence" | "data";
  steps: number; // the furthest read back, the k of t-k
  width: number; // numbers a step: the sequence's size, a vector's size, 1 for ids
}

export interface LossInfo {
  kind: "cross_entropy" | "binary_cross_entropy" | "mse";
  target: string;
  axis?: Axis;
  reduction: "sum_over_steps" | "mean_over_tokens";
}

/** `output probs[t] = softmax(…)`: a value the model gives its user, per example or per step. */
export interface OutputInfo {
  name: string;
  axis?: Axis;
  size: number; // numbers per example (or per step): 1 for a scalar
  scalar: boolean;
  /** A softmax over this token or class field's ids: its probabilities. */
  over?: string;
}

export interface Program {
  model: string;
  params: ParamInfo[];
  data: DataInfo[];
  sequences: SequenceInfo[];
  values: { name: string; size: number }[];
  blocks: Block[];
  losses: LossInfo[];
  outputs: OutputInfo[]; // empty: the model gives each loss's prediction
  carries: CarryInfo[]; // empty without bptt
}

/** A program with its backward pass: blocks run after `forward`, in order. */
export interface DifferentiatedProgram extends Program {
  backward: Block[];
  /** Forward nodes whose per-step values the backward pass reads: block index → node ids. */
  kept: Map<number, Set<number>>;
}
