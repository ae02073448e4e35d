// Reading version 1 checkpoints: one JSON text, as rnnc wrote them before version 2 (files named
// MODEL.ckpt.json are in users' hands, so they keep loading). Nothing writes this format any more:
// one JavaScript string cannot hold a model of more than about 33M parameters. Browser-safe.
//
// The JSON:
//   { "format": "rnnc-checkpoint", "version": 1, "model": "tagger",
//     "params": { "enc.W": { "shape": [512, 192], "dtype": "float32", "values": "<base64>" }, … },
//     "vocabularies": { "words": ["<pad>", "the", …] },
//     "optimizer": …, "rng": …, "meta": { … } }
// Parameter values are base64 of their little-endian bytes; dtype is "float32" (the default when
// absent) or "float64". Typed arrays anywhere inside optimizer, rng or meta (an optimizer's
// moments) are { "$float32": "<base64>" } or { "$float64": "<base64>" }.

import { base64ToFloats } from "./base64.ts";
import { CHECKPOINT_FORMAT, CheckpointError, define, isObject, isShape, readVocabularies, sizeOf, type Decoded, type SavedParam } from "./checkpoint-shared.ts";

/** The checkpoint in `text`, and the problems found reading it (the common checks are the caller's). */
export function decodeJsonCheckpoint(text: string): { decoded: Decoded; problems: string[] } {
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
  if (json.version !== 1) {
    throw new CheckpointError([`a JSON checkpoint of version ${JSON.stringify(json.version)} is not supported (checkpoints are version 1 as JSON, version 2 as binary)`]);
  }

  const problems: string[] = [];
  if (typeof json.model !== "string") problems.push(`the model name is ${JSON.stringify(json.model)}, not a string`);
  const params = readParams(json.params, problems);
  const stored = new Set(isObject(json.params) ? Object.keys(json.params) : []); // read or not
  const vocabularies = readVocabularies(json.vocabularies ?? {}, problems);
  const meta = json.meta ?? {};
  if (!isObject(meta)) problems.push("meta is not an object");
  const decoded: Decoded = {
    model: typeof json.model === "string" ? json.model : "",
    params,
    stored,
    vocabularies,
    meta: isObject(meta) ? (reviveFloats(meta, "meta", problems) as Record<string, unknown>) : {},
  };
  if (json.optimizer !== undefined) decoded.optimizer = reviveFloats(json.optimizer, "optimizer", problems);
  if (json.rng !== undefined) decoded.rng = reviveFloats(json.rng, "rng", problems);
  return { decoded, problems };
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
    if (!isShape(shape)) {
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
