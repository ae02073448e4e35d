// The WebAssembly product kernel against a plain float64 product: every shape the emitter asks
// for (a matrix or its transpose as the first operand; sizes fixed or passed at the call; stored
// or added), on sizes that exercise the 4×8 blocks, the rows past them and the columns past them.
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileKernels, pruneCache } from "../../compiler/6-emit/kernels/compile.ts";
import { Kernels, type ProductShape } from "../../compiler/6-emit/kernels/index.ts";
import { Rng } from "../../runtime/rng.ts";

interface Case {
  P: number;
  Q: number;
  K: number;
  transposedA: boolean; // a is read as a[k, p] (a gradient's outer product) instead of a[p, k]
  fixedK: boolean;
  add: boolean;
}

const cases: Case[] = [];
for (const [P, Q, K] of [[1, 8, 5], [4, 8, 1], [5, 9, 7], [32, 64, 40], [9, 3, 4], [3, 17, 16], [1, 1, 1], [13, 24, 33], [1, 40, 9], [2, 16, 3]])
  for (const transposedA of [false, true]) for (const fixedK of [false, true]) for (const add of [false, true]) cases.push({ P, Q, K, transposedA, fixedK, add });

const shapeOf = (c: Case): ProductShape => ({ Q: c.Q, K: c.fixedK ? c.K : undefined, aP: c.transposedA ? 1 : c.K, aK: c.transposedA ? c.P : 1, add: c.add });

describe("the WebAssembly product kernel", () => {
  it(`agrees with a float64 product on ${cases.length} shapes`, async () => {
    const kernels = new Kernels();
    const calls = cases.map((c) => kernels.product(shapeOf(c), "P", "K", "a", "c", "out"));
    const memory = new WebAssembly.Memory({ initial: 16 });
    const exports = (await WebAssembly.instantiate(compileKernels(kernels.source()), { env: { memory } })).instance.exports as Record<string, (...args: number[]) => void>;
    const rng = new Rng(7);
    const random = (n: number) => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
    let worst = 0;
    cases.forEach((c, i) => {
      const a = random(c.P * c.K), b = random(c.K * c.Q), before = random(c.P * c.Q);
      // Odd offsets of 4 bytes: the kernel must not assume 16-byte alignment.
      const at = [4, 4 + (a.length + 1) * 4, 4 + (a.length + b.length + 2) * 4];
      const f32 = new Float32Array(memory.buffer);
      f32.set(a, at[0] / 4);
      f32.set(b, at[1] / 4);
      f32.set(before, at[2] / 4);
      const name = calls[i].slice("KERNELS.".length, calls[i].indexOf("("));
      if (c.fixedK) exports[name](c.P, at[0], at[1], at[2]);
      else exports[name](c.P, c.K, at[0], at[1], at[2]);
      const out = new Float32Array(memory.buffer, at[2], c.P * c.Q);
      for (let p = 0; p < c.P; p++)
        for (let q = 0; q < c.Q; q++) {
          let s = c.add ? before[p * c.Q + q] : 0;
          for (let k = 0; k < c.K; k++) s += (c.transposedA ? a[k * c.P + p] : a[p * c.K + k]) * b[k * c.Q + q];
          const error = Math.abs(out[p * c.Q + q] - s) / Math.max(1, Math.abs(s));
          worst = Math.max(worst, error);
          if (error >= 1e-5) expect.fail(`${JSON.stringify(c)}: out[${p}, ${q}] = ${out[p * c.Q + q]}, expected ${s}`);
        }
    });
    expect(worst).toBeLessThan(1e-5);
    expect(worst).toBeGreaterThan(0); // float32 sums do round: the comparison is real
  }, 60_000);
});

describe("the kernel cache", () => {
  it("keeps the most recently used files and drops the rest, and partial files of an hour ago", () => {
    const dir = mkdtempSync(join(tmpdir(), "rnnc-cache-"));
    try {
      const put = (name: string, secondsAgo: number) => {
        writeFileSync(join(dir, name), "x");
        const at = new Date(Date.now() - secondsAgo * 1000);
        utimesSync(join(dir, name), at, at);
      };
      for (let i = 0; i < 6; i++) put(`${i}.wasm`, i * 10);
      put("old.wasm.123.partial", 7200);
      put("fresh.wasm.124.partial", 5);
      pruneCache(dir, 4);
      expect(readdirSync(dir).sort()).toEqual(["0.wasm", "1.wasm", "2.wasm", "3.wasm", "fresh.wasm.124.partial"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
