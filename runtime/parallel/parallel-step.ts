// One training step cut into parts, as the main thread runs it. The batch is cut by examples
// into as many parts as there are threads; part k > 0 is written into worker k - 1's region and
// the worker started on it; meanwhile the main thread computes part 0 with its own instance of
// the module; then each worker's loss and gradients are added to the main thread's. Every part is
// given the whole batch's loss denominators, so the parts' losses and gradients simply add: the
// result is the single-thread one up to the order of float summation.
import { batchDenominators } from "../batch.ts";
import type { CompiledModel, ModelBatch } from "../model.ts";
import type { FloatArray } from "../types.ts";
import { finalStatesInOrder } from "./final-states.ts";
import { PartWriter } from "./part-writer.ts";
import { PartView, type PartSpec } from "./region.ts";
import type { SharedMemory } from "./shared-memory.ts";
import { partCount, splitExamples } from "./split.ts";
import type { WorkerPart } from "./worker-part.ts";

export class ParallelStep {
  /** The last step's cut: [start0, count0, start1, count1, …], part k's examples. */
  private readonly split: Int32Array;
  /** The whole batch's, which every part uses: the main thread's part reads them here, the workers' from the shared scalars. */
  private readonly denominators: number[];
  private readonly writer: PartWriter;
  /** The main thread's part: an ordinary buffer, read through the same layout as a worker's region. */
  private readonly mainPart: PartView;
  private mainRegion = new ArrayBuffer(4096);
  /** The parts of the last step, 0 when the main thread's instance has run anything else since. */
  private lastParts = 0;
  private lastSize = 0;

  constructor(
    private readonly local: CompiledModel,
    private readonly spec: PartSpec,
    private readonly memory: SharedMemory,
    private readonly workers: readonly WorkerPart[],
  ) {
    this.split = new Int32Array(2 * (workers.length + 1));
    this.denominators = new Array<number>(spec.losses).fill(1);
    this.writer = new PartWriter(spec, local.data);
    this.mainPart = new PartView(spec, this.denominators);
  }

  /** How many parts a batch of `size` examples is cut into: 1 when it is not (fewer examples than 2). */
  partsOf(size: number): number {
    return partCount(size, this.workers.length + 1);
  }

  /** lossAndGrad of `batch`, cut. A worker's failure fails the step, once every part is done. */
  run(params: Map<string, FloatArray>, grads: Map<string, FloatArray>, batch: ModelBatch): number {
    const { split, memory, workers, writer } = this;
    const n = splitExamples(batch.size, workers.length + 1, split);
    batchDenominators(this.local.losses, batch, this.denominators);
    memory.writeDenominators(this.denominators);
    memory.writeParams(params);
    memory.writeTraining(batch.training, (slot) => split[2 * (slot + 1)], n - 1);
    for (let k = 1; k < n; k++) {
      const part = workers[k - 1];
      part.run(writer.write(batch, split[2 * k], split[2 * k + 1], part.view, part.region, (bytes) => new SharedArrayBuffer(bytes)));
    }
    this.mainRegion = writer.write(batch, split[0], split[1], this.mainPart, this.mainRegion, (bytes) => new ArrayBuffer(bytes));
    const main = this.mainPart.batch!;
    if (batch.training) main.training = { ...batch.training, offset: (batch.training.offset ?? 0) + split[0] };
    else delete main.training;
    let problem: Error | undefined;
    let loss = 0;
    try {
      loss = this.local.lossAndGrad(params, grads, main);
    } catch (error) {
      problem = error as Error; // thrown once the workers are done: they must not be left running
    }
    for (let k = 1; k < n; k++) {
      const part = workers[k - 1];
      const failure = part.awaitStep();
      if (failure) {
        problem ??= failure;
        continue;
      }
      loss += memory.lossOf(part.slot);
      memory.addGrads(part.slot, grads);
    }
    if (problem) throw problem;
    this.lastParts = n;
    this.lastSize = batch.size;
    return loss;
  }

  /** The main thread's instance ran something whole since the last step: its final states are the ones now. */
  forget(): void {
    this.lastParts = 0;
  }

  /** The final states of what ran last: the last step's, gathered in example order, or the main thread's instance's. */
  finalStates(): Map<string, FloatArray> {
    const main = this.local.finalStates();
    if (this.lastParts === 0) return main;
    return finalStatesInOrder(
      this.spec,
      this.lastSize,
      this.split,
      this.lastParts,
      main,
      this.workers.map((w) => w.view),
    );
  }
}
