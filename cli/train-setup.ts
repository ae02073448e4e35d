// How `rnnc train` runs: on how many threads (--threads, or auto), and the one line that
// describes the run before it starts.
import { availableParallelism } from "node:os";
import type { CheckedModel } from "../compiler/2-check/checked.ts";
import type { CompiledModel } from "../runtime/model.ts";
import { parallelModel, type ParallelModel, type ParallelOptions } from "../runtime/parallel/index.ts";
import type { Backend } from "./backends.ts";
import { formatSchedule } from "./summary.ts";
import { emittedModuleFile, importCompiledModel, removeModuleFile } from "./compiled-model.ts";
import { backendNamed } from "./setup.ts";
import { Stop } from "./stop.ts";
import { workerLoader } from "./worker-loader.ts";

interface RunArgs {
  data?: string;
  valid?: string;
  backend: string;
  threads?: string;
}

export function describeRun(model: CompiledModel, checked: CheckedModel, trainCount: number, validCount: number | undefined, args: RunArgs, threads: number, auto: boolean): string {
  const count = model.params.reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
  const t = checked.train;
  const validating = validCount === undefined ? "" : `, validating on ${validCount} of ${args.valid}`;
  const course = [
    t.lrSchedule ? `lr_schedule ${formatSchedule(t.lrSchedule)}` : "",
    t.warmup ? `warmup ${t.warmup}` : "",
    t.earlyStop ? `early stopping after ${t.earlyStop.patience} epoch${t.earlyStop.patience === 1 ? "" : "s"} without improvement` : "",
  ].filter(Boolean);
  return `training ${checked.name} (${count} parameters) on ${trainCount} examples of ${args.data}${validating}; ${t.epochs} epoch${t.epochs === 1 ? "" : "s"} of batches of ${t.batch}${t.bptt === undefined ? "" : ` cut into windows of ${t.bptt} steps (truncated BPTT)`}, ${t.optimizer.name} lr ${t.optimizer.lr}${course.length ? `, ${course.join(", ")}` : ""}, ${args.backend} backend${threads === 1 ? "" : auto ? ` on ${threads} threads if faster (timed on the first batches)` : ` on ${threads} threads`}`;
}

/** The compiled backends' modules (dtype, WebAssembly kernels), which the workers of --threads import. */
const threadedBackends: Record<string, ["float32" | "float64", boolean]> = { compiled: ["float32", true], "compiled-ts": ["float32", false], compiled64: ["float64", false] };

/** Batches run both ways at the start of an auto run: the first half warm up, the others are timed. */
const AUTO_TRIALS = 16;

/**
 * --threads: a whole number, or `auto` (the default): 2 threads when the machine has 2 cores or
 * more, batches have 16 examples or more and the backend is `compiled`, and if the first batches
 * show that it is faster (measured: names ×1.5, the tagger ×1.3, parity ×0.7 — too small a model
 * to gain from cutting a batch); else 1.
 */
export function threadCount(args: RunArgs, batch: number): { threads: number; auto: boolean } {
  const text = args.threads ?? "auto";
  if (text === "auto") return availableParallelism() >= 2 && batch >= 16 && args.backend === "compiled" ? { threads: 2, auto: true } : { threads: 1, auto: false };
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new Stop(`rnnc: --threads takes auto or a whole number of at least 1, not '${text}'`, 2);
  const threads = Number(text);
  // More threads than cores only take turns, each with a copy of the model's memory (2 is allowed anywhere, so that a command runs the same on any machine).
  const most = Math.max(2, availableParallelism());
  if (threads > most) throw new Stop(`rnnc: --threads ${threads}: this machine has ${availableParallelism()} cores; more threads than that only take turns, each holding a copy of the model's buffers: give at most ${most}`, 2);
  if (threads > 1 && !Object.hasOwn(threadedBackends, args.backend)) throw new Stop(`rnnc: --threads ${threads} needs a compiled backend (${Object.keys(threadedBackends).join(", ")}); ${args.backend} runs on one thread`, 2);
  return { threads, auto: false };
}

/** The backend to train on: as named, or its module on `threads` threads (the workers go into `open`, closed by trainCommand). */
export function backendFor(args: RunArgs, threads: number, open: ParallelModel[], say?: (line: string) => void): Backend {
  const backend = backendNamed(args.backend);
  return threads > 1 ? onThreads(args.backend, threads, open, say) : backend;
}

/**
 * The backend's module on `threads` threads: the main thread and threads - 1 workers. Auto
 * (`say` given): kept only if the first batches run faster so, which it says.
 */
function onThreads(name: string, threads: number, open: ParallelModel[], say?: (line: string) => void): Backend {
  const [dtype, kernels] = threadedBackends[name];
  const options: ParallelOptions = say
    ? {
        load: workerLoader,
        trials: AUTO_TRIALS,
        onChoice: (choice, ms) =>
          say(`  ${choice === "parallel" ? `${threads} threads` : "1 thread"}: the first batches took ${ms.single.toFixed(1)} ms on 1 thread, ${ms.parallel.toFixed(1)} ms on ${threads} (medians)`),
      }
    : { load: workerLoader };
  return {
    arrays: dtype === "float64" ? Float64Array : Float32Array,
    async create(program) {
      const file = await emittedModuleFile(program, dtype, kernels);
      try {
        const model = await parallelModel(file, threads, options);
        open.push(model);
        return model;
      } catch (error) {
        if (!say) throw error; // --threads N was asked for
        console.error(`rnnc train: on one thread: the workers did not start (${(error as Error).message.split("\n")[0]})`);
        return await importCompiledModel(file);
      } finally {
        removeModuleFile(file); // imported here and loaded by every worker: no longer needed
      }
    },
  };
}
