// ONNX export against ONNX Runtime. Each model is exported (interop/onnx) with params drawn at
// random and rounded to float32, run in onnxruntime-node's CPU InferenceSession on a batch of
// examples of different lengths (the padded steps hold random ids and vectors, which must not
// matter), and its outputs compared to 1e-5 (relative to the value where it exceeds 1) with
// rnnc's own `predict`: the float32 compiled module (as `rnnc evaluate` runs it, without its
// WebAssembly kernels, which take seconds per model to compile) at every valid step, and the
// reference interpreter (float64) everywhere — past each example's length its predictions, and
// the ONNX model's, are 0. Each model is exported twice: with ONNX's LSTM/GRU/RNN operators for
// the prelude cells it recognises (and the report must say which), and with every recurrence as
// a Scan.
//
// gru_reset_after is also checked on its own against ONNX Runtime's GRU with
// linear_before_reset = 1: the cell's params, as they are, are that operator's W, R and B, and its
// h at every valid step is the operator's Y (and not the linear_before_reset = 0 GRU's).
//
// The suite is skipped, saying so loudly, only when onnxruntime-node or its CPU binary is absent.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compiledModel } from "../../cli/compiled-model.ts";
import { checkSource, differentiatedProgram } from "../../compiler/index.ts";
import { forward, type Batch } from "../../compiler/ir/interpret.ts";
import { interpretedModel } from "../../compiler/interpreted-model.ts";
import type { DifferentiatedProgram } from "../../compiler/ir/nodes.ts";
import { attr, floatTensor, OnnxGraph } from "../../interop/onnx/graph.ts";
import { exportOnnxWithReport, OPSET, IR_VERSION, type OnnxExport } from "../../interop/onnx/index.ts";
import { DataType, encodeModel } from "../../interop/onnx/onnx-proto.ts";
import { decodeCheckpoint, encodeCheckpoint } from "../../runtime/checkpoint.ts";
import type { ModelBatch } from "../../runtime/model.ts";
import { randomBatch, randomParams } from "../4-differentiate/gradcheck.ts";
import { stackedGru } from "../6-emit/sweep-matrix-rows.ts";

type Ort = typeof import("onnxruntime-node");

/** onnxruntime-node and the binary it loads for this platform, or why not. */
async function loadOrt(): Promise<{ ort?: Ort; reason?: string }> {
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve("onnxruntime-node/package.json"));
  } catch {
    return { reason: "the package onnxruntime-node is not installed" };
  }
  const binary = join(dir, "bin", "napi-v6", process.platform, process.arch, "onnxruntime_binding.node");
  if (!existsSync(binary)) return { reason: `its CPU binary ${binary} is absent` };
  return { ort: await import("onnxruntime-node") };
}

const { ort, reason } = await loadOrt();
if (!ort) console.warn(`\n*** test/interop/onnx SKIPPED: ${reason}. Run npm ci (the binary ships in the npm package). ***\n`);

const TOLERANCE = 1e-5;

interface Case {
  name: string;
  source: string;
  dims?: Record<string, number>;
  sizes?: Record<string, number>;
  lengths: Partial<Record<"t" | "s", number[]>>;
  /** How the native export computes each recurrence, in order (a Scan where ONNX has no operator for it). */
  native: string[];
}

const example = (name: string) => readFileSync(`examples/${name}.rnn`, "utf8");

const cases: Case[] = [
  {
    name: "tagger: bidirectional LSTM, 2 layers, many-to-many",
    source: example("tagger"),
    dims: { E: 3, H: 4 },
    sizes: { "vocab(words)": 7, "classes(tags)": 4 },
    lengths: { t: [3, 5, 1, 4] },
    native: ["LSTM lstm", "LSTM lstm", "LSTM lstm", "LSTM lstm"],
  },
  {
    name: "parity: GRU, many-to-one",
    source: example("parity"),
    dims: { H: 4 },
    sizes: { "vocab(bits)": 4 }, // ids 2 and 3 are out of onehot(bits, 2)'s range: zeros
    lengths: { t: [3, 1, 6, 2] },
    native: ["GRU gru"],
  },
  {
    name: "names: LSTM language model (the previous token is the input)",
    source: example("names"),
    dims: { E: 3, H: 5 },
    sizes: { "vocab(name)": 6 },
    lengths: { t: [4, 2, 5] },
    native: ["LSTM lstm"],
  },
  {
    name: "co2: GRU regression (mse; its bptt carry is zeros, as in predict)",
    source: example("co2"),
    dims: { H: 4 },
    lengths: { t: [6, 3, 5] },
    native: ["GRU gru"],
  },
  {
    name: "g2p: encoder-decoder over two axes, the decoder starting from the encoder's last state",
    source: example("g2p"),
    dims: { E: 3, H: 4 },
    sizes: { "vocab(spelling)": 5, "vocab(phones)": 6 },
    lengths: { s: [3, 1, 4], t: [2, 4, 1] },
    native: ["LSTM lstm", "LSTM lstm"],
  },
  {
    name: "caption: a GRU whose first state comes from a vector",
    source: example("caption").replace("vec(512)", "vec(3)").replace("dense(512, H)", "dense(3, H)"),
    dims: { E: 3, H: 4 },
    sizes: { "vocab(words)": 5 },
    lengths: { t: [3, 2] },
    native: ["GRU gru"],
  },
  {
    name: "a backward LSTM from an init, read at its first step",
    source: `model back {
      dims { E = 3, H = 4 }
      input  x: seq<token>
      input  z: vec(2)
      target y: class
      layer emb = embedding(vocab(x), E)
      layer p = dense(2, H)
      layer cell = lstm(E, H)
      layer head = dense(2 * H, classes(y))
      init b = tanh(p(z))
      init bc = p(z)
      (b[t], bc[t]) = cell(emb(x[t]), b[t+1], bc[t+1])
      loss cross_entropy(head(concat(b[first], bc[first])), y)
    }`,
    sizes: { "vocab(x)": 6, "classes(y)": 3 },
    lengths: { t: [2, 5, 3, 1] },
    native: ["LSTM lstm"],
  },
  {
    name: "a 2-layer stack: LSTM then GRU, many-to-one",
    source: `model stack {
      dims { E = 3, H = 4 }
      input  x: seq<token>
      target y: class
      layer emb = embedding(vocab(x), E)
      layer l1 = lstm(E, H)
      layer l2 = gru(H, H)
      layer head = dense(H, classes(y))
      (h[t], c[t]) = l1(emb(x[t]), h[t-1], c[t-1])
      g[t] = l2(h[t], g[t-1])
      loss cross_entropy(head(g[last]), y)
    }`,
    sizes: { "vocab(x)": 6, "classes(y)": 3 },
    lengths: { t: [2, 5, 3, 1] },
    native: ["LSTM lstm", "GRU gru"],
  },
  {
    name: "gru_reset_after forward, rnn backward, rnn_relu on both",
    source: `model cells {
      dims { E = 3, H = 4 }
      input  x: seq<token>
      target y: seq<class>
      layer emb = embedding(vocab(x), E)
      layer a = gru_reset_after(E, H)
      layer b = rnn(E, H)
      layer c = rnn_relu(2*H, H)
      layer head = dense(H, classes(y))
      f[t] = a(emb(x[t]), f[t-1])
      g[t] = b(emb(x[t]), g[t+1])
      k[t] = c(concat(f[t], g[t]), k[t-1])
      loss cross_entropy(head(k[t]), y[t])
    }`,
    sizes: { "vocab(x)": 5, "classes(y)": 3 },
    lengths: { t: [3, 5, 1, 4] },
    native: ["GRU gru_reset_after", "RNN rnn", "RNN rnn_relu"],
  },
  {
    name: "lstm_hard_sigmoid forward, gru_hard_sigmoid backward (tfjs's default gates): HardSigmoid activations, inputs scaled onto its flat parts",
    source: `model hard {
      dims { H = 4 }
      input  x: seq<vec(3)>
      target y: seq<class>
      layer a = lstm_hard_sigmoid(3, H)
      layer b = gru_hard_sigmoid(3, H)
      layer head = dense(2 * H, classes(y))
      (f[t], fc[t]) = a(3 * x[t], f[t-1], fc[t-1])
      g[t] = b(3 * x[t], g[t+1])
      loss cross_entropy(head(concat(f[t], g[t])), y[t])
    }`,
    sizes: { "classes(y)": 3 },
    lengths: { t: [3, 5, 1, 4] },
    native: ["LSTM lstm_hard_sigmoid", "GRU gru_hard_sigmoid"],
  },
  {
    name: "a user's cell: two states, backward in time, from an init, binary cross-entropy",
    source: `cell mine(I, H) {
      input x: [I]
      state h: [H], m: [H]
      param U: [H, I] init glorot
      param V: [H, H] init glorot
      param w: [H] init zeros
      h' = tanh(U @ x + V @ m + w) * sigmoid(m)
      m' = 0.5 * h + relu(V @ h) - tanh(U @ x) / 2
    }
    model own {
      dims { H = 3 }
      input  x: seq<vec(4)>
      input  z: vec(2)
      target y: seq<vec(2)>
      layer c = mine(4, H)
      layer p = dense(2, H)
      layer head = dense(H, 2)
      init h = tanh(p(z))
      (h[t], m[t]) = c(x[t], h[t+1], m[t+1])
      loss binary_cross_entropy(head(h[t] + m[first]), y[t])
    }`,
    lengths: { t: [3, 5, 1, 4] },
    native: ["Scan"],
  },
  {
    name: "a user's cell that is an LSTM with PyTorch's gate order (i, f, g, o), under its own names: ONNX's LSTM, its rows reordered",
    source: `cell torch_lstm(In, Hid) {
      input x: [In]
      state hidden: [Hid], memory: [Hid]
      param Weights: [4*Hid, In + Hid] init glorot
      param bias: [4*Hid] init zeros
      pre = bias + Weights @ concat(x, hidden)
      i = sigmoid(pre[0:Hid])
      f = sigmoid(pre[Hid:2*Hid])
      g = tanh(pre[2*Hid:3*Hid])
      o = sigmoid(pre[3*Hid:4*Hid])
      memory' = i * g + f * memory
      hidden' = o * tanh(memory')
    }
    model torch {
      dims { H = 4 }
      input  x: seq<vec(3)>
      target y: seq<class>
      layer cell = torch_lstm(3, H)
      layer head = dense(H, classes(y))
      (h[t], c[t]) = cell(x[t], h[t-1], c[t-1])
      loss cross_entropy(head(h[t]), y[t])
    }`,
    sizes: { "classes(y)": 3 },
    lengths: { t: [3, 5, 1, 4] },
    native: ["LSTM lstm"],
  },
  {
    name: "a GRU with stacked weights, W[0:2*H] @ x (issue 13), and the rows of a shared product: a Scan over row initializers and a Slice",
    source: `${stackedGru}
    cell rows(I, H) {
      input x: [I]
      state u: [H]
      param W: [2*H, I] init glorot
      param R: [3*H, H] init glorot
      u' = tanh((2 * W)[H:2*H] @ x + R[0:2*H][H:2*H] @ u + (R @ u)[0:H])
    }
    model stacked {
      dims { H = 3 }
      input  x: seq<vec(2)>
      target y: seq<class>
      layer g = stacked_gru(2, H)
      layer r = rows(2, H)
      layer head = dense(2 * H, classes(y))
      h[t] = g(x[t], h[t-1])
      u[t] = r(x[t], u[t-1])
      loss cross_entropy(head(concat(h[t], u[t])), y[t])
    }`,
    sizes: { "classes(y)": 3 },
    lengths: { t: [3, 5, 1, 4] },
    native: ["Scan", "Scan"],
  },
  {
    name: "reads two steps back and one ahead, and an LSTM whose cell state is read at every step",
    source: `model offsets {
      dims { H = 3 }
      input  x: seq<vec(2)>
      target y: seq<vec(3)>
      layer c = lstm(2, H)
      layer q = dense(2 * H, H)
      (h[t], k[t]) = c(x[t+1] - x[t-2], h[t-1], k[t-1])
      u[t] = tanh(q(concat(h[t-1], k[t])) + u[t-2] * 0.5) + h[t+1]
      loss mse(u[t] + k[t-1], y[t])
    }`,
    lengths: { t: [3, 5, 1, 4] },
    native: ["Scan", "Scan"], // k (the LSTM's c) is read at every step: ONNX's LSTM gives only its last
  },
  {
    name: "the activations: gelu (by Erf), silu, abs, square, sqrt, elu, leaky_relu, hard_sigmoid, max and min against a param and a number",
    source: `cell acts(I, H) {
      input x: [I]
      state h: [H]
      param W: [H, I + H] init glorot
      param b: [H] init zeros
      a = W @ concat(x, h) + b
      u = gelu(a) + silu(a) - abs(a) + 0.1 * square(a) + elu(a, 1.5) + leaky_relu(a, 0.05) + sqrt(1 + square(a))
      h' = tanh(0.3 * u + hard_sigmoid(3 * a) + max(b, h) + min(-0.1, a))
    }
    model acts {
      dims { H = 3 }
      input  x: seq<vec(2)>
      target y: seq<vec(2)>
      layer c = acts(2, H)
      layer head = dense(H, 2)
      h[t] = c(x[t], h[t-1])
      loss mse(head(h[t]), y[t])
    }`,
    lengths: { t: [3, 5, 1, 4] },
    native: ["Scan"],
  },
  {
    name: "declared outputs: probabilities per step, a hidden state per example, a gate per step; the targets not read",
    source: `model outs {
      dims { E = 3, H = 4 }
      input  x: seq<token>
      target y: seq<class>
      layer emb = embedding(vocab(x), E)
      layer cell = lstm(E, H)
      layer head = dense(H, classes(y))
      (h[t], c[t]) = cell(emb(x[t]), h[t-1], c[t-1])
      loss cross_entropy(head(h[t]), y[t])
      output probs[t] = softmax(head(h[t]))
      output last_state = concat(h[last], c[last])
      output gate[t] = sigmoid(c[t][0:2])
    }`,
    sizes: { "vocab(x)": 6, "classes(y)": 3 },
    lengths: { t: [3, 5, 1, 4] },
    native: ["Scan"], // c is read at every step: ONNX's LSTM gives only its last
  },
  {
    name: "dropout and locked_dropout (on a cell's state, its bias, the inputs, a prediction): ONNX Identity, as at inference",
    source: `cell dropped(I, H) {
      input x: [I]
      state h: [H]
      param W: [H, I + H] init glorot
      param b: [H] init zeros
      h' = tanh(W @ concat(x, locked_dropout(h, 0.3)) + dropout(b, 0.2))
    }
    model dropping {
      dims { E = 3, H = 4 }
      input  x: seq<token>
      target y: seq<class>
      layer emb = embedding(vocab(x), E)
      layer cell = dropped(E, H)
      layer more = lstm(H, H)
      layer head = dense(H, classes(y))
      h[t] = cell(dropout(emb(x[t]), 0.5), h[t-1])
      (g[t], c[t]) = more(locked_dropout(h[t], 0.1), g[t-1], c[t-1])
      loss cross_entropy(head(dropout(g[t], 0.5)), y[t])
    }`,
    sizes: { "vocab(x)": 6, "classes(y)": 3 },
    lengths: { t: [3, 5, 1, 4] },
    native: ["Scan", "LSTM lstm"], // a cell with dropout inside is not a prelude cell; around an LSTM, dropout is the identity
  },
];

function programOf(source: string, dims: Record<string, number> = {}, sizes: Record<string, number> = {}): DifferentiatedProgram {
  const checked = checkSource(source, "model.rnn", { overrides: new Map(Object.entries(dims)) });
  const errors = checked.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || !checked.models[0]) throw new Error(errors.map((d) => d.message).join("\n"));
  return differentiatedProgram(checked.models[0], new Map(Object.entries(sizes)));
}

/** The ONNX model's inputs for an rnnc batch: ids as int64, vectors as float32, the lengths. */
function feeds(o: Ort, exported: OnnxExport, program: DifferentiatedProgram, batch: Batch): Record<string, import("onnxruntime-node").Tensor> {
  const result: Record<string, import("onnxruntime-node").Tensor> = {};
  for (const input of exported.inputs) {
    if (input.axis) {
      result[input.name] = new o.Tensor("int64", BigInt64Array.from(batch.lengths[input.axis]!, (n) => BigInt(n)), [batch.size]);
      continue;
    }
    const d = program.data.find((x) => x.name === input.field)!;
    const values = batch.fields.get(d.name)!;
    const steps = d.sequence ? Math.max(...batch.lengths[d.axis!]!) : undefined;
    const shape = [...(steps !== undefined ? [steps] : []), batch.size, ...(d.kind === "ids" ? [] : [d.size])];
    result[input.name] = d.kind === "ids" ? new o.Tensor("int64", BigInt64Array.from(values, (v) => BigInt(v)), shape) : new o.Tensor("float32", Float32Array.from(values), shape);
  }
  return result;
}

const float32Batch = (batch: Batch): ModelBatch => ({
  size: batch.size,
  lengths: batch.lengths,
  fields: new Map([...batch.fields].map(([k, v]) => [k, Float32Array.from(v)])),
});

/** Per entry of a prediction laid out (t, b, i): whether step t is valid for example b. */
function validRows(axis: "t" | "s" | undefined, batch: Batch, width: number): boolean[] {
  if (!axis) return new Array<boolean>(batch.size * width).fill(true);
  const lengths = batch.lengths[axis]!;
  const T = Math.max(...lengths);
  return Array.from({ length: T * batch.size * width }, (_, k) => Math.floor(k / width / batch.size) < lengths[Math.floor(k / width) % batch.size]);
}

/** max |got - want| / max(1, |want|), over the entries where `only` is true (all by default). */
function maxError(got: ArrayLike<number>, want: ArrayLike<number>, only?: boolean[]): number {
  expect(got.length).toBe(want.length);
  let max = 0;
  for (let i = 0; i < want.length; i++) if (!only || only[i]) max = Math.max(max, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  return max;
}

const measured: string[] = [];

describe.skipIf(!ort)("ONNX export: ONNX Runtime computes rnnc's predictions", () => {
  afterAll(() => console.log(`ONNX Runtime vs rnnc (max error, relative above 1):\n  ${measured.join("\n  ")}`));

  it.each(cases)("$name", async (c) => {
    const o = ort!;
    const program = programOf(c.source, c.dims, c.sizes);
    const params = new Map([...randomParams(program, 3)].map(([k, v]) => [k, Float32Array.from(v)]));
    const batch = randomBatch(program, c.lengths, 5);
    const rnnc = await compiledModel(program, "float32", false);
    // What the graph gives: the declared outputs, or else each loss's prediction.
    const declared = program.outputs.length > 0;
    const params64 = new Map([...params].map(([k, v]) => [k, Float64Array.from(v)]));
    const want = declared ? rnnc.outputValues(params, float32Batch(batch)) : rnnc.predict(params, float32Batch(batch));
    const oracle = declared ? interpretedModel(program).outputValues(params64, batch) : interpretedModel(program).predict(params64, batch);
    const gives = declared ? program.outputs.map((o) => ({ name: o.name, axis: o.axis, size: o.size })) : program.losses.map((l, i) => ({ name: l.target, axis: l.axis, size: rnnc.losses[i].size }));

    // the params as `rnnc export` reads them: from a checkpoint
    const saved = decodeCheckpoint(encodeCheckpoint({ model: program.model, params: Object.fromEntries([...params].map(([k, v]) => [k, { shape: program.params.find((p) => p.name === k)!.shape, values: v }])), vocabularies: {}, meta: {} })).params;
    for (const native of [true, false]) {
      const exported = exportOnnxWithReport(program, saved, { nativeCells: native });
      expect(exported.recurrences.map((r) => (r.cell ? `${r.as} ${r.cell}` : r.as))).toEqual(native ? c.native : c.native.map(() => "Scan"));
      const session = await o.InferenceSession.create(exported.bytes);
      try {
        expect(session.outputNames).toEqual(gives.map((x) => x.name));
        const outputs = await session.run(feeds(o, exported, program, batch));
        gives.forEach((given, i) => {
          const got = outputs[given.name];
          const T = given.axis ? Math.max(...batch.lengths[given.axis]!) : undefined;
          expect(got.dims).toEqual([...(T !== undefined ? [T] : []), batch.size, given.size]);
          const data = got.data as Float32Array;
          const valid = validRows(given.axis, batch, given.size);
          const error = maxError(data, want[i], valid);
          const errorInterpreter = maxError(data, oracle[i]);
          measured.push(`${c.name} (${native ? "native" : "Scan"}), ${given.name}: ${error.toExponential(2)} (interpreter: ${errorInterpreter.toExponential(2)})`);
          const where = `${c.name}, ${native ? "native" : "scan"}: ${given.name}`;
          expect(error, where).toBeLessThan(TOLERANCE);
          expect(errorInterpreter, `${where}, against the interpreter`).toBeLessThan(TOLERANCE);
          // padded steps hold 0, as the interpreter's predict has them
          expect(data.filter((_, k) => !valid[k]).every((x) => x === 0), `${where}: zeros past each example's length`).toBe(true);
        });
      } finally {
        await session.release();
      }
    }
  });

  it("sequences longer than the longest example, and any batch size: the same predictions, zeros after", async () => {
    const o = ort!;
    const c = cases[0]; // the tagger
    const program = programOf(c.source, c.dims, c.sizes);
    const params = randomParams(program, 3);
    const batch = randomBatch(program, c.lengths, 5);
    const want = interpretedModel(program).predict(params, batch)[0];
    for (const native of [true, false]) {
      const exported = exportOnnxWithReport(program, params, { nativeCells: native, metadata: { vocabularies: "{}" } });
      const session = await o.InferenceSession.create(exported.bytes);
      // two more steps of random ids than the longest example, as a fixed-size input buffer would have
      const T = Math.max(...c.lengths.t!), B = batch.size, K = 4, extra = 2;
      const ids = BigInt64Array.from({ length: (T + extra) * B }, (_, k) => (k < T * B ? BigInt(batch.fields.get("words")![k]) : BigInt(k % 7)));
      const lengths = BigInt64Array.from(c.lengths.t!, (n) => BigInt(n));
      const longer = await session.run({ words: new o.Tensor("int64", ids, [T + extra, B]), lengths_t: new o.Tensor("int64", lengths, [B]) });
      expect(longer.tags.dims).toEqual([T + extra, B, K]);
      const data = longer.tags.data as Float32Array;
      expect(maxError(data.subarray(0, T * B * K), want)).toBeLessThan(TOLERANCE);
      expect(data.subarray(T * B * K).every((x) => x === 0)).toBe(true);
      // one example alone: its own rows of the batch's predictions
      const b = 1, L = c.lengths.t![b];
      const alone = await session.run({
        words: new o.Tensor("int64", BigInt64Array.from({ length: L }, (_, t) => ids[t * B + b]), [L, 1]),
        lengths_t: new o.Tensor("int64", BigInt64Array.of(BigInt(L)), [1]),
      });
      const rows = Array.from({ length: L * K }, (_, k) => want[(Math.floor(k / K) * B + b) * K + (k % K)]);
      expect(maxError(alone.tags.data as Float32Array, rows)).toBeLessThan(TOLERANCE);
      await session.release();
    }
  });

  it("gru_reset_after is ONNX Runtime's GRU with linear_before_reset = 1, its params as they are", async () => {
    const o = ort!;
    const program = programOf(`model g {
        dims { H = 5 }
        input  x: seq<vec(3)>
        target y: seq<vec(2)>
        layer cell = gru_reset_after(3, H)
        layer out = dense(H, 2)
        h[t] = cell(x[t], h[t-1])
        loss mse(out(h[t]), y[t])
      }`);
    const params = randomParams(program, 11);
    for (const [k, v] of params) params.set(k, Float64Array.from(Float32Array.from(v))); // float32 values, as ONNX reads them
    const lengths = [4, 1, 6, 3];
    const batch = randomBatch(program, { t: lengths }, 12);
    for (const [k, v] of batch.fields) batch.fields.set(k, Float64Array.from(Float32Array.from(v)));
    const h = forward(program, params, batch).sequences.get("h")!; // rnnc's reference interpreter, float64
    const [H, I, T, B] = [5, 3, Math.max(...lengths), lengths.length];

    // One GRU node: W = Wx, R = Wh, B = [bx, bh], exactly as the cell holds them.
    const gruModel = (linearBeforeReset: number) => {
      const g = new OnnxGraph();
      const x = g.input({ name: g.reserve("x"), elemType: DataType.FLOAT, shape: ["T", "B", I] });
      const lens = g.input({ name: g.reserve("lengths"), elemType: DataType.INT32, shape: ["B"] });
      const w = (name: string, dims: number[], values: ArrayLike<number>) => g.initializer(floatTensor(g.fresh(name), dims, values));
      const W = w("W", [1, 3 * H, I], params.get("cell.Wx")!);
      const R = w("R", [1, 3 * H, H], params.get("cell.Wh")!);
      const bias = w("B", [1, 6 * H], [...params.get("cell.bx")!, ...params.get("cell.bh")!]);
      g.node("GRU", [x, W, R, bias, lens], [attr.int("hidden_size", H), attr.int("linear_before_reset", linearBeforeReset)], [g.reserve("Y")]);
      g.output({ name: "Y", elemType: DataType.FLOAT, shape: ["T", 1, "B", H] });
      return encodeModel({ irVersion: IR_VERSION, opsetImports: [{ domain: "", version: OPSET }], producerName: "rnnc-test", producerVersion: "0", graph: g.toProto("gru") });
    };
    const inputs = {
      x: new o.Tensor("float32", Float32Array.from(batch.fields.get("x")!), [T, B, I]),
      lengths: new o.Tensor("int32", Int32Array.from(lengths), [B]),
    };
    const errorWith = async (linearBeforeReset: number) => {
      const session = await o.InferenceSession.create(gruModel(linearBeforeReset));
      const Y = (await session.run(inputs)).Y.data as Float32Array; // [T, 1, B, H]: the same layout as rnnc's h
      await session.release();
      let max = 0;
      for (let t = 0; t < T; t++)
        for (let b = 0; b < B; b++) if (t < lengths[b]) for (let i = 0; i < H; i++) max = Math.max(max, Math.abs(Y[(t * B + b) * H + i] - h[(t * B + b) * H + i]));
      return max;
    };
    const after = await errorWith(1);
    const before = await errorWith(0);
    measured.push(`gru_reset_after's h vs ONNX GRU linear_before_reset=1: ${after.toExponential(2)} (=0: ${before.toExponential(2)})`);
    expect(after).toBeLessThan(TOLERANCE);
    expect(before).toBeGreaterThan(1e-3); // the other placement of the reset gate is not the same cell

    // and the export of a model with it uses that operator
    const exported = exportOnnxWithReport(program, params);
    expect(exported.recurrences).toEqual([{ sequences: ["h"], as: "GRU", cell: "gru_reset_after" }]);
  });
});
