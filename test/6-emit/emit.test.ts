// The emitted module computes what the reference interpreter computes: the same loss and the
// same gradients, for every example of LANGUAGE.md, in float64 (to 1e-12) and float32, with its
// products in plain TypeScript and in WebAssembly SIMD kernels; and the module type-checks under
// tsc --strict, importing nothing but the runtime's types.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/index.ts";
import { lower } from "../../compiler/3-lower/index.ts";
import { differentiate } from "../../compiler/4-differentiate/index.ts";
import { lossAndGradient } from "../../compiler/ir/interpret.ts";
import { interpretedModel } from "../../compiler/interpreted-model.ts";
import type { DifferentiatedProgram } from "../../compiler/ir/nodes.ts";
import { randomBatch, randomParams } from "../4-differentiate/gradcheck.ts";
import { emitted, toModelBatch } from "./harness.ts";

const OUT = "test/6-emit/.generated";

const examples: [string, Record<string, number>, Record<string, number>, Partial<Record<"t" | "s", number[]>>, (s: string) => string][] = [
  ["parity", { H: 3 }, { "vocab(bits)": 4 }, { t: [3, 1, 2] }, (s) => s],
  ["tagger", { E: 2, H: 3 }, { "vocab(words)": 5, "classes(tags)": 3 }, { t: [3, 2, 4] }, (s) => s],
  ["names", { E: 2, H: 3 }, { "vocab(name)": 6 }, { t: [3, 4] }, (s) => s],
  ["caption", { E: 2, H: 3 }, { "vocab(words)": 4 }, { t: [2, 3] }, (s) => s.replace("vec(512)", "vec(3)").replace("dense(512, H)", "dense(3, H)")],
  ["g2p", { E: 2, H: 2 }, { "vocab(spelling)": 4, "vocab(phones)": 5 }, { s: [3, 1], t: [2, 3] }, (s) => s],
  ["co2", { H: 3 }, {}, { t: [4, 2] }, (s) => s],
  // Sizes past 4 with remainders, and a batch of 9: the 4×4 blocked products' main loops and edges.
  ["tagger", { E: 5, H: 6 }, { "vocab(words)": 7, "classes(tags)": 5 }, { t: [3, 2, 4, 1, 5, 2, 3, 4, 1] }, (s) => s.replace("model tagger", "model tagger_wide")],
];

function program(name: string, dims: Record<string, number>, sizes: Record<string, number>, edit: (s: string) => string): DifferentiatedProgram {
  const source = edit(readFileSync(`examples/${name}.rnn`, "utf8"));
  const checked = checkSource(source, name, { overrides: new Map(Object.entries(dims)) });
  return differentiate(lower(checked.models[0], new Map(Object.entries(sizes))));
}

describe("emitted modules agree with the reference interpreter", () => {
  it.each(examples)("%s", async (name, dims, sizes, lengths, edit) => {
    const p = program(name, dims, sizes, edit);
    const params = randomParams(p);
    const batch = randomBatch(p, lengths);
    const reference = lossAndGradient(p, params, batch);

    const f64 = await emitted(p, "float64", false);
    const grads64 = f64.createParams();
    const loss64 = f64.lossAndGrad(params, grads64, toModelBatch(batch, "float64"));
    expect(Math.abs(loss64 - reference.loss)).toBeLessThan(1e-12 * Math.max(1, Math.abs(reference.loss)));
    for (const [k, g] of reference.grads) {
      const diff = Math.max(...g.map((x, i) => Math.abs(x - grads64.get(k)![i])));
      expect(diff, k).toBeLessThan(1e-12);
    }
    expect(f64.loss(params, toModelBatch(batch, "float64"))).toBe(loss64);
    // Predictions too, padded steps included (0 in both).
    const predicted = f64.predict(params, toModelBatch(batch, "float64"));
    interpretedModel(p).predict(params, toModelBatch(batch, "float64")).forEach((expected, i) => {
      expect(predicted[i].length).toBe(expected.length);
      expect(Math.max(...expected.map((x, j) => Math.abs(x - predicted[i][j])))).toBeLessThan(1e-12);
    });

    for (const kernels of [false, true]) {
      const f32 = await emitted(p, "float32", kernels);
      const params32 = new Map([...params].map(([k, v]) => [k, Float32Array.from(v)]));
      const grads32 = f32.createParams();
      const loss32 = f32.lossAndGrad(params32, grads32, toModelBatch(batch, "float32"));
      expect(Math.abs(loss32 - reference.loss) / Math.max(1, Math.abs(reference.loss)), `kernels: ${kernels}`).toBeLessThan(1e-5);
      for (const [k, g] of reference.grads) {
        const diff = Math.max(...g.map((x, i) => Math.abs(x - grads32.get(k)![i])));
        expect(diff, `${k}, kernels: ${kernels}`).toBeLessThan(1e-4);
      }
      // A second call with the same inputs gives the same numbers: nothing is left over in the buffers.
      const again = f32.createParams();
      expect(f32.lossAndGrad(params32, again, toModelBatch(batch, "float32"))).toBe(loss32);
      for (const [k, g] of grads32) expect(again.get(k), k).toEqual(g);
    }
  }, 60_000); // compiling a model's kernels takes a second or two (once: they are cached)

  it("the generated modules type-check under tsc --strict", () => {
    const files = [...new Set(examples.flatMap(([name, , , , edit]) => ["", "-kernels"].map((k) => `${OUT}/${edit(`model ${name}`).split(" ")[1]}-float32${k}.ts`)))];
    const tsc = "node_modules/.bin/tsc";
    const output = (() => {
      try {
        return execFileSync(tsc, ["--ignoreConfig", "--noEmit", "--strict", "--target", "ES2022", "--module", "NodeNext", "--moduleResolution", "NodeNext", "--allowImportingTsExtensions", "--skipLibCheck", ...files], { encoding: "utf8" });
      } catch (error) {
        return (error as { stdout: string }).stdout;
      }
    })();
    expect(output).toBe("");
  }, 60_000);
});
