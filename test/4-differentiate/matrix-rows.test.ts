// Gradients of products over rows of a matrix (`W[0:2*H] @ x`, issue 13) in float64: a GRU with
// stacked weights against central differences, and against the prelude's gru_reset_after,
// which computes the same function from the same numbers with whole matrices and sliced
// vectors instead: the two must agree on the loss and on every gradient.
import { describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/index.ts";
import { lower } from "../../compiler/3-lower/index.ts";
import { differentiate } from "../../compiler/4-differentiate/index.ts";
import { lossAndGradient } from "../../compiler/ir/interpret.ts";
import { GraphBuilder } from "../../compiler/ir/builder.ts";
import type { DataInfo, ParamInfo, Program } from "../../compiler/ir/nodes.ts";
import { stackedGru } from "../6-emit/sweep-matrix-rows.ts";
import { gradcheck, randomBatch, randomParams } from "./gradcheck.ts";

const manyToOne = (cell: string) => `${stackedGru}
model m {
  dims { H = 3 }
  input  x: seq<token>
  target y: class
  layer emb = embedding(vocab(x), 2)
  layer g = ${cell}(2, H)
  layer head = dense(H, classes(y))
  h[t] = g(emb(x[t]), h[t-1])
  loss cross_entropy(head(h[last]), y)
}`;

function compile(source: string): Program {
  const result = checkSource(source, "m.rnn");
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return lower(result.models[0], new Map([["vocab(x)", 5], ["classes(y)", 3]]));
}

/** A program of one node, `build`'s, from random params and data, its result summed against data into a loss (as ops.test.ts builds them). */
function opProgram(build: (g: GraphBuilder, vector: (n: number) => number, matrix: (m: number, n: number) => number) => number): Program {
  const g = new GraphBuilder();
  const params: ParamInfo[] = [];
  const data: DataInfo[] = [];
  const param = (shape: number[]) => (params.push({ name: `p${params.length}`, shape, init: { name: "normal", args: [1] }, decay: false, layer: "test" }), g.param(`p${params.length - 1}`, shape));
  const datum = (n: number) => (data.push({ name: `d${data.length}`, role: "input", kind: "vectors", size: n, sequence: false, shifted: false }), g.leafNode("data", [n], true, { name: `d${data.length - 1}` }));
  let out = build(g, (n) => g.add(param([n]), datum(n)), (m, n) => param([m, n]));
  if (!g.get(out).batched) out = g.matvec(out, datum(g.get(out).shape[1])); // a shared matrix: read it per example
  out = g.sum(g.mul(out, datum(g.get(out).shape[0])));
  const block = { kind: "once" as const, nodes: g.nodes, stores: [], losses: [{ loss: 0, node: out }], comment: "op" };
  return { model: "op", params, data, sequences: [], values: [], blocks: [block], losses: [{ kind: "mse", target: "", reduction: "sum_over_steps" }], outputs: [], carries: [] } as Program;
}

describe("products over rows of a matrix (float64)", () => {
  it.each([
    ["matvec over rows 1:4 of [6, 3]", (g: GraphBuilder, v: (n: number) => number, w: (m: number, n: number) => number) => g.matvec(w(6, 3), v(3), { from: 1, to: 4 })],
    ["matvec_t over rows 2:5 of [5, 4]", (g: GraphBuilder, v: (n: number) => number, w: (m: number, n: number) => number) => g.matvecT(w(5, 4), v(3), { from: 2, to: 5 })],
    ["outer into rows 3:5 of 7", (g: GraphBuilder, v: (n: number) => number) => g.outer(v(2), v(3), { from: 3, to: 5, size: 7 })],
  ])("the derivative of %s against central differences", (_, build) => {
    const program = opProgram(build);
    expect(program.blocks[0].nodes.some((n) => n.attrs.from !== undefined && n.op !== "slice")).toBe(true);
    const report = gradcheck(program, randomParams(program), randomBatch(program, {}, 3));
    expect(report.checked).toBeGreaterThanOrEqual(5); // every entry
    expect(report.maxRelativeError, report.worst).toBeLessThan(1e-6);
  });

  it("a stacked-weight GRU's gradients against central differences, lengths 1 to 4 in one batch", () => {
    const program = compile(manyToOne("stacked_gru"));
    const report = gradcheck(program, randomParams(program), randomBatch(program, { t: [4, 1, 3, 2] }), 60);
    expect(report.checked).toBe(85); // every entry of every param
    expect(report.maxRelativeError, report.worst).toBeLessThan(1e-6);
  });

  it("the stacked-weight GRU is gru_reset_after: the same loss and gradients from the same numbers", () => {
    const stacked = differentiate(compile(manyToOne("stacked_gru")));
    const prelude = differentiate(compile(manyToOne("gru_reset_after")));
    const theirs = { "g.W": "g.Wx", "g.R": "g.Wh", "g.bw": "g.bx", "g.br": "g.bh" } as Record<string, string>;
    const params = randomParams(stacked);
    const batch = randomBatch(stacked, { t: [4, 1, 3, 2] });
    const a = lossAndGradient(stacked, params, batch);
    const b = lossAndGradient(prelude, new Map([...params].map(([name, v]) => [theirs[name] ?? name, v])), batch);
    expect(a.loss).toBeGreaterThan(0);
    expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-12);
    for (const [name, grad] of a.grads) {
      const other = b.grads.get(theirs[name] ?? name)!;
      const worst = Math.max(...grad.map((g, i) => Math.abs(g - other[i])));
      expect(worst, name).toBeLessThan(1e-12);
    }
  });

  it("each gate's weight gradient is formed into its rows of the param's: one product per gate, no sum of whole matrices", () => {
    const program = differentiate(compile(manyToOne("stacked_gru")));
    const nodes = program.backward.flatMap((b) => b.nodes);
    const intoRows = nodes.filter((n) => n.op === "outer" && n.attrs.from !== undefined).map((n) => `${n.attrs.from}:${n.attrs.to} of ${n.attrs.size}`);
    expect(intoRows.sort()).toEqual(["0:6 of 9", "0:6 of 9", "6:9 of 9", "6:9 of 9"]); // W's and R's, z and r stacked, then n
    for (const block of program.backward)
      for (const node of block.nodes) if (node.op === "add") expect(node.shape.length, "an add of matrices").toBeLessThan(2);
  });
});
