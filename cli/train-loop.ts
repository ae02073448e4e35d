// The training loop, over any CompiledModel: epochs of shuffled, length-bucketed minibatches;
// per batch the loss and gradients, a check that every number is finite, global-norm clipping
// and one optimizer step (weight decay and frozen layers handled by the optimizer). It prints
// nothing and saves nothing itself: the command hears of each epoch through `onEpoch`.
import type { TrainSettings } from "../compiler/2-check/checked.ts";
import type { Example } from "../data/examples.ts";
import type { Vocabulary } from "../data/vocabulary.ts";
import { bucketByLength } from "../runtime/batch.ts";
import { clipGlobalNorm } from "../runtime/clip.ts";
import { firstNonFinite } from "../runtime/finite.ts";
import type { CompiledModel } from "../runtime/model.ts";
import { Adam, Sgd, type Optimizer, type Param } from "../runtime/optimizers.ts";
import type { Rng } from "../runtime/rng.ts";
import type { FloatArray } from "../runtime/types.ts";
import { evaluate, type Evaluation } from "./metrics.ts";
import { exampleLengths, toModelBatch } from "./model-data.ts";
import { windows } from "./windows.ts";

export interface TrainingRun<A extends FloatArray> {
  model: CompiledModel<A>;
  params: Map<string, A>;
  settings: TrainSettings;
  optimizer: Optimizer;
  rng: Rng; // shuffles the batches; its state goes into each checkpoint
  train: readonly Example[];
  valid?: readonly Example[];
  vocabularies: ReadonlyMap<string, Vocabulary>;
  arrays?: Float32ArrayConstructor | Float64ArrayConstructor;
  /** After each epoch (validation done): print, save. */
  onEpoch(record: EpochRecord): void;
  /** About every `progressSeconds` inside an epoch. */
  onProgress?(progress: { epoch: number; batch: number; batches: number; trainLoss: number; seconds: number }): void;
  progressSeconds?: number;
  /** Asked after each batch: true stops training there (Ctrl-C). */
  stopRequested(): boolean;
}

export interface EpochRecord {
  epoch: number; // from 1
  epochs: number;
  trainLoss: number; // the mean over the epoch's examples of the batches' losses
  valid?: Evaluation;
  seconds: number;
}

export type TrainOutcome =
  | { kind: "finished"; epochs: number }
  /** Stopped on request after `batch` of `batches` batches of `epoch` (epoch - 1 complete). */
  | { kind: "interrupted"; epoch: number; batch: number; batches: number }
  /** A NaN or infinity: where, in words. Nothing after the last complete epoch was kept. */
  | { kind: "diverged"; epoch: number; batch: number; batches: number; what: string };

export function createOptimizer(settings: TrainSettings): Optimizer {
  const o = settings.optimizer;
  return o.name === "adam" ? new Adam({ lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps }) : new Sgd({ lr: o.lr, momentum: o.momentum });
}

/** Lets pending events (a SIGINT) be handled between two pieces of synchronous work. */
const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function trainEpochs<A extends FloatArray>(run: TrainingRun<A>, firstEpoch = 1): Promise<TrainOutcome> {
  const { model, params, settings } = run;
  const grads = model.createParams();
  const frozen = new Set(settings.freeze);
  const list: Param<A>[] = model.params.map((p) => ({
    name: p.name,
    values: params.get(p.name)!,
    grad: grads.get(p.name)!,
    decay: p.decay,
    frozen: frozen.has(p.layer),
  }));
  const trainable = list.filter((p) => !p.frozen);
  const lengths = exampleLengths(run.train, model.data);
  const progressEvery = (run.progressSeconds ?? 10) * 1000;

  for (let epoch = firstEpoch; epoch <= settings.epochs; epoch++) {
    const started = performance.now();
    let lastProgress = started;
    const batches = bucketByLength(lengths, settings.batch, run.rng);
    let lossSum = 0;
    let seen = 0;
    for (let k = 0; k < batches.length; k++) {
      const where = { epoch, batch: k + 1, batches: batches.length };
      const batch = toModelBatch(run.train, batches[k], model.data, { vocabularies: run.vocabularies, ...(run.arrays ? { arrays: run.arrays } : {}) });
      // Truncated BPTT: one update per window of K steps, each starting from the state the
      // previous window of the same examples ended in. Without bptt the batch is one window.
      let loss = 0;
      const parts = settings.bptt === undefined ? [batch] : windows(batch, "t", model.data, settings.bptt);
      let carry: Map<string, A> | undefined;
      for (const part of parts) {
        const windowLoss = model.lossAndGrad(params, grads, carry ? { ...part, carry } : part);
        if (model.carried.length > 0) carry = model.finalStates();
        const problem = nonFinite(windowLoss, trainable) ?? clip(trainable, settings.clipNorm);
        if (problem) return { kind: "diverged", ...where, what: problem };
        run.optimizer.step(list, settings.weightDecay);
        const broken = firstBadParam(trainable);
        if (broken) return { kind: "diverged", ...where, what: `the update made ${broken} (the learning rate, ${settings.optimizer.lr}, may be too large)` };
        loss += windowLoss;
      }
      lossSum += loss * batches[k].length;
      seen += batches[k].length;

      await yieldToEvents();
      if (run.stopRequested() && k + 1 < batches.length) return { kind: "interrupted", ...where }; // else: finish the epoch
      const now = performance.now();
      if (run.onProgress && now - lastProgress >= progressEvery && k + 1 < batches.length) {
        lastProgress = now;
        run.onProgress({ ...where, trainLoss: lossSum / seen, seconds: (now - started) / 1000 });
      }
    }
    const valid = run.valid ? evaluate(model, params, run.valid, run.vocabularies, settings.batch) : undefined;
    run.onEpoch({ epoch, epochs: settings.epochs, trainLoss: lossSum / Math.max(1, seen), ...(valid ? { valid } : {}), seconds: (performance.now() - started) / 1000 });
    await yieldToEvents();
    if (run.stopRequested() && epoch < settings.epochs) return { kind: "interrupted", epoch: epoch + 1, batch: 0, batches: 0 };
  }
  return { kind: "finished", epochs: settings.epochs };
}

/** The loss or the first gradient that is NaN or infinite, in words; undefined when all are finite. */
function nonFinite(loss: number, params: readonly Param[]): string | undefined {
  if (!Number.isFinite(loss)) return `the loss is ${loss}`;
  for (const p of params) {
    const i = firstNonFinite(p.grad);
    if (i >= 0) return `the gradient of ${p.name}[${i}] is ${p.grad[i]}`;
  }
  return undefined;
}

function firstBadParam(params: readonly Param[]): string | undefined {
  for (const p of params) {
    const i = firstNonFinite(p.values);
    if (i >= 0) return `${p.name}[${i}] ${p.values[i]}`;
  }
  return undefined;
}

/** Global-norm clipping; a norm that overflows though every gradient is finite is reported too. */
function clip(params: readonly Param[], maxNorm: number | undefined): string | undefined {
  const norm = clipGlobalNorm(params.map((p) => p.grad), maxNorm);
  return Number.isFinite(norm) ? undefined : `the gradients' global norm overflows (${norm})`;
}
