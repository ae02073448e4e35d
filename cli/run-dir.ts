// Run directories: each `rnnc train` writes into a directory of its own, `runs/MODEL/N/` (the
// next free number) unless --run-dir names one, so that no run overwrites another's files. The
// number is claimed by creating the directory (mkdir fails if another run took it first), and a
// lock file says which process is writing there: a second run on the same directory refuses.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { basename, join } from "node:path";
import { Stop } from "./stop.ts";

/** The files of a run directory. */
export const runFiles = (dir: string) => ({
  last: join(dir, "last.ckpt"), // after every epoch (and every --save-every minutes, and on Ctrl-C)
  best: join(dir, "best.ckpt"), // the best epoch by the monitored validation number
  metrics: join(dir, "metrics.jsonl"),
  settings: join(dir, "settings.json"),
  model: join(dir, "model.rnn"),
  report: join(dir, "report.html"),
  lock: join(dir, "lock"),
});

/** `examples/names.rnn` → `names`: the folder of its runs under `runs/`. */
export const modelKey = (modelFile: string) => basename(modelFile).replace(/\.rnn$/, "").replace(/[^A-Za-z0-9_.-]/g, "_") || "model";

/** The runs of a model, oldest first: `runs/MODEL/1`, `runs/MODEL/2`, … */
export function runsOf(modelFile: string, root = "runs"): string[] {
  const dir = join(root, modelKey(modelFile));
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^\d+$/.test(name) && statSync(join(dir, name)).isDirectory())
    .sort((a, b) => Number(a) - Number(b))
    .map((name) => join(dir, name));
}

/** Creates the next free `runs/MODEL/N/`, safe against another run choosing at the same moment. */
export function claimRunDir(modelFile: string, root = "runs"): string {
  const parent = join(root, modelKey(modelFile));
  mkdirSync(parent, { recursive: true });
  let n = runsOf(modelFile, root).reduce((max, dir) => Math.max(max, Number(basename(dir))), 0);
  for (;;) {
    const dir = join(parent, String(++n));
    try {
      mkdirSync(dir);
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new Stop(`${dir}: cannot create the run directory: ${(error as Error).message}`);
    }
  }
}

/**
 * A directory named with --run-dir: created if new; one that holds a run already is refused
 * (its files would be overwritten) unless `overwrite`; --resume continues one instead.
 */
export function namedRunDir(dir: string, overwrite: boolean): string {
  if (existsSync(runFiles(dir).settings) && !overwrite)
    throw new Stop(`rnnc train: ${dir} holds a run already; continue it with --resume ${dir}, or pass --overwrite to replace its files`, 2);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new Stop(`${dir}: cannot create the run directory: ${(error as Error).message}`);
  }
  return dir;
}

/** The lock of a run directory, held while a run writes there. */
export interface RunLock {
  release(): void;
}

/**
 * Takes the directory's lock, or refuses: another process writing there would interleave its
 * checkpoints with ours. A lock left by a process that no longer runs (killed) is taken over.
 */
export function lockRunDir(dir: string): RunLock {
  const path = runFiles(dir).lock;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }) + "\n");
      closeSync(fd);
      return { release: () => rmSync(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new Stop(`${dir}: cannot lock the run directory: ${(error as Error).message}`);
      const holder = lockHolder(path);
      if (holder && holder.host === hostname() && !alive(holder.pid)) {
        rmSync(path, { force: true }); // its process is gone: a stale lock
        continue;
      }
      const who = holder ? `process ${holder.pid} on ${holder.host}, since ${holder.since}` : "another process";
      throw new Stop(`rnnc train: ${dir} is in use by ${who}; wait for it to finish, or train into another directory`, 2);
    }
  }
  throw new Stop(`${dir}: cannot lock the run directory`);
}

function lockHolder(path: string): { pid: number; host: string; since: string } | undefined {
  try {
    const holder = JSON.parse(readFileSync(path, "utf8"));
    return typeof holder?.pid === "number" && typeof holder?.host === "string" ? holder : undefined;
  } catch {
    return undefined; // being written, or not ours
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // exists, but not ours to signal
  }
}

/**
 * The checkpoint a command reads when --checkpoint is not given: the newest run's best (or its
 * last, before any best), else the MODEL.ckpt.json of earlier versions next to the model. Given
 * a run directory, its best (or last).
 */
export function checkpointFor(modelFile: string, given?: string): string {
  if (given !== undefined) return existsSync(given) && statSync(given).isDirectory() ? checkpointIn(given) ?? runFiles(given).best : given;
  for (const dir of runsOf(modelFile).reverse()) {
    const found = checkpointIn(dir);
    if (found) return found;
  }
  const legacy = `${modelFile.replace(/\.rnn$/, "")}.ckpt.json`;
  if (existsSync(legacy)) return legacy;
  throw new Stop(`${modelFile}: no trained model found (no checkpoint in runs/${modelKey(modelFile)}/); train it first, or name one with --checkpoint`);
}

const checkpointIn = (dir: string) => [runFiles(dir).best, runFiles(dir).last].find((path) => existsSync(path));
