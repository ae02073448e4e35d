// The rnnc engine: the module the compiler emitted for the workload's .rnn file (Float32),
// imported and driven through the CompiledModel interface — lossAndGrad and the runtime's Adam
// for a training step, predict, generate with the runtime's temperature sampling.
import { importCompiledModel } from "../../cli/compiled-model.ts";
import { workerLoader } from "../../cli/worker-loader.ts";
import { generate } from "../../runtime/generation.ts";
import { parallelModel } from "../../runtime/parallel/index.ts";
import { initialize } from "../../runtime/init.ts";
import type { CompiledModel, ModelBatch } from "../../runtime/model.ts";
import { Adam, type Param } from "../../runtime/optimizers.ts";
import { Rng } from "../../runtime/rng.ts";
import { sampleLogits } from "../../runtime/sampling.ts";
import type { FloatArray } from "../../runtime/types.ts";
import type { WorkloadData } from "../data.ts";
import { timeMajor, type AdamSettings, type Session } from "../engine.ts";
import type { Workload } from "../workloads.ts";

export interface RnncVariant {
  /** The engine's name in the table. */
  engine: string;
  /** Threads it computes with (shown in the notes). */
  threads: number;
  /** The model of an emitted module file. */
  load(moduleFile: string): Promise<CompiledModel>;
  /** Only training workloads: more threads change nothing at batch 1 (predict and generate run on the main thread). */
  trainingOnly?: boolean;
}

export const RNNC_VARIANTS: RnncVariant[] = [
  { engine: "rnnc", threads: 1, load: (file) => importCompiledModel(file) },
  // Both cores: each batch cut in two, the main thread and one worker (runtime/parallel).
  { engine: "rnnc-2t", threads: 2, load: (file) => parallelModel(file, 2, { load: workerLoader }), trainingOnly: true },
];

/** What the parent prepared: the emitted module, and the train block's settings. */
export interface RnncSetup {
  moduleFile: string;
  adam: AdamSettings;
  seed: number;
}

export async function rnncSession(variant: RnncVariant, w: Workload, data: WorkloadData, setup: RnncSetup): Promise<Session> {
  const model = await variant.load(setup.moduleFile);
  const rng = new Rng(setup.seed);
  const params = model.createParams();
  for (const p of model.params) initialize(params.get(p.name)!, p.shape, p.init, rng);
  const notes = [`the emitted module (Float32), ${variant.threads} thread${variant.threads === 1 ? "" : "s"}; a step is lossAndGrad and runtime/optimizers.ts's Adam`];

  if (w.kind === "generate") {
    const { tokens, temperature } = w.generate!;
    const sampling = new Rng(setup.seed + 1);
    const empty: ModelBatch = { size: 1, lengths: {}, fields: new Map() };
    const options = {
      steps: tokens,
      bos: data.bos,
      eos: -1, // no id is -1: every generation is exactly `tokens` long
      choose: (logits: FloatArray, offset: number, length: number) => sampleLogits(logits, offset, length, sampling, { temperature }),
    };
    notes.push(`generate() of ${tokens} tokens from one state, each sampled with runtime/sampling.ts at temperature ${temperature}`);
    return { notes, unit: () => generate(model, params, empty, options)[0].length };
  }

  const batches = data.batches.map((b) => toModelBatch(model, w, b.inputs, b.targets));
  if (w.kind === "infer") {
    notes.push(`predict() on a batch of 1 sequence of ${w.T} tokens (every step's probabilities); µs/token = time ÷ ${w.T}`);
    return { notes, unit: () => model.predict(params, batches[0])[0][0] };
  }

  const grads = model.createParams();
  const list: Param[] = model.params.map((p) => ({ name: p.name, values: params.get(p.name)!, grad: grads.get(p.name)!, decay: p.decay, frozen: false }));
  const adam = new Adam(setup.adam);
  let k = 0;
  return {
    notes,
    unit: () => {
      const loss = model.lossAndGrad(params, grads, batches[k++ % batches.length]);
      adam.step(list);
      return loss;
    },
  };
}

/** The workload's ids as the model's batch: time-major, every sequence T long. */
export function toModelBatch(model: CompiledModel, w: Workload, inputs: Int32Array, targets: Int32Array): ModelBatch {
  const fields = new Map<string, FloatArray>();
  for (const d of model.data) {
    const ids = d.role === "input" ? inputs : targets;
    fields.set(d.name, d.sequence ? timeMajor(ids, w.B, w.T) : Float32Array.from(ids));
  }
  return { size: w.B, lengths: { t: new Int32Array(w.B).fill(w.T) }, fields };
}
