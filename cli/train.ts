// rnnc train MODEL.rnn --data TRAIN.jsonl: check → data → vocabularies → lower → differentiate →
// backend → initialize → epochs, a checkpoint saved after each. Ctrl-C finishes the batch, saves
// and exits 130; a NaN or infinity stops at once and leaves the last good checkpoint as it was.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { CheckedModel, TrainSettings } from "../compiler/2-check/checked.ts";
import { initialize } from "../runtime/init.ts";
import type { CompiledModel } from "../runtime/model.ts";
import { Rng } from "../runtime/rng.ts";
import { parallelModel, type ParallelModel, type ParallelOptions } from "../runtime/parallel/index.ts";
import type { FloatArray } from "../runtime/types.ts";
import type { Backend } from "./backends.ts";
import { parseOverrides } from "./check.ts";
import { checkWritable, saveRun, type RunMeta, type RunState } from "./checkpoints.ts";
import { emittedModuleFile, importCompiledModel } from "./compiled-model.ts";
import { formatEvaluation, formatLoss } from "./metrics.ts";
import { modelFields } from "./model-data.ts";
import { backendNamed, compileModel, defaultCheckpointPath, loadData, loadModel } from "./setup.ts";
import { Stop, stopping } from "./stop.ts";
import { createOptimizer, trainEpochs, type EpochRecord, type TrainOutcome } from "./train-loop.ts";

export interface TrainArgs {
  file: string;
  data?: string;
  valid?: string;
  epochs?: string;
  batch?: string;
  seed?: string;
  limit?: string;
  sets: string[];
  checkpoint?: string;
  backend: string;
  quiet: boolean;
  skipInvalid: boolean;
  /** `auto` (the default) or a whole number: how many threads share each batch. */
  threads?: string;
}

/** The workers of a parallel model are closed however training ends: finished, interrupted, failed. */
export const trainCommand = (args: TrainArgs) =>
  stopping(async () => {
    const open: ParallelModel[] = [];
    try {
      return await train(args, open);
    } finally {
      await Promise.all(open.map((model) => model.close()));
    }
  });

async function train(args: TrainArgs, open: ParallelModel[]): Promise<number> {
  if (!args.data) throw new Stop("rnnc train: name the training data, e.g. rnnc train examples/parity.rnn --data parity-train.jsonl", 2);
  const overrides = flagOverrides(args);
  const limit = args.limit === undefined ? undefined : whole("--limit", args.limit, 1);
  const backend = backendNamed(args.backend);
  const checkpointPath = args.checkpoint ?? defaultCheckpointPath(args.file);
  const say = (line: string) => args.quiet || console.log(line);

  const { model: checked, source } = loadModel(args.file, overrides);
  const { threads, auto } = threadCount(args, checked.train.batch);
  const fields = modelFields(checked);
  const train = await loadData(args.data, fields, { skipInvalid: args.skipInvalid, ...(limit ? { limit } : {}) });
  const valid = args.valid ? await loadData(args.valid, fields, { vocabularies: train.vocabularies, skipInvalid: args.skipInvalid }) : undefined;
  const model = await compileModel(checked, train.vocabularies, args.data, threads > 1 ? onThreads(args.backend, threads, open, auto ? say : undefined) : backend);
  checkWritable(checkpointPath);

  const settings = checked.train;
  const rng = new Rng(settings.seed);
  const params = model.createParams();
  for (const p of model.params) initialize(params.get(p.name)!, p.shape, p.init, rng);
  const optimizer = optimizerFor(settings);
  const state: RunState<FloatArray> = { model, params, vocabularies: train.vocabularies, optimizer, rng };

  const history: Record<string, unknown>[] = [];
  let saved: RunMeta | undefined;
  const meta = (epoch: number, interrupted?: RunMeta["interrupted"]): RunMeta => ({
    epoch,
    epochs: settings.epochs,
    ...(interrupted ? { interrupted } : {}),
    metrics: history.at(-1) ?? {},
    history,
    modelFile: args.file,
    source,
    overrides: Object.fromEntries(overrides),
    dataSizes: Object.fromEntries(model.data.filter((d) => d.kind === "ids" && !d.name.endsWith("@input")).map((d) => [d.name, d.size])),
    data: { train: args.data!, ...(args.valid ? { valid: args.valid } : {}), examples: train.examples.length },
    backend: args.backend,
    savedAt: new Date().toISOString(),
  });
  const save = (m: RunMeta) => {
    saveRun(checkpointPath, state, m);
    saved = m;
  };

  say(describeRun(model, checked, train.examples.length, valid?.examples.length, args, threads, auto));
  let stopRequested = false;
  const onSigint = () => {
    if (stopRequested) process.exit(130); // a second Ctrl-C: the user insists
    stopRequested = true;
    console.error("\ninterrupted: finishing this batch, then saving the checkpoint (Ctrl-C again to quit at once)");
  };
  process.on("SIGINT", onSigint);
  let outcome: TrainOutcome;
  try {
    outcome = await trainEpochs({
      model,
      params,
      settings,
      optimizer,
      rng,
      train: train.examples,
      ...(valid ? { valid: valid.examples } : {}),
      vocabularies: train.vocabularies,
      arrays: backend.arrays,
      onEpoch(record) {
        history.push(epochMetrics(record));
        save(meta(record.epoch));
        say(formatEpoch(record));
      },
      onProgress: (p) => say(`  epoch ${p.epoch}/${settings.epochs}  batch ${p.batch}/${p.batches}  train loss ${formatLoss(p.trainLoss)}  (${p.seconds.toFixed(1)} s)`),
      stopRequested: () => stopRequested,
    });
  } finally {
    process.off("SIGINT", onSigint);
  }

  switch (outcome.kind) {
    case "finished":
      console.log(`trained ${checked.name} for ${outcome.epochs} epoch${outcome.epochs === 1 ? "" : "s"}; checkpoint: ${checkpointPath}`);
      return 0;
    case "interrupted": {
      const { epoch, batch, batches } = outcome;
      if (batch > 0) save(meta(epoch - 1, { epoch, batch, batches }));
      const when = batch > 0 ? `in epoch ${epoch}, after batch ${batch} of ${batches}` : `after epoch ${epoch - 1}`;
      console.error(`interrupted ${when}; checkpoint: ${checkpointPath}`);
      return 130;
    }
    case "diverged": {
      const kept = saved
        ? `the last good checkpoint, ${checkpointPath} (epoch ${saved.epoch}), is left as it was`
        : existsSync(checkpointPath)
          ? `${checkpointPath} is left as it was (no epoch of this run finished)`
          : "no checkpoint was saved (no epoch finished)";
      const clipping = settings.clipNorm === undefined ? ", or gradient clipping (clip_norm 5)," : "";
      console.error(
        `rnnc train: stopped at epoch ${outcome.epoch}, batch ${outcome.batch} of ${outcome.batches}: ${outcome.what}\n` +
          `  ${kept}\n  hint: a smaller learning rate (lr is ${settings.optimizer.lr})${clipping} may help`,
      );
      return 1;
    }
  }
}

function optimizerFor(settings: TrainSettings) {
  try {
    return createOptimizer(settings);
  } catch (error) {
    throw new Stop(`rnnc train: ${(error as Error).message}`); // e.g. adam(beta1: 1)
  }
}

/** `--set` and the shorthand flags (`--epochs 3` is `--set epochs=3`), as the checker's overrides. */
function flagOverrides(args: TrainArgs): Map<string, number> {
  const overrides = parseOverrides(args.sets);
  if (!overrides) throw new Stop("", 2); // parseOverrides has said why
  if (args.epochs !== undefined) overrides.set("epochs", whole("--epochs", args.epochs, 1));
  if (args.batch !== undefined) overrides.set("batch", whole("--batch", args.batch, 1));
  if (args.seed !== undefined) overrides.set("seed", whole("--seed", args.seed, 0));
  return overrides;
}

export function whole(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) throw new Stop(`rnnc: ${flag} takes a whole number${min > 0 ? ` of at least ${min}` : ""}, not '${text}'`, 2);
  return n;
}

function describeRun(model: CompiledModel, checked: CheckedModel, trainCount: number, validCount: number | undefined, args: TrainArgs, threads: number, auto: boolean): string {
  const count = model.params.reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
  const t = checked.train;
  const validating = validCount === undefined ? "" : `, validating on ${validCount} of ${args.valid}`;
  return `training ${checked.name} (${count} parameters) on ${trainCount} examples of ${args.data}${validating}; ${t.epochs} epoch${t.epochs === 1 ? "" : "s"} of batches of ${t.batch}${t.bptt === undefined ? "" : ` cut into windows of ${t.bptt} steps (truncated BPTT)`}, ${t.optimizer.name} lr ${t.optimizer.lr}, ${args.backend} backend${threads === 1 ? "" : auto ? ` on ${threads} threads if faster (timed on the first batches)` : ` on ${threads} threads`}`;
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
function threadCount(args: TrainArgs, batch: number): { threads: number; auto: boolean } {
  const text = args.threads ?? "auto";
  if (text === "auto") return availableParallelism() >= 2 && batch >= 16 && args.backend === "compiled" ? { threads: 2, auto: true } : { threads: 1, auto: false };
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new Stop(`rnnc: --threads takes auto or a whole number of at least 1, not '${text}'`, 2);
  const threads = Number(text);
  if (threads > 1 && !Object.hasOwn(threadedBackends, args.backend)) throw new Stop(`rnnc: --threads ${threads} needs a compiled backend (${Object.keys(threadedBackends).join(", ")}); ${args.backend} runs on one thread`, 2);
  return { threads, auto: false };
}

/**
 * The backend's module on `threads` threads: the main thread and threads - 1 workers, closed by
 * trainCommand. Auto (`say` given): kept only if the first batches run faster so, which it says.
 */
function onThreads(name: string, threads: number, open: ParallelModel[], say?: (line: string) => void): Backend {
  const [dtype, kernels] = threadedBackends[name];
  const options: ParallelOptions = say
    ? {
        trials: AUTO_TRIALS,
        onChoice: (choice, ms) =>
          say(`  ${choice === "parallel" ? `${threads} threads` : "1 thread"}: the first batches took ${ms.single.toFixed(1)} ms on 1 thread, ${ms.parallel.toFixed(1)} ms on ${threads} (medians)`),
      }
    : {};
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
        return importCompiledModel(file);
      }
    },
  };
}

function formatEpoch(r: EpochRecord): string {
  const valid = r.valid ? `  ${formatEvaluation(r.valid, "valid ")}` : "";
  return `epoch ${r.epoch}/${r.epochs}  train loss ${formatLoss(r.trainLoss)}${valid}  (${r.seconds.toFixed(1)} s)`;
}

function epochMetrics(r: EpochRecord): Record<string, unknown> {
  return {
    epoch: r.epoch,
    trainLoss: r.trainLoss,
    seconds: r.seconds,
    ...(r.valid ? { validLoss: r.valid.loss, valid: r.valid.metrics } : {}),
  };
}
