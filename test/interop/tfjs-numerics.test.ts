// Same weights, same numbers as TensorFlow.js. Each case is one model written twice: in .rnn
// (compiled by rnnc) and by hand in tf.layers (tfjs 4, its pure-JavaScript cpu backend). rnnc's
// initial params are copied into the tfjs layers (interop/tfjs/weights.ts: transposed kernels,
// tfjs's LSTM gate order i, f, c, o, and the GRU's update gate negated — Keras' z keeps the old
// state where rnnc's takes the new one, and sigmoid(-a) = 1 - sigmoid(a)), both run the same
// batch, and their predictions, losses and the gradient of every parameter (tf.variableGrads
// for tfjs) must agree to 1e-5 relative: max |rnnc - tfjs| over a tensor, divided by the
// largest |rnnc| in it.
//
// - rnnc's side is its float64 compiled module (the oracle), run on params and inputs rounded
//   to float32, so that the difference measured is tfjs's float32 arithmetic against exact.
// - tfjs's recurrent layers default to recurrentActivation 'hardSigmoid'; rnnc's lstm and gru use
//   the sigmoid, so their LSTMs and GRUs here say recurrentActivation: 'sigmoid'. The prelude's
//   lstm_hard_sigmoid and gru_hard_sigmoid are tfjs's defaults, and their layers here say nothing
//   (their params are scaled up so that gates reach hardSigmoid's flat parts, past ±2.5). tfjs's
//   GRU is the reset-before form (resetAfter: true throws in tfjs), which is the prelude's gru.
// - Padding: sequences have different lengths. rnnc reads the lengths; tfjs reads a mask. The
//   tfjs ids are rnnc's + 1 with 0 at padded steps, read by an Embedding with maskZero (so the
//   tfjs table has a padding row 0 above rnnc's, whose gradient must be zero); vector sequences
//   are zeros at padded steps, read through a Masking layer. A masked step keeps the state, so
//   the last output of a forward layer is h at the last valid step (rnnc's h[last]) and a
//   backward layer starts at each example's last valid step (rnnc's b[t+1] past the end is 0).
// - The loss: rnnc's cross_entropy of a per-example target is the mean over the batch; of a
//   per-step target, the sum over valid steps divided by the batch size, or by the number of
//   valid tokens with `mean over tokens`; mse is the mean over the vector, summed the same way.
//   The tfjs loss is written out with tf ops in exactly that reduction, masked by the lengths.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compiledModel } from "../../cli/compiled-model.ts";
import { checkSource, differentiatedProgram } from "../../compiler/index.ts";
import { initialize } from "../../runtime/init.ts";
import type { CompiledModel, ModelBatch } from "../../runtime/model.ts";
import { Rng } from "../../runtime/rng.ts";
import { fromTfjs, toTfjs, type LayerKind, type LayerParams } from "../../interop/tfjs/weights.ts";

const TOLERANCE = 1e-5;
const measured: string[] = [];

beforeAll(async () => {
  tf.enableProdMode(); // no "install tfjs-node" banner
  await tf.setBackend("cpu");
});
afterAll(() => console.log(`largest relative differences, rnnc (float64) vs tfjs (float32):\n${measured.join("\n")}`));

/** Recurrent layers as rnnc's cells compute them: sigmoid gates, not tfjs's default hardSigmoid. */
const sigmoidGates = { recurrentActivation: "sigmoid" } as const;

/** The tfjs layers holding an rnnc layer's weights: the layer, or a Bidirectional's forward or backward half. */
type Holder = { layer: tf.layers.Layer; kind: LayerKind; half?: "forward" | "backward" };

interface Case {
  name: string;
  source: string;
  sizes: Record<string, number>;
  lengths: number[];
  /** Multiplies the initial params (before rounding to float32). */
  scale?: number;
  /** The same model in tf.layers: from its input to the logits (or values, for mse). */
  tfjs(input: tf.SymbolicTensor): { output: tf.SymbolicTensor; layers: Record<string, Holder> };
}

const V = 7; // vocabulary
const C = 4; // classes

const cases: Case[] = [
  {
    name: "lstm, many-to-one",
    source: `model m {
      dims { E = 3, H = 5 }
      input x: seq<token>
      target y: class
      layer emb = embedding(vocab(x), E)
      layer enc = lstm(E, H)
      layer head = dense(H, classes(y))
      (h[t], c[t]) = enc(emb(x[t]), h[t-1], c[t-1])
      loss cross_entropy(head(h[last]), y)
    }`,
    sizes: { "vocab(x)": V, "classes(y)": C },
    lengths: [5, 3, 1, 4],
    tfjs(x) {
      const emb = tf.layers.embedding({ inputDim: V + 1, outputDim: 3, maskZero: true });
      const enc = tf.layers.lstm({ units: 5, ...sigmoidGates });
      const head = tf.layers.dense({ units: C });
      const output = head.apply(enc.apply(emb.apply(x))) as tf.SymbolicTensor;
      return { output, layers: { emb: { layer: emb, kind: "embedding" }, enc: { layer: enc, kind: "lstm" }, head: { layer: head, kind: "dense" } } };
    },
  },
  {
    name: "gru, many-to-many, mean over tokens",
    source: `model m {
      dims { E = 3, H = 4 }
      input x: seq<token>
      target y: seq<class>
      layer emb = embedding(vocab(x), E)
      layer enc = gru(E, H)
      layer head = dense(H, classes(y))
      h[t] = enc(emb(x[t]), h[t-1])
      loss cross_entropy(head(h[t]), y[t]) mean over tokens
    }`,
    sizes: { "vocab(x)": V, "classes(y)": C },
    lengths: [4, 2, 5],
    tfjs(x) {
      const emb = tf.layers.embedding({ inputDim: V + 1, outputDim: 3, maskZero: true });
      const enc = tf.layers.gru({ units: 4, returnSequences: true, ...sigmoidGates });
      const head = tf.layers.dense({ units: C });
      const output = head.apply(enc.apply(emb.apply(x))) as tf.SymbolicTensor;
      return { output, layers: { emb: { layer: emb, kind: "embedding" }, enc: { layer: enc, kind: "gru" }, head: { layer: head, kind: "dense" } } };
    },
  },
  {
    name: "simple rnn (tanh), many-to-one",
    source: `model m {
      dims { E = 3, H = 4 }
      input x: seq<token>
      target y: class
      layer emb = embedding(vocab(x), E)
      layer enc = rnn(E, H)
      layer head = dense(H, classes(y))
      h[t] = enc(emb(x[t]), h[t-1])
      loss cross_entropy(head(h[last]), y)
    }`,
    sizes: { "vocab(x)": V, "classes(y)": C },
    lengths: [2, 6, 3],
    tfjs(x) {
      const emb = tf.layers.embedding({ inputDim: V + 1, outputDim: 3, maskZero: true });
      const enc = tf.layers.simpleRNN({ units: 4, activation: "tanh" });
      const head = tf.layers.dense({ units: C });
      const output = head.apply(enc.apply(emb.apply(x))) as tf.SymbolicTensor;
      return { output, layers: { emb: { layer: emb, kind: "embedding" }, enc: { layer: enc, kind: "rnn" }, head: { layer: head, kind: "dense" } } };
    },
  },
  {
    name: "simple rnn (relu), many-to-many, summed over steps",
    source: `model m {
      dims { E = 3, H = 4 }
      input x: seq<token>
      target y: seq<class>
      layer emb = embedding(vocab(x), E)
      layer enc = rnn_relu(E, H)
      layer head = dense(H, classes(y))
      h[t] = enc(emb(x[t]), h[t-1])
      loss cross_entropy(head(h[t]), y[t])
    }`,
    sizes: { "vocab(x)": V, "classes(y)": C },
    lengths: [3, 5, 1, 4],
    tfjs(x) {
      const emb = tf.layers.embedding({ inputDim: V + 1, outputDim: 3, maskZero: true });
      const enc = tf.layers.simpleRNN({ units: 4, activation: "relu", returnSequences: true });
      const head = tf.layers.dense({ units: C });
      const output = head.apply(enc.apply(emb.apply(x))) as tf.SymbolicTensor;
      return { output, layers: { emb: { layer: emb, kind: "embedding" }, enc: { layer: enc, kind: "rnn_relu" }, head: { layer: head, kind: "dense" } } };
    },
  },
  {
    name: "bidirectional gru, many-to-one: concat(f[last], b[first])",
    source: `model m {
      dims { E = 3, H = 4 }
      input x: seq<token>
      target y: class
      layer emb = embedding(vocab(x), E)
      layer fw = gru(E, H)
      layer bw = gru(E, H)
      layer head = dense(2*H, classes(y))
      e[t] = emb(x[t])
      f[t] = fw(e[t], f[t-1])
      b[t] = bw(e[t], b[t+1])
      loss cross_entropy(head(concat(f[last], b[first])), y)
    }`,
    sizes: { "vocab(x)": V, "classes(y)": C },
    lengths: [4, 1, 5, 3],
    tfjs(x) {
      const emb = tf.layers.embedding({ inputDim: V + 1, outputDim: 3, maskZero: true });
      const bi = tf.layers.bidirectional({ layer: tf.layers.gru({ units: 4, ...sigmoidGates }) as tf.RNN, mergeMode: "concat" });
      const head = tf.layers.dense({ units: C });
      const output = head.apply(bi.apply(emb.apply(x))) as tf.SymbolicTensor;
      const layers: Record<string, Holder> = { emb: { layer: emb, kind: "embedding" }, fw: { layer: bi, kind: "gru", half: "forward" }, bw: { layer: bi, kind: "gru", half: "backward" }, head: { layer: head, kind: "dense" } };
      return { output, layers };
    },
  },
  {
    name: "2 stacked lstm layers, many-to-many",
    source: `model m {
      dims { E = 3, H = 4 }
      input x: seq<token>
      target y: seq<class>
      layer emb = embedding(vocab(x), E)
      layer l1 = lstm(E, H)
      layer l2 = lstm(H, H)
      layer head = dense(H, classes(y))
      (h[t], c[t]) = l1(emb(x[t]), h[t-1], c[t-1])
      (g[t], d[t]) = l2(h[t], g[t-1], d[t-1])
      loss cross_entropy(head(g[t]), y[t])
    }`,
    sizes: { "vocab(x)": V, "classes(y)": C },
    lengths: [5, 2, 4],
    tfjs(x) {
      const emb = tf.layers.embedding({ inputDim: V + 1, outputDim: 3, maskZero: true });
      const l1 = tf.layers.lstm({ units: 4, returnSequences: true, ...sigmoidGates });
      const l2 = tf.layers.lstm({ units: 4, returnSequences: true, ...sigmoidGates });
      const head = tf.layers.dense({ units: C });
      const output = head.apply(l2.apply(l1.apply(emb.apply(x)))) as tf.SymbolicTensor;
      return { output, layers: { emb: { layer: emb, kind: "embedding" }, l1: { layer: l1, kind: "lstm" }, l2: { layer: l2, kind: "lstm" }, head: { layer: head, kind: "dense" } } };
    },
  },
  {
    name: "the tagger: 2 stacked bidirectional lstm layers, a skip connection, many-to-many",
    source: `model tagger {
      dims { E = 3, H = 3 }
      input  words: seq<token>
      target tags: seq<class>
      layer emb = embedding(vocab(words), E)
      layer f1 = lstm(E, H)
      layer b1 = lstm(E, H)
      layer f2 = lstm(2*H, H)
      layer b2 = lstm(2*H, H)
      layer out = dense(2*H, classes(tags))
      e[t] = emb(words[t])
      (f[t], fc[t]) = f1(e[t], f[t-1], fc[t-1])
      (b[t], bc[t]) = b1(e[t], b[t+1], bc[t+1])
      x2[t] = concat(f[t], b[t])
      (g[t], gc[t]) = f2(x2[t], g[t-1], gc[t-1])
      (k[t], kc[t]) = b2(x2[t], k[t+1], kc[t+1])
      loss cross_entropy(out(concat(g[t], k[t]) + x2[t]), tags[t])
    }`,
    sizes: { "vocab(words)": V, "classes(tags)": C },
    lengths: [4, 6, 2],
    tfjs(x) {
      const emb = tf.layers.embedding({ inputDim: V + 1, outputDim: 3, maskZero: true });
      const bi1 = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true, ...sigmoidGates }) as tf.RNN, mergeMode: "concat" });
      const bi2 = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true, ...sigmoidGates }) as tf.RNN, mergeMode: "concat" });
      const out = tf.layers.dense({ units: C });
      const x2 = bi1.apply(emb.apply(x)) as tf.SymbolicTensor;
      const output = out.apply(tf.layers.add().apply([bi2.apply(x2) as tf.SymbolicTensor, x2])) as tf.SymbolicTensor;
      const layers: Record<string, Holder> = {
        emb: { layer: emb, kind: "embedding" },
        f1: { layer: bi1, kind: "lstm", half: "forward" },
        b1: { layer: bi1, kind: "lstm", half: "backward" },
        f2: { layer: bi2, kind: "lstm", half: "forward" },
        b2: { layer: bi2, kind: "lstm", half: "backward" },
        out: { layer: out, kind: "dense" },
      };
      return { output, layers };
    },
  },
  {
    name: "gru on vector sequences, mse per step (Masking)",
    source: `model m {
      dims { H = 4 }
      input  series: seq<vec(2)>
      target next: seq<vec(2)>
      layer enc = gru(2, H)
      layer out = dense(H, 2)
      h[t] = enc(series[t], h[t-1])
      loss mse(out(h[t]), next[t])
    }`,
    sizes: {},
    lengths: [3, 5, 2],
    tfjs(x) {
      const enc = tf.layers.gru({ units: 4, returnSequences: true, ...sigmoidGates });
      const out = tf.layers.dense({ units: 2 });
      const output = out.apply(enc.apply(tf.layers.masking({ maskValue: 0 }).apply(x))) as tf.SymbolicTensor;
      return { output, layers: { enc: { layer: enc, kind: "gru" }, out: { layer: out, kind: "dense" } } };
    },
  },
  {
    name: "lstm_hard_sigmoid, tfjs's LSTM with its default gates, mse per step (Masking)",
    source: `model m {
      dims { H = 4 }
      input  series: seq<vec(2)>
      target next: seq<vec(2)>
      layer enc = lstm_hard_sigmoid(2, H)
      layer out = dense(H, 2)
      (h[t], c[t]) = enc(series[t], h[t-1], c[t-1])
      loss mse(out(h[t]), next[t])
    }`,
    sizes: {},
    lengths: [3, 5, 2],
    scale: 4,
    tfjs(x) {
      const enc = tf.layers.lstm({ units: 4, returnSequences: true }); // recurrentActivation: the default, hardSigmoid
      const out = tf.layers.dense({ units: 2 });
      const output = out.apply(enc.apply(tf.layers.masking({ maskValue: 0 }).apply(x))) as tf.SymbolicTensor;
      return { output, layers: { enc: { layer: enc, kind: "lstm_hard_sigmoid" }, out: { layer: out, kind: "dense" } } };
    },
  },
  {
    name: "bidirectional gru_hard_sigmoid, tfjs's GRU with its default gates, many-to-one",
    source: `model m {
      dims { E = 3, H = 4 }
      input x: seq<token>
      target y: class
      layer emb = embedding(vocab(x), E)
      layer fw = gru_hard_sigmoid(E, H)
      layer bw = gru_hard_sigmoid(E, H)
      layer head = dense(2*H, classes(y))
      e[t] = emb(x[t])
      f[t] = fw(e[t], f[t-1])
      b[t] = bw(e[t], b[t+1])
      loss cross_entropy(head(concat(f[last], b[first])), y)
    }`,
    sizes: { "vocab(x)": V, "classes(y)": C },
    lengths: [4, 1, 5, 3],
    scale: 4,
    tfjs(x) {
      const emb = tf.layers.embedding({ inputDim: V + 1, outputDim: 3, maskZero: true });
      const bi = tf.layers.bidirectional({ layer: tf.layers.gru({ units: 4 }) as tf.RNN, mergeMode: "concat" });
      const head = tf.layers.dense({ units: C });
      const output = head.apply(bi.apply(emb.apply(x))) as tf.SymbolicTensor;
      const layers: Record<string, Holder> = { emb: { layer: emb, kind: "embedding" }, fw: { layer: bi, kind: "gru_hard_sigmoid", half: "forward" }, bw: { layer: bi, kind: "gru_hard_sigmoid", half: "backward" }, head: { layer: head, kind: "dense" } };
      return { output, layers };
    },
  },
];

describe("rnnc and TensorFlow.js compute the same predictions, loss and gradients", () => {
  it.each(cases)("$name", async (c) => {
    // rnnc
    const checked = checkSource(c.source, "case.rnn");
    expect(checked.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const rnnc = await compiledModel(differentiatedProgram(checked.models[0], new Map(Object.entries(c.sizes))), "float64");
    const params = initialParams(rnnc, c.scale);
    const data = batchFor(rnnc, c.lengths);
    const grads = rnnc.createParams();
    const loss = rnnc.lossAndGrad(params, grads, data.rnnc);
    const [prediction] = rnnc.predict(params, data.rnnc);

    // tfjs, with rnnc's params
    const input = tf.input({ shape: data.input.shape.slice(1), dtype: data.input.dtype });
    const { output, layers } = c.tfjs(input);
    const model = tf.model({ inputs: input, outputs: output });
    copyParams(layers, params, rnnc);
    const [lossLayout] = rnnc.losses;
    const tfjsLoss = () => lossOf(model.apply(data.input) as tf.Tensor, data, lossLayout.kind, lossLayout.reduction);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads: tfjsGrads } = tf.variableGrads(tfjsLoss, variables);
    const logits = model.predict(data.input) as tf.Tensor;
    const tfjsPrediction = (lossLayout.kind === "cross_entropy" ? tf.softmax(logits) : logits).dataSync();

    // compare
    const errors: [string, number][] = [];
    const compare = (what: string, ours: ArrayLike<number>, theirs: ArrayLike<number>) => {
      const error = relativeError(ours, theirs);
      errors.push([what, error]);
      expect(error, what).toBeLessThan(TOLERANCE);
    };
    compare("loss", [loss], [value.dataSync()[0]]);
    const valid = validPositions(data, lossLayout.size);
    compare("predictions", valid.map(([r]) => prediction[r]), valid.map(([, k]) => tfjsPrediction[k]));
    for (const [name, holder] of Object.entries(layers)) {
      const weights = holder.layer.trainableWeights;
      const half = holder.half === undefined ? weights : holder.half === "forward" ? weights.slice(0, weights.length / 2) : weights.slice(weights.length / 2);
      const gradients = half.map((w) => ({ shape: w.shape as number[], values: tfjsGrads[w.name].dataSync() as Float32Array }));
      if (holder.kind === "embedding") expect(Math.max(...gradients[0].values.subarray(0, gradients[0].shape[1]).map(Math.abs)), "the padding row's gradient").toBe(0);
      for (const [param, g] of Object.entries(fromTfjs(holder.kind, gradients))) compare(`${name}.${param}`, grads.get(`${name}.${param}`)!, g);
    }
    expect(errors.map(([what]) => what).filter((w) => w.includes(".")).sort()).toEqual(rnnc.params.map((p) => p.name).sort()); // every param compared
    const worst = errors.reduce((a, b) => (b[1] > a[1] ? b : a));
    measured.push(`  ${c.name}: ${worst[1].toExponential(2)} (${worst[0]}); loss ${errors[0][1].toExponential(2)}, predictions ${errors[1][1].toExponential(2)}`);
    tf.dispose([value, logits, ...Object.values(tfjsGrads)]);
    model.dispose();
  });
});

/** rnnc's initializers (as `rnnc train` runs them), then N(0, 0.1) noise so that no bias is zero and every gate's weights differ; rounded to float32. */
function initialParams(model: CompiledModel, scale = 1): Map<string, Float64Array> {
  const rng = new Rng(11);
  const params = model.createParams() as Map<string, Float64Array>;
  for (const p of model.params) {
    const values = params.get(p.name)!;
    initialize(values, p.shape, p.init, rng);
    for (let i = 0; i < values.length; i++) values[i] = Math.fround(scale * (values[i] + 0.1 * rng.normal()));
  }
  return params;
}

function copyParams(layers: Record<string, Holder>, params: Map<string, Float64Array>, model: CompiledModel): void {
  const ofLayer = (name: string): LayerParams =>
    Object.fromEntries([...params].filter(([k]) => k.startsWith(`${name}.`)).map(([k, values]) => [k.slice(name.length + 1), { shape: shapeOf(k), values }]));
  const shapeOf = (k: string) => model.params.find((p) => p.name === k)!.shape;
  const byLayer = new Map<tf.layers.Layer, [string, Holder][]>();
  for (const entry of Object.entries(layers)) byLayer.set(entry[1].layer, [...(byLayer.get(entry[1].layer) ?? []), entry]);
  for (const [layer, holders] of byLayer) {
    holders.sort(([, a], [, b]) => (a.half === "backward" ? 1 : 0) - (b.half === "backward" ? 1 : 0)); // a Bidirectional: forward's weights first
    layer.setWeights(holders.flatMap(([name, h]) => toTfjs(h.kind, ofLayer(name))).map((w) => tf.tensor(w.values, w.shape)));
  }
}

interface Data {
  rnnc: ModelBatch;
  input: tf.Tensor; // [B, T] ids + 1 (0 = padding), or [B, T, n] vectors (zeros at padding)
  target: tf.Tensor; // [B] or [B, T] classes, or [B, T, n] vectors
  mask: tf.Tensor; // [B, T]: 1 at valid steps
  B: number;
  T: number;
  sequenceTarget: boolean;
}

/** One batch, time-major for rnnc (its layout) and batch-major for tfjs; padding as the header says. */
function batchFor(model: CompiledModel, lengths: number[]): Data {
  const rng = new Rng(5);
  const B = lengths.length;
  const T = Math.max(...lengths);
  const [input] = model.data.filter((d) => d.role === "input");
  const [target] = model.data.filter((d) => d.role === "target");
  const valid = (t: number, b: number) => t < lengths[b];
  const width = (d: typeof input) => (d.kind === "ids" ? 1 : d.size);
  const draw = (d: typeof input, steps: number) => {
    const rnnc = new Float64Array(steps * B * width(d)); // (t, b, i) at (t * B + b) * width + i
    const tfjs = new Float32Array(B * steps * width(d)); // (b, t, i) at (b * steps + t) * width + i
    for (let t = 0; t < steps; t++)
      for (let b = 0; b < B; b++)
        for (let i = 0; i < width(d); i++) {
          if (d.sequence && !valid(t, b)) {
            rnnc[(t * B + b) * width(d) + i] = d.kind === "ids" ? rng.int(d.size) : rng.normal(); // rnnc ignores padded steps: any value
            continue; // tfjs: 0, the padding id or a zero vector
          }
          const x = d.kind === "ids" ? rng.int(d.size) : Math.fround(rng.normal());
          rnnc[(t * B + b) * width(d) + i] = x;
          tfjs[(b * steps + t) * width(d) + i] = d.kind === "ids" && d.role === "input" ? x + 1 : x;
        }
    return { rnnc, tfjs };
  };
  const x = draw(input, T);
  const y = draw(target, target.sequence ? T : 1);
  const mask = Float32Array.from({ length: B * T }, (_, k) => (valid(k % T, Math.floor(k / T)) ? 1 : 0));
  return {
    rnnc: { size: B, lengths: { t: Int32Array.from(lengths) }, fields: new Map([[input.name, x.rnnc], [target.name, y.rnnc]]) },
    input: input.kind === "ids" ? tf.tensor2d(x.tfjs, [B, T], "int32") : tf.tensor3d(x.tfjs, [B, T, input.size]),
    target: target.kind === "ids" ? tf.tensor(y.tfjs, target.sequence ? [B, T] : [B], "int32") : tf.tensor3d(y.tfjs, [B, T, target.size]),
    mask: tf.tensor2d(mask, [B, T]),
    B,
    T,
    sequenceTarget: target.sequence,
  };
}

/** rnnc's loss, in tf ops: summed over valid steps (masked), over the batch, then divided as rnnc divides. */
function lossOf(output: tf.Tensor, data: Data, kind: string, reduction: string): tf.Scalar {
  return tf.tidy(() => {
    const perStep =
      kind === "cross_entropy"
        ? tf.neg(tf.sum(tf.mul(tf.oneHot(data.target as tf.Tensor1D, output.shape.at(-1)!), tf.logSoftmax(output)), -1))
        : tf.mean(tf.square(tf.sub(output, data.target)), -1);
    const summed = data.sequenceTarget ? tf.sum(tf.mul(perStep, data.mask)) : tf.sum(perStep);
    const denominator = reduction === "mean_over_tokens" ? tf.sum(data.mask) : tf.scalar(data.B);
    return tf.div(summed, denominator) as tf.Scalar;
  });
}

/** [index in rnnc's prediction, index in tfjs's] for every value of every valid step. */
function validPositions(data: Data, size: number): [number, number][] {
  const out: [number, number][] = [];
  const lengths = data.rnnc.lengths.t!;
  for (let b = 0; b < data.B; b++)
    for (let t = 0; t < (data.sequenceTarget ? lengths[b] : 1); t++)
      for (let i = 0; i < size; i++) out.push(data.sequenceTarget ? [(t * data.B + b) * size + i, (b * data.T + t) * size + i] : [b * size + i, b * size + i]);
  return out;
}

/** max |ours - theirs| / max |ours|: relative to the tensor's scale. */
function relativeError(ours: ArrayLike<number>, theirs: ArrayLike<number>): number {
  expect(theirs.length).toBe(ours.length);
  let difference = 0;
  let scale = 0;
  for (let i = 0; i < ours.length; i++) {
    difference = Math.max(difference, Math.abs(ours[i] - theirs[i]));
    scale = Math.max(scale, Math.abs(ours[i]));
  }
  expect(scale, "a tensor of zeros compares nothing").toBeGreaterThan(0);
  return difference / scale;
}
