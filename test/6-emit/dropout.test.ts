// Dropout (issue 13): masks from a hash of where they are (compiler/ir/dropout.ts), the same in
// the interpreter and in every emitted module; the identity whenever the batch does not train;
// gradients through the same masks (checked against central differences with the masks fixed);
// a keep rate of 1 − p; locked masks constant along a sequence.
import { describe, expect, it } from "vitest";
import { dropoutMask, NONE, stepKey } from "../../compiler/ir/dropout.ts";
import { forward, lossAndGradient, type Batch } from "../../compiler/ir/interpret.ts";
import { interpretedModel } from "../../compiler/interpreted-model.ts";
import { gradcheck, randomBatch, randomParams } from "../4-differentiate/gradcheck.ts";
import { collect, compare, emitted, F32, F64, toModelBatch, widened } from "./harness.ts";
import { compile, dropoutSource } from "./dropout-programs.ts";

const LENGTHS = [4, 1, 5, 2, 6, 3, 1, 5, 2, 7, 3];
const lengthsFor = (B: number, shift = 0) => Array.from({ length: B }, (_, b) => LENGTHS[(b + B + shift) % LENGTHS.length]);
const training = (update: number) => ({ seed: 1234, update });

describe("dropout in the interpreter and the emitted modules", () => {
  const { lowered, p } = compile(dropoutSource());

  it("gives every dropout a site of its own, and the same masks forward and backward", () => {
    const sites = p.blocks.flatMap((b) => b.nodes.filter((n) => n.op.endsWith("dropout")).map((n) => n.attrs.site));
    expect(new Set(sites)).toEqual(new Set([0, 1, 2, 3]));
    const backward = p.backward.flatMap((b) => b.nodes.filter((n) => n.op.endsWith("dropout")).map((n) => `${n.op} ${n.attrs.site} ${n.attrs.rate}`));
    const forwardOnes = p.blocks.flatMap((b) => b.nodes.filter((n) => n.op.endsWith("dropout")).map((n) => `${n.op} ${n.attrs.site} ${n.attrs.rate}`));
    expect(new Set(backward)).toEqual(new Set(forwardOnes));
  });

  it("gradients through the masks against central differences (float64), in training, several updates and batch sizes", () => {
    for (const [B, update] of [[1, 0], [3, 1], [5, 17]]) {
      const batch: Batch = { ...randomBatch(lowered, { t: lengthsFor(B) }, B), training: training(update) };
      const report = gradcheck(lowered, randomParams(lowered), batch);
      expect(report.checked).toBeGreaterThan(0);
      expect(report.maxRelativeError, report.worst).toBeLessThan(1e-6);
    }
  });

  it("the masks are on in training (the loss changes, and with the update) and off otherwise", () => {
    const params = randomParams(p);
    const batch = randomBatch(p, { t: lengthsFor(6) }, 6);
    const plain = forward(p, params, batch).loss;
    const a = forward(p, params, { ...batch, training: training(0) }).loss;
    const b = forward(p, params, { ...batch, training: training(1) }).loss;
    expect(a).not.toBe(plain);
    expect(b).not.toBe(a);
    expect(forward(p, params, { ...batch, training: training(0) }).loss).toBe(a); // deterministic
  });

  it("emitted modules (float64, float32, float32 + kernels) draw the interpreter's masks, at batch sizes 1 to 11 and many lengths", async () => {
    const params = randomParams(p);
    const params32 = new Map([...params].map(([k, v]) => [k, Float32Array.from(v)]));
    const variants = [
      { label: "float64", dtype: "float64", kernels: false, params, tolerances: F64 },
      { label: "float32", dtype: "float32", kernels: false, params: params32, tolerances: F32 },
      { label: "float32+kernels", dtype: "float32", kernels: true, params: params32, tolerances: F32 },
    ] as const;
    const modules = await Promise.all(variants.map(async (v) => ({ ...v, module: await emitted(p, v.dtype, v.kernels, "dropout-") })));
    const problems: string[] = [];
    for (const B of [1, 9, 2, 8, 3, 7, 4, 6, 5, 11, 10]) {
      const batch: Batch = { ...randomBatch(p, { t: lengthsFor(B, 3) }, 100 + B), training: { ...training(B), offset: B % 3 } };
      const { loss, grads } = lossAndGradient(p, params, batch);
      for (const { label, dtype, module, params: ps, tolerances } of modules) {
        const modelBatch = { ...toModelBatch(batch, dtype), training: batch.training };
        const g = module.createParams();
        collect(problems, `${label} B=${B}`, () => {
          const l = module.lossAndGrad(ps, g, modelBatch);
          const lossOnly = module.loss(ps, modelBatch);
          return [...compare({ loss, grads, predictions: [] }, { loss: l, grads: widened(g), predictions: [] }, tolerances), Math.abs(lossOnly - l) <= tolerances.loss * Math.max(1, Math.abs(l)) ? undefined : `loss() ${lossOnly} is not lossAndGrad's ${l}`];
        });
      }
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it("evaluation and prediction do not depend on p, nor on a batch's training", async () => {
    const other = compile(dropoutSource(0.9, 0, 0.7)).p;
    const params = randomParams(p);
    const batch = randomBatch(p, { t: lengthsFor(5) }, 5);
    expect(forward(other, params, batch).loss).toBe(forward(p, params, batch).loss);
    for (const program of [p, other]) {
      const reference = interpretedModel(program).predict(params, toModelBatch(batch, "float64"));
      expect(interpretedModel(program).predict(params, { ...toModelBatch(batch, "float64"), training: training(3) })).toEqual(reference);
      const module = await emitted(program, "float64", false, "dropout-eval-");
      const modelBatch = toModelBatch(batch, "float64");
      expect(module.loss(params, modelBatch)).toBeCloseTo(forward(p, params, batch).loss, 12);
      const predicted = module.predict(params, { ...modelBatch, training: training(3) });
      predicted.forEach((x, i) => x.forEach((v, j) => expect(v).toBeCloseTo(reference[i][j], 12)));
    }
  });
});

describe("the masks", () => {
  it("keep 1 − p of the entries, scaled by 1 / (1 − p)", () => {
    for (const rate of [0, 0.1, 0.5, 0.8]) {
      const key = stepKey({ seed: 7, update: 3 });
      let kept = 0, total = 0, other = 0;
      for (let example = 0; example < 64; example++)
        for (let step = 0; step < 20; step++)
          for (let feature = 0; feature < 32; feature++) {
            const m = dropoutMask(key, 2, example, step, feature, rate);
            if (m !== 0 && m !== 1 / (1 - rate)) other++;
            if (m !== 0) kept++;
            total++;
          }
      expect(other).toBe(0);
      expect(Math.abs(kept / total - (1 - rate))).toBeLessThan(0.01); // 40 960 draws: σ ≈ 0.0025
    }
  });

  it("differ between seeds, updates, sites, examples, steps and features", () => {
    const pattern = (seed: number, update: number, site: number, example: number, step: number, shift: "feature" | "none" = "none") =>
      Array.from({ length: 64 }, (_, i) => dropoutMask(stepKey({ seed, update }), site, example, step, shift === "feature" ? i + 64 : i, 0.5)).join();
    const base = pattern(1, 0, 0, 0, 0);
    for (const other of [pattern(2, 0, 0, 0, 0), pattern(1, 1, 0, 0, 0), pattern(1, 0, 1, 0, 0), pattern(1, 0, 0, 1, 0), pattern(1, 0, 0, 0, 1), pattern(1, 0, 0, 0, 0, "feature")])
      expect(other).not.toBe(base);
    expect(pattern(1 + 2 ** 32, 0, 0, 0, 0)).not.toBe(base); // a clock-sized seed's high bits count
  });

  it("locked dropout keeps one mask along each sequence; dropout draws one per step", () => {
    const source = `model m {
  input x: seq<vec(6)>
  target y: seq<vec(6)>
  a[t] = locked_dropout(x[t], 0.5)
  d[t] = dropout(x[t], 0.5)
  loss mse(a[t] + d[t], y[t])
}`;
    const { p } = compile(source, {});
    const B = 4, T = 6, n = 6;
    const batch: Batch = { ...randomBatch(p, { t: Array(B).fill(T) }, 1), training: training(9) };
    batch.fields.set("x", new Float64Array(T * B * n).fill(1));
    const { sequences } = forward(p, new Map(), batch);
    const rowOf = (name: string, t: number, b: number) => [...sequences.get(name)!.subarray((t * B + b) * n, (t * B + b + 1) * n)].join();
    for (let b = 0; b < B; b++) {
      for (let t = 1; t < T; t++) expect(rowOf("a", t, b)).toBe(rowOf("a", 0, b));
      expect(new Set(Array.from({ length: T }, (_, t) => rowOf("d", t, b))).size).toBeGreaterThan(1);
      // And the locked mask is the step-less hash: the example's own, as NONE says.
      const key = stepKey(training(9));
      const site = p.blocks.flatMap((bl) => bl.nodes).find((x) => x.op === "locked_dropout")!.attrs.site!;
      expect(rowOf("a", 3, b)).toBe(Array.from({ length: n }, (_, i) => dropoutMask(key, site, b, NONE, i, 0.5)).join());
    }
    expect(new Set(Array.from({ length: B }, (_, b) => rowOf("a", 0, b))).size).toBeGreaterThan(1);
  });
});
