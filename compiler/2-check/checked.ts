// What the checker hands to the lowering: a model whose names are resolved, whose every
// expression has a type, and whose equations are grouped into loops with a direction.
import type * as ast from "../1-parse/ast.ts";
import type { Axis, TimeIndex } from "../ir/nodes.ts";
import type { Size } from "./sizes.ts";
import type { DataType, ValueType } from "./types.ts";

export type { Axis, TimeIndex }; // the IR's: the checker reads them off the source

export interface CheckedParam {
  name: string;
  shape: Size[];
  init: { name: string; args: number[] };
  decl: ast.ParamDecl;
}

/** A cell or layer definition, checked once with its size parameters as symbols. */
export interface CheckedCell {
  kind: "cell" | "layer";
  name: string;
  file: string; // where it is defined: the user's file or the prelude
  source: string; // that file's text: where its equations are, for generated code's comments
  def: ast.CellDef;
  sizeParams: string[];
  inputs: { name: string; type: ValueType }[];
  states: { name: string; type: ValueType }[];
  params: CheckedParam[];
  /** Equations in an order in which each uses only what comes before it. */
  equations: ast.Equation[];
  result?: ast.Expr; // a layer's `return`
  resultType?: ValueType;
  types: Map<ast.Expr, ValueType>;
}

/** `layer enc = lstm(E, H)`: a definition with its sizes bound. */
export interface LayerInstance {
  name: string;
  decl: ast.LayerDecl;
  cell: CheckedCell;
  sizes: Map<string, Size>; // I → 32, H → 128
  params: { name: string; shape: Size[]; init: CheckedParam["init"] }[];
  paramCount: Size;
}

export interface DataItem {
  name: string;
  role: "input" | "target";
  type: DataType;
  axis?: Axis; // for sequences: the time axis it is read on
  /** A target read at t-1 and predicted at t: teacher-forced in training, fed back in generation. */
  autoregressive: boolean;
  decl: ast.DataDecl;
}

/** A value defined by an equation of the model: `h[t] = ...` (on an axis) or `z = ...`. */
export interface ModelValue {
  name: string;
  axis?: Axis;
  type: ValueType;
  equation: ast.Equation;
  init?: ast.InitDecl;
}

/**
 * Equations computed together. A recurrence (values that read their own earlier or later
 * steps) is a loop forward or backward in time; a value with no recurrence is computed per
 * step (`map`) or once (`once`, for values with no time axis).
 */
export interface LoopGroup {
  direction: "forward" | "backward" | "map" | "once";
  axis?: Axis;
  equations: ast.Equation[];
  /** Recurrent values and how many steps back (or ahead) they are read: h → 1 for h[t-1]. */
  states: { name: string; depth: number; init?: ast.InitDecl }[];
}

export interface CheckedLoss {
  decl: ast.LossDecl;
  kind: "cross_entropy" | "binary_cross_entropy" | "mse";
  prediction: ast.Expr;
  target: string;
  axis?: Axis; // summed over the steps of this axis
  reduction: "sum_over_steps" | "mean_over_tokens";
}

/** `output probs[t] = softmax(head(h[t]))`: a value the model gives its user. */
export interface CheckedOutput {
  decl: ast.OutputDecl;
  name: string;
  axis?: Axis; // one value per step of this axis; else one per example
  value: ast.Expr;
  type: ValueType; // a tensor: a scalar or a vector
  /** A softmax over as many entries as this token or class field has ids: its probabilities. */
  over?: string;
}

export interface TrainSettings {
  optimizer: { name: "adam" | "sgd"; lr: number; beta1: number; beta2: number; eps: number; momentum: number };
  batch: number;
  epochs: number;
  clipNorm?: number;
  weightDecay: number;
  bptt?: number;
  seed: number;
  freeze: string[];
  /** Stop when the monitored validation number has not improved for `patience` epochs. */
  earlyStop?: { patience: number };
  /** What "better" means for early stopping, plateaus and the best checkpoint: the validation loss (lower) or metric. */
  monitor: "loss" | "accuracy" | "rmse";
  lrSchedule?: LrSchedule;
  /** Updates over which the learning rate rises linearly from 0 to its value. */
  warmup: number;
}

/** How the learning rate changes: ×factor every N epochs; cosine from lr to 0 over the run; ×factor after N epochs without improvement. */
export type LrSchedule = { name: "step"; every: number; factor: number } | { name: "cosine" } | { name: "plateau"; patience: number; factor: number };

export interface CheckedModel {
  name: string;
  file: string;
  source: string; // the file's text: where its equations are, for generated code's comments
  decl: ast.ModelDecl;
  dims: Map<string, number>;
  data: DataItem[];
  layers: LayerInstance[];
  values: ModelValue[];
  /** In execution order. */
  loops: LoopGroup[];
  losses: CheckedLoss[];
  /** In declaration order; none for a model that declares none (it gives each loss's prediction). */
  outputs: CheckedOutput[];
  train: TrainSettings;
  /** Sizes fixed by the model that the data must agree with: classes(even) → 2. */
  sizeConstraints: Map<string, Size>;
  types: Map<ast.Expr, ValueType>;
  timeIndices: Map<ast.Expr, TimeIndex>;
}
