// tf.io's artifacts format on disk, without tfjs-node: DIR/model.json (the topology, the weights
// manifest, the metadata) and DIR/weights.bin (every weight's bytes, in manifest order), as
// `tf.loadLayersModel` reads them over HTTP or with tf.io.browserFiles.
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { TfjsError } from "./errors.ts";

export const MODEL_JSON = "model.json";
export const WEIGHTS_BIN = "weights.bin";

/** Saves `model` into `dir` (created if missing); returns the files written and their bytes. */
export async function saveArtifacts(model: tf.LayersModel, dir: string): Promise<{ files: string[]; bytes: number }> {
  try {
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) mkdirSync(dir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TfjsError(code === "EEXIST" || code === "ENOTDIR" ? `${dir}: a file is there; a TensorFlow.js model is a directory (model.json and weights.bin): name a directory` : `${dir}: cannot make the directory (${code ?? (error as Error).message})`);
  }
  let written: { files: string[]; bytes: number } | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as {},
        format: artifacts.format ?? "layers-model",
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: "rnnc export --format tfjs",
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      const files = [join(dir, WEIGHTS_BIN), join(dir, MODEL_JSON)];
      try {
        writeFileSync(files[0], weights);
        writeFileSync(files[1], JSON.stringify(json));
      } catch (error) {
        throw new TfjsError(`${dir}: cannot write the model (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
      written = { files, bytes: weights.byteLength };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON", weightDataBytes: weights.byteLength } };
    }),
  );
  return written!;
}

/**
 * Reads DIR/model.json and the weight files its manifest lists. Initializers in the topology
 * become zeros: loading sets every weight from the files, and tfjs's orthogonal initializer
 * would otherwise run first, for minutes at 256 units on the cpu backend.
 */
export function readArtifacts(dir: string): tf.io.ModelArtifacts {
  const path = join(dir, MODEL_JSON);
  let json: tf.io.ModelJSON;
  if (statSync(path, { throwIfNoEntry: false })?.isFile() === false) throw new TfjsError(`${path}: not a file (a tfjs layers model is a directory with ${MODEL_JSON} and its weight files)`);
  try {
    json = JSON.parse(readFileSync(path, "utf8")) as tf.io.ModelJSON;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TfjsError(
      code === "ENOENT" ? `${dir}: no ${MODEL_JSON} there (a tfjs layers model is a directory with ${MODEL_JSON} and its weight files)`
      : code ? `${path}: cannot read it (${code})`
      : `${path}: not JSON (${(error as Error).message})`,
    );
  }
  if (typeof json !== "object" || json === null || typeof json.modelTopology !== "object" || !Array.isArray(json.weightsManifest))
    throw new TfjsError(`${path}: not a tfjs model (no modelTopology and weightsManifest)`);
  if (json.format !== undefined && json.format !== "layers-model")
    throw new TfjsError(`${path}: a tfjs ${json.format}, not a layers model (rnnc reads models saved by tf.LayersModel.save or rnnc export)`);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group.weights)) throw new TfjsError(`${path}: not a tfjs model (a weightsManifest entry without paths and weights)`);
    for (const file of group.paths as unknown[]) {
      // A manifest names files beside it: not a path out of the directory, not a device or a pipe (read without end).
      const full = typeof file === "string" ? resolve(dir, file) : "";
      const inside = relative(resolve(dir), full);
      if (typeof file !== "string" || inside.startsWith("..") || isAbsolute(inside))
        throw new TfjsError(`${path}: lists the weights file ${JSON.stringify(file)}, which is not in ${dir}; a model's weight files stand beside its ${MODEL_JSON}`);
      if (statSync(full, { throwIfNoEntry: false })?.isFile() === false) throw new TfjsError(`${full}: not a file; ${MODEL_JSON} lists it as a weights file`);
      try {
        const bytes = readFileSync(full);
        buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      } catch (error) {
        throw new TfjsError(`${full}: cannot read the weights ${MODEL_JSON} lists (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
    }
    specs.push(...group.weights);
  }
  return {
    modelTopology: zeroInitializers(json.modelTopology),
    weightSpecs: specs,
    weightData: tf.io.CompositeArrayBuffer.join(buffers),
    format: json.format ?? "layers-model",
    ...(json.generatedBy ? { generatedBy: json.generatedBy } : {}),
    ...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata } : {}),
  };
}

/** A copy of a Keras topology with every `*_initializer` replaced by Zeros. */
function zeroInitializers(value: unknown): {} {
  if (Array.isArray(value)) return value.map(zeroInitializers);
  if (typeof value !== "object" || value === null) return value as {};
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [key, key.endsWith("_initializer") && v !== null ? { class_name: "Zeros", config: {} } : zeroInitializers(v)]),
  );
}
