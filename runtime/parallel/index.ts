// Data-parallel training over worker_threads (Node only: not exported by runtime/index.ts).
//
// A ParallelModel is a CompiledModel whose lossAndGrad cuts the batch by examples into `threads`
// parts: the main thread computes part 0 with its own instance of the emitted module, each worker
// one other part with its own instance. Every part is given the whole batch's loss denominators,
// so the parts' losses and gradients simply add: the result is the single-thread one up to the
// order of float summation. The params go to the workers through a SharedArrayBuffer the main
// thread fills before each step; each worker writes its gradients into its own region of another,
// and the main thread adds them to its own. Buffers grow to the largest part seen and are reused.
//
// The files, each one job:
//   model-spec.ts     what the main thread learns of the module once (its parts' shape, its dtype)
//   shared-memory.ts  the buffers shared for the model's life: params, gradients, flags, scalars
//   control.ts        the control words each step is signalled through (Atomics, both sides)
//   worker-pool.ts    starting and stopping the workers, from code the caller's WorkerLoader made
//   worker-part.ts    the main thread's handle on one worker: run its part, await its answer
//   worker.ts         a worker thread
//   region.ts         where a part of a batch lies in its region, and the part as a batch
//   split.ts          cutting a batch's examples into parts (part-writer.ts writes them)
//   parallel-step.ts  one step cut into parts; chunks.ts, how the gradients come back
//   final-states.ts   the carried states of a cut step, in example order
//   thread-choice.ts  the auto choice between cutting and not, by measuring
import { pathToFileURL } from "node:url";
import type { CompiledModel, ModelBatch } from "../model.ts";
import type { FloatArray } from "../types.ts";
import { modelPartSpec } from "./model-spec.ts";
import { ParallelStep } from "./parallel-step.ts";
import { SharedMemory } from "./shared-memory.ts";
import { ThreadChoice, type Choice } from "./thread-choice.ts";
import { WorkerPool, type WorkerLoader } from "./worker-pool.ts";

export { batchDenominators } from "../batch.ts";
export { sliceBatch, splitExamples } from "./split.ts";
export type { WorkerCode, WorkerLoader } from "./worker-pool.ts";

export interface ParallelModel extends CompiledModel {
  /** How many parts a batch is cut into (at most): the main thread and threads - 1 workers. */
  readonly threads: number;
  /** With `trials`: "measuring" until they are done, then the faster way; else always "parallel". */
  readonly choice: Choice;
  /** Ends the workers (waits for them). The model is not usable afterwards. */
  close(): Promise<void>;
}

export interface ParallelOptions {
  /**
   * Makes the worker and the emitted module into code a worker thread can run (the runtime does
   * not build code): cli/worker-loader.ts's `workerLoader`, say. Not called for 1 thread.
   */
  load: WorkerLoader;
  /**
   * Decide by measuring: the first `trials` steps whose batch is cut run both ways on the same
   * batch (the single thread's result is the one returned); the first half warm up, the medians
   * of the second half decide, and the faster way is kept (see thread-choice.ts).
   */
  trials?: number;
  /** Told the choice once the trials are done, with the median milliseconds of a step each way. */
  onChoice?(choice: "parallel" | "single", ms: { single: number; parallel: number }): void;
}

/**
 * The emitted module `moduleFile` (a .mts file, as cli/compiled-model.ts writes it) on `threads`
 * threads: the main thread and threads - 1 workers, each with its own instance of the module.
 * The main thread imports it as it is (a TypeScript loader must be registered); the workers, as
 * `options.load` makes it.
 */
export async function parallelModel(moduleFile: string, threads: number, options: ParallelOptions): Promise<ParallelModel> {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a whole number of at least 1, got ${threads}`);
  const local = ((await import(/* @vite-ignore */ pathToFileURL(moduleFile).href)) as { default: CompiledModel }).default;
  const spec = modelPartSpec(local);
  const memory = SharedMemory.create(local.params, spec.bytes, spec.losses, threads - 1);
  const pool = await WorkerPool.start(threads - 1, options.load, moduleFile, memory, spec);
  const step = new ParallelStep(local, spec, memory, pool.parts);
  return parallelOf(local, threads, step, pool, new ThreadChoice(options.trials ?? 0, options.onChoice));
}

/**
 * The model: lossAndGrad cut (or not: see `chooser`), everything else on the main thread's
 * instance, whole. loss, predict and the generator (for generate and beamSearch) are evaluation
 * and sampling, not the training step.
 */
function parallelOf(local: CompiledModel, threads: number, step: ParallelStep, pool: WorkerPool, chooser: ThreadChoice): ParallelModel {
  let closed = false;
  const trialGrads = chooser.choice === "measuring" ? local.createParams() : undefined; // where a trial's cut step writes

  function lossAndGrad(params: Map<string, FloatArray>, grads: Map<string, FloatArray>, batch: ModelBatch): number {
    if (closed) throw new Error("the parallel model is closed");
    if (chooser.choice === "single" || step.partsOf(batch.size) <= 1) {
      step.forget();
      return local.lossAndGrad(params, grads, batch);
    }
    if (chooser.choice === "parallel") return step.run(params, grads, batch);
    // A trial: cut (into other gradients), then whole, last, so that its gradients and final states stand.
    const loss = chooser.trial(() => step.run(params, trialGrads!, batch), () => local.lossAndGrad(params, grads, batch));
    step.forget();
    return loss;
  }

  /** Runs `f` on the main thread's instance, whole: its final states are then the model's. */
  function whole<T>(f: () => T): T {
    step.forget();
    return f();
  }

  const model: ParallelModel = {
    name: local.name,
    params: local.params,
    data: local.data,
    losses: local.losses,
    outputs: local.outputs,
    carried: local.carried,
    threads,
    get choice() {
      return chooser.choice;
    },
    createParams: () => local.createParams(),
    loss: (params, batch) => whole(() => local.loss(params, batch)),
    lossAndGrad,
    predict: (params, batch) => whole(() => local.predict(params, batch)),
    outputValues: (params, batch) => whole(() => local.outputValues(params, batch)),
    finalStates: () => step.finalStates(),
    async close() {
      if (closed) return;
      closed = true;
      await pool.stop();
    },
  };
  const flow = local.gradientFlow?.bind(local);
  if (flow) model.gradientFlow = (params, batch) => whole(() => flow(params, batch)); // a probe, whole on the main thread
  if (local.generator) model.generator = local.generator; // runs on the main thread's instance
  return model;
}
