// The TensorFlow.js engines: @tensorflow/tfjs 4.22 layers models, on the pure-JavaScript `cpu`
// backend or on @tensorflow/tfjs-backend-wasm (its .wasm files loaded from node_modules).
// The same sizes and Adam settings as the .rnn files; a training step is `trainOnBatch`,
// the way the library is meant to be used.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type * as TF from "@tensorflow/tfjs";
import { Rng } from "../../runtime/rng.ts";
import { sampleLogits } from "../../runtime/sampling.ts";
import type { WorkloadData } from "../data.ts";
import type { AdamSettings, Session } from "../engine.ts";
import type { Workload } from "../workloads.ts";

export type TfjsBackend = "cpu" | "wasm";

type Tf = typeof TF;

/** Loads tfjs and makes `backend` the active one; on wasm, one thread. Returns what was set up, in words. */
async function loadTfjs(backend: TfjsBackend): Promise<{ tf: Tf; notes: string[] }> {
  const tf = await import("@tensorflow/tfjs");
  const notes: string[] = [];
  if (backend === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const dist = join(dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/";
    wasm.setWasmPaths(dist);
    wasm.setThreadsCount(1); // XNNPACK's thread pool: 1 (in Node the threaded binary is never chosen anyway)
    if (!(await tf.setBackend("wasm"))) throw new Error("tfjs: the wasm backend did not initialize");
    await tf.ready();
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
    notes.push(
      `tfjs-backend-wasm ${wasm.version_wasm}, binary ${simd ? (threads ? "tfjs-backend-wasm-threaded-simd" : "tfjs-backend-wasm-simd") : "tfjs-backend-wasm"}.wasm, ` +
        `setThreadsCount(1) → getThreadsCount() = ${wasm.getThreadsCount()}, SIMD ${simd ? "on" : "off"}, multi-threading ${threads ? "on" : "off"}`,
    );
  } else {
    if (!(await tf.setBackend("cpu"))) throw new Error("tfjs: the cpu backend did not initialize");
    await tf.ready();
    notes.push(`@tensorflow/tfjs ${tf.version.tfjs}, backend cpu (pure JavaScript kernels)`);
  }
  return { tf, notes };
}

export async function tfjsSession(backend: TfjsBackend, w: Workload, data: WorkloadData, adam: AdamSettings, seed: number): Promise<Session> {
  const { tf, notes } = await loadTfjs(backend);
  const training = w.kind === "train-lm" || w.kind === "train-classify";
  // The wasm backend has no kernel for the embedding's gradient (UnsortedSegmentSum): training
  // there reads one-hot vectors through a dense layer without bias (the same product, W·onehot).
  const oneHot = backend === "wasm" && training;
  if (oneHot) notes.push(`no embedding-gradient kernel (UnsortedSegmentSum) on wasm: a one-hot input (tf.oneHot in each step, timed) and a dense layer without bias stand for the embedding; its extra 2·V·E = ${(2 * w.V * w.E).toLocaleString("en-US")} FLOPs per token (×3 in training) are not credited`);
  else if (backend === "wasm") notes.push(`without gradients the embedding layer runs as is (its gather has a wasm kernel)`);
  if (backend === "cpu" && training) notes.push(`the embedding's gradient is tfjs-cpu's UnsortedSegmentSum, which loops over the V ids with a masked product of the whole [B·T, E] gradient for each: V·B·T·E work and V temporary tensors per step (C: V = 1,000)`);

  const stateful = w.kind === "generate";
  const model = tf.sequential();
  if (oneHot) model.add(tf.layers.dense({ units: w.E, useBias: false, inputShape: [w.T, w.V] }));
  else model.add(tf.layers.embedding({ inputDim: w.V, outputDim: w.E, ...(stateful ? { batchInputShape: [1, 1] } : { inputLength: w.T }) }));
  const returnSequences = w.kind !== "train-classify" && !stateful;
  // recurrentInitializer: tfjs's default, orthogonal, runs a QR decomposition in tensor ops that
  // takes minutes on the cpu backend for H = 256 (its values do not change the speed of a step).
  const recurrent = { units: w.H, returnSequences, recurrentActivation: "sigmoid" as const, recurrentInitializer: "glorotUniform" as const, stateful };
  // GRUCell reads resetAfter from these args (GRULayerArgs does not declare it); false is the only value it supports.
  model.add(w.cell === "lstm" ? tf.layers.lstm(recurrent) : tf.layers.gru({ ...recurrent, resetAfter: false } as Parameters<Tf["layers"]["gru"]>[0]));
  // Probabilities for training and prediction (as rnnc's predict); logits for generation, which
  // samples from softmax(logits / temperature) with the same function as rnnc.
  model.add(tf.layers.dense({ units: w.kind === "train-classify" ? w.classes : w.V, activation: stateful ? "linear" : "softmax" }));
  model.compile({ optimizer: tf.train.adam(adam.lr, adam.beta1, adam.beta2, adam.eps), loss: "sparseCategoricalCrossentropy" });
  notes.push(`recurrent weights initialized glorotUniform, not tfjs's default orthogonal (a QR taking minutes on cpu at H = 256; not timed, no effect on speed)`);
  if (w.cell === "lstm") notes.push(`tf.layers.lstm with recurrentActivation 'sigmoid' (its default is hardSigmoid)`);
  else notes.push(`tf.layers.gru with recurrentActivation 'sigmoid', resetAfter false (tfjs updates h = z·h + (1−z)·h̃, the prelude's gru h = (1−z)·h + z·h̃: the same work)`);

  if (w.kind === "generate") {
    const { tokens, temperature } = w.generate!;
    const rng = new Rng(seed + 1);
    notes.push(`a stateful model (batchInputShape [1, 1]) stepped ${tokens} times with model.predict, logits read with dataSync and sampled with runtime/sampling.ts at temperature ${temperature}`);
    return {
      notes,
      unit: () => {
        model.resetStates();
        let id = data.bos;
        for (let k = 0; k < tokens; k++) {
          const input = tf.tensor2d([id], [1, 1], "int32");
          const output = model.predict(input) as TF.Tensor;
          const logits = Float32Array.from(output.dataSync() as Float32Array);
          input.dispose();
          output.dispose();
          id = sampleLogits(logits, 0, w.V, rng, { temperature });
        }
        return tokens;
      },
    };
  }

  if (w.kind === "infer") {
    const x = tf.tensor2d(data.batches[0].inputs, [1, w.T], "int32");
    notes.push(`model.predict on a [1, ${w.T}] batch (every step's probabilities), read with dataSync; µs/token = time ÷ ${w.T}`);
    return {
      notes,
      unit: () => {
        const output = model.predict(x) as TF.Tensor;
        const first = (output.dataSync() as Float32Array)[0];
        output.dispose();
        return first;
      },
    };
  }

  const batches = data.batches.map((b) => ({
    ids: tf.tensor2d(b.inputs, [w.B, w.T], "int32"),
    labels: w.kind === "train-classify" ? tf.tensor2d(b.targets, [w.B, 1], "float32") : tf.tensor3d(b.targets, [w.B, w.T, 1], "float32"),
  }));
  notes.push(`a step is model.trainOnBatch: softmax outputs, sparseCategoricalCrossentropy (the mean over tokens, as the .rnn files), tf.train.adam with the .rnn file's settings`);
  let k = 0;
  return {
    notes,
    unit: async () => {
      const { ids, labels } = batches[k++ % batches.length];
      const x = oneHot ? tf.tidy(() => tf.oneHot(ids, w.V).toFloat()) : ids;
      const loss = await model.trainOnBatch(x, labels);
      if (x !== ids) x.dispose();
      return Array.isArray(loss) ? loss[0] : loss;
    },
  };
}
