// The training loop, over any CompiledModel: epochs of shuffled, length-bucketed minibatches;
// per batch (or per window, with bptt) the loss and gradients, a check that every number is
// finite, global-norm clipping and one optimizer step at the course's learning rate. It prints
// nothing and saves nothing itself: the command hears of each batch and epoch through callbacks.
// Where it stands is a Position: saved in a checkpoint, it lets a run continue exactly.
import type { TrainSettings } from "../compiler/2-check/checked.ts";
import type { Example } from "../data/examples.ts";
import type { Vocabulary } from "../data/vocabulary.ts";
import { bucketByLength } from "../runtime/batch.ts";
import { clipGlobalNorm } from "../runtime/clip.ts";
import { firstNonFinite } from "../runtime/finite.ts";
import type { CompiledModel, ModelBatch } from "../runtime/model.ts";
import { Adam, Sgd, type Optimizer, type Param } from "../runtime/optimizers.ts";
import type { Rng, RngState } from "../runtime/rng.ts";
import type { FloatArray } from "../runtime/types.ts";
import type { Course, EpochVerdict } from "./course.ts";
import { evaluate, type Evaluation } from "./metrics.ts";
import { exampleLengths, toModelBatch } from "../data/batches.ts";
import { windows } from "./windows.ts";

/** Where a run stands inside an epoch: enough to continue it as if it had never stopped. */
export interface Position {
  epoch: number; // from 1
  batch: number; // batches of it done
  batches: number; // of how many
  /** The RNG as the epoch began: drawing the epoch's batches again gives the same batches. */
  rngAtEpochStart: RngState;
  /** The epoch's sums so far: its training loss and gradient norms come out as if uninterrupted. */
  lossSum: number;
  seen: number;
  norms: { sum: number; count: number; max: number };
}

export interface TrainingRun<A extends FloatArray> {
  model: CompiledModel<A>;
  params: Map<string, A>;
  settings: TrainSettings;
  optimizer: Optimizer;
  rng: Rng; // shuffles the batches; its state goes into each checkpoint
  course: Course;
  train: readonly Example[];
  valid?: readonly Example[];
  vocabularies: ReadonlyMap<string, Vocabulary>;
  arrays?: Float32ArrayConstructor | Float64ArrayConstructor;
  /** Continue from here (a resumed run); else from the first batch of the first epoch. */
  from?: Position;
  /** After each batch. `position()` is where the run stands, for a save inside an epoch. */
  onBatch?(done: BatchReport): void;
  /** After each epoch (validation done): print, save. */
  onEpoch(record: EpochRecord): void;
  /** Asked after each batch: true stops training there (Ctrl-C, SIGTERM). */
  stopRequested(): boolean;
}

export interface BatchReport {
  epoch: number;
  batch: number; // from 1
  batches: number;
  trainLoss: number; // the epoch's running mean
  items: number; // valid steps (tokens) in the batch, or examples when the model has no sequence
  seconds: number; // since this process began the epoch
  firstBatch: number; // batches of the epoch done before (a resumed epoch)
  position(): Position;
}

export interface EpochRecord {
  epoch: number; // from 1
  epochs: number;
  trainLoss: number; // the mean over the epoch's examples of the batches' losses
  valid?: Evaluation;
  seconds: number;
  updates: number; // the optimizer's steps so far
  lr: number; // the last update's
  gradNorm: { mean: number; max: number };
  /** Per recurrent state, |∂L/∂h_t| at each step, on a fixed probe batch. */
  gradientFlow?: Map<string, Float64Array>;
  verdict: EpochVerdict;
}

export type TrainOutcome =
  | { kind: "finished"; epochs: number }
  /** Early stopping: `epochs` complete; why, in words. */
  | { kind: "stopped early"; epochs: number; why: string }
  /** Stopped on request: where, to save and resume from (`batch` 0: between epochs). */
  | { kind: "interrupted"; position: Position }
  /** A NaN or infinity (or a loss past ABSURD_LOSS): where, in words. Nothing after the last complete epoch was kept. */
  | { kind: "diverged"; epoch: number; batch: number; batches: number; what: string };

export function createOptimizer(settings: TrainSettings): Optimizer {
  const o = settings.optimizer;
  return o.name === "adam" ? new Adam({ lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps }) : new Sgd({ lr: o.lr, momentum: o.momentum });
}

/** Lets pending events (a SIGINT) be handled between two pieces of synchronous work. */
const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Examples in the gradient-flow probe: the same ones every epoch, so the heatmap compares like with like. */
const PROBE_EXAMPLES = 16;

export async function trainEpochs<A extends FloatArray>(run: TrainingRun<A>): Promise<TrainOutcome> {
  const { model, params, settings, course, rng } = run;
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
  const encode = (examples: readonly Example[], indices: Int32Array) =>
    toModelBatch(examples, indices, model.data, { vocabularies: run.vocabularies, ...(run.arrays ? { arrays: run.arrays } : {}) });
  const probe = model.gradientFlow ? encode(run.valid ?? run.train, Int32Array.from({ length: Math.min(PROBE_EXAMPLES, (run.valid ?? run.train).length) }, (_, i) => i)) : undefined;
  const axis = model.data.find((d) => d.sequence && d.axis)?.axis;
  const itemsOf = (batch: ModelBatch) => (axis && batch.lengths[axis] ? batch.lengths[axis]!.reduce((a, b) => a + b, 0) : batch.size);
  let lr = settings.optimizer.lr;

  for (let epoch = run.from?.epoch ?? 1; epoch <= settings.epochs; epoch++) {
    const started = performance.now();
    // Inside an epoch, the batches are drawn again from the RNG as the epoch began, then the RNG
    // goes on from where it stopped; between epochs, the saved RNG is the one the epoch begins with.
    const resumed = run.from?.epoch === epoch && run.from.batch > 0 ? run.from : undefined;
    const afterDraw = resumed && rng.state();
    if (resumed) rng.load(resumed.rngAtEpochStart);
    const rngAtEpochStart = rng.state();
    const batches = bucketByLength(lengths, settings.batch, rng);
    if (afterDraw) rng.load(afterDraw); // as it was when the run stopped
    let { lossSum, seen } = resumed ?? { lossSum: 0, seen: 0 };
    const norms = resumed ? { ...resumed.norms } : { sum: 0, count: 0, max: 0 };
    const position = (batch: number): Position => ({ epoch, batch, batches: batches.length, rngAtEpochStart, lossSum, seen, norms: { ...norms } });
    for (let k = resumed?.batch ?? 0; k < batches.length; k++) {
      const where = { epoch, batch: k + 1, batches: batches.length };
      const batch = encode(run.train, batches[k]);
      // Truncated BPTT: one update per window of K steps, each starting from what the window
      // before it handed on (its carry). Without bptt the batch is one window.
      let loss = 0;
      const parts = settings.bptt === undefined ? [batch] : windows(batch, "t", model.data, settings.bptt, model.losses);
      let carry: Map<string, A> | undefined;
      for (const part of parts) {
        // Dropout's masks: from the run's seed and this update's number, so a resumed run draws the same.
        const training = { seed: settings.seed, update: run.optimizer.steps };
        const windowLoss = model.lossAndGrad(params, grads, carry ? { ...part, carry, training } : { ...part, training });
        if (model.carried.length > 0) carry = model.finalStates();
        const problem = nonFinite(windowLoss, trainable);
        if (problem) return { kind: "diverged", ...where, what: problem };
        const norm = clipGlobalNorm(trainable.map((p) => p.grad), settings.clipNorm);
        if (!Number.isFinite(norm)) return { kind: "diverged", ...where, what: `the gradients' global norm overflows (${norm})` };
        [norms.sum, norms.count, norms.max] = [norms.sum + norm, norms.count + 1, Math.max(norms.max, norm)];
        lr = course.lr(run.optimizer.steps, epoch, k / batches.length);
        run.optimizer.step(list, settings.weightDecay, lr);
        const broken = firstBadParam(trainable);
        if (broken) return { kind: "diverged", ...where, what: `the update made ${broken} (the learning rate, ${lr}, may be too large)` };
        loss += windowLoss;
      }
      lossSum += loss * batches[k].length;
      seen += batches[k].length;
      const seconds = (performance.now() - started) / 1000;
      run.onBatch?.({ ...where, trainLoss: lossSum / seen, items: itemsOf(batch), seconds, firstBatch: resumed?.batch ?? 0, position: () => position(k + 1) });
      await yieldToEvents();
      if (run.stopRequested() && k + 1 < batches.length) return { kind: "interrupted", position: position(k + 1) }; // else: finish the epoch
    }
    const valid = run.valid ? evaluate(model, params, run.valid, run.vocabularies, settings.batch) : undefined;
    const trainLoss = lossSum / Math.max(1, seen);
    const verdict = course.endEpoch(epoch, trainLoss, valid);
    const gradientFlow = probe && model.gradientFlow!(params, probe);
    run.onEpoch({
      epoch,
      epochs: settings.epochs,
      trainLoss,
      ...(valid ? { valid } : {}),
      seconds: (performance.now() - started) / 1000,
      updates: run.optimizer.steps,
      lr,
      gradNorm: { mean: norms.sum / Math.max(1, norms.count), max: norms.max },
      ...(gradientFlow ? { gradientFlow } : {}),
      verdict,
    });
    if (verdict.stop) return { kind: "stopped early", epochs: epoch, why: verdict.stop };
    await yieldToEvents();
    if (run.stopRequested() && epoch < settings.epochs)
      return { kind: "interrupted", position: { epoch: epoch + 1, batch: 0, batches: 0, rngAtEpochStart: rng.state(), lossSum: 0, seen: 0, norms: { sum: 0, count: 0, max: 0 } } };
  }
  return { kind: "finished", epochs: settings.epochs };
}

/**
 * A loss above this stops training as NaN does. A loss is a mean of per-step losses (a cross
 * entropy of a few nats, a squared error of standardised targets), so 1e30 means outputs off by
 * about 1e15: nothing is being learned, and the gradients, summed over a batch's steps in float32
 * (whose largest number is 3.4e38), are a few orders of magnitude from overflowing into NaN. Said
 * now, with the batch, rather than as a NaN later or as losses of 2.4e37 printed as if fine.
 */
export const ABSURD_LOSS = 1e30;

/** The loss or the first gradient that is NaN or infinite (or a loss past ABSURD_LOSS), in words; undefined when all are fine. */
function nonFinite(loss: number, params: readonly Param[]): string | undefined {
  if (!Number.isFinite(loss)) return `the loss is ${loss}`;
  if (Math.abs(loss) > ABSURD_LOSS) return `the loss is ${loss.toPrecision(3)}, past ${ABSURD_LOSS.toExponential()} (float32 overflows at 3.4e38): outputs or targets this far apart leave nothing to learn; real-valued data trains best standardised (mean 0, sd 1)`;
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
