// Whole models against central differences in float64: every prelude cell, a user's cell, the
// examples of LANGUAGE.md at small sizes, and variable lengths in one batch, whose padded steps
// must change neither the loss nor any gradient.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/index.ts";
import { lower } from "../../compiler/3-lower/index.ts";
import { differentiate } from "../../compiler/4-differentiate/index.ts";
import { forward, lossAndGradient, type Batch } from "../../compiler/ir/interpret.ts";
import type { Program } from "../../compiler/ir/nodes.ts";
import { gradcheck, randomBatch, randomParams } from "./gradcheck.ts";

function compile(source: string, dims: Record<string, number>, dataSizes: Record<string, number>): Program {
  const result = checkSource(source, "test.rnn", { overrides: new Map(Object.entries(dims)) });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return lower(result.models[0], new Map(Object.entries(dataSizes)));
}

const expectGradientsRight = (program: Program, batch: Batch) => {
  const report = gradcheck(program, randomParams(program), batch);
  expect(report.checked).toBeGreaterThan(20);
  expect(report.maxRelativeError, report.worst).toBeLessThan(1e-6);
};

const manyToOne = (cell: string) => `model m {
  dims { H = 4 }
  input  x: seq<token>
  target y: class
  layer c = ${cell}(3, H)
  layer head = dense(H, 3)
  h[t] = c(onehot(x[t], 3), h[t-1])
  loss cross_entropy(head(h[last]), y)
}`;
const twoStates = (cell: string) => manyToOne(cell).replace("h[t] = c(onehot(x[t], 3), h[t-1])", "(h[t], k[t]) = c(onehot(x[t], 3), h[t-1], k[t-1])");
const lstmManyToOne = twoStates("lstm");

describe("gradients of whole models (float64, central differences)", () => {
  // the *_hard_sigmoid cells: with randomParams' weights (standard deviation 0.5) no gate lands
  // within the difference step of hard_sigmoid's kinks at ±2.5, where the two sides disagree
  it.each(["rnn", "rnn_relu", "gru", "gru_reset_after", "gru_hard_sigmoid"])("prelude cell %s, many-to-one, lengths 1 to 4 in one batch", (cell) => {
    const program = compile(manyToOne(cell), {}, { "vocab(x)": 5, "classes(y)": 3 });
    expectGradientsRight(program, randomBatch(program, { t: [4, 1, 3] }));
  });

  it.each(["lstm", "lstm_hard_sigmoid"])("prelude cell %s, many-to-one, lengths 1 to 4 in one batch", (cell) => {
    const program = compile(twoStates(cell), {}, { "vocab(x)": 5, "classes(y)": 3 });
    expectGradientsRight(program, randomBatch(program, { t: [2, 4, 1] }));
  });

  it("a user-defined cell", () => {
    const source = `
cell mgu(I, H) {
  input x: [I]
  state h: [H]
  param Wf: [H, I + H] init glorot
  param W: [H, I + H] init orthogonal
  param p: [H] init ones
  param bf: [H] init ones
  param b: [H] init zeros
  f = sigmoid(Wf @ concat(x, h) + bf)
  h' = (1 - f) * h + f * tanh(W @ concat(x, f * h) + b) * p / 2
}
model m {
  dims { H = 3 }
  input  x: seq<vec(2)>
  target y: seq<vec(1)>
  layer c = mgu(2, H)
  layer o = dense(H, 1)
  h[t] = c(x[t], h[t-1])
  loss mse(o(h[t]), y[t])
}`;
    const program = compile(source, {}, {});
    expectGradientsRight(program, randomBatch(program, { t: [3, 2] }));
  });

  it("padded steps change neither the loss nor any gradient", () => {
    const program = differentiate(compile(lstmManyToOne, {}, { "vocab(x)": 5, "classes(y)": 3 }));
    const params = randomParams(program);
    const batch = randomBatch(program, { t: [4, 1, 2] });
    const before = lossAndGradient(program, params, batch);
    // Rewrite every padded step of x (steps at or past each example's length) with other ids.
    const x = batch.fields.get("x")!;
    const lengths = batch.lengths.t!;
    for (let t = 0; t < 4; t++) for (let b = 0; b < 3; b++) if (t >= lengths[b]) x[t * 3 + b] = (x[t * 3 + b] + 1 + t) % 5;
    const after = lossAndGradient(program, params, batch);
    expect(after.loss).toBe(before.loss);
    for (const [name, grad] of before.grads) expect([...after.grads.get(name)!], name).toEqual([...grad]);
  });

  it("a batch's loss is the mean of its examples' losses, whatever their lengths", () => {
    const program = compile(lstmManyToOne, {}, { "vocab(x)": 5, "classes(y)": 3 });
    const params = randomParams(program);
    const batch = randomBatch(program, { t: [4, 1, 2] });
    const single = (b: number): Batch => {
      const length = batch.lengths.t![b];
      const x = Float64Array.from({ length }, (_, t) => batch.fields.get("x")![t * 3 + b]);
      return { size: 1, lengths: { t: Int32Array.of(length) }, fields: new Map([["x", x], ["y", Float64Array.of(batch.fields.get("y")![b])]]) };
    };
    const mean = [0, 1, 2].reduce((s, b) => s + forward(program, params, single(b)).loss, 0) / 3;
    expect(forward(program, params, batch).loss).toBeCloseTo(mean, 12);
  });
});

describe("gradients of the examples of LANGUAGE.md, at small sizes", () => {
  const example = (name: string) => readFileSync(`examples/${name}.rnn`, "utf8");

  it("parity", () => {
    const program = compile(example("parity"), { H: 3 }, { "vocab(bits)": 4 });
    expectGradientsRight(program, randomBatch(program, { t: [3, 1] }));
  });

  it("tagger: bidirectional, two layers, a skip connection", () => {
    const program = compile(example("tagger"), { E: 2, H: 2 }, { "vocab(words)": 4, "classes(tags)": 3 });
    expectGradientsRight(program, randomBatch(program, { t: [3, 2, 1] }));
  });

  it("names: an autoregressive target", () => {
    const program = compile(example("names"), { E: 2, H: 3 }, { "vocab(name)": 5 });
    expectGradientsRight(program, randomBatch(program, { t: [3, 2] }));
  });

  it("gender: an LSTM read at its last step", () => {
    const program = compile(example("gender"), { E: 2, H: 3 }, { "vocab(name)": 5, "classes(sex)": 2 });
    expectGradientsRight(program, randomBatch(program, { t: [3, 1] }));
  });

  it("caption: the first state from a vector", () => {
    const program = compile(example("caption").replace("vec(512)", "vec(3)").replace("dense(512, H)", "dense(3, H)"), { E: 2, H: 3 }, { "vocab(words)": 4 });
    expectGradientsRight(program, randomBatch(program, { t: [2, 3] }));
  });

  it("g2p: encoder–decoder, the decoder starting from the encoder's last state", () => {
    const program = compile(example("g2p"), { E: 2, H: 2 }, { "vocab(spelling)": 4, "vocab(phones)": 4 });
    const batch = randomBatch(program, { s: [3, 2], t: [2, 3] });
    expectGradientsRight(program, batch);
    // The encoder learns only through the hand-over `init d = e[last]`: its gradient is real.
    const { grads } = lossAndGradient(differentiate(program), randomParams(program), batch);
    expect(Math.max(...grads.get("enc.W")!.map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it("co2: regression", () => {
    const program = compile(example("co2"), { H: 3 }, {});
    expectGradientsRight(program, randomBatch(program, { t: [4, 3] }));
  });
});
