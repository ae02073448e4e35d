// A training run's checkpoint: what `train` saves after each epoch and `evaluate` reads back.
// The format is the runtime's (runtime/checkpoint.ts); this file decides what goes into it.
import { closeSync, existsSync, openSync, statSync, unlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import type { DataField } from "../data/fields.ts";
import { Vocabulary } from "../data/vocabulary.ts";
import { loadCheckpointFile, saveCheckpointFile, temporaryPathFor } from "../runtime/checkpoint-file.ts";
import { CheckpointError, type Checkpoint } from "../runtime/checkpoint.ts";
import type { CompiledModel } from "../runtime/model.ts";
import type { Optimizer } from "../runtime/optimizers.ts";
import type { Rng } from "../runtime/rng.ts";
import type { FloatArray } from "../runtime/types.ts";
import type { CourseState } from "./course.ts";
import { Stop } from "./stop.ts";
import type { Position } from "./train-loop.ts";

/** What a checkpoint says about the run that saved it, besides params and states. */
export interface RunMeta {
  epoch: number; // complete epochs
  epochs: number;
  /** Saved inside an epoch (Ctrl-C, --save-every): where, to resume from. */
  interrupted?: { epoch: number; batch: number; batches: number };
  /** Where the run continues from on --resume: the epoch's position (`batch` 0 between epochs). */
  position?: Position;
  /** The course's state (best epoch, plateau schedule): a resumed run takes the same course. */
  course?: CourseState;
  /** Seconds trained so far (a resumed run's metrics continue the count). */
  elapsed?: number;
  /** The run this checkpoint belongs to: its directory and start, so that another run's file is never overwritten. */
  run?: { dir: string; startedAt: string };
  metrics: Record<string, unknown>; // of the last complete epoch
  history: Record<string, unknown>[]; // one entry per epoch
  modelFile: string;
  source: string;
  overrides: Record<string, number>; // --set and the flags, re-applied by evaluate
  dataSizes: Record<string, number>;
  data: { train: string; valid?: string; examples: number };
  backend: string;
  savedAt: string;
}

export interface RunState<A extends FloatArray> {
  model: CompiledModel<A>;
  params: Map<string, A>;
  vocabularies: ReadonlyMap<string, Vocabulary>;
  optimizer: Optimizer;
  rng: Rng;
}

/**
 * Saves atomically: a failed save leaves the previous file as it was. Params (or optimizer state)
 * holding NaN or ±Infinity are never saved — they would replace the last good checkpoint with one
 * that cannot be loaded — and stop the run with a message naming them.
 */
export function saveRun<A extends FloatArray>(path: string, state: RunState<A>, meta: RunMeta): void {
  const checkpoint: Checkpoint = {
    model: state.model.name,
    params: Object.fromEntries(state.model.params.map((p) => [p.name, { shape: p.shape, values: state.params.get(p.name)! }])),
    vocabularies: Object.fromEntries([...state.vocabularies].map(([name, v]) => [name, [...v.tokens]])),
    optimizer: state.optimizer.state(),
    rng: state.rng.state(),
    meta: meta as unknown as Record<string, unknown>,
  };
  try {
    saveCheckpointFile(path, checkpoint);
  } catch (error) {
    const kept = error instanceof CheckpointError ? `\n  ${existsSync(path) ? `${path} is left as it was` : "no checkpoint was written"}` : "";
    throw new Stop(`${(error as Error).message}${kept}`);
  }
}

/**
 * Fails early, before any training, when the checkpoint could not be written at `path`: a
 * directory there, a parent that is missing or not a directory, or one where no file can be
 * created (permissions, a read-only disk). Tried by creating and removing the file a save
 * writes first, so that even root on a read-only mount is told now, not after an epoch.
 */
export function checkWritable(path: string, flag = "rnnc train: --checkpoint", example = "model.ckpt"): void {
  const dir = dirname(path);
  const fail = (why: string) => {
    throw new Stop(`${flag} ${path}: ${why}`, 2);
  };
  if (kindOf(path) === "directory") fail(`a directory; ${flag.split(" ").at(-1)} takes a file's path, e.g. ${join(path, example)}`);
  if (kindOf(dir) === "missing") fail(`no such directory: ${dir}`);
  if (kindOf(dir) !== "directory") fail(`${dir} is not a directory`);
  const probe = temporaryPathFor(path);
  try {
    closeSync(openSync(probe, "wx"));
    unlinkSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    fail(`cannot write there (${code === "EACCES" || code === "EPERM" ? "permission denied" : code === "EROFS" ? "a read-only file system" : (error as Error).message})`);
  }
}

function kindOf(path: string): "missing" | "directory" | "other" {
  try {
    return statSync(path).isDirectory() ? "directory" : "other";
  } catch {
    return "missing";
  }
}

/** Reads a checkpoint, checking its params against `model` when one is given. */
export function readCheckpoint(path: string, model?: CompiledModel): Checkpoint {
  const expected = model && { model: model.name, params: Object.fromEntries(model.params.map((p) => [p.name, p.shape])) };
  try {
    return loadCheckpointFile(path, expected);
  } catch (error) {
    throw new Stop((error as Error).message);
  }
}

/** The vocabularies of the model's token and class fields, as saved. */
export function checkpointVocabularies(checkpoint: Checkpoint, fields: readonly DataField[], path: string): Map<string, Vocabulary> {
  const vocabularies = new Map<string, Vocabulary>();
  for (const field of fields) {
    if (field.element.kind === "vector") continue;
    const tokens = Object.hasOwn(checkpoint.vocabularies, field.name) ? checkpoint.vocabularies[field.name] : undefined;
    if (!tokens) throw new Stop(`${path}: no vocabulary for ${field.name}: was it saved for another model?`);
    try {
      vocabularies.set(field.name, Vocabulary.fromJSON({ kind: field.element.kind, tokens }));
    } catch (error) {
      throw new Stop(`${path}: the vocabulary of ${field.name}: ${(error as Error).message}`);
    }
  }
  return vocabularies;
}

/** Copies saved params into the model's own arrays (float32 or float64 either way). */
export function restoreParams<A extends FloatArray>(checkpoint: Checkpoint, model: CompiledModel<A>): Map<string, A> {
  const params = model.createParams();
  for (const [name, values] of params) values.set(checkpoint.params[name].values);
  return params;
}
