// Each op's shape rule: the shape of its result from its arguments' (and its attrs), or why the
// arguments do not fit. The graph builder computes every node's shape with it and the validator
// checks every node against it, so the two cannot disagree. (The checker types the language's
// expressions with sizes that are still symbols, `4*H`, and says what is wrong in the user's
// words; by the time the IR is built, the checker has made sure these rules hold.)
import type { Attrs, Node } from "./nodes.ts";
import type { Op } from "./ops.ts";

type Shape = number[];
/** The result's shape, or a string saying what does not fit. */
export type ShapeRule = (args: readonly Pick<Node, "shape">[], attrs: Attrs) => Shape | string;

const size = (shape: Shape) => shape.reduce((a, b) => a * b, 1);
const same = (a: Shape, b: Shape) => a.length === b.length && a.every((x, i) => x === b[i]);
const show = (shape: Shape) => `[${shape.join(", ")}]`;

/**
 * How many rows of its matrix's `m` a product takes: a row range attrs.from to attrs.to (the
 * rows of a stacked weight, `W[0:2*H] @ x`: no copy, an offset), or all of them without one.
 * Undefined when the range is not inside the matrix.
 */
const rowsOf = ({ from, to }: Attrs, m: number): number | undefined =>
  from === undefined && to === undefined ? m : from !== undefined && to !== undefined && 0 <= from && from < to && to <= m ? to - from : undefined;
const showRows = ({ from, to }: Attrs) => (from === undefined && to === undefined ? "" : `[${from}:${to}]`);

/** A leaf's shape is given where it is made (a param's, a sequence's, a field's). */
const given = "given" as const;

/** Elementwise: operands of one shape, or scalars, which broadcast. */
const elementwise: ShapeRule = (args) => {
  const shape = args.find((a) => a.shape.length > 0)?.shape ?? [];
  const bad = args.find((a) => a.shape.length > 0 && !same(a.shape, shape));
  return bad ? `operands of shapes ${show(shape)} and ${show(bad.shape)}` : shape;
};
const keepsShape: ShapeRule = ([x]) => x.shape;
/** elu, leaky_relu: their number is attrs.alpha. */
const withAlpha: ShapeRule = ([x], { alpha }) => (typeof alpha === "number" && Number.isFinite(alpha) ? x.shape : "needs a finite number in attrs.alpha");
/** dropout, locked_dropout: a rate in [0, 1) and a site. */
const dropoutRule: ShapeRule = ([x], { rate, site }) =>
  typeof rate === "number" && rate >= 0 && rate < 1 && Number.isInteger(site) ? x.shape : "needs attrs.rate in [0, 1) and attrs.site";
const scalarIds = (ids: Pick<Node, "shape">, then: () => Shape | string) => (ids.shape.length === 0 ? then() : "its ids must be scalars");
const loss: (check: ShapeRule) => ShapeRule = (check) => (args, attrs) => {
  const problem = check(args, attrs);
  return typeof problem === "string" ? problem : [];
};

export const shapeRules: Record<Op, ShapeRule | typeof given> = {
  param: given,
  const: given,
  data: given,
  read: given,
  value: given,
  primal: given,
  seed: given,
  adjoint: given,
  accumulate: () => [], // a sink: its value is nothing
  add: elementwise,
  sub: elementwise,
  mul: elementwise,
  div: elementwise,
  neg: keepsShape,
  sigmoid: keepsShape,
  tanh: keepsShape,
  relu: keepsShape,
  step: keepsShape,
  exp: keepsShape,
  log: keepsShape,
  softplus: keepsShape,
  gelu: keepsShape,
  normal_cdf: keepsShape,
  elu: withAlpha,
  leaky_relu: withAlpha,
  hard_sigmoid: keepsShape,
  silu: keepsShape,
  abs: keepsShape,
  sqrt: keepsShape,
  square: keepsShape,
  max: elementwise,
  min: elementwise,
  dropout: dropoutRule,
  locked_dropout: dropoutRule,
  softmax: keepsShape,
  log_softmax: keepsShape,
  sum: () => [],
  broadcast: ([x], { size: n = -1 }) => (x.shape.length === 0 && n >= 1 ? [n] : `broadcasts a scalar to ${n}`),
  batch_sum: keepsShape,
  concat: (args) => [args.reduce((s, a) => s + size(a.shape), 0)], // a scalar part counts one
  slice: ([x], { from = -1, to = -1 }) => (0 <= from && from < to && to <= x.shape[0] ? [to - from] : `slice [${from}:${to}] of ${show(x.shape)}`),
  pad: ([x], { from = -1, to = -1, size: n = -1 }) => (0 <= from && to - from === x.shape[0] && to <= n ? [n] : `pad [${from}:${to}] of ${n}`),
  onehot: ([ids], { size: n = -1 }) => scalarIds(ids, () => [n]),
  matvec: ([w, x], attrs) => {
    const r = w.shape.length === 2 && w.shape[1] === x.shape[0] ? rowsOf(attrs, w.shape[0]) : undefined;
    return r ? [r] : `${show(w.shape)}${showRows(attrs)} @ ${show(x.shape)}`;
  },
  matvec_t: ([w, g], attrs) =>
    w.shape.length === 2 && rowsOf(attrs, w.shape[0]) === g.shape[0] ? [w.shape[1]] : `${show(w.shape)}${showRows(attrs)}ᵀ @ ${show(g.shape)}`,
  outer: ([g, x], attrs) => (rowsOf(attrs, attrs.size ?? g.shape[0]) === g.shape[0] ? [attrs.size ?? g.shape[0], x.shape[0]] : `${show(g.shape)} ⊗ ${show(x.shape)} into rows${showRows(attrs)} of ${attrs.size}`),
  gather: ([w, ids]) => scalarIds(ids, () => (w.shape.length === 2 ? [w.shape[0]] : `gathers columns of ${show(w.shape)}`)),
  scatter: ([g, ids], { size: n = -1 }) => scalarIds(ids, () => [g.shape[0], n]),
  cross_entropy: loss(([z, ids]) => scalarIds(ids, () => (z.shape.length === 1 ? [] : "logits must be a vector"))),
  // a class target of two classes is one id, 0 or 1, against one logit
  binary_cross_entropy: loss(([z, y]) => (same(z.shape, y.shape) || (size(z.shape) === 1 && y.shape.length === 0) ? [] : "logits and targets differ")),
  mse: loss(([p, y]) => (same(p.shape, y.shape) ? [] : "predictions and targets differ")),
};

/** Ops whose one result sums over the batch, and so is shared whatever they read. */
export const sumsOverTheBatch = new Set<Op>(["batch_sum", "outer", "scatter"]);

/**
 * Whether a computed node holds a value per example (nodes.ts): when anything it reads does,
 * except a sum over the batch. Leaves say so where they are made.
 */
/** Ops whose result is per example whatever they read: dropout's masks are drawn per example. */
export const perExampleAlways = new Set<Op>(["dropout", "locked_dropout"]);

export const perExample = (op: Op, args: readonly Pick<Node, "batched">[]) => perExampleAlways.has(op) || (!sumsOverTheBatch.has(op) && args.some((a) => a.batched));
