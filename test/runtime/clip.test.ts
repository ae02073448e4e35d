// Global-norm clipping and the NaN finder.
import { describe, expect, it } from "vitest";
import { clipGlobalNorm, globalNorm } from "../../runtime/clip.ts";
import { firstNonFinite } from "../../runtime/finite.ts";

describe("clipGlobalNorm", () => {
  it("measures all gradients as one vector", () => {
    expect(globalNorm([[3, 4], [12]])).toBe(13);
    expect(globalNorm([])).toBe(0);
  });

  it("scales every gradient by maxNorm / norm and returns the norm before clipping", () => {
    const grads = [new Float64Array([3, 4]), new Float64Array([12])];
    expect(clipGlobalNorm(grads, 6.5)).toBe(13);
    expect([...grads[0]]).toEqual([1.5, 2]);
    expect([...grads[1]]).toEqual([6]);
    expect(globalNorm(grads)).toBe(6.5);
  });

  it("clips float32 gradients to the norm, to float32 precision", () => {
    const grads = [Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 10)];
    const before = globalNorm(grads);
    expect(clipGlobalNorm(grads, 1)).toBe(before);
    expect(globalNorm(grads)).toBeCloseTo(1, 6);
  });

  it("does nothing when clipping is off, the norm is within the limit, or the norm is not finite", () => {
    for (const maxNorm of [undefined, 0, 13, 100]) {
      const grads = [new Float32Array([3, 4]), new Float32Array([12])];
      expect(clipGlobalNorm(grads, maxNorm)).toBe(13);
      expect([...grads[0], ...grads[1]]).toEqual([3, 4, 12]);
    }
    const broken = [new Float32Array([3, NaN])];
    expect(clipGlobalNorm(broken, 1)).toBeNaN();
    expect(broken[0][0]).toBe(3);
    const huge = [new Float64Array([1e300, 1e300])];
    expect(clipGlobalNorm(huge, 1)).toBe(Infinity);
    expect(huge[0][0]).toBe(1e300);
  });
});

describe("firstNonFinite", () => {
  it("finds the first NaN or infinity, or says -1", () => {
    expect(firstNonFinite(new Float32Array([0, -0, 1e-45, 3.4e38]))).toBe(-1);
    expect(firstNonFinite(new Float32Array([1, 2, NaN, Infinity]))).toBe(2);
    expect(firstNonFinite([1, -Infinity])).toBe(1);
    expect(firstNonFinite([])).toBe(-1);
  });
});
