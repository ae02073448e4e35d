// Checkpoints: a trained model's parameters, vocabularies, and (to resume training exactly) the
// optimizer's and RNG's state, as one JSON text. Browser-safe; files are in checkpoint-file.ts.
//
// The JSON:
//   { "format": "rnnc-checkpoint", "version": 1, "model": "tagger",
//     "params": { "enc.W": { "shape": [512, 192], "dtype": "float32", "values": "<base64>" }, … },
//     "vocabularies": { "words": ["<pad>", "the", …] },
//     "optimizer": …, "rng": …, "meta": { … } }
// Parameter values are base64 of their little-endian bytes — bit-exact and about a quarter of
// the size of decimal numbers; dtype is "float32" (the default when absent) or "float64".
// Typed arrays anywhere inside optimizer, rng or meta (an optimizer's moments) are written as
// { "$float32": "<base64>" } or { "$float64": "<base64>" } and read back as typed arrays.

import { base64ToFloats, floatsToBase64, floatTypeOf, type FloatType } from "./base64.ts";
import type { FloatArray } from "./types.ts";

export const CHECKPOINT_FORMAT = "rnnc-checkpoint";
export const CHECKPOINT_VERSION = 1;

export interface SavedParam {
  shape: number[];
  values: FloatArray;
}

export interface Checkpoint {
  model: string;
  params: Record<string, SavedParam>;
  vocabularies: Record<string, string[]>;
  optimizer?: unknown;
  rng?: unknown;
  meta: Record<string, unknown>;
}

/** What the loading program expects: its model's name and every parameter's shape. */
export interface ExpectedLayout {
  model?: string;
  params: Record<string, readonly number[]>;
}

/** A checkpoint that cannot be read or does not fit; `problems` lists every reason found. */
export class CheckpointError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join("\n  ")}`);
    this.name = "CheckpointError";
    this.problems = problems;
  }
}

export function encodeCheckpoint(checkpoint: Checkpoint): string {
  const params: Record<string, { shape: number[]; dtype: FloatType; values: string }> = {};
  for (const [name, { shape, values }] of Object.entries(checkpoint.params)) {
    if (sizeOf(shape) !== values.length) throw new RangeError(`parameter "${name}": shape [${shape}] has ${sizeOf(shape)} values, the array ${values.length}`);
    define(params, name, { shape: [...shape], dtype: floatTypeOf(values), values: floatsToBase64(values) });
  }
  const wire = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    model: checkpoint.model,
    params,
    vocabularies: checkpoint.vocabularies,
    optimizer: checkpoint.optimizer,
    rng: checkpoint.rng,
    meta: checkpoint.meta,
  };
  return JSON.stringify(wire, (_key, value: unknown) => {
    if (value instanceof Float32Array) return { $float32: floatsToBase64(value) };
    if (value instanceof Float64Array) return { $float64: floatsToBase64(value) };
    if (ArrayBuffer.isView(value)) throw new TypeError(`a checkpoint holds Float32Array and Float64Array, not ${value.constructor.name}`);
    return value;
  });
}

/**
 * Reads a checkpoint, checking its format and, when `expected` is given, that it fits: the same
 * model, every expected parameter present with the expected shape, and no other parameter.
 * Throws a CheckpointError naming every problem.
 */
export function decodeCheckpoint(text: string, expected?: ExpectedLayout): Checkpoint {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError([`not a checkpoint: the text is not JSON (${(error as Error).message})`]);
  }
  if (!isObject(json) || json.format !== CHECKPOINT_FORMAT) {
    const format = isObject(json) && "format" in json ? `format ${JSON.stringify(json.format)}` : "no format field";
    throw new CheckpointError([`not an rnnc checkpoint (${format}; expected "${CHECKPOINT_FORMAT}")`]);
  }
  if (json.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError([`checkpoint version ${JSON.stringify(json.version)} is not supported (this runtime reads version ${CHECKPOINT_VERSION})`]);
  }

  const problems: string[] = [];
  if (typeof json.model !== "string") problems.push(`the model name is ${JSON.stringify(json.model)}, not a string`);
  const model = typeof json.model === "string" ? json.model : "";
  const params = readParams(json.params, problems);
  const stored = new Set(isObject(json.params) ? Object.keys(json.params) : []); // read or not
  const vocabularies = readVocabularies(json.vocabularies ?? {}, problems);
  const meta = json.meta ?? {};
  if (!isObject(meta)) problems.push("meta is not an object");
  if (expected) checkLayout(model, params, stored, expected, problems);
  if (problems.length > 0) throw new CheckpointError(problems);

  const checkpoint: Checkpoint = { model, params, vocabularies, meta: reviveFloats(meta, "meta", problems) as Record<string, unknown> };
  if (json.optimizer !== undefined) checkpoint.optimizer = reviveFloats(json.optimizer, "optimizer", problems);
  if (json.rng !== undefined) checkpoint.rng = reviveFloats(json.rng, "rng", problems);
  if (problems.length > 0) throw new CheckpointError(problems);
  return checkpoint;
}

function readParams(raw: unknown, problems: string[]): Record<string, SavedParam> {
  const params: Record<string, SavedParam> = {};
  if (!isObject(raw)) {
    problems.push("the checkpoint has no params object");
    return params;
  }
  for (const [name, entry] of Object.entries(raw)) {
    const where = `parameter "${name}"`;
    if (!isObject(entry)) {
      problems.push(`${where} is not an object`);
      continue;
    }
    const { shape, dtype = "float32", values } = entry;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      problems.push(`${where}: shape ${JSON.stringify(shape)} is not a list of sizes`);
      continue;
    }
    if (dtype !== "float32" && dtype !== "float64") {
      problems.push(`${where}: dtype ${JSON.stringify(dtype)} is neither "float32" nor "float64"`);
      continue;
    }
    if (typeof values !== "string") {
      problems.push(`${where}: values are not a base64 string`);
      continue;
    }
    const floats = base64ToFloats(values, dtype);
    if (typeof floats === "string") problems.push(`${where}: values are ${floats}`);
    else if (floats.length !== sizeOf(shape)) {
      problems.push(`${where}: ${floats.length} values stored, shape [${shape.join(", ")}] needs ${sizeOf(shape)}`);
    } else define(params, name, { shape, values: floats });
  }
  return params;
}

function readVocabularies(raw: unknown, problems: string[]): Record<string, string[]> {
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

/** `stored` names every parameter in the file, including those too damaged to read (already reported). */
function checkLayout(model: string, params: Record<string, SavedParam>, stored: Set<string>, expected: ExpectedLayout, problems: string[]): void {
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

/** Turns { "$float32": base64 } and { "$float64": base64 } back into typed arrays, anywhere in `value`. */
function reviveFloats(value: unknown, path: string, problems: string[]): unknown {
  if (Array.isArray(value)) return value.map((x, i) => reviveFloats(x, `${path}[${i}]`, problems));
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === "$float32" || keys[0] === "$float64") && typeof value[keys[0]] === "string") {
    const floats = base64ToFloats(value[keys[0]] as string, keys[0] === "$float32" ? "float32" : "float64");
    if (typeof floats !== "string") return floats;
    problems.push(`${path}: values are ${floats}`);
    return value;
  }
  const result: Record<string, unknown> = {};
  for (const key of keys) define(result, key, reviveFloats(value[key], `${path}.${key}`, problems));
  return result;
}

/** record[key] = value, safe for any key read from a file ("__proto__" included). */
function define<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
