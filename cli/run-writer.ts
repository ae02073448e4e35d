// Everything a run writes into its directory (run-dir.ts), each file whole or not at all: the
// settings and the model's text at the start, a line of metrics per epoch, `last.ckpt` after
// every epoch (and inside one, to resume from), `best.ckpt` when an epoch is the best so far,
// and a copy at --checkpoint PATH for scripts that ask for one there.
import { appendFileSync, closeSync, copyFileSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { loadCheckpointFile } from "../runtime/checkpoint-file.ts";
import type { FloatArray } from "../runtime/types.ts";
import { saveRun, type RunMeta, type RunState } from "./checkpoints.ts";
import { runFiles } from "./run-dir.ts";
import type { EpochLine, RunSettingsFile } from "./run-record.ts";
import { Stop } from "./stop.ts";

export class RunWriter<A extends FloatArray> {
  readonly files: ReturnType<typeof runFiles>;

  constructor(
    readonly dir: string,
    private readonly state: RunState<A>,
    /** --checkpoint PATH: the last checkpoint is copied there too. */
    private readonly copyTo?: string,
  ) {
    this.files = runFiles(dir);
  }

  /** settings.json and model.rnn, at the start of a new run. */
  start(settings: RunSettingsFile, source: string): void {
    writeWhole(this.files.model, source);
    writeWhole(this.files.settings, JSON.stringify(settings, null, 2) + "\n");
  }

  /** The checkpoint to resume from; the best one too when this epoch is the best so far. */
  save(meta: RunMeta, best: boolean): void {
    saveRun(this.files.last, this.state, meta);
    if (best) copyWhole(this.files.last, this.files.best);
    if (this.copyTo) copyWhole(this.files.last, this.copyTo);
  }

  /** One line of metrics.jsonl, flushed: a crash loses at most the line being written. */
  append(line: EpochLine): void {
    appendFileSync(this.files.metrics, JSON.stringify(line) + "\n");
  }

  /** A resumed run: metrics.jsonl keeps the epochs its checkpoint has, and drops any after (written before a crash). */
  keepMetricsUpTo(epoch: number): void {
    if (!existsSync(this.files.metrics)) return;
    const kept = readFileSync(this.files.metrics, "utf8")
      .split("\n")
      .filter((line) => {
        try {
          return (JSON.parse(line) as EpochLine).epoch <= epoch;
        } catch {
          return false; // a line cut short by a crash
        }
      });
    writeWhole(this.files.metrics, kept.map((l) => `${l}\n`).join(""));
  }
}

/**
 * Refuses, before any training, to overwrite at --checkpoint PATH a checkpoint that another run
 * saved (an experiment with another learning rate must not destroy a good model) unless asked to.
 */
export function checkCopyTarget(path: string, runDir: string | undefined, overwrite: boolean): void {
  if (overwrite || !existsSync(path)) return;
  let owner: string | undefined;
  try {
    owner = (loadCheckpointFile(path).meta as Partial<RunMeta>).run?.dir;
  } catch {
    owner = undefined; // unreadable: still not ours to replace
  }
  if (owner !== undefined && owner === runDir) return; // the run being resumed
  const whose = owner ? `the run in ${owner}` : "another run";
  throw new Stop(`rnnc train: ${path} holds the checkpoint of ${whose}; pass --overwrite to replace it, or name another path`, 2);
}

/** Written beside, flushed, renamed over: a reader sees the old file or the new one. */
function writeWhole(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, "w");
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

function copyWhole(from: string, to: string): void {
  const temporary = `${to}.${process.pid}.tmp`;
  try {
    copyFileSync(from, temporary);
    renameSync(temporary, to);
  } catch (error) {
    throw new Stop(`${to}: could not save the checkpoint: ${(error as Error).message}`);
  }
}

