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
  matvec: (c) => [c.b.outer(c.g, c.x(1)), c.b.matvecT(c.x(0), c.g)],
  matvec_t: (c) => [c.b.outer(c.x(1), c.g), c.b.matvec(c.x(0), c.g)],
  outer: (c) => [c.b.matvec(c.g, c.x(1)), c.b.matvecT(c.g, c.x(0))],
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
