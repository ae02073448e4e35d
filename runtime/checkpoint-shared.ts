// What both checkpoint formats share (version 1, JSON: checkpoint-v1.ts; version 2, binary:
// checkpoint-binary.ts): the in-memory Checkpoint, CheckpointError, and the checks run on what a
// file holds whatever its format — that it fits the model that loads it, and that every number
// in it is finite. Browser-safe.

import type { FloatArray } from "./types.ts";

export const CHECKPOINT_FORMAT = "rnnc-checkpoint";
/** The version written; version 1 (JSON) is still read. */
export const CHECKPOINT_VERSION = 2;

export interface SavedParam {
  shape: number[];
  values: FloatArray;
}

export interface Checkpoint {
  model: string;
  params: Record<string, SavedParam>;
  vocabularies: Record<string, string[]>;
  /** Plain data and Float32Array/Float64Array (an optimizer's moments, as big as the params). */
  optimizer?: unknown;
  rng?: unknown;
  meta: Record<string, unknown>;
}

/** What the loading program expects: its model's name and every parameter's shape. */
export interface ExpectedLayout {
  model?: string;
  params: Record<string, readonly number[]>;
}

/** A checkpoint that cannot be read, does not fit, or cannot be saved; `problems` lists every reason found. */
export class CheckpointError extends Error {
  readonly problems: string[];
  /** The file, when the error is about one (the message then starts with it). */
  readonly file?: string;
  /** `lead` says what failed ("not saved"), between the file and the problems. */
  constructor(problems: string[], where: { file?: string; lead?: string } = {}) {
    const summary = problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join("\n  ")}`;
    super([where.file, where.lead, summary].filter((part) => part !== undefined).join(": "));
    this.name = "CheckpointError";
    this.problems = problems;
    if (where.file !== undefined) this.file = where.file;
  }
}

/** What a format's reader found, before the common checks. */
export interface Decoded {
  model: string;
  /** The parameters that could be read. */
  params: Record<string, SavedParam>;
  /** Every parameter name in the file, including those too damaged to read (already reported). */
  stored: Set<string>;
  vocabularies: Record<string, string[]>;
  optimizer?: unknown;
  rng?: unknown;
  meta: Record<string, unknown>;
}

/**
 * The checks every loaded checkpoint passes: it fits `expected` (when given), and no parameter or
 * state array holds NaN or ±Infinity — such a checkpoint is garbage, and loading it silently
 * would only move the failure somewhere harder to explain. Throws a CheckpointError naming every
 * problem, `problems` (the reader's own) first.
 */
export function finish(decoded: Decoded, problems: string[], expected?: ExpectedLayout): Checkpoint {
  if (expected) checkLayout(decoded, expected, problems);
  for (const [name, { values }] of Object.entries(decoded.params)) nonFinite(`parameter "${name}"`, values, problems);
  if (decoded.optimizer !== undefined) eachArray(decoded.optimizer, "optimizer", (path, values) => nonFinite(path, values, problems));
  if (decoded.rng !== undefined) eachArray(decoded.rng, "rng", (path, values) => nonFinite(path, values, problems));
  eachArray(decoded.meta, "meta", (path, values) => nonFinite(path, values, problems));
  if (problems.length > 0) throw new CheckpointError(problems);
  const checkpoint: Checkpoint = { model: decoded.model, params: decoded.params, vocabularies: decoded.vocabularies, meta: decoded.meta };
  if (decoded.optimizer !== undefined) checkpoint.optimizer = decoded.optimizer;
  if (decoded.rng !== undefined) checkpoint.rng = decoded.rng;
  return checkpoint;
}

/** Problems that make `checkpoint` unfit to save: a shape that does not match its values, or a non-finite number. */
export function problemsToSave(checkpoint: Checkpoint): string[] {
  const problems: string[] = [];
  for (const [name, { shape, values }] of Object.entries(checkpoint.params)) {
    if (sizeOf(shape) !== values.length) problems.push(`parameter "${name}": shape [${shape.join(", ")}] has ${sizeOf(shape)} values, the array ${values.length}`);
    else nonFinite(`parameter "${name}"`, values, problems);
  }
  if (checkpoint.optimizer !== undefined) eachArray(checkpoint.optimizer, "optimizer", (path, values) => nonFinite(path, values, problems));
  if (checkpoint.rng !== undefined) eachArray(checkpoint.rng, "rng", (path, values) => nonFinite(path, values, problems));
  eachArray(checkpoint.meta, "meta", (path, values) => nonFinite(path, values, problems));
  return problems;
}

/** Says how many of `values` are NaN or infinite, and the first of them. */
function nonFinite(what: string, values: FloatArray, problems: string[]): void {
  let count = 0;
  let first = -1;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x - x !== 0) { // NaN exactly when x is NaN or ±Infinity: one comparison per value
      if (count === 0) first = i;
      count++;
    }
  }
  if (count > 0) problems.push(`${what}: ${count} of ${values.length} values are not finite (the first, [${first}], is ${values[first]})`);
}

/** Calls `visit` on every Float32Array/Float64Array inside `value`, with its path (`optimizer.m.enc.W`). */
export function eachArray(value: unknown, path: string, visit: (path: string, values: FloatArray) => void): void {
  if (value instanceof Float32Array || value instanceof Float64Array) visit(path, value);
  else if (Array.isArray(value)) value.forEach((x, i) => eachArray(x, `${path}[${i}]`, visit));
  else if (isObject(value)) for (const key of Object.keys(value)) eachArray(value[key], `${path}.${key}`, visit);
}

export function readVocabularies(raw: unknown, problems: string[]): Record<string, string[]> {
  if (!isObject(raw)) {
    problems.push("vocabularies is not an object");
    return {};
  }
  const vocabularies: Record<string, string[]> = {};
  for (const [name, words] of Object.entries(raw)) {
    if (Array.isArray(words) && words.every((w) => typeof w === "string")) define(vocabularies, name, words);
    else problems.push(`vocabulary "${name}" is not a list of strings`);
  }
  return vocabularies;
}

function checkLayout({ model, params, stored }: Decoded, expected: ExpectedLayout, problems: string[]): void {
  if (expected.model !== undefined && model !== expected.model) {
    problems.push(`the checkpoint is for model "${model}", not "${expected.model}"`);
  }
  for (const [name, shape] of Object.entries(expected.params)) {
    const saved = Object.hasOwn(params, name) ? params[name] : undefined;
    if (!stored.has(name)) problems.push(`parameter "${name}" is missing from the checkpoint`);
    else if (!saved) continue;
    else if (saved.shape.length !== shape.length || saved.shape.some((d, i) => d !== shape[i])) {
      problems.push(`parameter "${name}" has shape [${saved.shape.join(", ")}] in the checkpoint, the model expects [${shape.join(", ")}]`);
    }
  }
  for (const name of stored) {
    if (!Object.hasOwn(expected.params, name)) problems.push(`parameter "${name}" is in the checkpoint but not in the model`);
  }
}

/** record[key] = value, safe for any key read from a file ("__proto__" included). */
export function define<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

export const isShape = (shape: unknown): shape is number[] => Array.isArray(shape) && shape.every((d) => Number.isSafeInteger(d) && d >= 0);

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
