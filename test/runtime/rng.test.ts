// The seeded RNG: reproducible streams, the right distributions, exact resumption.
import { describe, expect, it } from "vitest";
import { Rng } from "../../runtime/rng.ts";

const draws = (rng: Rng, n: number, draw: (r: Rng) => number = (r) => r.next()) => Array.from({ length: n }, () => draw(rng));

function moments(xs: ArrayLike<number>): { mean: number; variance: number } {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i];
  const mean = sum / xs.length;
  let squares = 0;
  for (let i = 0; i < xs.length; i++) squares += (xs[i] - mean) ** 2;
  return { mean, variance: squares / (xs.length - 1) };
}

describe("Rng", () => {
  it("gives the same stream for the same seed and different streams for different seeds", () => {
    expect(draws(new Rng(42), 20)).toEqual(draws(new Rng(42), 20));
    expect(draws(new Rng(42), 20)).not.toEqual(draws(new Rng(43), 20));
    // seeds that differ only above bit 32 are different seeds too
    expect(draws(new Rng(2 ** 32), 5)).not.toEqual(draws(new Rng(0), 5));
  });

  it("keeps the stream of a seed fixed across versions (reproducible experiments)", () => {
    expect(draws(new Rng(1), 4, (r) => r.uint32())).toEqual(PINNED_SEED_1);
  });

  it("rejects a seed that is not a safe integer", () => {
    expect(() => new Rng(1.5)).toThrow(/safe integer/);
  });

  it("draws uniforms in [0, 1) with mean 1/2 and variance 1/12", () => {
    const xs = draws(new Rng(7), 100_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const { mean, variance } = moments(xs);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 2);
  });

  it("draws standard normals: mean 0, variance 1", () => {
    const { mean, variance } = moments(draws(new Rng(8), 100_000, (r) => r.normal()));
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
  });

  it("draws integers in [0, n), each about equally often", () => {
    const rng = new Rng(9);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[rng.int(7)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(() => rng.int(0)).toThrow(RangeError);
    expect(() => rng.int(2.5)).toThrow(RangeError);
  });

  it("shuffles in place into a permutation, and not the identity", () => {
    const array = Array.from({ length: 100 }, (_, i) => i);
    const result = new Rng(3).shuffle(array);
    expect(result).toBe(array);
    expect([...array].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(array).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    const typed = new Rng(3).shuffle(Int32Array.from({ length: 100 }, (_, i) => i));
    expect([...typed]).toEqual(array); // same seed, same permutation, whatever the array type
  });

  it("draws categories in proportion to unnormalised weights, inside a window", () => {
    const weights = [99, 1, 0, 3, 6, 99]; // the window is [1, 0, 3, 6]
    const rng = new Rng(11);
    const counts = [0, 0, 0, 0];
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[rng.categorical(weights, 1, 4)]++;
    expect(counts[1]).toBe(0);
    expect(counts[0] / n).toBeCloseTo(0.1, 2);
    expect(counts[2] / n).toBeCloseTo(0.3, 2);
    expect(counts[3] / n).toBeCloseTo(0.6, 2);
  });

  it("refuses weights that cannot be a distribution", () => {
    const rng = new Rng(1);
    expect(() => rng.categorical([0, 0])).toThrow(/sum to 0/);
    expect(() => rng.categorical([1, NaN])).toThrow(/weight 1 is NaN/);
    expect(() => rng.categorical([1, -1])).toThrow(/weight 1 is -1/);
  });

  it("resumes exactly from a saved state, a pending normal included", () => {
    const rng = new Rng(5);
    draws(rng, 3, (r) => r.normal()); // an odd count: the spare normal is pending
    const saved = JSON.parse(JSON.stringify(rng.state()));
    const expected = draws(rng, 10, (r) => r.normal() + r.next());
    expect(draws(Rng.fromState(saved), 10, (r) => r.normal() + r.next())).toEqual(expected);
    expect(() => Rng.fromState({ algorithm: "sfc32", words: [1, 2, 3], spare: null })).toThrow(/not an Rng state/);
  });

  it("forks an independent, reproducible stream", () => {
    const parent = new Rng(12);
    const child = parent.fork();
    const again = new Rng(12).fork();
    const childDraws = draws(child, 1000);
    expect(draws(again, 1000)).toEqual(childDraws);
    const parentDraws = draws(parent, 1000);
    expect(childDraws).not.toEqual(parentDraws);
    // uncorrelated: the sample correlation of 1000 pairs is within a few standard errors (1/√1000) of 0
    const { mean: a } = moments(childDraws);
    const { mean: b } = moments(parentDraws);
    let cov = 0;
    for (let i = 0; i < 1000; i++) cov += (childDraws[i] - a) * (parentDraws[i] - b);
    expect(Math.abs(cov / 999 / (1 / 12))).toBeLessThan(0.12);
  });
});

// The first four uint32 draws of new Rng(1). Changing them changes every seeded run ever made.
const PINNED_SEED_1 = [1130556604, 2591592147, 3014952990, 960850752];
