// `rnnc export --format tfjs` and `rnnc import --format tfjs`, end to end (and `rnnc export
// --format onnx` once, through ONNX Runtime; test/interop/onnx.test.ts tests the exporter itself): the files export
// writes load with tf.loadLayersModel (through an ordinary tf.io load handler reading model.json
// and the weight files it lists) and predict what rnnc predicts from the checkpoint; importing
// them gives back the checkpoint's params bit for bit; models with no tfjs counterpart, and
// tfjs models that do not fit the .rnn model, are refused with messages naming why.
//
// Checkpoints are made here (float32 params drawn at random, the vocabularies of a few words),
// as `rnnc train` saves them; one case runs the commands as separate processes, the others call
// the same command functions in this process (tfjs loads once).
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { compiledModel } from "../../cli/compiled-model.ts";
import { exportCommand } from "../../cli/export.ts";
import { importCommand } from "../../cli/import.ts";
import { dataSizes } from "../../cli/model-data.ts";
import { checkSource, differentiatedProgram } from "../../compiler/index.ts";
import type { DifferentiatedProgram } from "../../compiler/ir/nodes.ts";
import { Vocabulary } from "../../data/vocabulary.ts";
import { saveArtifacts } from "../../interop/tfjs/artifacts.ts";
import { toTfjs, type LayerKind } from "../../interop/tfjs/weights.ts";
import { loadCheckpointFile, saveCheckpointFile } from "../../runtime/checkpoint-file.ts";
import type { ModelBatch } from "../../runtime/model.ts";
import { Rng } from "../../runtime/rng.ts";

const dir = mkdtempSync(join(tmpdir(), "rnnc-tfjs-"));
const TOLERANCE = 1e-5;

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend("cpu");
});

/** What the commands print to stderr, in this process. */
let printed: string[] = [];
const capture = () => {
  printed = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void printed.push(args.join(" ")));
};
afterEach(() => vi.restoreAllMocks());
const measured: string[] = [];
afterAll(() => {
  console.log(`largest relative differences of the exported models' predictions from rnnc's:\n${measured.join("\n")}`);
  rmSync(dir, { recursive: true, force: true });
});

const rnnc = (...args: string[]) => {
  const run = spawnSync(process.execPath, ["cli/rnnc.js", ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: run.status, out: run.stdout, err: run.stderr };
};

interface Trained {
  model: string; // the .rnn file
  checkpoint: string;
  program: DifferentiatedProgram;
  params: Map<string, Float32Array>;
  vocabularies: Map<string, Vocabulary>;
}

/** A checkpoint of `file` with dims `overrides`, as `rnnc train` would save it: random float32 params. */
function trained(file: string, overrides: Record<string, number>, words: Record<string, { kind: "token" | "class"; tokens: string[] }>, name = file.split("/").at(-1)!): Trained {
  const model = join(dir, name);
  copyFileSync(file, model);
  const source = readFileSync(model, "utf8");
  const checked = checkSource(source, model, { overrides: new Map(Object.entries(overrides)) }).models[0];
  const vocabularies = new Map(Object.entries(words).map(([field, v]) => [field, Vocabulary.build(v.kind, v.tokens)]));
  const program = differentiatedProgram(checked, dataSizes(checked, vocabularies, model).sizes);
  const rng = new Rng(3);
  const params = new Map(program.params.map((p) => [p.name, Float32Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, () => 0.5 * rng.normal())]));
  const checkpoint = model.replace(/\.rnn$/, ".ckpt.json");
  saveCheckpointFile(checkpoint, {
    model: checked.name,
    params: Object.fromEntries(program.params.map((p) => [p.name, { shape: p.shape, values: params.get(p.name)! }])),
    vocabularies: Object.fromEntries([...vocabularies].map(([field, v]) => [field, [...v.tokens]])),
    meta: { overrides, source, modelFile: model },
  });
  return { model, checkpoint, program, params, vocabularies };
}

/** tf.loadLayersModel from a directory: model.json, then the weight files its manifest lists. */
async function loadTfjs(path: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(join(path, "model.json"), "utf8")) as tf.io.ModelJSON;
  return tf.loadLayersModel({
    load: () =>
      tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const buffers = manifest.flatMap((group) => group.paths.map((p) => new Uint8Array(readFileSync(resolve(path, p))).buffer));
        return [manifest.flatMap((group) => group.weights), tf.io.CompositeArrayBuffer.join(buffers)];
      }),
  });
}

/**
 * A batch of `lengths` for rnnc (time-major) and the tfjs input (the model's only input):
 * ids + 1 with 0 at padded steps, or vectors with zeros there.
 */
function batchFor(t: Trained, lengths: number[]): { rnnc: ModelBatch; tfjs: tf.Tensor } {
  const rng = new Rng(9);
  const B = lengths.length;
  const T = Math.max(...lengths);
  const fields = new Map<string, Float64Array>();
  let input: tf.Tensor | undefined;
  for (const d of t.program.data) {
    const width = d.kind === "ids" ? 1 : d.size;
    const steps = d.sequence ? T : 1;
    const values = new Float64Array(steps * B * width);
    const tfjs = new Float32Array(B * steps * width);
    for (let s = 0; s < steps; s++)
      for (let b = 0; b < B; b++)
        for (let i = 0; i < width; i++) {
          const valid = !d.sequence || s < lengths[b];
          const vocabulary = t.vocabularies.get(d.name.replace("@input", ""));
          const pad = vocabulary?.kind === "token" ? vocabulary.pad : 0; // what rnnc's batches hold at padded steps
          const x = d.kind === "ids" ? (valid ? rng.int(d.size) : pad) : valid ? Math.fround(rng.normal()) : 0;
          values[(s * B + b) * width + i] = x;
          if (valid) tfjs[(b * steps + s) * width + i] = d.kind === "ids" ? x + 1 : x;
        }
    fields.set(d.name, values);
    if (d.role === "input") input = d.kind === "ids" ? tf.tensor2d(tfjs, [B, T], "int32") : tf.tensor3d(tfjs, [B, T, d.size]);
  }
  return { rnnc: { size: B, lengths: { t: Int32Array.from(lengths) }, fields }, tfjs: input! };
}

/** The exported model's outputs (its declared outputs, or one per loss) against rnnc's (its float64 module on the same float32 params), at valid steps. */
async function comparePredictions(t: Trained, exported: string, lengths: number[]): Promise<number> {
  const loaded = await loadTfjs(exported);
  const module = await compiledModel(t.program, "float64");
  const params = new Map([...t.params].map(([k, v]) => [k, Float64Array.from(v)]));
  const batch = batchFor(t, lengths);
  const declared = module.outputs.length > 0;
  const ours = declared ? module.outputValues(params, batch.rnnc) : module.predict(params, batch.rnnc);
  const outputs = loaded.predict(batch.tfjs);
  const theirs = (Array.isArray(outputs) ? outputs : [outputs]).map((o) => o.dataSync());
  const gives: { axis?: string; size: number }[] = declared ? module.outputs : module.losses;
  expect(theirs.length).toBe(gives.length);
  const B = lengths.length;
  const T = Math.max(...lengths);
  let worst = 0;
  gives.forEach((loss, k) => {
    let difference = 0;
    let scale = 0;
    for (let b = 0; b < B; b++)
      for (let s = 0; s < (loss.axis ? lengths[b] : 1); s++)
        for (let i = 0; i < loss.size; i++) {
          const a = ours[k][loss.axis ? (s * B + b) * loss.size + i : b * loss.size + i];
          const z = theirs[k][loss.axis ? (b * T + s) * loss.size + i : b * loss.size + i];
          difference = Math.max(difference, Math.abs(a - z));
          scale = Math.max(scale, Math.abs(a));
        }
    expect(scale).toBeGreaterThan(0);
    worst = Math.max(worst, difference / scale);
  });
  loaded.dispose();
  measured.push(`  ${t.program.model}: ${worst.toExponential(2)}`);
  return worst;
}

/** Every param of the imported checkpoint is the original's, bit for bit; so are vocabularies and dims. */
function expectSameCheckpoint(imported: string, t: Trained, overrides: Record<string, number>) {
  const back = loadCheckpointFile(imported, { model: t.program.model, params: Object.fromEntries(t.program.params.map((p) => [p.name, p.shape])) });
  for (const [name, values] of t.params) expect(Buffer.from(back.params[name].values.buffer).equals(Buffer.from(values.buffer)), name).toBe(true);
  expect(back.vocabularies).toEqual(Object.fromEntries([...t.vocabularies].map(([field, v]) => [field, [...v.tokens]])));
  expect(back.meta.overrides).toEqual(overrides);
}

const words = ["the", "cat", "sat", "on", "a", "mat", "dog", "ran"];
const tags = ["DET", "NOUN", "VERB", "ADP"];

describe("rnnc export --format tfjs, and rnnc import --format tfjs", { timeout: 120_000 }, () => {
  it("the tagger (stacked bidirectional LSTMs, a skip connection), as a user runs the commands", async () => {
    const t = trained("examples/tagger.rnn", { E: 4, H: 3 }, { words: { kind: "token", tokens: words }, tags: { kind: "class", tokens: tags } });
    const out = join(dir, "tagger-tfjs");
    const exported = rnnc("export", "--format", "tfjs", t.model, "--checkpoint", t.checkpoint, "-o", out);
    expect(exported.err).toBe(`wrote ${out}/weights.bin and ${out}/model.json (6 layers, ${4 * (13 * 4 + 2 * (4 * 12 + 3 * 12 + 12) + 2 * (6 * 12 + 3 * 12 + 12) + 6 * 4 + 4)} bytes of weights): tagger from ${t.checkpoint}\n`);
    expect(exported.code).toBe(0);
    const json = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
    expect(json.format).toBe("layers-model");
    expect(json.userDefinedMetadata.rnnc.layers).toEqual({ emb: "emb", f1: "f1_b1 (forward)", b1: "f1_b1 (backward)", f2: "f2_b2 (forward)", b2: "f2_b2 (backward)", out: "out" });
    expect(await comparePredictions(t, out, [3, 5, 1, 4])).toBeLessThan(TOLERANCE);

    const back = join(dir, "tagger-imported.ckpt.json");
    const imported = rnnc("import", "--format", "tfjs", out, t.model, "-o", back);
    expect(imported.err).toBe(`wrote ${back}: tagger, 11 params from ${out}\n`);
    expect(imported.code).toBe(0);
    expectSameCheckpoint(back, t, { E: 4, H: 3 });
    const compiled = rnnc("compile", t.model, "--checkpoint", back, "--dump-ir");
    expect(compiled.code).toBe(0); // the imported checkpoint serves the other commands
  });

  it.each([
    ["parity: onehot (a frozen table), GRU, many-to-one", "examples/parity.rnn", { H: 5 }, { bits: { kind: "token" as const, tokens: ["0", "1"] }, even: { kind: "class" as const, tokens: ["even", "odd"] } }, [4, 1, 6]],
    ["names: an autoregressive LSTM language model, many-to-many", "examples/names.rnn", { E: 3, H: 4 }, { name: { kind: "token" as const, tokens: ["a", "b", "c", "d", "e"] } }, [3, 6, 2]],
    ["co2: a GRU on vector sequences (Masking), mse", "examples/co2.rnn", { H: 4 }, {}, [5, 2, 4]],
  ])("%s: export, predict in tfjs, import", async (_, file, overrides, vocabularies, lengths) => {
    const t = trained(file, overrides, vocabularies);
    const out = join(dir, `${t.program.model}-tfjs`);
    capture();
    expect(await exportCommand({ file: t.model, format: "tfjs", checkpoint: t.checkpoint, output: out, sets: [] })).toBe(0);
    expect(printed.join("\n")).toMatch(/^wrote .*weights\.bin and .*model\.json/);
    expect(await comparePredictions(t, out, lengths)).toBeLessThan(TOLERANCE);
    const back = join(dir, `${t.program.model}-imported.ckpt.json`);
    expect(await importCommand({ positionals: [out, t.model], format: "tfjs", output: back, sets: [] })).toBe(0);
    expectSameCheckpoint(back, t, overrides);
  });

  it("a forward layer read at every step and at its end, a backward one at its first step: two outputs", async () => {
    const file = join(dir, "two-outputs.rnn");
    writeFileSync(
      file,
      `model two {
        dims { E = 3, H = 4 }
        input  x: seq<token>
        target tags: seq<class>
        target y: class
        layer emb = embedding(vocab(x), E)
        layer fw = lstm(E, H)
        layer bw = rnn(E, 2)
        layer tagger = dense(H, classes(tags))
        layer head = dense(H + 2, classes(y))
        e[t] = emb(x[t])
        (h[t], c[t]) = fw(e[t], h[t-1], c[t-1])
        b[t] = bw(e[t], b[t+1])
        loss cross_entropy(tagger(h[t]), tags[t])
        loss cross_entropy(head(concat(h[last], b[first])), y)
      }`,
    );
    const t = trained(file, {}, { x: { kind: "token", tokens: words }, tags: { kind: "class", tokens: tags }, y: { kind: "class", tokens: ["no", "yes"] } });
    const out = join(dir, "two-tfjs");
    capture();
    expect(await exportCommand({ file: t.model, format: "tfjs", checkpoint: t.checkpoint, output: out, sets: [] })).toBe(0);
    const layers = JSON.parse(readFileSync(join(out, "model.json"), "utf8")).modelTopology.config.layers as { class_name: string; config: { return_sequences?: boolean; return_state?: boolean; go_backwards?: boolean } }[];
    expect(layers.filter((l) => l.class_name === "LSTM").map((l) => l.config)).toMatchObject([{ return_sequences: true, return_state: true, go_backwards: false }]);
    expect(layers.filter((l) => l.class_name === "SimpleRNN").map((l) => l.config)).toMatchObject([{ return_sequences: false, go_backwards: true }]);
    expect(await comparePredictions(t, out, [2, 5, 3, 1])).toBeLessThan(TOLERANCE);
    const back = join(dir, "two-imported.ckpt.json");
    expect(await importCommand({ positionals: [out, t.model], format: "tfjs", output: back, sets: [] })).toBe(0);
    expectSameCheckpoint(back, t, {});
  });

  it("declared outputs: the tfjs model gives them, by name in the metadata, not the losses' predictions", async () => {
    const file = join(dir, "outs.rnn");
    writeFileSync(
      file,
      `model outs {
        dims { E = 3, H = 4 }
        input  x: seq<token>
        target y: class
        layer emb = embedding(vocab(x), E)
        layer fw = gru(E, H)
        layer head = dense(H, classes(y))
        h[t] = fw(emb(x[t]), h[t-1])
        loss cross_entropy(head(h[last]), y)
        output probs = softmax(head(h[last]))
        output states[t] = h[t]
      }`,
    );
    const t = trained(file, {}, { x: { kind: "token", tokens: words }, y: { kind: "class", tokens: ["no", "yes"] } });
    const out = join(dir, "outs-tfjs");
    capture();
    expect(await exportCommand({ file: t.model, format: "tfjs", checkpoint: t.checkpoint, output: out, sets: [] })).toBe(0);
    const json = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
    expect(json.userDefinedMetadata.rnnc.outputs).toEqual([
      { output: "probs", gives: "[batch, 2]: the probability of each of vocabularies.y" },
      { output: "states", gives: "[batch, steps, 4]: values" },
    ]);
    expect(await comparePredictions(t, out, [2, 5, 3, 1])).toBeLessThan(TOLERANCE);
  });

  it("the activations tfjs has: gelu, silu (swish), hard_sigmoid, softplus, elu(x, 1), and leaky_relu (LeakyReLU) of a value per example: export, predict, import", async () => {
    const file = join(dir, "activations.rnn");
    writeFileSync(
      file,
      `model acts {
        dims { H = 4 }
        input  x: seq<vec(3)>
        target y: seq<vec(2)>
        target v: vec(2)
        layer p1 = dense(3, H)
        layer p2 = dense(H, H)
        layer p3 = dense(H, H)
        layer p4 = dense(H, H)
        layer p5 = dense(H, H)
        layer p6 = dense(H, H)
        layer cell = gru(H, H)
        layer out = dense(H, 2)
        layer head = dense(H, 2)
        z[t] = elu(p5(softplus(p4(hard_sigmoid(p3(silu(p2(gelu(p1(x[t]))))))))), 1.0) // (tfjs cannot run an Add of masked sequences into an RNN)
        h[t] = cell(z[t], h[t-1])
        loss mse(out(h[t]), y[t])
        loss mse(head(leaky_relu(p6(h[last]), 0.2)), v)
      }`,
    );
    const t = trained(file, {}, {});
    const out = join(dir, "acts-tfjs");
    capture();
    expect(await exportCommand({ file: t.model, format: "tfjs", checkpoint: t.checkpoint, output: out, sets: [] })).toBe(0);
    const layers = JSON.parse(readFileSync(join(out, "model.json"), "utf8")).modelTopology.config.layers as { class_name: string; config: { activation?: string; alpha?: number } }[];
    expect(layers.filter((l) => l.class_name === "Activation").map((l) => l.config.activation)).toEqual(["gelu", "swish", "hard_sigmoid", "softplus", "elu"]);
    expect(layers.filter((l) => l.class_name === "LeakyReLU").map((l) => l.config.alpha)).toEqual([0.2]);
    expect(await comparePredictions(t, out, [3, 5, 1, 4])).toBeLessThan(TOLERANCE);
    const back = join(dir, "acts-imported.ckpt.json");
    expect(await importCommand({ positionals: [out, t.model], format: "tfjs", output: back, sets: [] })).toBe(0);
    expectSameCheckpoint(back, t, {});
  });

  it("dropout: Keras' Dropout, locked_dropout of a sequence SpatialDropout1D (one mask per sequence); both identities in predict; import back", async () => {
    const file = join(dir, "dropping.rnn");
    writeFileSync(
      file,
      `model dropping {
        dims { E = 3, H = 4 }
        input  words: seq<token>
        target tags: seq<class>
        layer emb = embedding(vocab(words), E)
        layer cell = gru(E, H)
        layer out = dense(H, classes(tags))
        h[t] = cell(locked_dropout(emb(words[t]), 0.25), h[t-1])
        loss cross_entropy(out(dropout(h[t], 0.5)), tags[t])
      }`,
    );
    const t = trained(file, {}, { words: { kind: "token", tokens: words }, tags: { kind: "class", tokens: tags } });
    const out = join(dir, "dropping-tfjs");
    capture();
    expect(await exportCommand({ file: t.model, format: "tfjs", checkpoint: t.checkpoint, output: out, sets: [] })).toBe(0);
    const layers = JSON.parse(readFileSync(join(out, "model.json"), "utf8")).modelTopology.config.layers as { class_name: string; config: { rate?: number } }[];
    expect(layers.filter((l) => /Dropout/.test(l.class_name)).map((l) => `${l.class_name} ${l.config.rate}`)).toEqual(["SpatialDropout1D 0.25", "Dropout 0.5"]);
    expect(await comparePredictions(t, out, [3, 5, 1, 4])).toBeLessThan(TOLERANCE);
    const back = join(dir, "dropping-imported.ckpt.json");
    expect(await importCommand({ positionals: [out, t.model], format: "tfjs", output: back, sets: [] })).toBe(0);
    expectSameCheckpoint(back, t, {});
  });

  it("a user's cell that computes an LSTM, its gates in PyTorch's order: a tfjs LSTM, and back bit for bit", async () => {
    const file = join(dir, "torch.rnn");
    writeFileSync(
      file,
      `cell torch_lstm(In, Hid) {
        input x: [In]
        state hidden: [Hid], memory: [Hid]
        param Weights: [4*Hid, In + Hid] init glorot
        param bias: [4*Hid] init zeros
        pre = Weights @ concat(x, hidden) + bias
        i = sigmoid(pre[0:Hid])
        f = sigmoid(pre[Hid:2*Hid])
        g = tanh(pre[2*Hid:3*Hid])
        o = sigmoid(pre[3*Hid:4*Hid])
        memory' = f * memory + i * g
        hidden' = o * tanh(memory')
      }
      model torch {
        dims { E = 3, H = 4 }
        input  x: seq<token>
        target tags: seq<class>
        layer emb = embedding(vocab(x), E)
        layer cell = torch_lstm(E, H)
        layer out = dense(H, classes(tags))
        (h[t], c[t]) = cell(emb(x[t]), h[t-1], c[t-1])
        loss cross_entropy(out(h[t]), tags[t])
      }`,
    );
    const t = trained(file, {}, { x: { kind: "token", tokens: words }, tags: { kind: "class", tokens: tags } });
    const out = join(dir, "torch-tfjs");
    capture();
    expect(await exportCommand({ file: t.model, format: "tfjs", checkpoint: t.checkpoint, output: out, sets: [] })).toBe(0);
    const json = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
    expect(json.modelTopology.config.layers.map((l: { class_name: string }) => l.class_name)).toEqual(["InputLayer", "Embedding", "LSTM", "Dense"]);
    expect(await comparePredictions(t, out, [3, 5, 1, 4])).toBeLessThan(TOLERANCE);
    const back = join(dir, "torch-imported.ckpt.json");
    expect(await importCommand({ positionals: [out, t.model], format: "tfjs", output: back, sets: [] })).toBe(0);
    expectSameCheckpoint(back, t, {});
  });

  it("refuses, naming every reason, models with no tfjs counterpart", async () => {
    const g2p = trained("examples/g2p.rnn", { E: 2, H: 2 }, { spelling: { kind: "token", tokens: ["a", "b"] }, phones: { kind: "token", tokens: ["AH", "B"] } });
    capture();
    expect(await exportCommand({ file: g2p.model, format: "tfjs", checkpoint: g2p.checkpoint, output: join(dir, "g2p-tfjs"), sets: [] })).toBe(1);
    expect(printed.join("\n")).toBe(
      "g2p does not map onto TensorFlow.js layers:\n" +
        "  - it runs over two time axes (s and t), an encoder and a decoder: a tfjs layers model has one\n" +
        "  - init d = e[last]: tfjs's recurrent layers start from zeros (a computed first state is not part of a layers model)\n" +
        "  - init dc = ec[last]: tfjs's recurrent layers start from zeros (a computed first state is not part of a layers model)",
    );

    const own = join(dir, "own.rnn");
    writeFileSync(
      own,
      `cell mine(I, H) {
        input x: [I]
        state h: [H]
        param W: [H, I + H] init glorot
        h' = tanh(W @ concat(x, h))
      }
      model own {
        input  x: seq<vec(2)>
        target y: seq<vec(1)>
        layer a = mine(2, 3)
        layer b = gru_reset_after(2, 3)
        layer out = dense(3, 1)
        h[t] = a(x[t], h[t-1])
        g[t] = b(x[t], g[t-1])
        loss mse(out(h[t] + g[t]), y[t])
      }`,
    );
    const t = trained(own, {}, {});
    capture();
    expect(await exportCommand({ file: t.model, format: "tfjs", checkpoint: t.checkpoint, output: join(dir, "own-tfjs"), sets: [] })).toBe(1);
    expect(printed.join("\n")).toBe(
      "own does not map onto TensorFlow.js layers:\n" +
        "  - layer a = mine(…): it computes none of the cells tfjs has layers for (the prelude's rnn, rnn_relu, lstm, gru, lstm_hard_sigmoid and gru_hard_sigmoid, by their equations): the nearest of the prelude's cells, rnn, has add where it has matvec\n" +
        "  - layer b = gru_reset_after(…): tfjs's GRU has only the reset-before form (resetAfter: true throws in tfjs 4); use gru",
    );
  });

  it("refuses a tfjs model that does not fit the .rnn model, saying where they differ", async () => {
    const t = trained("examples/parity.rnn", { H: 5 }, { bits: { kind: "token", tokens: ["0", "1"] }, even: { kind: "class", tokens: ["even", "odd"] } }, "parity-mismatch.rnn");
    const out = join(dir, "parity-mismatch-tfjs");
    capture();
    expect(await exportCommand({ file: t.model, format: "tfjs", checkpoint: t.checkpoint, output: out, sets: [] })).toBe(0);

    capture(); // other dims
    expect(await importCommand({ positionals: [out, t.model], format: "tfjs", output: join(dir, "x.ckpt.json"), sets: ["H=6"] })).toBe(1);
    expect(printed.join("\n")).toBe(
      `${out} does not match parity:\n` +
        "  - tfjs layer 2 with weights, cell (GRU): units is 5; rnnc's cell (gru) needs 6\n" +
        "  - tfjs layer 3 with weights, head (Dense): its weights have shapes [5, 2] [2]; rnnc's head (dense) needs [6, 2] [2]",
    );

    const lstm = join(dir, "parity-lstm.rnn");
    writeFileSync(lstm, readFileSync(t.model, "utf8").replace("gru(2, H)", "lstm(2, H)").replace("h[t] = cell(onehot(bits[t], 2), h[t-1])", "(h[t], c[t]) = cell(onehot(bits[t], 2), h[t-1], c[t-1])"));
    capture(); // another cell
    expect(await importCommand({ positionals: [out, lstm], format: "tfjs", output: join(dir, "x.ckpt.json"), sets: [] })).toBe(1);
    expect(printed.join("\n")).toBe(`${out} does not match parity:\n  - tfjs layer 2 with weights, cell, is of class GRU; rnnc's cell (lstm) needs class LSTM`);

    capture(); // not a model directory
    expect(await importCommand({ positionals: [dir, t.model], format: "tfjs", output: join(dir, "x.ckpt.json"), sets: [] })).toBe(1);
    expect(printed.join("\n")).toBe(`${dir}: no model.json there (a tfjs layers model is a directory with model.json and its weight files)`);

    capture(); // an unknown format
    expect(await importCommand({ positionals: [out, t.model], format: "keras", output: join(dir, "x.ckpt.json"), sets: [] })).toBe(2);
    expect(printed.join("\n")).toBe("rnnc import: --format keras: the formats are tfjs");
  });

  it("reads only the weight files beside model.json: not a path out of its directory, a device or a pipe", async () => {
    const t = trained("examples/parity.rnn", { H: 5 }, { bits: { kind: "token", tokens: ["0", "1"] }, even: { kind: "class", tokens: ["even", "odd"] } }, "parity-paths.rnn");
    const out = join(dir, "parity-paths-tfjs");
    capture();
    expect(await exportCommand({ file: t.model, format: "tfjs", checkpoint: t.checkpoint, output: out, sets: [] })).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
    const tampered = (paths: unknown, name: string) => {
      const copy = join(dir, name);
      mkdirSync(copy, { recursive: true });
      writeFileSync(join(copy, "model.json"), JSON.stringify({ ...manifest, weightsManifest: [{ ...manifest.weightsManifest[0], paths }] }));
      return copy;
    };
    const cases: [string, string][] = [
      [tampered(["../../../etc/passwd"], "up"), `lists the weights file "../../../etc/passwd", which is not in ${join(dir, "up")}; a model's weight files stand beside its model.json`],
      [tampered(["/dev/zero"], "absolute"), `lists the weights file "/dev/zero", which is not in ${join(dir, "absolute")}; a model's weight files stand beside its model.json`],
      [tampered([7], "number"), `lists the weights file 7, which is not in ${join(dir, "number")}; a model's weight files stand beside its model.json`],
    ];
    for (const [copy, why] of cases) {
      capture();
      expect(await importCommand({ positionals: [copy, t.model], format: "tfjs", output: join(dir, "x.ckpt.json"), sets: ["H=5"] })).toBe(1);
      expect(printed.join("\n")).toBe(`${join(copy, "model.json")}: ${why}`);
    }
    const device = tampered(["weights.bin"], "device");
    symlinkSync("/dev/zero", join(device, "weights.bin"));
    capture();
    expect(await importCommand({ positionals: [device, t.model], format: "tfjs", output: join(dir, "x.ckpt.json"), sets: ["H=5"] })).toBe(1);
    expect(printed.join("\n")).toBe(`${join(device, "weights.bin")}: not a file; model.json lists it as a weights file`);
  });

  it("lstm_hard_sigmoid and gru_hard_sigmoid: LSTM and GRU layers with recurrentActivation hardSigmoid (tfjs's default); export, predict, import", async () => {
    const file = join(dir, "hard.rnn");
    writeFileSync(
      file,
      `model hard {
        dims { E = 3, H = 4 }
        input  x: seq<token>
        target tags: seq<class>
        layer emb = embedding(vocab(x), E)
        layer l1 = lstm_hard_sigmoid(E, H)
        layer l2 = gru_hard_sigmoid(H, H)
        layer out = dense(H, classes(tags))
        (h[t], c[t]) = l1(emb(x[t]), h[t-1], c[t-1])
        g[t] = l2(h[t], g[t-1])
        loss cross_entropy(out(g[t]), tags[t])
      }`,
    );
    const t = trained(file, {}, { x: { kind: "token", tokens: words }, tags: { kind: "class", tokens: tags } });
    const out = join(dir, "hard-tfjs");
    capture();
    expect(await exportCommand({ file: t.model, format: "tfjs", checkpoint: t.checkpoint, output: out, sets: [] })).toBe(0);
    const layers = JSON.parse(readFileSync(join(out, "model.json"), "utf8")).modelTopology.config.layers as { class_name: string; config: { recurrent_activation?: string } }[];
    expect(layers.filter((l) => l.config.recurrent_activation).map((l) => `${l.class_name} ${l.config.recurrent_activation}`)).toEqual(["LSTM hard_sigmoid", "GRU hard_sigmoid"]);
    expect(await comparePredictions(t, out, [3, 5, 1, 4])).toBeLessThan(TOLERANCE);
    const back = join(dir, "hard-imported.ckpt.json");
    expect(await importCommand({ positionals: [out, t.model], format: "tfjs", output: back, sets: [] })).toBe(0);
    expectSameCheckpoint(back, t, {});
  });

  it("imports a model built in tfjs by hand, given the training data for the vocabularies; its default hardSigmoid gates as lstm_hard_sigmoid", async () => {
    // The tagger's structure written directly in tf.layers, as a tfjs user would (tfjs's names).
    const build = (recurrentActivation?: "sigmoid", activation: "linear" | "softmax" = "linear") => {
      const input = tf.input({ shape: [null], dtype: "int32" });
      const e = tf.layers.embedding({ inputDim: words.length + 4 + 1, outputDim: 2, maskZero: true }).apply(input) as tf.SymbolicTensor;
      const lstm = () => tf.layers.lstm({ units: 3, returnSequences: true, ...(recurrentActivation ? { recurrentActivation } : {}) }) as tf.RNN;
      const x2 = tf.layers.bidirectional({ layer: lstm(), mergeMode: "concat" }).apply(e) as tf.SymbolicTensor;
      const k = tf.layers.bidirectional({ layer: lstm(), mergeMode: "concat" }).apply(x2) as tf.SymbolicTensor;
      const output = tf.layers.dense({ units: tags.length, activation }).apply(tf.layers.add().apply([k, x2])) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: output });
    };
    const model = join(dir, "tagger-by-hand.rnn");
    copyFileSync("examples/tagger.rnn", model);
    const data = join(dir, "tags.jsonl");
    writeFileSync(data, `${JSON.stringify({ words: words.slice(0, 5), tags: ["DET", "NOUN", "VERB", "ADP", "DET"] })}\n${JSON.stringify({ words: words.slice(5), tags: ["NOUN", "NOUN", "VERB"] })}\n`);

    const good = join(dir, "by-hand-tfjs");
    const tfjsModel = build("sigmoid");
    await saveArtifacts(tfjsModel, good);
    const back = join(dir, "by-hand.ckpt.json");
    capture();
    expect(await importCommand({ positionals: [good, model], format: "tfjs", output: back, data, sets: ["E=2", "H=3"] })).toBe(0);
    const imported = loadCheckpointFile(back);
    const kernel = tfjsModel.layers[2].getWeights()[0].dataSync(); // the first Bidirectional's forward kernel [2, 12]
    const W = imported.params["f1.W"].values; // [12, 2 + 3]: row j, input k is kernel[k, j] for gates i and f
    expect([W[0], W[1], W[5], W[6]]).toEqual([kernel[0], kernel[12], kernel[1], kernel[13]]);

    // tfjs's defaults: recurrentActivation hardSigmoid (and probabilities out, as rnnc predicts
    // them). The LSTMs get weights drawn large enough for their gates to reach hardSigmoid's flat
    // parts (past ±2.5), and non-zero biases.
    const defaults = join(dir, "hard-sigmoid-tfjs");
    const tfjsDefault = build(undefined, "softmax");
    const bidirectionals = tfjsDefault.layers.filter((l) => l.getClassName() === "Bidirectional");
    bidirectionals.forEach((l, i) => l.setWeights(l.getWeights().map((w, j) => tf.randomNormal(w.shape, 0, 1.5, "float32", 100 * i + j))));
    await saveArtifacts(tfjsDefault, defaults);
    capture(); // the tagger's lstm has sigmoid gates, and says which cell has these
    expect(await importCommand({ positionals: [defaults, model], format: "tfjs", output: back, data, sets: ["E=2", "H=3"] })).toBe(1);
    const hint = "needs sigmoid \\(hardSigmoid is tfjs's default: the prelude's lstm_hard_sigmoid has those gates\\)";
    expect(printed.join("\n")).toMatch(
      new RegExp(`^\\S+ does not match tagger:\\n {2}- tfjs layer 2 with weights, bidirectional_\\w+ \\(LSTM in a Bidirectional\\): recurrentActivation is hardSigmoid; rnnc's f1 \\(lstm\\) and b1 \\(lstm\\) ${hint}\\n {2}- tfjs layer 3 with weights, bidirectional_\\w+ \\(LSTM in a Bidirectional\\): recurrentActivation is hardSigmoid; rnnc's f2 \\(lstm\\) and b2 \\(lstm\\) ${hint}$`),
    );

    // The tagger with lstm_hard_sigmoid imports them: its params are tfjs's weights (bit for bit,
    // in rnnc's layout), and it predicts what tfjs predicts.
    const hard = join(dir, "tagger-hard-by-hand.rnn");
    writeFileSync(hard, readFileSync("examples/tagger.rnn", "utf8").replaceAll("= lstm(", "= lstm_hard_sigmoid("));
    const hardBack = join(dir, "by-hand-hard.ckpt.json");
    capture();
    expect(await importCommand({ positionals: [defaults, hard], format: "tfjs", output: hardBack, data, sets: ["E=2", "H=3"] })).toBe(0);
    capture(); // and refuses the sigmoid ones, saying which cell has those
    expect(await importCommand({ positionals: [good, hard], format: "tfjs", output: join(dir, "x.ckpt.json"), data, sets: ["E=2", "H=3"] })).toBe(1);
    expect(printed.join("\n")).toContain("recurrentActivation is sigmoid; rnnc's f1 (lstm_hard_sigmoid) and b1 (lstm_hard_sigmoid) needs hardSigmoid (the prelude's lstm has sigmoid gates)");
    const checkpoint = loadCheckpointFile(hardBack);
    const ofLayer = (layer: string) => Object.fromEntries(Object.entries(checkpoint.params).filter(([k]) => k.startsWith(`${layer}.`)).map(([k, v]) => [k.slice(layer.length + 1), v]));
    const holders: [tf.layers.Layer, [string, LayerKind][]][] = [
      [tfjsDefault.layers[1], [["emb", "embedding"]]],
      [bidirectionals[0], [["f1", "lstm_hard_sigmoid"], ["b1", "lstm_hard_sigmoid"]]],
      [bidirectionals[1], [["f2", "lstm_hard_sigmoid"], ["b2", "lstm_hard_sigmoid"]]],
      [tfjsDefault.layers.at(-1)!, [["out", "dense"]]],
    ];
    for (const [layer, rnncLayers] of holders) {
      const ours = rnncLayers.flatMap(([name, kind]) => toTfjs(kind, ofLayer(name)));
      const theirs = layer.getWeights();
      expect(ours.map((w) => w.shape)).toEqual(theirs.map((w) => w.shape));
      const skip = layer.getClassName() === "Embedding" ? 2 : 0; // row 0, the padding id, is not rnnc's
      ours.forEach((w, i) => expect([...w.values.subarray(skip)], `${layer.name} weight ${i}`).toEqual([...(theirs[i].dataSync() as Float32Array).subarray(skip)]));
    }
    const vocabularies = new Map(Object.entries(checkpoint.vocabularies).map(([field, tokens]) => [field, Vocabulary.fromSaved(tokens)]));
    const checked = checkSource(readFileSync(hard, "utf8"), hard, { overrides: new Map([["E", 2], ["H", 3]]) }).models[0];
    const program = differentiatedProgram(checked, dataSizes(checked, vocabularies, hard).sizes);
    const params = new Map(Object.entries(checkpoint.params).map(([k, v]) => [k, Float32Array.from(v.values)]));
    expect(await comparePredictions({ model: hard, checkpoint: hardBack, program, params, vocabularies }, defaults, [3, 5, 1, 4])).toBeLessThan(TOLERANCE);
  });
});

describe("rnnc export --format onnx", { timeout: 120_000 }, () => {
  it("the tagger, as a user runs the command: ONNX Runtime predicts what rnnc predicts", async () => {
    const ort = await import("onnxruntime-node"); // test/interop/onnx.test.ts says loudly when its binary is absent
    const t = trained("examples/tagger.rnn", { E: 4, H: 3 }, { words: { kind: "token", tokens: words }, tags: { kind: "class", tokens: tags } }, "tagger-onnx.rnn");
    const out = join(dir, "tagger.onnx");
    const exported = rnnc("export", "--format", "onnx", t.model, "--checkpoint", t.checkpoint, "-o", out);
    expect(exported.err).toMatch(/^wrote .*tagger\.onnx \(\d+ bytes; inputs words, lengths_t; outputs tags; recurrences as LSTM, LSTM, LSTM, LSTM\)/);
    expect(exported.code).toBe(0);

    const lengths = [3, 5, 1, 4];
    const { rnnc: batch } = batchFor(t, lengths);
    const module = await compiledModel(t.program, "float64");
    const [ours] = module.predict(new Map([...t.params].map(([k, v]) => [k, Float64Array.from(v)])), batch);
    const session = await ort.InferenceSession.create(out);
    const B = lengths.length, T = Math.max(...lengths), K = tags.length;
    const ids = BigInt64Array.from(batch.fields.get("words")!, (x) => BigInt(x));
    const result = await session.run({
      words: new ort.Tensor("int64", ids, [T, B]),
      lengths_t: new ort.Tensor("int64", BigInt64Array.from(lengths, (n) => BigInt(n)), [B]),
    });
    const theirs = result.tags.data as Float32Array;
    expect(theirs.length).toBe(T * B * K);
    let worst = 0;
    for (let s = 0; s < T; s++) for (let b = 0; b < B; b++) for (let k = 0; k < K; k++) worst = Math.max(worst, Math.abs(theirs[(s * B + b) * K + k] - ours[(s * B + b) * K + k]));
    expect(worst).toBeLessThan(TOLERANCE); // padded steps are 0 in both
    measured.push(`  tagger through rnnc export --format onnx, in ONNX Runtime: ${worst.toExponential(2)}`);
  });
});
