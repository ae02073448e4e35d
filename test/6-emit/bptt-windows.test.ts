// Truncated BPTT computes what the whole sequence computes. `bptt K` trains windows of K steps
// one after another; whatever a step reads at t-k before its window's first step (a state, an
// intermediate, data, the previous tokens of an autoregressive target) comes from the carry the
// window before handed on: its last k steps, not only its last one. So, in float64, the windows'
// losses add up to the whole sequence's and every window's predictions are the whole sequence's
// at those steps, for windows shorter and longer than the deepest read; and the emitted modules
// take and hand on the same carries as the interpreter at every batch size from 1 to 9.
import { describe, expect, it } from "vitest";
import { windows } from "../../cli/windows.ts";
import { lower } from "../../compiler/3-lower/index.ts";
import { differentiate } from "../../compiler/4-differentiate/index.ts";
import { checkSource } from "../../compiler/index.ts";
import { lossAndGradient, type Batch } from "../../compiler/ir/interpret.ts";
import { interpretedModel } from "../../compiler/interpreted-model.ts";
import type { DifferentiatedProgram } from "../../compiler/ir/nodes.ts";
import type { CompiledModel, ModelBatch } from "../../runtime/model.ts";
import { Rng } from "../../runtime/rng.ts";
import { gradcheck, randomBatch, randomParams } from "../4-differentiate/gradcheck.ts";
import { collect, compare, emitted, F32, F64, mismatch, relativeLossError, toModelBatch, widened } from "./harness.ts";

const vectors = (body: string, layers: string) => `
  dims { H = 3 }
  input  xs: seq<vec(1)>
  target ys: seq<vec(1)>
${layers}
${body}
  train { bptt 3 }`;

/** Programs whose steps read back 1, 2 and 3 steps: states, a map over t, data, an autoregressive target. */
const programs: { name: string; reads: string; source: string; sizes?: Record<string, number> }[] = [
  {
    name: "co2",
    reads: "h[t-1]",
    source: `model co2 {${vectors("  h[t] = cell(xs[t], h[t-1])\n  loss mse(out(h[t]), ys[t])", "  layer cell = gru(1, H)\n  layer out = dense(H, 1)")}\n}`,
  },
  {
    name: "skip2",
    reads: "h[t-1] in the recurrence, h[t-2] in the loss",
    source: `model skip2 {${vectors("  h[t] = cell(xs[t], h[t-1])\n  loss mse(out(concat(h[t], h[t-2])), ys[t])", "  layer cell = gru(1, H)\n  layer out = dense(2*H, 1)")}\n}`,
  },
  {
    name: "self3",
    reads: "h[t-1] and h[t-3] in one recurrence; two states of an lstm",
    source: `model self3 {${vectors("  (h[t], c[t]) = cell(concat(xs[t], h[t-3]), h[t-1], c[t-1])\n  loss mse(out(h[t]), ys[t])", "  layer cell = lstm(1 + H, H)\n  layer out = dense(H, 1)")}\n}`,
  },
  {
    name: "data2",
    reads: "xs[t-2], a map z[t-1]",
    source: `model data2 {${vectors("  z[t] = tanh(lin(xs[t]))\n  h[t] = cell(concat(xs[t-2], z[t-1]), h[t-1])\n  loss mse(out(h[t]), ys[t])", "  layer lin = dense(1, H)\n  layer cell = rnn(1 + H, H)\n  layer out = dense(H, 1)")}\n}`,
  },
  {
    name: "tokens",
    reads: "w[t-1] and w[t-3] of an autoregressive target (its input, 2 steps back)",
    source: `model tokens {
  dims { E = 2, H = 3 }
  target w: seq<token>
  layer emb = embedding(vocab(w), E)
  layer cell = gru(2*E, H)
  layer head = dense(H, vocab(w))
  h[t] = cell(concat(emb(w[t-1]), emb(w[t-3])), h[t-1])
  loss cross_entropy(head(h[t]), w[t])
  train { bptt 3 }
}`,
    sizes: { "vocab(w)": 5 },
  },
  {
    name: "tokens_mean",
    reads: "w[t-1], a loss averaged over the batch's tokens, not each window's",
    source: `model tokens_mean {
  dims { E = 2, H = 3 }
  target w: seq<token>
  layer emb = embedding(vocab(w), E)
  layer cell = gru(E, H)
  layer head = dense(H, vocab(w))
  h[t] = cell(emb(w[t-1]), h[t-1])
  loss cross_entropy(head(h[t]), w[t]) mean over tokens
  train { bptt 3 }
}`,
    sizes: { "vocab(w)": 5 },
  },
];

function compile(source: string, sizes: Record<string, number> = {}): DifferentiatedProgram {
  const checked = checkSource(source, "bptt.rnn");
  const errors = checked.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((d) => d.message).join("\n"));
  return differentiate(lower(checked.models[0], new Map(Object.entries(sizes))));
}

const LENGTHS = [7, 3, 5, 1, 8, 6, 2, 4, 7];
const lengthsFor = (B: number) => ({ t: Array.from({ length: B }, (_, b) => LENGTHS[(b + B) % LENGTHS.length]) });

/** A carry as a window could have handed it on: random values, and for ids a token or none (-1). */
function randomCarry(p: DifferentiatedProgram, B: number, seed: number): Map<string, Float64Array> {
  const rng = new Rng(seed);
  return new Map(
    p.carries.map((c) => {
      const ids = p.data.find((d) => d.name === c.name && d.kind === "ids");
      return [c.name, Float64Array.from({ length: B * c.steps * c.width }, () => (ids ? rng.int(ids.size + 1) - 1 : rng.normal()))];
    }),
  );
}

/** Runs the windows of K steps in order, each from the carry of the one before: their summed loss and their predictions, at the whole's steps. */
function runWindows(model: CompiledModel, params: Map<string, Float64Array>, batch: ModelBatch, K: number) {
  let loss = 0;
  let carry: ModelBatch["carry"];
  const predictions: Float64Array[][] = [];
  for (const part of windows(batch, "t", model.data, K, model.losses)) {
    const window = carry ? { ...part, carry } : part;
    loss += model.loss(params, window);
    predictions.push(model.predict(params, window).map((a) => Float64Array.from(a)));
    carry = model.finalStates();
  }
  return { loss, predictions };
}

describe("truncated BPTT: the windows compute what the whole sequence computes", () => {
  it.each(programs)("$name ($reads): carries as deep as its reads", ({ source, sizes }) => {
    const p = compile(source, sizes);
    const deepest = new Map<string, number>();
    for (const block of p.blocks)
      for (const node of block.nodes)
        if (node.attrs.index?.kind === "step" && node.attrs.index.offset < 0) deepest.set(node.attrs.name!, Math.max(deepest.get(node.attrs.name!) ?? 0, -node.attrs.index.offset));
    expect(new Map(p.carries.map((c) => [c.name, c.steps]))).toEqual(deepest);
    expect(interpretedModel(p).carried).toEqual(p.carries.map((c) => c.name));
  });

  it.each(programs)("$name ($reads): windows of 1 to 5 steps, in the interpreter and the emitted float64 module, to 1e-12", async ({ source, sizes }) => {
    const p = compile(source, sizes);
    const params = randomParams(p);
    const models = [interpretedModel(p), await emitted(p, "float64", false, "bptt-")];
    const problems: string[] = [];
    for (const [m, model] of models.entries())
      for (const B of [1, 4, 9]) {
        const batch = toModelBatch(randomBatch(p, lengthsFor(B), B), "float64");
        const whole = { loss: model.loss(params, batch), predictions: model.predict(params, batch).map((a) => Float64Array.from(a)) };
        for (const K of [1, 2, 3, 5]) {
          const label = `${m === 0 ? "interpreter" : "emitted"} B=${B} K=${K}`;
          const windowed = runWindows(model, params, batch, K);
          if (!(relativeLossError(whole.loss, windowed.loss) <= 1e-12)) problems.push(`${label}: windows' loss ${windowed.loss}, whole ${whole.loss}`);
          whole.predictions.forEach((prediction, l) => {
            const width = prediction.length / (Math.max(...batch.lengths.t!) * B);
            windowed.predictions.forEach((parts, w) => {
              const from = w * K * B * width;
              const problem = mismatch(prediction.subarray(from, from + parts[l].length), parts[l], 1e-12);
              if (problem) problems.push(`${label}: window ${w}, prediction ${l} ${problem}`);
            });
          });
        }
      }
    expect(problems).toEqual([]);
  });

  it.each(programs)("$name ($reads): a window's gradient is its truncated graph's (central differences, carry fixed)", ({ source, sizes }) => {
    const checked = checkSource(source, "bptt.rnn");
    const lowered = lower(checked.models[0], new Map(Object.entries(sizes ?? {})));
    const batch: Batch = { ...randomBatch(lowered, lengthsFor(4), 4), carry: randomCarry(differentiate(lowered), 4, 3) };
    const report = gradcheck(lowered, randomParams(lowered), batch);
    expect(report.checked).toBeGreaterThan(10);
    expect(report.maxRelativeError, report.worst).toBeLessThan(1e-6);
  });
});

describe("truncated BPTT in the emitted modules, at every batch size from 1 to 9", () => {
  it.each(programs)("$name ($reads): the carry taken and handed on, loss, gradients and predictions as the interpreter's", async ({ source, sizes }) => {
    const p = compile(source, sizes);
    const params = randomParams(p);
    const params32 = new Map([...params].map(([k, v]) => [k, Float32Array.from(v)]));
    const reference = interpretedModel(p);
    const variants = [
      { label: "float64", module: await emitted(p, "float64", false, "bptt-"), dtype: "float64", params, tolerances: F64 },
      { label: "float32", module: await emitted(p, "float32", false, "bptt-"), dtype: "float32", params: params32, tolerances: F32 },
      { label: "float32+kernels", module: await emitted(p, "float32", true, "bptt-"), dtype: "float32", params: params32, tolerances: F32 },
    ] as const;
    const problems: string[] = [];
    for (const B of [1, 9, 2, 8, 3, 7, 4, 6, 5]) {
      const batch: Batch = { ...randomBatch(p, lengthsFor(B), B), carry: randomCarry(p, B, B) };
      const expected = { ...lossAndGradient(p, params, batch), predictions: reference.predict(params, toModelBatch(batch, "float64")) };
      reference.loss(params, toModelBatch(batch, "float64"));
      const handedOn = reference.finalStates();
      for (const v of variants)
        collect(problems, `${v.label} B=${B}`, () => {
          const grads = v.module.createParams();
          const modelBatch = toModelBatch(batch, v.dtype);
          const loss = v.module.lossAndGrad(v.params, grads, modelBatch);
          const finals = v.module.finalStates();
          const predictions = v.module.predict(v.params, modelBatch).map((a) => Float64Array.from(a));
          return [
            ...compare(expected, { loss, grads: widened(grads), predictions }, v.tolerances),
            ...[...handedOn].map(([name, rows]) => {
              const problem = mismatch(rows, finals.get(name), v.tolerances.predictions);
              return problem && `carry handed on for ${name} ${problem}`;
            }),
          ];
        });
    }
    expect(problems).toEqual([]);
  }, 120_000); // the kernels compile in a second or two, once per model
});
