// THE table of derivative rules, one per op. A rule receives the adjoint `g` of an op's
// result and returns, for each argument, the node holding the adjoint it contributes (or
// nothing). Rules may reuse the forward result: tanh′ = 1 − y², σ′ = y(1 − y).
import type { GraphBuilder } from "../ir/builder.ts";
import type { Node } from "../ir/nodes.ts";
import type { Op } from "../ir/ops.ts";

export interface VjpContext {
  b: GraphBuilder; // the backward graph being built
  node: Node; // the forward node
  g: number; // the adjoint of its result
  x: (i: number) => number; // the forward value of argument i
  y: () => number; // the forward value of the result
  arg: (i: number) => Node; // the forward node of argument i
}

export type VjpRule = (c: VjpContext) => (number | undefined)[];

/** Leaves take adjoints out of the step (handled by the sweep); ids have none. */
type Special = "leaf" | "sink" | "not differentiable" | "forms gradients only";

/**
 * A scalar operand broadcast over the features receives the sum of the adjoint over them.
 * Constants get none. (A shared operand's sum over the batch is the sweep's: backward.ts.)
 */
function unbroadcast(c: VjpContext, i: number, adjoint: () => number): number | undefined {
  const arg = c.arg(i);
  if (arg.op === "const") return undefined;
  const g = adjoint();
  return arg.shape.length === 0 && c.node.shape.length > 0 ? c.b.sum(g) : g;
}

/** φ(x) = e^(-x²/2) / √(2π), the standard normal density: Φ′. */
const normalPdf = (c: VjpContext, x: number) =>
  c.b.mul(c.b.constant(1 / Math.sqrt(2 * Math.PI)), c.b.unary("exp", c.b.mul(c.b.constant(-0.5), c.b.mul(x, x))));

/** sign(x): 1, -1, or 0 at 0. */
const sign = (c: VjpContext, x: number) => c.b.sub(c.b.unary("step", x), c.b.unary("step", c.b.unary("neg", x)));

/** max's adjoints (min's: which = -1): g to the larger (smaller) operand, g/2 to each of two equal ones. */
function pick(c: VjpContext, which: 1 | -1): (number | undefined)[] {
  const s = sign(c, which === 1 ? c.b.sub(c.x(0), c.x(1)) : c.b.sub(c.x(1), c.x(0)));
  const half = (side: number) => c.b.mul(c.g, c.b.mul(c.b.constant(0.5), side));
  return [unbroadcast(c, 0, () => half(c.b.add(c.b.constant(1), s))), unbroadcast(c, 1, () => half(c.b.sub(c.b.constant(1), s)))];
}

/** A product's row range of its matrix, if it has one; with the matrix's rows (argument `matrix`'s, else the result's) for an outer product into them. */
function rowsIn(c: VjpContext, matrix?: number): { from: number; to: number; size: number } | undefined {
  const { from, to } = c.node.attrs;
  const size = matrix === undefined ? c.node.shape[0] : c.arg(matrix).shape[0];
  return from === undefined || to === undefined ? undefined : { from, to, size };
}

export const vjpRules: Record<Op, VjpRule | Special> = {
  param: "leaf",
  const: "leaf",
  data: "leaf",
  read: "leaf",
  value: "leaf",
  primal: "leaf",
  seed: "leaf",
  adjoint: "leaf",
  accumulate: "sink",

  add: (c) => [unbroadcast(c, 0, () => c.g), unbroadcast(c, 1, () => c.g)],
  sub: (c) => [unbroadcast(c, 0, () => c.g), unbroadcast(c, 1, () => c.b.unary("neg", c.g))],
  mul: (c) => [unbroadcast(c, 0, () => c.b.mul(c.g, c.x(1))), unbroadcast(c, 1, () => c.b.mul(c.g, c.x(0)))],
  div: (c) => [
    unbroadcast(c, 0, () => c.b.div(c.g, c.x(1))),
    unbroadcast(c, 1, () => c.b.unary("neg", c.b.div(c.b.mul(c.g, c.y()), c.x(1)))),
  ],
  neg: (c) => [c.b.unary("neg", c.g)],
  sigmoid: (c) => [c.b.mul(c.g, c.b.mul(c.y(), c.b.sub(c.b.constant(1), c.y())))],
  tanh: (c) => [c.b.mul(c.g, c.b.sub(c.b.constant(1), c.b.mul(c.y(), c.y())))],
  relu: (c) => [c.b.mul(c.g, c.b.unary("step", c.x(0)))],
  step: "not differentiable", // zero almost everywhere
  exp: (c) => [c.b.mul(c.g, c.y())],
  log: (c) => [c.b.div(c.g, c.x(0))],
  softplus: (c) => [c.b.mul(c.g, c.b.unary("sigmoid", c.x(0)))], // softplus′ = σ
  // At kinks, PyTorch's subgradients: relu′(0) = 0 (above), |x|′ = sign x with sign 0 = 0,
  // leaky_relu′(0) = alpha and elu′(0) = alpha (the x ≤ 0 branch), hard_sigmoid′ = 0.2 only
  // strictly inside (-2.5, 2.5), and max/min split g evenly between two equal operands.
  gelu: (c) => [c.b.mul(c.g, c.b.add(c.b.unary("normal_cdf", c.x(0)), c.b.mul(c.x(0), normalPdf(c, c.x(0)))))], // Φ + xφ
  normal_cdf: (c) => [c.b.mul(c.g, normalPdf(c, c.x(0)))],
  elu: (c) => {
    const above = c.b.unary("step", c.x(0)); // below, alpha·e^x = y + alpha, finite where e^x is not
    const below = c.b.mul(c.b.sub(c.b.constant(1), above), c.b.add(c.y(), c.b.constant(c.node.attrs.alpha!)));
    return [c.b.mul(c.g, c.b.add(above, below))];
  },
  leaky_relu: (c) => {
    const alpha = c.node.attrs.alpha!;
    return [c.b.mul(c.g, c.b.add(c.b.constant(alpha), c.b.mul(c.b.constant(1 - alpha), c.b.unary("step", c.x(0)))))];
  },
  hard_sigmoid: (c) => {
    const inside = c.b.mul(c.b.unary("step", c.b.add(c.x(0), c.b.constant(2.5))), c.b.unary("step", c.b.sub(c.b.constant(2.5), c.x(0))));
    return [c.b.mul(c.g, c.b.mul(c.b.constant(0.2), inside))];
  },
  silu: (c) => {
    const s = c.b.unary("sigmoid", c.x(0));
    return [c.b.mul(c.g, c.b.mul(s, c.b.add(c.b.constant(1), c.b.mul(c.x(0), c.b.sub(c.b.constant(1), s)))))]; // σ(1 + x(1 − σ))
  },
  abs: (c) => [c.b.mul(c.g, sign(c, c.x(0)))],
  sqrt: (c) => [c.b.div(c.g, c.b.mul(c.b.constant(2), c.y()))], // infinite at 0, as PyTorch's
  square: (c) => [c.b.mul(c.g, c.b.mul(c.b.constant(2), c.x(0)))],
  max: (c) => pick(c, 1),
  min: (c) => pick(c, -1),
  // linear in x: g through the same mask, the same site at the same step and example (ir/dropout.ts)
  dropout: (c) => [c.b.node("dropout", [c.g], c.node.attrs)],
  locked_dropout: (c) => [c.b.node("locked_dropout", [c.g], c.node.attrs)],
  softmax: (c) => [c.b.mul(c.y(), c.b.sub(c.g, c.b.sum(c.b.mul(c.g, c.y()))))],
  log_softmax: (c) => [c.b.sub(c.g, c.b.mul(c.b.unary("exp", c.y()), c.b.sum(c.g)))],
  sum: (c) => [c.b.broadcast(c.g, c.arg(0).shape[0])],
  broadcast: (c) => [c.b.sum(c.g)],
  batch_sum: "forms gradients only", // its result is a param's gradient, never differentiated again
  concat: (c) => {
    let at = 0;
    return c.node.args.map((_, i) => {
      const size = c.arg(i).shape[0];
      at += size;
      return c.b.slice(c.g, at - size, at);
    });
  },
  slice: (c) => [c.b.pad(c.g, c.node.attrs.from!, c.node.attrs.to!, c.arg(0).shape[0])],
  pad: (c) => [c.b.slice(c.g, c.node.attrs.from!, c.node.attrs.to!)],
  onehot: "not differentiable", // its argument is an id
  // A product over rows of its matrix (W[from:to] @ x) gives W's gradient in those rows only.
  matvec: (c) => [c.b.outer(c.g, c.x(1), rowsIn(c, 0)), c.b.matvecT(c.x(0), c.g, rowsIn(c, 0))],
  matvec_t: (c) => [c.b.outer(c.x(1), c.g, rowsIn(c, 0)), c.b.matvec(c.x(0), c.g, rowsIn(c, 0))],
  outer: (c) => [c.b.matvec(c.g, c.x(1), rowsIn(c)), c.b.matvecT(c.g, c.x(0), rowsIn(c))],
  gather: (c) => [c.b.scatter(c.g, c.x(1), c.arg(0).shape[1]), undefined],
  scatter: (c) => [c.b.gather(c.g, c.x(1)), undefined],
  cross_entropy: (c) => {
    const probabilities = c.b.unary("softmax", c.x(0));
    return [c.b.mul(c.g, c.b.sub(probabilities, c.b.onehot(c.x(1), c.arg(0).shape[0]))), undefined];
  },
  binary_cross_entropy: (c) => [
    c.b.mul(c.g, c.b.sub(c.b.unary("sigmoid", c.x(0)), c.x(1))),
    c.b.mul(c.g, c.b.unary("neg", c.x(0))),
  ],
  mse: (c) => {
    const n = c.arg(0).shape[0] ?? 1;
    const d = c.b.mul(c.b.constant(2 / n), c.b.sub(c.x(0), c.x(1)));
    return [c.b.mul(c.g, d), c.b.mul(c.g, c.b.unary("neg", d))];
  },
};
