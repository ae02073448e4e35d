// The interpreter behind the CompiledModel interface computes what the interpreter computes:
// the same loss, the same gradients (written into the caller's arrays), and predictions that
// are the loss's first argument through softmax, sigmoid or nothing, zero on padded steps.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lower } from "../../compiler/3-lower/index.ts";
import { differentiate } from "../../compiler/4-differentiate/index.ts";
import { checkSource } from "../../compiler/index.ts";
import { forward, lossAndGradient } from "../../compiler/ir/interpret.ts";
import { interpretedModel } from "../../compiler/interpreted-model.ts";
import type { DifferentiatedProgram } from "../../compiler/ir/nodes.ts";
import { randomBatch, randomParams } from "../4-differentiate/gradcheck.ts";

function program(source: string, dims: Record<string, number>, sizes: Record<string, number>): DifferentiatedProgram {
  const result = checkSource(source, "m.rnn", { overrides: new Map(Object.entries(dims)) });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return differentiate(lower(result.models[0], new Map(Object.entries(sizes))));
}
const example = (name: string) => readFileSync(`examples/${name}.rnn`, "utf8");

describe("interpretedModel", () => {
  const parity = program(example("parity"), { H: 3 }, { "vocab(bits)": 4 });

  it("describes the program's params, data and losses", () => {
    const model = interpretedModel(parity);
    expect(model.name).toBe("parity");
    expect(model.params.map((p) => p.name)).toEqual(parity.params.map((p) => p.name));
    expect(model.data.map((d) => d.name)).toEqual(["bits", "even"]);
    expect(model.losses).toEqual([{ kind: "cross_entropy", target: "even", reduction: "sum_over_steps", size: 2 }]);
    const params = model.createParams();
    expect([...params.keys()]).toEqual(parity.params.map((p) => p.name));
    expect(params.get("cell.Wz")!.length).toBe(3 * (2 + 3));
  });

  it("gives the interpreter's loss and gradients, overwriting the gradient arrays", () => {
    const model = interpretedModel(parity);
    const params = randomParams(parity);
    const batch = randomBatch(parity, { t: [3, 1, 2] });
    const reference = lossAndGradient(parity, params, batch);
    expect(model.loss(params, batch)).toBe(forward(parity, params, batch).loss);
    const grads = model.createParams();
    for (const g of grads.values()) g.fill(123); // stale values must not survive
    expect(model.lossAndGrad(params, grads, batch)).toBe(reference.loss);
    for (const [name, g] of reference.grads) expect([...grads.get(name)!], name).toEqual([...g]);
  });

  it("accepts float32 batches", () => {
    const model = interpretedModel(parity);
    const params = randomParams(parity);
    const batch = randomBatch(parity, { t: [3, 1, 2] });
    const narrow = { ...batch, fields: new Map([...batch.fields].map(([k, v]) => [k, Float32Array.from(v)])) };
    expect(model.loss(params, narrow)).toBe(model.loss(params, batch)); // ids are exact in float32
  });

  it("predicts class probabilities per example", () => {
    const model = interpretedModel(parity);
    const params = randomParams(parity);
    const batch = randomBatch(parity, { t: [3, 1, 2] });
    const [p] = model.predict(params, batch);
    expect(p.length).toBe(3 * 2);
    // The mean cross-entropy of these probabilities is the loss.
    const even = batch.fields.get("even")!;
    const loss = [0, 1, 2].reduce((s, b) => s - Math.log(p[b * 2 + even[b]]), 0) / 3;
    expect(loss).toBeCloseTo(model.loss(params, batch), 12);
    for (let b = 0; b < 3; b++) expect(p[b * 2] + p[b * 2 + 1]).toBeCloseTo(1, 12);
  });

  it("predicts per valid step, time-major, zero on padding; values as they are for mse", () => {
    const tagger = program(example("tagger"), { E: 2, H: 2 }, { "vocab(words)": 4, "classes(tags)": 3 });
    const model = interpretedModel(tagger);
    const params = randomParams(tagger);
    const batch = randomBatch(tagger, { t: [3, 1] });
    const [p] = model.predict(params, batch);
    expect(p.length).toBe(3 * 2 * 3); // T × B × classes
    const row = (t: number, b: number) => [...p.subarray((t * 2 + b) * 3, (t * 2 + b + 1) * 3)];
    expect(row(1, 1)).toEqual([0, 0, 0]);
    expect(row(2, 1)).toEqual([0, 0, 0]);
    for (const [t, b] of [[0, 0], [1, 0], [2, 0], [0, 1]]) expect(row(t, b).reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);

    const co2 = program(example("co2"), { H: 2 }, {});
    const regression = interpretedModel(co2);
    const co2Params = randomParams(co2);
    const co2Batch = randomBatch(co2, { t: [2, 2] });
    const [values] = regression.predict(co2Params, co2Batch);
    const next = co2Batch.fields.get("next")!;
    // mse is the mean square over the vector (size 1), summed over steps, averaged over examples.
    const mse = values.reduce((s, v, i) => s + (v - next[i]) ** 2, 0) / 2;
    expect(mse).toBeCloseTo(regression.loss(co2Params, co2Batch), 12);
  });
});
