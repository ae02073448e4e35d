// The memory the main thread and the workers share for a parallel model's whole life, made once
// by the main thread: the control words, the params (the main thread copies them in before each
// step), each worker's gradients with their chunk flags, and the scalars (the losses'
// denominators in, each worker's loss out). A worker is sent `SharedMemory.data` and makes its
// own views of the same buffers. (The parts of the batch go through regions of their own, which
// grow: see region.ts.)
import type { ModelBatch, ParamLayout } from "../model.ts";
import type { FloatArray } from "../types.ts";
import { addFlaggedChunks, chunkCount } from "./chunks.ts";
import { controlBuffer } from "./control.ts";
import { floatView } from "./region.ts";

/** Where a param lies in the shared params, and in each worker's share of the gradients, in values. */
export interface ParamSlot {
  name: string;
  offset: number;
  length: number;
}

/** What a worker is sent: the buffers are shared, not copied. */
export interface SharedMemoryData {
  /** Bytes per value (4: Float32Array, 8: Float64Array). */
  bytes: 4 | 8;
  losses: number;
  layout: ParamSlot[];
  /** Values of the gradients per worker: the params, each padded to 8 bytes. */
  total: number;
  /** Chunks of gradients per worker: ⌈total / CHUNK⌉. */
  chunks: number;
  control: SharedArrayBuffer;
  params: SharedArrayBuffer;
  /** Each worker's gradients, worker w's at w * total. */
  grads: SharedArrayBuffer;
  /** Per worker, per chunk of its gradients: 1 if any value is not 0. */
  flags: SharedArrayBuffer;
  /** Float64: the losses' denominators, then each worker's loss. */
  scalars: SharedArrayBuffer;
  /** Float64: 1 when the step trains (dropout), its seed and update, then each worker's part's first example in the whole batch. */
  training: SharedArrayBuffer;
}

export class SharedMemory {
  private readonly scalars: Float64Array;
  private readonly flags: Uint8Array;
  private readonly training: Float64Array;
  private paramViews: FloatArray[] | undefined; // the main thread's, made on first use
  private readonly shares: { values: FloatArray; flags: Uint8Array }[] = []; // by slot, made on first use

  /** The memory for `workers` workers of a model with these params and losses. */
  static create(params: readonly ParamLayout[], bytes: 4 | 8, losses: number, workers: number): SharedMemory {
    const layout: ParamSlot[] = [];
    let total = 0;
    for (const p of params) {
      const length = p.shape.reduce((a, b) => a * b, 1);
      layout.push({ name: p.name, offset: total, length });
      total += (length + 1) & ~1; // each param on 8 bytes
    }
    const chunks = chunkCount(total);
    // Every buffer at least a value long: a SharedArrayBuffer of 0 bytes cannot be viewed at an offset.
    return new SharedMemory({
      bytes,
      losses,
      layout,
      total,
      chunks,
      control: controlBuffer(workers),
      params: new SharedArrayBuffer(Math.max(1, total) * bytes),
      grads: new SharedArrayBuffer(Math.max(1, total * workers) * bytes),
      flags: new SharedArrayBuffer(Math.max(1, workers * chunks)),
      scalars: new SharedArrayBuffer((losses + Math.max(1, workers)) * 8),
      training: new SharedArrayBuffer((3 + Math.max(1, workers)) * 8),
    });
  }

  constructor(readonly data: SharedMemoryData) {
    this.scalars = new Float64Array(data.scalars);
    this.flags = new Uint8Array(data.flags);
    this.training = new Float64Array(data.training);
  }

  /** The shared params, by name: what a worker's lossAndGrad reads. */
  params(): Map<string, FloatArray> {
    const { bytes, layout } = this.data;
    return new Map(layout.map((p) => [p.name, floatView(bytes, this.data.params, p.offset * bytes, p.length)]));
  }

  /** Worker `slot`'s gradients, by name: what its lossAndGrad writes. */
  grads(slot: number): Map<string, FloatArray> {
    const { bytes, layout, total } = this.data;
    return new Map(layout.map((p) => [p.name, floatView(bytes, this.data.grads, (slot * total + p.offset) * bytes, p.length)]));
  }

  /** Worker `slot`'s gradients as one array (the padding included), and their flags: what it flags. */
  gradsAndFlags(slot: number): { values: FloatArray; flags: Uint8Array } {
    const { bytes, total, chunks } = this.data;
    return (this.shares[slot] ??= { values: floatView(bytes, this.data.grads, slot * total * bytes, total), flags: this.flags.subarray(slot * chunks, (slot + 1) * chunks) });
  }

  /** The main thread, before a step: the params the workers will read. */
  writeParams(params: Map<string, FloatArray>): void {
    const { layout } = this.data;
    const views = (this.paramViews ??= [...this.params().values()]);
    for (let i = 0; i < layout.length; i++) views[i].set(params.get(layout[i].name)!);
  }

  /** The main thread, before a step: the whole batch's loss denominators, which every part uses. */
  writeDenominators(denominators: readonly number[]): void {
    for (let i = 0; i < this.data.losses; i++) this.scalars[i] = denominators[i];
  }

  /** A worker, before its step. */
  readDenominators(into: number[]): void {
    for (let i = 0; i < this.data.losses; i++) into[i] = this.scalars[i];
  }

  /**
   * The main thread, before a step: the batch's training step (dropout's masks), if it trains, and
   * where each worker's part starts in the whole batch, so that its examples draw the masks they
   * would draw on one thread.
   */
  writeTraining(training: ModelBatch["training"], firstExample: (slot: number) => number, workers: number): void {
    this.training[0] = training ? 1 : 0;
    if (!training) return;
    this.training[1] = training.seed;
    this.training[2] = training.update;
    for (let slot = 0; slot < workers; slot++) this.training[3 + slot] = (training.offset ?? 0) + firstExample(slot);
  }

  /** A worker, before its step: its part trains as the whole batch does, from its own first example. */
  readTraining(slot: number, part: ModelBatch): void {
    if (this.training[0] === 1) part.training = { seed: this.training[1], update: this.training[2], offset: this.training[3 + slot] };
    else delete part.training;
  }

  setLoss(slot: number, loss: number): void {
    this.scalars[this.data.losses + slot] = loss;
  }

  lossOf(slot: number): number {
    return this.scalars[this.data.losses + slot];
  }

  /** The main thread, after a step: adds worker `slot`'s gradients to `grads` (only the chunks it flagged). */
  addGrads(slot: number, grads: Map<string, FloatArray>): void {
    const { values, flags } = this.gradsAndFlags(slot);
    for (const p of this.data.layout) addFlaggedChunks(grads.get(p.name)!, values, p.offset, flags);
  }
}
