// Initializers: the ranges, variances and structure each name promises.
import { describe, expect, it } from "vitest";
import { initialize } from "../../runtime/init.ts";
import { householderQr } from "../../runtime/qr.ts";
import { Rng } from "../../runtime/rng.ts";

function init(name: string, shape: number[], args: number[] = [], seed = 1, Type: Float32ArrayConstructor | Float64ArrayConstructor = Float64Array) {
  const values = new Type(shape.reduce((a, b) => a * b, 1));
  initialize(values, shape, { name, args }, new Rng(seed));
  return values;
}

function variance(xs: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i] * xs[i];
  return sum / xs.length; // about a known mean of 0
}

/** The largest |(AAᵀ)ij − δij| for the rows of row-major a (rows×cols), or of its columns. */
function gramError(a: ArrayLike<number>, rows: number, cols: number, of: "rows" | "columns"): number {
  const [count, length] = of === "rows" ? [rows, cols] : [cols, rows];
  const at = (v: number, k: number) => (of === "rows" ? a[v * cols + k] : a[k * cols + v]);
  let worst = 0;
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < count; j++) {
      let dot = 0;
      for (let k = 0; k < length; k++) dot += at(i, k) * at(j, k);
      worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

describe("initialize", () => {
  it("glorot: uniform within ±sqrt(6 / (fan_in + fan_out)), variance 2 / (fan_in + fan_out)", () => {
    const values = init("glorot", [256, 128]); // fan_out 256, fan_in 128
    const limit = Math.sqrt(6 / 384);
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.99 * limit);
    expect(variance(values) / (2 / 384)).toBeCloseTo(1, 1);
  });

  it("glorot on a vector [n] counts fan_in = fan_out = n", () => {
    const values = init("glorot", [10_000]);
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(3 / 10_000));
    expect(variance(values) / (1 / 10_000)).toBeCloseTo(1, 1);
  });

  it("orthogonal: a square weight is an orthogonal matrix", () => {
    expect(gramError(init("orthogonal", [16, 16]), 16, 16, "rows")).toBeLessThan(1e-12);
    expect(gramError(init("orthogonal", [16, 16]), 16, 16, "columns")).toBeLessThan(1e-12);
  });

  it("orthogonal: a tall weight has orthonormal columns, a wide one orthonormal rows", () => {
    expect(gramError(init("orthogonal", [40, 12]), 40, 12, "columns")).toBeLessThan(1e-5);
    expect(gramError(init("orthogonal", [12, 40]), 12, 40, "rows")).toBeLessThan(1e-5);
    // in float32, to float32's precision
    expect(gramError(init("orthogonal", [64, 48], [], 2, Float32Array), 64, 48, "columns")).toBeLessThan(1e-5);
  });

  it("orthogonal: depends on the seed, and its entries are spread like a random rotation's", () => {
    const a = init("orthogonal", [32, 32], [], 1);
    expect(init("orthogonal", [32, 32], [], 1)).toEqual(a);
    expect(init("orthogonal", [32, 32], [], 2)).not.toEqual(a);
    expect(variance(a) * 32).toBeCloseTo(1, 5); // each row has norm 1
    // not a signed permutation: no entry carries a row by itself
    expect(Math.max(...a.map(Math.abs))).toBeLessThan(0.9);
  });

  it("the QR decomposition under orthogonal reconstructs its input", () => {
    const m = 7, n = 4;
    const rng = new Rng(3);
    const a = Float64Array.from({ length: m * n }, () => rng.normal());
    const { q, rDiagonal } = householderQr(a, m, n);
    // R = Qᵀ A must be upper triangular with the reported diagonal, and Q R = A
    const r = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < m; k++) r[i * n + j] += q[k * n + i] * a[k * n + j];
    for (let i = 0; i < n; i++) {
      expect(r[i * n + i]).toBeCloseTo(rDiagonal[i], 12);
      for (let j = 0; j < i; j++) expect(Math.abs(r[i * n + j])).toBeLessThan(1e-12);
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let qr = 0;
        for (let k = 0; k < n; k++) qr += q[i * n + k] * r[k * n + j];
        expect(qr).toBeCloseTo(a[i * n + j], 12);
      }
    }
  });

  it("lstm_bias: zeros except the forget gate's quarter [H, 2H), which is 1", () => {
    expect([...init("lstm_bias", [12])]).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(() => init("lstm_bias", [10])).toThrow(/\[4\*H\]/);
  });

  it("zeros, ones, normal(std), uniform(limit)", () => {
    expect([...init("zeros", [2, 2])]).toEqual([0, 0, 0, 0]);
    expect([...init("ones", [3])]).toEqual([1, 1, 1]);
    const normal = init("normal", [100, 100], [0.1]);
    expect(Math.sqrt(variance(normal))).toBeCloseTo(0.1, 2);
    const uniform = init("uniform", [100, 100], [0.5]);
    expect(Math.max(...uniform.map(Math.abs))).toBeLessThanOrEqual(0.5);
    expect(variance(uniform) / (0.25 / 3)).toBeCloseTo(1, 1);
  });

  it("throws on an unknown name, a wrong argument count or a shape that does not fit", () => {
    expect(() => init("xavier", [2])).toThrow(/unknown initializer "xavier"/);
    expect(() => init("toString", [2])).toThrow(/unknown initializer/);
    expect(() => init("normal", [2])).toThrow(/takes 1 argument/);
    expect(() => initialize(new Float32Array(5), [2, 3], { name: "zeros", args: [] }, new Rng(1))).toThrow(/6 values, the array 5/);
  });
});
