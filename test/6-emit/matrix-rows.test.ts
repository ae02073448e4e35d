// Products over rows of a matrix (`W[0:2*H] @ x`, issue 13) in the emitted code: the kernel
// reads some columns of Wᵀ (its own row stride, a pointer offset) and adds into some rows of a
// gradient; the plan forms each gate's weight gradient into its rows of the param's, after the
// loop, in one product. (Their values, at every batch size, are sweep.test.ts's: matrix_rows.)
import { describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/index.ts";
import { lower } from "../../compiler/3-lower/index.ts";
import { differentiate } from "../../compiler/4-differentiate/index.ts";
import { plan } from "../../compiler/5-plan/index.ts";
import { emitModuleWithKernels } from "../../compiler/6-emit/module.ts";
import { compileKernels } from "../../compiler/6-emit/kernels/compile.ts";
import { Kernels } from "../../compiler/6-emit/kernels/index.ts";
import { Rng } from "../../runtime/rng.ts";
import { stackedGru } from "./sweep-matrix-rows.ts";

const stacked = () => {
  const source = `${stackedGru}
model m {
  dims { H = 5 }
  input  x: seq<vec(7)>
  target y: seq<vec(1)>
  layer g = stacked_gru(7, H)
  layer out = dense(H, 1)
  h[t] = g(x[t], h[t-1])
  loss mse(out(h[t]), y[t])
}`;
  return differentiate(lower(checkSource(source, "m.rnn").models[0], new Map()));
};

describe("products over rows of a matrix, emitted", () => {
  it("the kernel reads columns from..to of a wider matrix and adds into rows of another", async () => {
    // out[p, q] (+)= Σ_k a[p, k] · c[k, from + q], c of M columns; out at an offset of its own
    const cases = [
      { P: 1, Q: 8, M: 24, K: 5, from: 16 },
      { P: 5, Q: 10, M: 15, K: 9, from: 5 },
      { P: 9, Q: 20, M: 60, K: 3, from: 37 },
      { P: 4, Q: 3, M: 9, K: 4, from: 6 },
    ];
    const kernels = new Kernels();
    const calls = cases.map((c, i) => kernels.product({ Q: c.Q, cQ: c.M, K: c.K, aP: c.K, aK: 1, add: i % 2 === 1 }, "P", "K", "a", "c", "out", { c: c.from, out: 3 }));
    expect(calls[0]).toContain("c.byteOffset + 64");
    const memory = new WebAssembly.Memory({ initial: 4 });
    const exports = (await WebAssembly.instantiate(compileKernels(kernels.source()), { env: { memory } })).instance.exports as Record<string, (...args: number[]) => void>;
    const rng = new Rng(3);
    const random = (n: number) => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
    cases.forEach((c, i) => {
      const add = i % 2 === 1;
      const a = random(c.P * c.K), w = random(c.K * c.M), before = random(c.P * c.Q + 3);
      const at = [4, 4 + (a.length + 1) * 4, 4 + (a.length + w.length + 2) * 4];
      const f32 = new Float32Array(memory.buffer);
      f32.set(a, at[0] / 4), f32.set(w, at[1] / 4), f32.set(before, at[2] / 4);
      exports[calls[i].slice("KERNELS.".length, calls[i].indexOf("("))](c.P, at[0], at[1] + 4 * c.from, at[2] + 12);
      const out = new Float32Array(memory.buffer, at[2], c.P * c.Q + 3);
      expect([...out.subarray(0, 3)]).toEqual([...before.subarray(0, 3)]); // before the offset: untouched
      for (let p = 0; p < c.P; p++)
        for (let q = 0; q < c.Q; q++) {
          let s = add ? before[3 + p * c.Q + q] : 0;
          for (let k = 0; k < c.K; k++) s += a[p * c.K + k] * w[k * c.M + c.from + q];
          expect(Math.abs(out[3 + p * c.Q + q] - s), `${JSON.stringify(c)} [${p}, ${q}]`).toBeLessThan(1e-5);
        }
    });
  });

  it("each gate's weight gradient is formed after the loop, in one product, straight into its rows", () => {
    const p = stacked();
    const deferred = plan(p).backward.flatMap((b, i) => [...b.deferred].map(([id, d]) => ({ ...d, param: b.direct.get(id), rows: p.backward[i].nodes[id].attrs.from !== undefined })));
    const rows = deferred.filter((d) => d.rows).map((d) => `${d.param} rows ${d.from}:${d.from + d.m} × ${d.n}`);
    expect(rows.sort()).toEqual(["g.R rows 0:10 × 5", "g.R rows 10:15 × 5", "g.W rows 0:10 × 7", "g.W rows 10:15 × 7"]);
  });

  it("reads the rows in place: the kernels take Wᵀ at an offset, and nothing copies them", () => {
    const { code } = emitModuleWithKernels(stacked(), { dtype: "float32", runtime: "x", kernels: true });
    expect(code).toMatch(/KERNELS\.product_q5_c15_\w+\(B, \w+\.byteOffset, g_W_T\.byteOffset \+ 40, /); // n's rows 10:15 of W, columns 10:15 of Wᵀ
    expect(code).toMatch(/grad_g_R\.byteOffset \+ 200\)/); // R's rows from 10 (× 5 columns × 4 bytes)
    expect(code).not.toMatch(/g_[WR]\.subarray|g_[WR]_T\.subarray/);
  });
});
