// Declared outputs (`output probs[t] = …`, `output final = h[last]`): the emitted modules give
// what the interpreter gives, at every batch size from 1 to 9 with unequal lengths, from a batch
// that holds only the inputs; a softmax output equals the cross_entropy loss's own prediction of
// the same logits; and a training step is unchanged by declaring outputs.
import { describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/index.ts";
import { lower } from "../../compiler/3-lower/index.ts";
import { differentiate } from "../../compiler/4-differentiate/index.ts";
import { lossAndGradient } from "../../compiler/ir/interpret.ts";
import { interpretedModel } from "../../compiler/interpreted-model.ts";
import { validate } from "../../compiler/ir/validate.ts";
import type { DifferentiatedProgram } from "../../compiler/ir/nodes.ts";
import { randomBatch, randomParams } from "../4-differentiate/gradcheck.ts";
import { collect, emitted, mismatch, toModelBatch } from "./harness.ts";

const tagger = (outputs: string) => `
model outputs_tagger {
  dims { E = 3, H = 4 }
  input  words: seq<token>
  input  topic: vec(2)
  target tags: seq<class>
  layer emb = embedding(vocab(words), E)
  layer rnn = lstm(E + 2, H)
  layer head = dense(H, classes(tags))
  (h[t], c[t]) = rnn(concat(emb(words[t]), topic), h[t-1], c[t-1])
  loss cross_entropy(head(h[t]), tags[t])
${outputs}
}`;

const OUTPUTS = `  output probs[t] = softmax(head(h[t]))
  output final = h[last]
  output gate[t] = sigmoid(c[t][0:2]) * topic`;

function compile(source: string): DifferentiatedProgram {
  const checked = checkSource(source, "outputs.rnn");
  const errors = checked.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((d) => d.message).join("\n"));
  const p = differentiate(lower(checked.models[0], new Map([["vocab(words)", 5], ["classes(tags)", 3]])));
  const problems = validate(p);
  if (problems.length > 0) throw new Error(problems.join("\n"));
  return p;
}

const BATCH_SIZES = [1, 9, 2, 8, 3, 7, 4, 6, 5];
const LENGTHS = [4, 1, 5, 2, 6, 3, 1, 5, 2];
const lengthsFor = (B: number) => ({ t: Array.from({ length: B }, (_, b) => LENGTHS[(b + B) % LENGTHS.length]) });

describe("declared outputs", () => {
  it("checks, lowers and lays out each output", () => {
    const p = compile(tagger(OUTPUTS));
    expect(p.outputs).toEqual([
      { name: "probs", axis: "t", size: 3, scalar: false, over: "tags" },
      { name: "final", size: 4, scalar: false },
      { name: "gate", axis: "t", size: 2, scalar: false },
    ]);
    // Output blocks come last and are not differentiated.
    const firstOutput = p.blocks.findIndex((b) => b.outputs);
    expect(p.blocks.slice(firstOutput).every((b) => b.outputs)).toBe(true);
    expect(p.backward.every((b) => !p.blocks[b.primalOf!].outputs)).toBe(true);
  });

  it("emitted modules give the interpreter's outputs at batch sizes 1 to 9, from the inputs alone", async () => {
    const p = compile(tagger(OUTPUTS));
    const params = randomParams(p);
    const reference = interpretedModel(p);
    const modules = [
      { label: "float64", model: await emitted(p, "float64", false, "outputs-"), dtype: "float64" as const, tolerance: 1e-12 },
      { label: "float32", model: await emitted(p, "float32", false, "outputs-"), dtype: "float32" as const, tolerance: 1e-5 },
      { label: "float32 kernels", model: await emitted(p, "float32", true, "outputs-"), dtype: "float32" as const, tolerance: 1e-5 },
    ];
    const problems: string[] = [];
    for (const B of BATCH_SIZES) {
      const batch = randomBatch(p, lengthsFor(B), B);
      const inputsOnly = { ...batch, fields: new Map([...batch.fields].filter(([name]) => name !== "tags")) };
      const expected = reference.outputValues(params, toModelBatch(inputsOnly, "float64"));
      // The softmax output is the loss's prediction of the same logits, padded steps 0 in both.
      collect(problems, `B=${B} probs vs predict`, () => [mismatch(reference.predict(params, toModelBatch(batch, "float64"))[0], expected[0], 1e-12)]);
      // The final output is h at each example's own last step.
      const T = Math.max(...lengthsFor(B).t);
      expect(expected[1].length).toBe(B * 4);
      expect(expected[0].length).toBe(T * B * 3);
      for (const { label, model, dtype, tolerance } of modules) {
        const params32 = new Map([...params].map(([k, v]) => [k, dtype === "float64" ? v : Float32Array.from(v)]));
        collect(problems, `B=${B} ${label}`, () => {
          const actual = model.outputValues(params32, toModelBatch(inputsOnly, dtype));
          return [actual.length === expected.length ? undefined : `${actual.length} outputs`, ...expected.map((e, i) => mismatch(e, actual[i], tolerance))];
        });
      }
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it("a model's loss and gradients do not change when it declares outputs", () => {
    const without = compile(tagger(""));
    const withOutputs = compile(tagger(OUTPUTS));
    const params = randomParams(without);
    const batch = randomBatch(without, lengthsFor(4), 4);
    const a = lossAndGradient(without, params, batch);
    const b = lossAndGradient(withOutputs, params, batch);
    expect(b.loss).toBe(a.loss);
    for (const [name, g] of a.grads) expect(b.grads.get(name), name).toEqual(g);
    expect(interpretedModel(without).outputValues(params, toModelBatch(batch, "float64"))).toEqual([]);
  });

  it("refuses outputs that are not values the model can give", () => {
    const errors = (outputs: string) =>
      checkSource(tagger(outputs), "outputs.rnn")
        .diagnostics.filter((d) => d.severity === "error")
        .map((d) => d.message);
    expect(errors("  output h2 = h[t]")[0]).toMatch(/changes at every step, but output h2 is one per example/);
    expect(errors("  output leak[t] = onehot(tags[t], 3)")[0]).toMatch(/tags/);
    expect(errors("  output p[t-1] = h[t]")[0]).toMatch(/one value per example, or one per step/);
    expect(errors("  output p = h[last]\n  output p = c[last]")[0]).toMatch(/output `p` is already declared/);
    expect(errors("  output w = words[first]")[0]).toMatch(/an output is a number or a vector of numbers/);
    expect(errors("  output probs[t] = softmax(head(h[t]))")).toEqual([]);
    // `output` stays usable as a name.
    expect(errors("  output[t] = head(h[t])\n  output o[t] = output[t]")).toEqual([]);
  });
});
