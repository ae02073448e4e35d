// Parity data: labels, lengths, seeding and the held-out set.
import { describe, expect, it } from "vitest";
import { mulberry32, parityExamples, parityLabel } from "../../data/parity.ts";

describe("parity", () => {
  it("labels a string by the number of 1s", () => {
    expect(parityLabel("")).toBe("even");
    expect(parityLabel("0")).toBe("even");
    expect(parityLabel("1")).toBe("odd");
    expect(parityLabel("0110")).toBe("even");
    expect(parityLabel("10101")).toBe("odd");
  });

  it("draws bit strings in the length range, labelled right, the same for the same seed", () => {
    const examples = parityExamples(500, { minLength: 3, maxLength: 7, seed: 42 });
    expect(examples).toHaveLength(500);
    for (const { bits, even } of examples) {
      expect(bits).toMatch(/^[01]{3,7}$/);
      const ones = [...bits].filter((bit) => bit === "1").length;
      expect(even).toBe(ones % 2 === 0 ? "even" : "odd");
    }
    expect(new Set(examples.map((e) => e.bits.length))).toEqual(new Set([3, 4, 5, 6, 7]));
    expect(parityExamples(500, { minLength: 3, maxLength: 7, seed: 42 })).toEqual(examples);
    expect(parityExamples(500, { minLength: 3, maxLength: 7, seed: 43 })).not.toEqual(examples);
    const evens = examples.filter((e) => e.even === "even").length;
    expect(evens / examples.length).toBeGreaterThan(0.4);
    expect(evens / examples.length).toBeLessThan(0.6);
  });

  it("holds out excluded strings, giving fewer examples when too few strings are left", () => {
    const train = parityExamples(200, { minLength: 1, maxLength: 12, seed: 1 });
    const seen = new Set(train.map((e) => e.bits));
    const valid = parityExamples(200, { minLength: 1, maxLength: 12, seed: 2, exclude: seen });
    expect(valid).toHaveLength(200);
    expect(valid.filter((e) => seen.has(e.bits))).toEqual([]);
    const all = new Set(["0", "1"]);
    expect(parityExamples(5, { minLength: 1, maxLength: 1, seed: 3, exclude: all })).toEqual([]);
  });

  it("rejects a bad length range", () => {
    expect(() => parityExamples(1, { minLength: 5, maxLength: 4, seed: 1 })).toThrow(RangeError);
    expect(() => parityExamples(1, { minLength: 0, maxLength: 4, seed: 1 })).toThrow(RangeError);
  });

  it("has a uniform seeded generator in [0, 1)", () => {
    const random = mulberry32(7);
    const draws = Array.from({ length: 10000 }, random);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });
});
