// Padding, masks and batch orders: time-major layout, every example exactly once.
import { describe, expect, it } from "vitest";
import { batchIndices, bucketByLength, mask, padTokens, padVectors } from "../../runtime/batch.ts";
import { Rng } from "../../runtime/rng.ts";

const sortedUnion = (batches: Int32Array[]) => batches.flatMap((b) => [...b]).sort((a, b) => a - b);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("padding", () => {
  it("lays token ids out time-major: ids[t * B + b], padded with padId", () => {
    const { ids, lengths, maxLen } = padTokens([[1, 2, 3], [4], new Int32Array([5, 6])], -1);
    expect(maxLen).toBe(3);
    expect([...lengths]).toEqual([3, 1, 2]);
    // prettier-ignore
    expect([...ids]).toEqual([
      1, 4, 5,    // t = 0
      2, -1, 6,   // t = 1
      3, -1, -1,  // t = 2
    ]);
  });

  it("lays vectors out time-major, from nested arrays or flat typed arrays", () => {
    const { values, lengths, maxLen } = padVectors([[[1, 2], [3, 4]], new Float32Array([5, 6])], 2);
    expect(maxLen).toBe(2);
    expect([...lengths]).toEqual([2, 1]);
    // [t][b][k]
    expect([...values]).toEqual([1, 2, 5, 6, 3, 4, 0, 0]);
    expect(() => padVectors([new Float32Array(3)], 2)).toThrow(/not a multiple of dim 2/);
    expect(() => padVectors([[[1, 2, 3]]], 2)).toThrow(/step 0 of sequence 0 has 3 values/);
  });

  it("handles an empty batch and empty sequences", () => {
    expect(padTokens([]).maxLen).toBe(0);
    const { ids, maxLen } = padTokens([[], [7]]);
    expect(maxLen).toBe(1);
    expect([...ids]).toEqual([0, 7]);
  });

  it("masks the real steps, time-major", () => {
    expect([...mask(new Int32Array([3, 1, 2]), 3)]).toEqual([1, 1, 1, 1, 0, 1, 1, 0, 0]);
  });
});

describe("batch orders", () => {
  it("cuts the examples in order, the last batch smaller, when there is no rng", () => {
    expect(batchIndices(7, 3, undefined).map((b) => [...b])).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it("shuffles into a permutation with an rng, reproducibly", () => {
    const batches = batchIndices(100, 32, new Rng(1));
    expect(batches.map((b) => b.length)).toEqual([32, 32, 32, 4]);
    expect(sortedUnion(batches)).toEqual(range(100));
    expect(batches.flatMap((b) => [...b])).not.toEqual(range(100));
    expect(batchIndices(100, 32, new Rng(1))).toEqual(batches);
    expect(() => batchIndices(10, 0, undefined)).toThrow(/positive integer/);
  });

  it("buckets by length: every index exactly once, much less padding, one short batch at most", () => {
    const rng = new Rng(2);
    const lengths = Int32Array.from({ length: 1000 }, () => 1 + rng.int(100));
    const padding = (batches: Int32Array[]) => {
      let total = 0;
      for (const batch of batches) {
        const longest = Math.max(...batch.map((i) => lengths[i]));
        for (const i of batch) total += longest - lengths[i];
      }
      return total;
    };
    const bucketed = bucketByLength(lengths, 16, new Rng(3), 20);
    expect(sortedUnion(bucketed)).toEqual(range(1000));
    expect(bucketed.filter((b) => b.length < 16).length).toBe(1);
    expect(padding(bucketed)).toBeLessThan(padding(batchIndices(1000, 16, new Rng(3))) / 5);
  });

  it("buckets differently from epoch to epoch, in a shuffled order", () => {
    const lengths = Int32Array.from(range(200)); // all distinct: a global sort would always give the same batches
    const rng = new Rng(4);
    const first = bucketByLength(lengths, 10, rng, 5).map((b) => [...b].sort((x, y) => x - y).join());
    const second = bucketByLength(lengths, 10, rng, 5).map((b) => [...b].sort((x, y) => x - y).join());
    expect(new Set(second)).not.toEqual(new Set(first));
    const shortest = bucketByLength(lengths, 10, new Rng(5), 5).map((b) => Math.min(...b));
    expect(shortest).not.toEqual([...shortest].sort((x, y) => x - y));
  });
});
