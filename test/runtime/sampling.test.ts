// Choosing tokens from logits: greedy, softmax, temperature and top-k.
import { describe, expect, it } from "vitest";
import { Rng } from "../../runtime/rng.ts";
import { argmax, sampleLogits, softmaxInPlace } from "../../runtime/sampling.ts";

describe("sampling", () => {
  it("argmax returns an index within the window, the first on ties", () => {
    expect(argmax([9, 1, 5, 5, 9], 1, 3)).toBe(1);
    expect(argmax([NaN, 2, 3])).toBe(2);
  });

  it("softmax is exact and stable for large logits", () => {
    const values = new Float64Array([7, 1000, 1001, 1002, 7]);
    softmaxInPlace(values, 1, 3);
    const z = 1 + Math.exp(-1) + Math.exp(-2);
    expect(values[3]).toBeCloseTo(1 / z, 15);
    expect(values[1]).toBeCloseTo(Math.exp(-2) / z, 15);
    expect(values[1] + values[2] + values[3]).toBeCloseTo(1, 15);
    expect([values[0], values[4]]).toEqual([7, 7]); // outside the window
  });

  it("temperature divides the logits", () => {
    const values = new Float64Array([0, Math.log(4)]);
    softmaxInPlace(values, 0, 2, 2); // logits / 2 = [0, log 2]: probabilities 1/3, 2/3
    expect(values[1]).toBeCloseTo(2 / 3, 15);
    expect(() => softmaxInPlace(values, 0, 2, 0)).toThrow(/positive/);
  });

  it("draws in proportion to softmax(logits)", () => {
    const rng = new Rng(1);
    const counts = [0, 0, 0];
    const logits = new Float32Array(3);
    for (let i = 0; i < 30_000; i++) {
      logits.set([0, Math.log(2), Math.log(3)]);
      counts[sampleLogits(logits, 0, 3, rng)]++;
    }
    expect(counts[0] / 30_000).toBeCloseTo(1 / 6, 2);
    expect(counts[2] / 30_000).toBeCloseTo(1 / 2, 2);
  });

  it("temperature 0 is greedy; top-k draws only among the k largest", () => {
    const rng = new Rng(2);
    expect(sampleLogits(new Float32Array([1, 3, 2]), 0, 3, rng, { temperature: 0 })).toBe(1);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 10_000; i++) {
      counts[sampleLogits(new Float32Array([0.5, 2, 0, Math.log(3) + 2]), 0, 4, rng, { topK: 2 })]++;
    }
    expect(counts[0] + counts[2]).toBe(0);
    expect(counts[3] / 10_000).toBeCloseTo(3 / 4, 1);
    for (let i = 0; i < 100; i++) expect(sampleLogits(new Float32Array([1, 3, 2]), 0, 3, rng, { topK: 1 })).toBe(1);
  });
});
