// Gradient flow through time (runtime/model.ts's gradientFlow): per recurrent state, at each
// step, the mean over the examples running there of |∂L/∂h_t|. The emitted module reads it from
// its adjoint buffers after the backward pass, the interpreter from its adjoints: they agree at
// every batch size from 1 to 9, and a probe changes nothing a training step would see.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lower } from "../../compiler/3-lower/index.ts";
import { differentiate } from "../../compiler/4-differentiate/index.ts";
import { checkSource } from "../../compiler/index.ts";
import { lossAndGradient } from "../../compiler/ir/interpret.ts";
import { interpretedModel } from "../../compiler/interpreted-model.ts";
import { randomBatch, randomParams } from "../4-differentiate/gradcheck.ts";
import { emitted, mismatch, toModelBatch } from "./harness.ts";

const LENGTHS = [5, 1, 3, 6, 2, 4, 6, 3, 1];
const cases = [
  { name: "parity", dims: { H: 3 }, sizes: { "vocab(bits)": 4 }, states: ["h"] },
  { name: "tagger", dims: { E: 2, H: 3 }, sizes: { "vocab(words)": 5, "classes(tags)": 3 }, states: ["f", "fc", "b", "bc", "g", "gc", "k", "kc"] },
];

describe("gradient flow through time", () => {
  it.each(cases)("$name: emitted (float64 and float32 with kernels) as the interpreter, batch sizes 1 to 9", async ({ name, dims, sizes, states }) => {
    const checked = checkSource(readFileSync(`examples/${name}.rnn`, "utf8"), name, { overrides: new Map(Object.entries(dims)) });
    const p = differentiate(lower(checked.models[0], new Map(Object.entries(sizes))));
    const params = randomParams(p);
    const reference = interpretedModel(p);
    const f64 = await emitted(p, "float64", false, "flow-");
    const f32 = await emitted(p, "float32", true, "flow-");
    const params32 = new Map([...params].map(([k, v]) => [k, Float32Array.from(v)]));
    const problems: string[] = [];
    for (const B of [1, 9, 2, 8, 3, 7, 4, 6, 5]) {
      const batch = randomBatch(p, { t: Array.from({ length: B }, (_, b) => LENGTHS[(b + B) % LENGTHS.length]) }, B);
      const expected = reference.gradientFlow!(params, toModelBatch(batch, "float64"));
      expect([...expected.keys()].sort()).toEqual([...states].sort());
      for (const [state, norms] of expected) {
        expect(norms.length).toBe(Math.max(...batch.lengths.t!));
        expect(norms.some((x) => x > 0), `${state} at B=${B}: all zero`).toBe(true);
        const p64 = mismatch(norms, f64.gradientFlow!(params, toModelBatch(batch, "float64")).get(state), 1e-12);
        const p32 = mismatch(norms, f32.gradientFlow!(params32, toModelBatch(batch, "float32")).get(state), 1e-4 * Math.max(1, ...norms));
        if (p64) problems.push(`float64 B=${B} ${state}: ${p64}`);
        if (p32) problems.push(`float32+kernels B=${B} ${state}: ${p32}`);
      }
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it("is the norm of the state's whole adjoint: an LSTM's cell state at its last step gets the gradient through h", () => {
    const checked = checkSource(readFileSync("examples/tagger.rnn", "utf8"), "tagger", { overrides: new Map([["E", 2], ["H", 3]]) });
    const p = differentiate(lower(checked.models[0], new Map([["vocab(words)", 5], ["classes(tags)", 3]])));
    const params = randomParams(p);
    const batch = randomBatch(p, { t: [4] }, 1);
    const { adjoints } = lossAndGradient(p, params, batch);
    const flow = interpretedModel(p).gradientFlow!(params, toModelBatch(batch, "float64"));
    for (const state of ["f", "fc"])
      for (let t = 0; t < 4; t++) expect(flow.get(state)![t]).toBeCloseTo(Math.hypot(...adjoints.flows.get(state)!.subarray(t * 3, t * 3 + 3)), 14);
    // Nothing reads fc after the last step, so its stored sequence's adjoint is 0 there; its whole adjoint is not.
    expect(Math.hypot(...adjoints.sequences.get("fc")!.subarray(9, 12))).toBe(0);
    expect(flow.get("fc")![3]).toBeGreaterThan(0);
  });
});
