// The derivatives at the points where a function has none: rnnc takes PyTorch's subgradients
// (4-differentiate/vjp-rules.ts says which). Each function is applied to a param set exactly at
// its kinks (and on either side), and the param's gradient is its derivative there.
import { describe, expect, it } from "vitest";
import { differentiate } from "../../compiler/4-differentiate/index.ts";
import { GraphBuilder } from "../../compiler/ir/builder.ts";
import { lossAndGradient } from "../../compiler/ir/interpret.ts";
import type { Program } from "../../compiler/ir/nodes.ts";

/** ∂/∂p of Σ f(p, q), for params p and q at the given values (one example). */
function gradients(f: (g: GraphBuilder, p: number, q: number) => number, p: number[], q: number[] = p): { p: number[]; q: number[] } {
  const g = new GraphBuilder();
  const n = p.length;
  const ones = g.leafNode("data", [n], true, { name: "ones" });
  const out = g.sum(g.mul(f(g, g.param("p", [n]), g.param("q", [n])), ones));
  const param = (name: string) => ({ name, shape: [n], init: { name: "zeros", args: [] }, decay: false, layer: "test" });
  const program: Program = {
    model: "kinks",
    params: [param("p"), param("q")],
    data: [{ name: "ones", role: "input", kind: "vectors", size: n, sequence: false, shifted: false }],
    sequences: [],
    values: [],
    blocks: [{ kind: "once", nodes: g.nodes, stores: [], losses: [{ loss: 0, node: out }], comment: "kinks" }],
    losses: [{ kind: "mse", target: "", reduction: "sum_over_steps" }],
    carries: [],
    outputs: [],
  };
  const params = new Map([["p", Float64Array.from(p)], ["q", Float64Array.from(q)]]);
  const batch = { size: 1, lengths: {}, fields: new Map([["ones", new Float64Array(n).fill(1)]]) };
  const { grads } = lossAndGradient(differentiate(program), params, batch);
  return { p: [...grads.get("p")!], q: [...grads.get("q")!] };
}

describe("derivatives at kinks: PyTorch's subgradients", () => {
  it("relu′(0) = 0", () => expect(gradients((g, p) => g.unary("relu", p), [0, 1, -1]).p).toEqual([0, 1, 0]));

  it("abs′(0) = 0 (sign x)", () => expect(gradients((g, p) => g.unary("abs", p), [0, 2, -2]).p).toEqual([0, 1, -1]));

  it("leaky_relu′(0) = alpha", () => expect(gradients((g, p) => g.withAlpha("leaky_relu", p, 0.1), [0, 2, -2]).p).toEqual([0.1, 1, 0.1]));

  it("elu′(0) = alpha (the x ≤ 0 branch, alpha·e^x)", () => {
    const d = gradients((g, p) => g.withAlpha("elu", p, 0.7), [0, 2, -1, 800]).p;
    expect(d[0]).toBeCloseTo(0.7, 15);
    expect(d[1]).toBe(1);
    expect(d[2]).toBeCloseTo(0.7 * Math.exp(-1), 15);
    expect(d[3]).toBe(1); // not 0 · e^800 = NaN
  });

  it("hard_sigmoid′ is 0.2 strictly inside (-2.5, 2.5), 0 at ±2.5 and outside", () =>
    expect(gradients((g, p) => g.unary("hard_sigmoid", p), [-2.5, 2.5, 0, -3, 3, 2.4999]).p).toEqual([0, 0, 0.2, 0, 0, 0.2]));

  it("max and min give g to the larger (smaller) operand and g/2 to each of two equal ones", () => {
    const p = [1, 2, 3], q = [1, 3, 2];
    expect(gradients((g, a, b) => g.binary("max", a, b), p, q)).toEqual({ p: [0.5, 0, 1], q: [0.5, 1, 0] });
    expect(gradients((g, a, b) => g.binary("min", a, b), p, q)).toEqual({ p: [0.5, 1, 0], q: [0.5, 0, 1] });
  });

  it("gelu′(0) = silu′(0) = 1/2; sqrt′(0) = ∞", () => {
    expect(gradients((g, p) => g.unary("gelu", p), [0]).p[0]).toBeCloseTo(0.5, 15);
    expect(gradients((g, p) => g.unary("silu", p), [0]).p[0]).toBeCloseTo(0.5, 15);
    expect(gradients((g, p) => g.unary("sqrt", p), [0]).p[0]).toBe(Infinity);
  });
});
