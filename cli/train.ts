// rnnc train MODEL.rnn --data TRAIN.jsonl: check → data → vocabularies → lower → differentiate →
// backend → initialize → epochs, into a run directory of its own (runs/MODEL/N/) that holds the
// last and best checkpoints, metrics.jsonl, settings.json, the model's text and report.html.
// Ctrl-C or SIGTERM finishes the batch, saves where it stood and exits 130; `--resume RUN_DIR`
// continues exactly there. A NaN or infinity stops at once and leaves the last good checkpoint.
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import type { TrainSettings } from "../compiler/2-check/checked.ts";
import { initialize } from "../runtime/init.ts";
import { Rng } from "../runtime/rng.ts";
import type { ParallelModel } from "../runtime/parallel/index.ts";
import type { FloatArray } from "../runtime/types.ts";
import { parseOverrides } from "./check.ts";
import { checkWritable, checkpointVocabularies, readCheckpoint, type RunMeta, type RunState } from "./checkpoints.ts";
import { Course, courseProblem } from "./course.ts";
import { formatEvaluation, formatLoss } from "./metrics.ts";
import { modelFields } from "./model-data.ts";
import { Progress, formatDuration } from "./progress.ts";
import { claimRunDir, lockRunDir, namedRunDir, runFiles, type RunLock } from "./run-dir.ts";
import type { EpochLine, RunSettingsFile } from "./run-record.ts";
import { writeReport } from "./report.ts";
import { checkCopyTarget, RunWriter } from "./run-writer.ts";
import { checkTrainingArgs, loadTrainingData, sameSource, type DataSourceArgs } from "./data-source.ts";
import { backendNamed, compileModel, loadModel, whole } from "./setup.ts";
import { checkMemory, memoryLimit, trainingBudget, trainingMemoryUse } from "./memory-use.ts";
import { printable } from "../compiler/escape.ts";
import { Stop, stopping } from "./stop.ts";
import { describeRun, threadCount, backendFor } from "./train-setup.ts";
import { createOptimizer, trainEpochs, type EpochRecord, type Position } from "./train-loop.ts";
import { applyCopy, describeInit, initRecord, loadCarryingVocabularies, planCopy, readInitSource } from "./init-from.ts";
import { summarize } from "./summary.ts";
import { removeStaleTemporaries } from "./stale-saves.ts";
import { savedOverrides } from "./saved-overrides.ts";

export interface TrainArgs extends DataSourceArgs {
  file?: string; // none with --resume: the run's own copy
  epochs?: string;
  batch?: string;
  seed?: string;
  limit?: string;
  sets: string[];
  checkpoint?: string;
  runDir?: string;
  resume?: string;
  overwrite?: boolean;
  saveEvery?: string;
  backend: string;
  quiet: boolean;
  /** `auto` (the default) or a whole number: how many threads share each batch. */
  threads?: string;
  /** --memory-limit: refuse a run that needs more (cli/memory.ts). */
  memoryLimit?: string;
  /** Another model's checkpoint (or run directory) to copy the parameters of matching name and shape from (cli/init-from.ts). */
  initFrom?: string;
}

export const trainCommand = async (args: TrainArgs) => (await trainRun(args)).code;

/**
 * Trains, and says where: the exit code and the run directory (once one was claimed). The
 * workers of a parallel model and the run directory's lock are let go however training ends.
 */
export async function trainRun(args: TrainArgs): Promise<{ code: number; dir?: string }> {
  const open: ParallelModel[] = [];
  const locks: RunLock[] = [];
  const run: { dir?: string } = {};
  const code = await stopping(async () => {
    try {
      return await train(args, open, locks, run);
    } finally {
      for (const lock of locks) lock.release();
      await Promise.all(open.map((model) => model.close()));
    }
  });
  return { code, ...run };
}

/** What a resumed run takes from its directory: the model's text, the data, the overrides, where it stood. */
interface Resumed {
  dir: string;
  settings: RunSettingsFile;
  meta: RunMeta;
}

async function train(args: TrainArgs, open: ParallelModel[], locks: RunLock[], run: { dir?: string }): Promise<number> {
  if (args.resume !== undefined && args.initFrom !== undefined)
    throw new Stop(`rnnc train: --init-from starts a new run, and --resume continues one from its own checkpoint (what --init-from gave it was copied when it started): give one or the other`, 2);
  const resumed = args.resume !== undefined ? resumedRun(args.resume, locks) : undefined;
  const file = resumed ? runFiles(resumed.dir).model : args.file!;
  if (!resumed) checkTrainingArgs(args);
  if (args.checkpoint) checkWritable(args.checkpoint); // now, not after an epoch of training
  const overrides = flagOverrides(args, resumed && Object.fromEntries(savedOverrides({ meta: resumed.meta as unknown as Record<string, unknown> }, runFiles(resumed.dir).last, file)));
  const limit = args.limit === undefined ? undefined : whole("--limit", args.limit, 1);
  const memory = memoryLimit(args.memoryLimit);
  const saveEvery = args.saveEvery === undefined ? undefined : minutes(args.saveEvery);
  const say = (line: string) => args.quiet || console.log(printable(line, "\n")); // file names, tokens: written out (compiler/escape.ts)

  const { model: checked, source } = loadModel(file, overrides);
  const settings = checked.train;
  if (resumed && settings.epochs <= resumed.meta.epoch) {
    const done = resumed.meta.epoch;
    throw new Stop(`rnnc train: ${resumed.dir} has trained ${done} epoch${done === 1 ? "" : "s"} already, and ${settings.epochs} ${settings.epochs === 1 ? "is" : "are"} asked for: nothing is left to do; --epochs ${done + 1} or more continues it`, 2);
  }
  const { threads, auto } = threadCount(args, settings.batch);
  const fields = modelFields(checked);
  const saved = resumed && readCheckpoint(runFiles(resumed.dir).last);
  const known = saved && checkpointVocabularies(saved, fields, runFiles(resumed!.dir).last);
  // A resumed run reads exactly what it read before: the same files, the same way.
  const sourceArgs = resumed ? sameSource(resumed.settings.data as Parameters<typeof sameSource>[0], args.skipInvalid) : args;
  const initSource = args.initFrom !== undefined ? readInitSource(args.initFrom) : undefined;
  const sourceOptions = { ...(limit ? { limit } : {}), ...(known ? { vocabularies: known } : {}), ...(args.quiet ? { say: () => {} } : {}) };
  // --init-from: the vocabularies of the copied parameters are the checkpoint's, so that a copied embedding's row k is the token it was.
  const carrying = initSource && (await loadCarryingVocabularies(checked, initSource, sourceArgs, fields, sourceOptions));
  const read = carrying?.read ?? (await loadTrainingData(sourceArgs, fields, sourceOptions));
  const { train: trainData, valid, source: dataSource } = read;
  const [data, validFile] = [dataSource.train, dataSource.valid];
  const backend = backendFor(args, threads, open, auto ? say : undefined);
  // The largest batch the run will form (the longest sequences), checked against --memory-limit before anything is compiled or allocated.
  const trainingUse = trainingMemoryUse(checked, settings, trainData.examples, valid?.examples);
  const budget = trainingBudget(file, checked, args.backend, memory, settings.bptt);
  const model = await compileModel(checked, trainData.vocabularies, data, backend, (program) => checkMemory(program, budget, trainingUse));
  const problem = courseProblem(settings, valid ? "some" : "none", model.losses.map((l) => (l.kind === "mse" ? "rmse" : "accuracy")));
  if (problem) throw new Stop(`rnnc train: ${problem}`, 2);
  const copy = initSource && planCopy(model, initSource); // refuses a parameter of another shape, before anything is written

  if (args.checkpoint) {
    checkCopyTarget(args.checkpoint, resumed && resolve(resumed.dir), args.overwrite ?? false);
  }
  // Where the run writes: its own directory, claimed only now that everything else is good.
  const dir = resumed?.dir ?? (args.runDir !== undefined ? namedRunDir(args.runDir, args.overwrite ?? false) : claimRunDir(file));
  if (!resumed) locks.push(lockRunDir(dir));
  run.dir = dir;
  // A save killed halfway (SIGKILL) left NAME.PID.tmp files: the lock is ours now, so any other's are stale.
  for (const line of [removeStaleTemporaries(dir, { since: Date.now() }), args.checkpoint && removeStaleTemporaries(dirname(resolve(args.checkpoint)), { only: basename(args.checkpoint) })]) if (line) say(line);
  const startedAt = resumed?.settings.startedAt ?? new Date().toISOString();

  const rng = new Rng(settings.seed);
  const params = model.createParams();
  for (const p of model.params) initialize(params.get(p.name)!, p.shape, p.init, rng);
  if (copy) applyCopy(copy, params, initSource!);
  const optimizer = optimizerFor(settings);
  if (saved) {
    for (const [name, values] of params) values.set(saved.params[name].values);
    optimizer.load(saved.optimizer);
    rng.load(saved.rng);
  }
  const course = new Course(settings, valid !== undefined, resumed?.meta.course);
  const state: RunState<FloatArray> = { model, params, vocabularies: trainData.vocabularies, optimizer, rng };
  const writer = new RunWriter(dir, state, args.checkpoint);
  const count = model.params.reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
  if (resumed) writer.keepMetricsUpTo(resumed.meta.epoch);
  else
    writer.start(
      {
        model: checked.name,
        modelFile: file,
        command: process.argv.slice(2),
        settings: settings as unknown as Record<string, unknown>,
        overrides: Object.fromEntries(overrides),
        data: { ...dataSource, examples: trainData.examples.length, ...(valid ? { validExamples: valid.examples.length } : {}) },
        parameters: count,
        summary: summarize(checked, source),
        backend: args.backend,
        threads,
        startedAt,
        monitor: { name: course.monitored, lowerIsBetter: settings.monitor !== "accuracy" },
        ...(copy ? { initFrom: initRecord(copy, initSource!, carrying!.carriedData) } : {}),
      },
      source,
    );

  const history: Record<string, unknown>[] = [...((resumed?.meta.history as Record<string, unknown>[] | undefined) ?? [])];
  const elapsedBefore = resumed?.meta.elapsed ?? 0;
  const runStarted = performance.now();
  const elapsed = () => elapsedBefore + (performance.now() - runStarted) / 1000;
  let completed = resumed?.meta.epoch ?? 0;
  const meta = (position: Position | undefined): RunMeta => ({
    epoch: completed,
    epochs: settings.epochs,
    ...(position && position.batch > 0 ? { interrupted: { epoch: position.epoch, batch: position.batch, batches: position.batches } } : {}),
    ...(position ? { position } : {}),
    course: course.state(),
    elapsed: elapsed(),
    run: { dir: resolve(dir), startedAt },
    metrics: history.at(-1) ?? {},
    history,
    modelFile: resumed?.meta.modelFile ?? file,
    source,
    overrides: Object.fromEntries(overrides),
    dataSizes: Object.fromEntries(model.data.filter((d) => d.kind === "ids" && !d.name.endsWith("@input")).map((d) => [d.name, d.size])),
    data: { ...dataSource, examples: trainData.examples.length },
    backend: args.backend,
    savedAt: new Date().toISOString(),
  });

  say(describeRun(model, checked, trainData.examples.length, valid?.examples.length, { ...args, data, ...(validFile ? { valid: validFile } : {}) }, threads, auto));
  if (copy) for (const line of describeInit(copy, initSource!, carrying!.carriedData, settings.freeze)) say(line);
  say(resumed ? `resuming ${dir} ${where(resumed.meta.position, resumed.meta.epoch)}` : `run directory: ${dir}`);
  const progress = new Progress({ tty: process.stdout.isTTY === true, write: (text) => process.stdout.write(text), epochs: settings.epochs, unit: model.data.some((d) => d.sequence) ? "tokens" : "examples" });
  // report.html is redrawn after every epoch: open it in a browser and reload as the run goes.
  let reportFailed = false;
  const report = () => {
    try {
      writeReport([dir], runFiles(dir).report);
    } catch (error) {
      if (!reportFailed) console.error(`warning: ${runFiles(dir).report} not written: ${(error as Error).message} (training goes on)`);
      reportFailed = true;
    }
  };
  const stop = stopOnSignals();
  let lastSave = performance.now();
  let outcome;
  try {
    outcome = await trainEpochs({
      model,
      params,
      settings,
      optimizer,
      rng,
      course,
      train: trainData.examples,
      ...(valid ? { valid: valid.examples } : {}),
      vocabularies: trainData.vocabularies,
      arrays: backendNamed(args.backend).arrays,
      ...(resumed ? { from: resumed.meta.position ?? fromEpoch(resumed.meta.epoch + 1, rng) } : {}),
      onBatch(done) {
        if (!args.quiet) progress.batch(done);
        if (saveEvery !== undefined && performance.now() - lastSave >= saveEvery && done.batch < done.batches) {
          writer.save(meta(done.position()), false);
          lastSave = performance.now();
        }
      },
      onEpoch(record) {
        completed = record.epoch;
        history.push(epochMetrics(record));
        writer.save(meta(fromEpoch(record.epoch + 1, rng)), record.verdict.improved);
        writer.append(epochLine(record, elapsed()));
        report();
        lastSave = performance.now();
        progress.clear();
        say(formatEpoch(record));
        if (record.verdict.lrChanged) say(`  ${record.verdict.lrChanged}`);
      },
      stopRequested: stop.requested,
    });
  } finally {
    stop.release();
    progress.clear();
  }

  const files = runFiles(dir);
  const best = course.best ? `best: ${files.best} (epoch ${course.best.epoch}, ${course.monitored} ${formatLoss(course.best.value)})` : `last: ${files.last}`;
  switch (outcome.kind) {
    case "finished":
    case "stopped early":
      if (outcome.kind === "stopped early") console.log(`stopped early after epoch ${outcome.epochs}: ${outcome.why}`);
      console.log(`trained ${checked.name} for ${outcome.epochs} epoch${outcome.epochs === 1 ? "" : "s"} in ${formatDuration(elapsed())}; run directory: ${dir}\n  ${best}\n  report: ${files.report}`);
      return 0;
    case "interrupted": {
      const position = outcome.position;
      writer.save(meta(position), false);
      console.error(`interrupted ${where(position, completed)}; checkpoint: ${files.last}\n  continue with: rnnc train --resume ${dir}`);
      return 130;
    }
    case "diverged": {
      const kept = completed > 0 ? `the last good checkpoint, ${files.last} (epoch ${completed}), is left as it was` : "no checkpoint was saved (no epoch finished)";
      const clipping = settings.clipNorm === undefined ? ", or gradient clipping (clip_norm 5)," : "";
      console.error(
        `rnnc train: stopped at epoch ${outcome.epoch}, batch ${outcome.batch} of ${outcome.batches}: ${outcome.what}\n` +
          `  ${kept}\n  hint: a smaller learning rate (lr is ${settings.optimizer.lr})${clipping} may help`,
      );
      return 1;
    }
  }
}

/** A run directory to continue: locked, with its settings and its last checkpoint's meta. */
function resumedRun(dir: string, locks: RunLock[]): Resumed {
  const files = runFiles(dir);
  if (!existsSync(files.settings) || !existsSync(files.model)) throw new Stop(`rnnc train: ${dir} is not a run directory (no settings.json and model.rnn)`, 2);
  if (!existsSync(files.last)) throw new Stop(`rnnc train: ${dir} has no checkpoint to resume from (it stopped before its first save)`, 2);
  locks.push(lockRunDir(dir));
  const settings = JSON.parse(readFileSync(files.settings, "utf8")) as RunSettingsFile;
  const meta = readCheckpoint(files.last).meta as unknown as RunMeta;
  return { dir, settings, meta };
}

/** A position at the start of an epoch: the RNG as it is. */
const fromEpoch = (epoch: number, rng: Rng): Position => ({ epoch, batch: 0, batches: 0, rngAtEpochStart: rng.state(), lossSum: 0, seen: 0, norms: { sum: 0, count: 0, max: 0 } });

const where = (position: Position | undefined, completed: number) =>
  position && position.batch > 0 ? `in epoch ${position.epoch}, after batch ${position.batch} of ${position.batches}` : `after epoch ${completed}`;

/** Ctrl-C and SIGTERM ask the loop to stop after its batch (a second Ctrl-C quits at once). */
function stopOnSignals() {
  let requested = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (requested && signal === "SIGINT") process.exit(130); // the user insists
    requested = true;
    console.error(`\n${signal === "SIGINT" ? "interrupted" : "terminated"}: finishing this batch, then saving the checkpoint${signal === "SIGINT" ? " (Ctrl-C again to quit at once)" : ""}`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    requested: () => requested,
    release: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

function optimizerFor(settings: TrainSettings) {
  try {
    return createOptimizer(settings);
  } catch (error) {
    throw new Stop(`rnnc train: ${(error as Error).message}`); // e.g. adam(beta1: 1)
  }
}

/** The saved overrides of a resumed run, then `--set` and the shorthand flags (`--epochs 3` is `--set epochs=3`). */
function flagOverrides(args: TrainArgs, saved: Record<string, number> = {}): Map<string, number> {
  const given = parseOverrides(args.sets);
  if (!given) throw new Stop("", 2); // parseOverrides has said why
  const overrides = new Map([...Object.entries(saved), ...given]);
  if (args.epochs !== undefined) overrides.set("epochs", whole("--epochs", args.epochs, 1));
  if (args.batch !== undefined) overrides.set("batch", whole("--batch", args.batch, 1));
  if (args.seed !== undefined) overrides.set("seed", whole("--seed", args.seed, 0));
  return overrides;
}

/** --save-every MINUTES, in milliseconds. */
function minutes(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Stop(`rnnc: --save-every takes a number of minutes above 0, not '${text}'`, 2);
  return n * 60_000;
}

function formatEpoch(r: EpochRecord): string {
  const valid = r.valid ? `  ${formatEvaluation(r.valid, "valid ")}` : "";
  return `epoch ${r.epoch}/${r.epochs}  train loss ${formatLoss(r.trainLoss)}${valid}  lr ${r.lr.toPrecision(3)}  (${r.seconds.toFixed(1)} s)${r.verdict.improved ? "  best" : ""}`;
}

function epochMetrics(r: EpochRecord): Record<string, unknown> {
  return { epoch: r.epoch, trainLoss: r.trainLoss, seconds: r.seconds, ...(r.valid ? { validLoss: r.valid.loss, valid: r.valid.metrics } : {}) };
}

function epochLine(r: EpochRecord, seconds: number): EpochLine {
  const several = (r.valid?.metrics.length ?? 0) > 1;
  return {
    epoch: r.epoch,
    updates: r.updates,
    seconds,
    trainLoss: r.trainLoss,
    ...(r.valid ? { validLoss: r.valid.loss, valid: Object.fromEntries(r.valid.metrics.map((m) => [several ? `${m.kind}(${m.target})` : m.kind, m.value])) } : {}),
    lr: r.lr,
    gradNorm: r.gradNorm,
    ...(r.gradientFlow ? { gradientFlow: Object.fromEntries([...r.gradientFlow].map(([name, norms]) => [name, [...norms]])) } : {}),
    best: r.verdict.improved,
  };
}

