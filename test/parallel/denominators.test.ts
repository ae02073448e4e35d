// A batch cut by examples into parts that carry the whole batch's loss denominators: the parts'
// losses and gradients add up to the whole batch's, in the emitted module (float64) and in the
// reference interpreter. What data-parallel training rests on.
import { describe, expect, it } from "vitest";
import { emittedModuleFile, importCompiledModel } from "../../cli/compiled-model.ts";
import { interpretedModel } from "../../compiler/interpreted-model.ts";
import type { DifferentiatedProgram } from "../../compiler/ir/nodes.ts";
import type { CompiledModel, ModelBatch } from "../../runtime/model.ts";
import type { FloatArray } from "../../runtime/types.ts";
import { batchDenominators, sliceBatch, splitExamples } from "../../runtime/parallel/index.ts";
import { randomBatch, randomParams } from "../4-differentiate/gradcheck.ts";
import { expectNonZero, maxRelativeDifference, meanOverTokens, modelBatch, program } from "./helpers.ts";

type Case = [string, Record<string, number>, Record<string, number>, Partial<Record<"t" | "s", number[]>>, (s: string) => string];
const cases: Case[] = [
  // mean over tokens, variable lengths: each half's own token count would be the wrong denominator
  ["tagger", { E: 3, H: 4 }, { "vocab(words)": 7, "classes(tags)": 5 }, { t: [3, 1, 5, 2, 4] }, meanOverTokens],
  ["names", { E: 2, H: 3 }, { "vocab(name)": 6 }, { t: [4, 2, 6, 1] }, meanOverTokens],
  // two axes (an encoder over s, a decoder over t)
  ["g2p", { E: 2, H: 3 }, { "vocab(spelling)": 5, "vocab(phones)": 6 }, { s: [3, 1, 4, 2], t: [2, 3, 1, 4] }, meanOverTokens],
  // one prediction per example (no time axis on the target), sum over steps
  ["parity", { H: 3 }, { "vocab(bits)": 4 }, { t: [3, 1, 2, 5, 4] }, (s) => s],
];

const backends: [string, (p: DifferentiatedProgram) => Promise<CompiledModel>][] = [
  ["emitted module (float64)", async (p) => importCompiledModel(await emittedModuleFile(p, "float64"))],
  ["interpreter", async (p) => interpretedModel(p) as CompiledModel],
];

describe.each(backends)("%s", (_, create) => {
  it.each(cases)("%s: two parts with the whole batch's denominators add up to the whole batch", async (name, dims, sizes, lengths, edit) => {
    const p = program(name, dims, sizes, edit);
    const model = await create(p);
    const params = randomParams(p);
    const batch = modelBatch(randomBatch(p, lengths), "float64");
    const whole = model.createParams();
    const wholeLoss = model.lossAndGrad(params, whole, batch);
    expectNonZero(whole);

    const B = batch.size;
    for (const cut of [1, Math.floor(B / 2), B - 1]) {
      const first = sliceBatch(batch, model.data, model.losses, 0, cut);
      const second = sliceBatch(batch, model.data, model.losses, cut, B - cut);
      const g1 = model.createParams();
      const g2 = model.createParams();
      const loss = model.lossAndGrad(params, g1, first) + model.lossAndGrad(params, g2, second);
      expect(Math.abs(loss - wholeLoss)).toBeLessThan(1e-12 * Math.max(1, Math.abs(wholeLoss)));
      const sum = new Map([...g1].map(([k, g]) => [k, g.map((x, i) => x + g2.get(k)![i])]));
      expect(maxRelativeDifference(sum, whole)).toBeLessThan(1e-12);
    }

    if (p.losses[0].reduction === "mean_over_tokens") {
      // Without the whole batch's denominators each half would average over its own tokens.
      const { denominators: _, ...own } = sliceBatch(batch, model.data, model.losses, 0, 2);
      const alone = model.loss(params, own);
      const inPlace = model.loss(params, sliceBatch(batch, model.data, model.losses, 0, 2));
      const tokens = [...batch.lengths[p.losses[0].axis!]!].reduce((a, b) => a + b, 0);
      const mine = [...own.lengths[p.losses[0].axis!]!].reduce((a, b) => a + b, 0);
      expect(mine).toBeLessThan(tokens);
      expect(inPlace * tokens).toBeCloseTo(alone * mine, 10);
    }
  });
});

describe("cutting a batch", () => {
  it("splits examples as evenly as possible, the larger parts last, never into empty parts", () => {
    const into = new Int32Array(8);
    const parts = (B: number, n: number) => {
      const k = splitExamples(B, n, into);
      return Array.from({ length: k }, (_, i) => [into[2 * i], into[2 * i + 1]]);
    };
    expect(parts(5, 2)).toEqual([[0, 2], [2, 3]]);
    expect(parts(32, 2)).toEqual([[0, 16], [16, 16]]);
    expect(parts(7, 3)).toEqual([[0, 2], [2, 2], [4, 3]]);
    expect(parts(1, 2)).toEqual([[0, 1]]);
    expect(parts(2, 4)).toEqual([[0, 1], [1, 1]]);
  });

  it("a part keeps only the steps its own examples need, and the whole batch's denominators", () => {
    const layout = [
      { name: "x", role: "input", kind: "ids", size: 9, sequence: true, axis: "t", shifted: false },
      { name: "v", role: "input", kind: "vectors", size: 2, sequence: false, shifted: false },
    ] as const;
    const losses = [
      { kind: "cross_entropy", target: "y", axis: "t", reduction: "mean_over_tokens", size: 9 },
      { kind: "mse", target: "v", reduction: "sum_over_steps", size: 2 },
    ] as const;
    // 3 examples of lengths 1, 4, 2: x(t, b) = 10 t + b; v(b) = [b, -b]
    const x = Float32Array.from({ length: 4 * 3 }, (_, i) => 10 * Math.floor(i / 3) + (i % 3));
    const fields = new Map<string, FloatArray>([["x", x], ["v", Float64Array.of(0, 0, 1, -1, 2, -2)]]);
    const batch: ModelBatch = { size: 3, lengths: { t: Int32Array.of(1, 4, 2) }, fields, carry: new Map([["h", Float32Array.of(1, 2, 3)]]) };
    expect(batchDenominators([...losses], batch)).toEqual([7, 3]);
    const part = sliceBatch(batch, [...layout], [...losses], 1, 2);
    expect(part.size).toBe(2);
    expect([...part.lengths.t!]).toEqual([4, 2]);
    expect([...part.fields.get("x")!]).toEqual([1, 2, 11, 12, 21, 22, 31, 32]);
    expect(part.fields.get("x")).toBeInstanceOf(Float32Array);
    expect([...part.fields.get("v")!]).toEqual([1, -1, 2, -2]);
    expect(part.fields.get("v")).toBeInstanceOf(Float64Array);
    expect([...part.carry!.get("h")!]).toEqual([2, 3]);
    expect(part.denominators).toEqual([7, 3]);
    const first = sliceBatch(batch, [...layout], [...losses], 0, 1);
    expect([...first.fields.get("x")!]).toEqual([0]); // one step: its only example has length 1
  });
});
