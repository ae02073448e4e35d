// Reading a run directory back for the report: settings.json and metrics.jsonl (run-record.ts
// has their formats). Readers are lenient where a live run is concerned — a run in progress may
// have no epoch yet, or a last line half written — and strict elsewhere: a directory that holds
// no run is named, with the runs it holds if it is a model's folder of runs.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { runFiles } from "../run-dir.ts";
import type { EpochLine, RunSettingsFile } from "../run-record.ts";
import { Stop } from "../stop.ts";

/** A line of metrics.jsonl as found: written by some version of rnnc, so any field but the epoch may be absent (or null, for a number that was not finite). */
export type EpochRecord = { epoch: number } & { [K in keyof EpochLine]?: EpochLine[K] | null };

export interface Run {
  /** The directory as given (trailing slashes dropped): the run's name on the page. */
  dir: string;
  settings: Partial<RunSettingsFile>;
  /** In epoch order, one per epoch. */
  epochs: EpochRecord[];
  /** What the reader noticed and the page should say: no epoch yet, a line being written. */
  notes: string[];
}

export function readRun(given: string): Run {
  const dir = given.length > 1 ? given.replace(/\/+$/, "") : given;
  const files = runFiles(dir);
  if (!existsSync(dir)) throw new Stop(`rnnc report: ${dir}: no such directory`);
  if (!statSync(dir).isDirectory()) {
    const parent = dirname(dir);
    throw new Stop(`rnnc report: ${dir} is a file; name the run's directory${existsSync(runFiles(parent).settings) ? `, ${parent}` : " (runs/MODEL/N)"}`);
  }
  if (!existsSync(files.settings)) {
    const held = numberedRuns(dir);
    const hint = held.length ? `; it holds the runs ${held.join(", ")}: name one or more, e.g. rnnc report ${held.at(-1)}` : " (a run directory is what rnnc train writes, runs/MODEL/N)";
    throw new Stop(`rnnc report: ${dir} is not a run directory: it has no settings.json${existsSync(files.metrics) ? "" : " and no metrics.jsonl"}${hint}`);
  }
  const settings = readSettings(files.settings);
  const notes: string[] = [];
  const epochs = existsSync(files.metrics) ? readMetrics(files.metrics, notes) : [];
  if (epochs.length === 0) notes.push("no epoch has finished yet");
  return { dir, settings, epochs, notes };
}

function readSettings(file: string): Partial<RunSettingsFile> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Stop(`rnnc report: ${file}: not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Stop(`rnnc report: ${file}: not a settings object`);
  return parsed as Partial<RunSettingsFile>;
}

/**
 * The epochs of metrics.jsonl. A resumed run may write an epoch again (it went back to the last
 * checkpoint): the later line wins. A last line without its newline is being written: skipped.
 */
export function readMetrics(file: string, notes: string[] = []): EpochRecord[] {
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  const byEpoch = new Map<number, EpochRecord>();
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      if (i === lines.length - 1) return void notes.push(`the last line of metrics.jsonl is incomplete (being written?): left out`);
      throw new Stop(`rnnc report: ${file}:${i + 1}: not a JSON line`);
    }
    const epoch = (parsed as { epoch?: unknown })?.epoch;
    if (typeof epoch !== "number" || !Number.isInteger(epoch) || epoch < 1) throw new Stop(`rnnc report: ${file}:${i + 1}: no epoch number`);
    byEpoch.set(epoch, parsed as EpochRecord);
  });
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

/** `runs/names` → `runs/names/1`, `runs/names/2`: the runs in a model's folder. */
function numberedRuns(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => /^\d+$/.test(name) && existsSync(runFiles(join(dir, name)).settings))
      .sort((a, b) => Number(a) - Number(b))
      .map((name) => join(dir, name));
  } catch {
    return [];
  }
}
