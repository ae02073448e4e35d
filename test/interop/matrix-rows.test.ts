// Rows of a matrix in a product (`W[0:2*H] @ x`, issue 13) and the exporters. ONNX computes them
// (test/interop/onnx.test.ts runs a stacked-weight GRU in ONNX Runtime); tf.layers has no layer
// for a user's cell or layer, and the recogniser never takes a product over rows for a prelude
// cell's whole-matrix product, so the tfjs export refuses them, saying why.
import { describe, expect, it } from "vitest";
import { checkSource, differentiatedProgram } from "../../compiler/index.ts";
import { recogniseCells } from "../../interop/recognise/index.ts";
import { layerGraph } from "../../interop/tfjs/layers/index.ts";
import { stackedGru } from "../6-emit/sweep-matrix-rows.ts";

const source = `${stackedGru}
model m {
  dims { H = 3 }
  input  x: seq<vec(2)>
  target y: class
  layer g = stacked_gru(2, H)
  layer head = dense(H, classes(y))
  h[t] = g(x[t], h[t-1])
  loss cross_entropy(head(h[last]), y)
}`;

const compiled = () => {
  const model = checkSource(source, "m.rnn").models[0];
  const sizes = new Map([["classes(y)", 3]]);
  return { model, sizes, program: differentiatedProgram(model, sizes) };
};

describe("rows of a matrix and the exporters", () => {
  it("the recogniser takes a stacked-weight GRU for no prelude cell", () => {
    const [recurrence] = recogniseCells(compiled().program).recurrences;
    expect(recurrence.cell).toBeUndefined();
    expect(recurrence.reason).toMatch(/nearest/);
  });

  it("the tfjs export refuses it, naming the layer", () => {
    const { model, sizes, program } = compiled();
    expect(() => layerGraph(model, source, program, sizes)).toThrow(
      "m does not map onto TensorFlow.js layers:\n  - layer g = stacked_gru(…): it computes none of the cells tfjs has layers for",
    );
  });
});
