// Data-parallel training over worker_threads (Node only: not exported by runtime/index.ts).
//
// A ParallelModel is a CompiledModel whose lossAndGrad cuts the batch by examples into `threads`
// parts: the main thread computes part 0 with its own instance of the emitted module, each worker
// one other part with its own instance. Every part is given the whole batch's loss denominators,
// so the parts' losses and gradients simply add: the result is the single-thread one up to the
// order of float summation. The params go to the workers through a SharedArrayBuffer the main
// thread fills before each step; each worker writes its gradients into its own region of another,
// and the main thread adds them to its own. Buffers grow to the largest part seen and are reused.
import { Worker, MessageChannel, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { CompiledModel, ModelBatch } from "../model.ts";
import type { FloatArray } from "../types.ts";
import { CHUNK, CHUNK_BITS, COMMAND, DONE, FAILED, GO, GONE, H_AXIS, H_BYTES, H_CARRY, H_STEPS, NEW_REGION, OK, PartView, QUIT, RUN, SLOT, STATUS, headerLength, partSpec, regionBytes, floatView } from "./shared.ts";
import { batchDenominators } from "../batch.ts";
import { copyRows, partSteps, splitExamples } from "./split.ts";
import type { WorkerData } from "./worker.ts";

export { batchDenominators } from "../batch.ts";
export { sliceBatch, splitExamples } from "./split.ts";

export interface ParallelModel extends CompiledModel {
  /** How many parts a batch is cut into (at most): the main thread and threads - 1 workers. */
  readonly threads: number;
  /** With `trials`: "measuring" until they are done, then the faster way; else always "parallel". */
  readonly choice: "measuring" | "parallel" | "single";
  /** Ends the workers (waits for them). The model is not usable afterwards. */
  close(): Promise<void>;
}

interface Part {
  worker: Worker;
  port: MessagePort;
  slot: number;
  region: SharedArrayBuffer;
  view: PartView; // the main thread's views of the region, to write the part into
  grads: FloatArray; // this worker's share of the shared gradients
}

export interface ParallelOptions {
  loader?: WorkerLoader;
  /**
   * Decide by measuring: the first `trials` steps whose batch is cut run both ways on the same
   * batch (the single thread's result is the one returned); the first half warm up (a worker's
   * module starts cold: its code and WebAssembly tier up over its first calls), the medians of
   * the second half decide, and the faster way is kept. A small model is slower cut: waking a
   * worker and gathering the parts cost more than half its step (parity's 0.6 ms step takes 1 to
   * 3 ms on two threads here).
   */
  trials?: number;
  /** Told the choice once the trials are done, with the median milliseconds of a step each way. */
  onChoice?(choice: "parallel" | "single", ms: { single: number; parallel: number }): void;
}

/**
 * The emitted module `moduleFile` (a .mts file, as cli/compiled-model.ts writes it) on `threads`
 * threads: the main thread and threads - 1 workers, each with its own instance of the module.
 */
export async function parallelModel(moduleFile: string, threads: number, options: ParallelOptions = {}): Promise<ParallelModel> {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a whole number of at least 1, got ${threads}`);
  const url = pathToFileURL(moduleFile).href;
  const local = ((await import(/* @vite-ignore */ url)) as { default: CompiledModel }).default;

  const sample = local.createParams();
  const bytes: 4 | 8 = [...sample.values()][0] instanceof Float64Array ? 8 : 4;
  const Arrays = bytes === 8 ? Float64Array : Float32Array;
  const spec = partSpec(local.data, carriedSizes(local), local.losses.length, bytes);
  const layout: WorkerData["layout"] = [];
  let total = 0;
  for (const p of local.params) {
    const length = p.shape.reduce((a, b) => a * b, 1);
    layout.push({ name: p.name, offset: total, length });
    total += (length + 1) & ~1; // each param on 8 bytes
  }
  const workers = threads - 1;
  const control = new SharedArrayBuffer(Math.max(1, workers) * SLOT * 4);
  const controlWords = new Int32Array(control);
  const scalars = new SharedArrayBuffer((spec.losses + threads) * 8);
  const scalarValues = new Float64Array(scalars);
  const sharedParams = new SharedArrayBuffer(Math.max(1, total) * bytes);
  const sharedGrads = new SharedArrayBuffer(Math.max(1, total * workers) * bytes);
  const chunks = Math.ceil(total / CHUNK);
  const flags = new SharedArrayBuffer(Math.max(1, workers * chunks));
  const flagValues = new Uint8Array(flags);
  const paramViews = layout.map((p) => floatView(bytes, sharedParams, p.offset * bytes, p.length));

  const parts: Part[] = [];
  const started: Promise<void>[] = [];
  const loading = workers > 0 ? await workerLoading(moduleFile, options.loader) : undefined;
  for (let w = 0; w < workers; w++) {
    const { port1, port2 } = new MessageChannel();
    const region = new SharedArrayBuffer(4096);
    const data: WorkerData = { module: loading!.module, slot: w, spec, control, scalars, params: sharedParams, grads: sharedGrads, layout, gradsOffset: w * total, total, flags, chunks, region, port: port2 };
    const worker = new Worker(loading!.entry, { eval: loading!.evaluated, workerData: data, transferList: [port2], ...(loading!.evaluated ? {} : { execArgv: [] }) });
    worker.unref(); // an idle worker never keeps the process alive
    parts.push({ worker, port: port1, slot: w, region, view: new PartView(spec, []), grads: floatView(bytes, sharedGrads, w * total * bytes, total) });
    started.push(
      new Promise<void>((resolve, reject) => {
        worker.once("message", (m: { ready?: boolean; failed?: string }) => (m.ready ? resolve() : reject(new Error(`a training worker could not load the model: ${m.failed}`))));
        worker.once("error", reject);
        worker.once("exit", (code) => reject(new Error(`a training worker stopped while starting (exit code ${code})`)));
      }),
    );
  }
  try {
    await Promise.all(started);
  } catch (error) {
    await Promise.all(parts.map((p) => p.worker.terminate()));
    loading?.cleanup();
    throw error;
  }
  for (const p of parts) p.worker.removeAllListeners("exit").removeAllListeners("error").removeAllListeners("message");
  for (const p of parts) p.worker.on("error", () => {}); // reported through STATUS, or at close

  // The main thread's part: an ordinary buffer, read through the same layout.
  const denominators: number[] = new Array<number>(spec.losses).fill(1);
  let mainRegion = new ArrayBuffer(4096);
  const mainPart = new PartView(spec, denominators);
  const scratch = new Int32Array(headerLength(spec)); // a part's header, before it is copied into its region
  const split = new Int32Array(2 * threads);
  let lastParts = 0; // parts of the last lossAndGrad; 0 when the last call ran on the local instance
  let lastSize = 0;
  let closed = false;

  /**
   * Writes examples [start, start + count) of the batch into a part's region through its views;
   * a bigger region (shared for a worker) when the part does not fit. Returns the region.
   */
  function gather<R extends ArrayBufferLike>(batch: ModelBatch, start: number, count: number, view: PartView, region: R, shared: boolean): R {
    const header = scratch;
    header[0] = count;
    for (let i = 0; i < spec.fields.length; i++) {
      const field = batch.fields.get(spec.fields[i].name);
      header[H_STEPS(i)] = field ? partSteps(batch, local.data[i], field, start, count) : -1;
      header[H_BYTES(i)] = field instanceof Float64Array ? 8 : 4;
    }
    for (let a = 0; a < spec.axes.length; a++) header[H_AXIS(spec, a)] = batch.lengths[spec.axes[a]] ? 1 : 0;
    for (let c = 0; c < spec.carried.length; c++) header[H_CARRY(spec, c)] = batch.carry?.has(spec.carried[c].name) ? 1 : 0;
    const needed = regionBytes(spec, header);
    if (needed > region.byteLength) {
      const bytes = Math.max(needed, Math.ceil(region.byteLength * 1.5));
      region = (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes)) as R;
    }
    view.headerOf(region).set(header);
    view.read(region);
    const B = batch.size;
    for (let a = 0; a < spec.axes.length; a++) {
      const to = view.lengths[a];
      if (to) copyRows(batch.lengths[spec.axes[a]]!, B, 1, start, count, 1, to);
    }
    for (let i = 0; i < spec.fields.length; i++) {
      const to = view.fields[i];
      const width = spec.fields[i].width;
      if (to && to.length > 0) copyRows(batch.fields.get(spec.fields[i].name)!, B, width, start, count, to.length / (count * width), to);
    }
    for (let c = 0; c < spec.carried.length; c++) {
      const to = view.carry[c];
      if (to) copyRows(batch.carry!.get(spec.carried[c].name)!, B, spec.carried[c].size, start, count, 1, to);
    }
    return region;
  }

  const trials = Math.max(0, Math.floor(options.trials ?? 0));
  let trialsLeft = trials;
  let choice: ParallelModel["choice"] = trials > 0 ? "measuring" : "parallel";
  const trialGrads = trials > 0 ? local.createParams() : undefined;
  const warmUp = Math.floor(trials / 2);
  const timed = { single: new Float64Array(trials - warmUp), parallel: new Float64Array(trials - warmUp) };
  const median = (xs: Float64Array) => xs.sort()[Math.floor(xs.length / 2)];

  function lossAndGrad(params: Map<string, FloatArray>, grads: Map<string, FloatArray>, batch: ModelBatch): number {
    if (closed) throw new Error("the parallel model is closed");
    if (choice === "single" || splitExamples(batch.size, threads, split) <= 1) {
      lastParts = 0;
      return local.lossAndGrad(params, grads, batch);
    }
    if (choice === "parallel") return parallelStep(params, grads, batch);
    // A trial: cut (into other gradients), then whole, last, so that its final states stand.
    const t0 = performance.now();
    parallelStep(params, trialGrads!, batch);
    const t1 = performance.now();
    const loss = local.lossAndGrad(params, grads, batch);
    const t2 = performance.now();
    lastParts = 0;
    const trial = trials - trialsLeft;
    if (trial >= warmUp) {
      timed.parallel[trial - warmUp] = t1 - t0;
      timed.single[trial - warmUp] = t2 - t1;
    }
    if (--trialsLeft === 0) {
      const ms = { single: median(timed.single), parallel: median(timed.parallel) };
      choice = ms.parallel < ms.single ? "parallel" : "single";
      options.onChoice?.(choice, ms);
    }
    return loss;
  }

  /** One step, the batch cut into parts. */
  function parallelStep(params: Map<string, FloatArray>, grads: Map<string, FloatArray>, batch: ModelBatch): number {
    const n = splitExamples(batch.size, threads, split);
    batchDenominators(local.losses, batch, denominators);
    for (let i = 0; i < spec.losses; i++) scalarValues[i] = denominators[i];
    for (let i = 0; i < layout.length; i++) paramViews[i].set(params.get(layout[i].name)!);
    for (let k = 1; k < n; k++) {
      const part = parts[k - 1];
      const region = gather(batch, split[2 * k], split[2 * k + 1], part.view, part.region, true);
      let command = RUN;
      if (region !== part.region) {
        part.region = region;
        part.port.postMessage({ region }); // the worker reads it from its port before the step
        command |= NEW_REGION;
      }
      Atomics.store(controlWords, part.slot * SLOT + COMMAND, command);
      Atomics.add(controlWords, part.slot * SLOT + GO, 1);
      Atomics.notify(controlWords, part.slot * SLOT + GO);
    }
    mainRegion = gather(batch, split[0], split[1], mainPart, mainRegion, false);
    let problem: Error | undefined;
    let loss = 0;
    try {
      loss = local.lossAndGrad(params, grads, mainPart.batch!);
    } catch (error) {
      problem = error as Error;
    }
    for (let k = 1; k < n; k++) {
      const part = parts[k - 1];
      const status = wait(part);
      if (status !== OK) {
        problem ??= new Error(status === FAILED ? `a training worker failed: ${(receiveMessageOnPort(part.port)?.message as { error?: string } | undefined)?.error}` : "a training worker stopped");
        continue;
      }
      loss += scalarValues[spec.losses + part.slot];
      // Only the chunks the worker flagged as holding anything but zeros.
      const from = part.grads;
      const flagged = part.slot * chunks;
      for (let q = 0; q < layout.length; q++) {
        const g = grads.get(layout[q].name)!;
        const { offset, length } = layout[q];
        for (let i = 0; i < length; ) {
          const chunk = (offset + i) >> CHUNK_BITS;
          const end = Math.min(length, ((chunk + 1) << CHUNK_BITS) - offset);
          if (flagValues[flagged + chunk]) for (let j = offset + i; i < end; i++, j++) g[i] += from[j];
          else i = end;
        }
      }
    }
    if (problem) throw problem;
    lastParts = n;
    lastSize = batch.size;
    return loss;
  }

  /**
   * Blocks until the worker has finished its step; its status. (Spinning a while before sleeping,
   * here or in the worker, was measured slower on this machine, not faster.)
   */
  function wait(part: Part): number {
    const at = part.slot * SLOT;
    const go = Atomics.load(controlWords, at + GO);
    for (;;) {
      const done = Atomics.load(controlWords, at + DONE);
      if (done === go) return Atomics.load(controlWords, at + STATUS);
      Atomics.wait(controlWords, at + DONE, done, 1000);
      if (Atomics.load(controlWords, at + STATUS) === GONE) return GONE;
    }
  }

  /** Each carried state's rows in example order: part 0's from the local instance, the others' from their regions. */
  function finalStates(): Map<string, FloatArray> {
    if (lastParts === 0) return local.finalStates();
    const mine = local.finalStates();
    const out = new Map<string, FloatArray>();
    spec.carried.forEach((c, i) => {
      const all = new Arrays(lastSize * c.size);
      all.set(mine.get(c.name)!.subarray(0, split[1] * c.size), 0);
      for (let k = 1; k < lastParts; k++) all.set(parts[k - 1].view.final[i], split[2 * k] * c.size);
      out.set(c.name, all);
    });
    return out;
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await Promise.all(
      parts.map(async (part) => {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          part.worker.once("exit", () => resolve());
          if (part.worker.threadId === -1) return resolve(); // gone already
          Atomics.store(controlWords, part.slot * SLOT + COMMAND, QUIT);
          Atomics.add(controlWords, part.slot * SLOT + GO, 1);
          Atomics.notify(controlWords, part.slot * SLOT + GO);
          timer = setTimeout(() => part.worker.terminate().then(() => resolve(), () => resolve()), 2000);
        });
        clearTimeout(timer);
        part.port.close();
      }),
    );
    loading?.cleanup();
  }

  // loss, predict, generate and beamSearch run on the local instance, single-threaded: they are
  // evaluation and sampling, not the training step.
  const model: ParallelModel = {
    name: local.name,
    params: local.params,
    data: local.data,
    losses: local.losses,
    carried: local.carried,
    threads,
    get choice() {
      return choice;
    },
    createParams: () => local.createParams(),
    loss(params, batch) {
      lastParts = 0;
      return local.loss(params, batch);
    },
    lossAndGrad,
    predict(params, batch) {
      lastParts = 0;
      return local.predict(params, batch);
    },
    finalStates,
    close,
  };
  const flow = local.gradientFlow?.bind(local);
  if (flow)
    model.gradientFlow = (params, batch) => {
      lastParts = 0; // a probe, whole on the main thread
      return flow(params, batch);
    };
  if (local.generate) model.generate = local.generate.bind(local);
  if (local.beamSearch) model.beamSearch = local.beamSearch.bind(local);
  return model;
}

/**
 * The size of each carried state, found by running the model once on one example of one step
 * (zeros): its final states are then its initial ones.
 */
function carriedSizes(model: CompiledModel): { name: string; size: number }[] {
  if (model.carried.length === 0) return [];
  const lengths: ModelBatch["lengths"] = {};
  for (const d of model.data) if (d.sequence && d.axis) lengths[d.axis] = Int32Array.of(1);
  const fields = new Map(model.data.map((d) => [d.name, new Float64Array(d.kind === "ids" ? 1 : d.size)]));
  model.loss(model.createParams(), { size: 1, lengths, fields });
  const states = model.finalStates();
  return model.carried.map((name) => ({ name, size: states.get(name)!.length }));
}

/** How the workers get their code, TypeScript both (worker.ts and the emitted module). */
export type WorkerLoader = "esbuild" | "tsx";

interface Loading {
  entry: string; // a file, or (eval) a script
  evaluated: boolean;
  module: string; // the URL the worker imports the model from
  /** Removes what was written for the workers. */
  cleanup(): void;
}

/**
 * Plain JavaScript for the workers, when esbuild (which tsx runs on) can be imported: worker.ts
 * bundled once per process, the module bundled per model (its own imports included, top-level
 * await kept), both written to a temporary directory. A worker then starts in about 0.2 s.
 * Otherwise, or when asked: each worker registers tsx's loader in its own thread (hooks
 * registered in the main thread do not reach workers, and `new Worker("x.ts")` is refused before
 * any `--import` could help) — about a second per worker, and two seconds of CPU.
 */
async function workerLoading(moduleFile: string, loader: WorkerLoader | undefined): Promise<Loading> {
  if (loader !== "tsx") {
    let esbuild: typeof import("esbuild") | undefined;
    try {
      esbuild = await import("esbuild");
    } catch (error) {
      if (loader === "esbuild") throw error;
    }
    if (esbuild) {
      const dir = mkdtempSync(join(tmpdir(), "rnnc-workers-"));
      const bundle = (from: string, to: string) =>
        esbuild.buildSync({ entryPoints: [from], outfile: join(dir, to), bundle: true, format: "esm", platform: "node", target: "node20", logLevel: "silent" });
      bundledWorker ??= (() => {
        const workerDir = mkdtempSync(join(tmpdir(), "rnnc-worker-"));
        process.once("exit", () => rmSync(workerDir, { recursive: true, force: true }));
        const file = join(workerDir, "worker.mjs");
        esbuild.buildSync({ entryPoints: [fileURLToPath(new URL("./worker.ts", import.meta.url))], outfile: file, bundle: true, format: "esm", platform: "node", target: "node20", logLevel: "silent" });
        return file;
      })();
      bundle(moduleFile, "model.mjs");
      return { entry: bundledWorker, evaluated: false, module: pathToFileURL(join(dir, "model.mjs")).href, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    }
  }
  const tsx = tsxApi();
  const worker = new URL("./worker.ts", import.meta.url).href;
  const entry = `import(${JSON.stringify(tsx)})
  .then((tsx) => { (tsx.register ?? tsx.default.register)(); return import(${JSON.stringify(worker)}); })
  .catch((error) => { require("node:worker_threads").parentPort.postMessage({ failed: String(error && error.stack || error) }); });`;
  return { entry, evaluated: true, module: pathToFileURL(moduleFile).href, cleanup: () => {} };
}

let bundledWorker: string | undefined;

function tsxApi(): string {
  try {
    return import.meta.resolve("tsx/esm/api");
  } catch {
    return pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api")).href;
  }
}
