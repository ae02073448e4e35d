// One line per derivative rule: each differentiable op, alone in a small graph, against
// central differences in float64. Its inputs are shared params plus per-example data, so
// both the per-example path and the batch sum into a param are exercised.
import { describe, expect, it } from "vitest";
import { vjpRules } from "../../compiler/4-differentiate/vjp-rules.ts";
import { GraphBuilder } from "../../compiler/ir/builder.ts";
import type { DataInfo, ParamInfo, Program } from "../../compiler/ir/nodes.ts";
import { allOps, type Op } from "../../compiler/ir/ops.ts";
import { gradcheck, randomBatch, randomParams } from "./gradcheck.ts";

interface Inputs {
  g: GraphBuilder;
  vector: (n: number) => number; // a per-example vector: a param plus data
  matrix: (m: number, n: number) => number; // a param
  ids: (k: number) => number; // per-example ids below k
  positive: (n: number) => number; // a per-example vector > 0.5
}

/** A one-block program around `build`, its result reduced to a per-example scalar loss. */
function opProgram(build: (inputs: Inputs) => number): Program {
  const g = new GraphBuilder();
  const params: ParamInfo[] = [];
  const data: DataInfo[] = [];
  const param = (shape: number[]) => {
    const name = `p${params.length}`;
    params.push({ name, shape, init: { name: "normal", args: [1] }, decay: false, layer: "test" });
    return g.param(name, shape);
  };
  const datum = (kind: "ids" | "vectors", size: number) => {
    const name = `d${data.length}`;
    data.push({ name, role: "input", kind, size, sequence: false, shifted: false });
    return g.leafNode("data", kind === "ids" ? [] : [size], true, { name });
  };
  const vector = (n: number) => g.add(param([n]), datum("vectors", n));
  const inputs: Inputs = {
    g,
    vector,
    matrix: (m, n) => param([m, n]),
    ids: (k) => datum("ids", k),
    positive: (n) => {
      const v = vector(n);
      return g.add(g.mul(v, v), g.constant(0.5));
    },
  };
  let out = build(inputs);
  const node = g.get(out);
  if (!node.batched) out = g.matvec(out, datum("vectors", node.shape[1] ?? 1)); // a shared result: read it per example
  if (g.get(out).shape.length > 0) out = g.sum(g.mul(out, datum("vectors", g.get(out).shape[0])));
  return {
    model: "op",
    params,
    data,
    sequences: [],
    values: [],
    blocks: [{ kind: "once", nodes: g.nodes, stores: [], losses: [{ loss: 0, node: out }], comment: "op" }],
    losses: [{ kind: "mse", target: "", reduction: "sum_over_steps" }],
    outputs: [],
    carries: [],
  };
}

const cases: Partial<Record<Op, (i: Inputs) => number>> = {
  add: ({ g, vector }) => g.add(vector(3), vector(3)),
  sub: ({ g, vector }) => g.sub(vector(3), g.constant(2)),
  mul: ({ g, vector }) => g.mul(vector(3), vector(3)),
  div: ({ g, vector, positive }) => g.div(vector(3), positive(3)),
  neg: ({ g, vector }) => g.unary("neg", vector(3)),
  sigmoid: ({ g, vector }) => g.unary("sigmoid", vector(4)),
  tanh: ({ g, vector }) => g.unary("tanh", vector(4)),
  relu: ({ g, vector }) => g.unary("relu", vector(4)),
  exp: ({ g, vector }) => g.unary("exp", vector(3)),
  log: ({ g, positive }) => g.unary("log", positive(3)),
  softplus: ({ g, vector }) => g.unary("softplus", vector(4)),
  // the new activations: values away from their kinks (the random inputs sit at none); hard_sigmoid
  // scaled by 3 so that both its flat parts and its slope are exercised
  gelu: ({ g, vector }) => g.unary("gelu", g.mul(g.constant(2), vector(5))),
  normal_cdf: ({ g, vector }) => g.unary("normal_cdf", g.mul(g.constant(2), vector(5))),
  elu: ({ g, vector }) => g.withAlpha("elu", vector(5), 0.7),
  leaky_relu: ({ g, vector }) => g.withAlpha("leaky_relu", vector(5), 0.1),
  hard_sigmoid: ({ g, vector }) => g.unary("hard_sigmoid", g.mul(g.constant(3), vector(6))),
  silu: ({ g, vector }) => g.unary("silu", vector(4)),
  abs: ({ g, vector }) => g.unary("abs", vector(4)),
  sqrt: ({ g, positive }) => g.unary("sqrt", positive(3)),
  square: ({ g, vector }) => g.unary("square", vector(3)),
  // per example against per example, against a scalar per example, against a constant, and a tie (max(v, v) = v)
  max: ({ g, vector }) => {
    const v = vector(3);
    return g.add(g.add(g.binary("max", vector(3), vector(3)), g.binary("max", vector(3), g.sum(vector(2)))), g.add(g.binary("max", vector(3), g.constant(0.1)), g.binary("max", v, v)));
  },
  min: ({ g, vector }) => {
    const v = vector(3);
    return g.add(g.add(g.binary("min", vector(3), vector(3)), g.binary("min", g.sum(vector(2)), vector(3))), g.add(g.binary("min", g.constant(0.1), vector(3)), g.binary("min", v, v)));
  },
  dropout: ({ g, vector }) => g.node("dropout", [vector(6)], { rate: 0.5, site: 3 }), // masks fixed by the batch's training step
  locked_dropout: ({ g, vector }) => g.node("locked_dropout", [vector(6)], { rate: 0.3, site: 4 }),
  softmax: ({ g, vector }) => g.unary("softmax", vector(4)),
  log_softmax: ({ g, vector }) => g.unary("log_softmax", vector(4)),
  sum: ({ g, vector }) => g.mul(g.sum(vector(3)), g.sum(vector(2))),
  broadcast: ({ g, vector }) => g.broadcast(g.sum(vector(2)), 3),
  concat: ({ g, vector }) => g.concat([vector(2), vector(3), vector(1)]),
  slice: ({ g, vector }) => g.slice(vector(5), 1, 4),
  pad: ({ g, vector }) => g.pad(vector(2), 1, 3, 5),
  matvec: ({ g, vector, matrix }) => g.matvec(matrix(3, 4), vector(4)),
  matvec_t: ({ g, vector, matrix }) => g.matvecT(matrix(3, 4), vector(3)),
  outer: ({ g, vector }) => g.outer(vector(3), vector(2)),
  gather: ({ g, matrix, ids }) => g.gather(matrix(3, 5), ids(5)),
  scatter: ({ g, vector, ids }) => g.scatter(vector(3), ids(4), 4),
  cross_entropy: ({ g, vector, ids }) => g.loss("cross_entropy", vector(5), ids(5)),
  binary_cross_entropy: ({ g, vector }) => g.loss("binary_cross_entropy", vector(3), g.unary("sigmoid", vector(3))),
  mse: ({ g, vector }) => g.loss("mse", vector(3), vector(3)),
};

describe("every derivative rule against central differences (float64)", () => {
  it("covers every op the rules table differentiates", () => {
    const differentiable = allOps.filter((op) => typeof vjpRules[op] === "function");
    expect(differentiable.filter((op) => !cases[op])).toEqual([]);
  });

  it.each(Object.entries(cases))("%s", (_op, build) => {
    const program = opProgram(build!);
    const batch = { ...randomBatch(program, {}, 3), training: { seed: 5, update: 2 } }; // dropout's masks on, and fixed
    const report = gradcheck(program, randomParams(program), batch);
    expect(report.checked).toBeGreaterThan(0);
    expect(report.maxRelativeError, report.worst).toBeLessThan(1e-6);
    if (process.env.SHOW) console.log(_op, report.maxRelativeError.toExponential(2), report.checked);
  });
});
