// rnnc export --format F MODEL.rnn --checkpoint CKPT -o OUT: a trained model in another
// framework's format. The command does what every format needs (the model checked with the
// dims it was trained with, the checkpoint read and checked against it); each format, one entry
// of `exportFormats`, writes its files. Formats load their libraries only when used.
import { writeFileSync } from "node:fs";
import type { CheckedModel } from "../compiler/2-check/checked.ts";
import { lower, type DataSizes } from "../compiler/3-lower/index.ts";
import type { Program } from "../compiler/ir/nodes.ts";
import { loadCheckpointFile } from "../runtime/checkpoint-file.ts";
import type { Checkpoint } from "../runtime/checkpoint.ts";
import type { FloatArray } from "../runtime/types.ts";
import { parseOverrides } from "./check.ts";
import { checkpointVocabularies, checkWritable, readCheckpoint } from "./checkpoints.ts";
import { dataSizes, modelFields } from "./model-data.ts";
import { loadModel } from "./setup.ts";
import { checkpointFor } from "./run-dir.ts";
import { savedOverrides } from "./saved-overrides.ts";
import { Stop, stopping } from "./stop.ts";

/** What a format is given: a checked model, its sizes and IR, and the trained params. */
export interface ExportContext {
  file: string; // the .rnn file
  source: string;
  model: CheckedModel;
  dataSizes: DataSizes;
  program: Program; // lowered: params, data and blocks with every size a number
  params: Map<string, { shape: number[]; values: FloatArray }>;
  checkpoint: Checkpoint;
  checkpointPath: string;
  /** The dims and settings the model was checked with (the checkpoint's, then --set). */
  overrides: Record<string, number>;
  output: string; // -o
}

export interface ExportFormat {
  /** What -o names (for messages and the usage text). */
  output: string;
  /** Writes the files; returns what was written, said in a few words. A user's problem is a Stop. */
  write(context: ExportContext): Promise<string>;
}

export const exportFormats: Record<string, ExportFormat> = {
  tfjs: {
    output: "a directory: model.json and weights.bin, a TensorFlow.js layers model",
    async write(c) {
      const tfjs = await library("tfjs", () => import("../interop/tfjs/export.ts"));
      const vocabularies = c.checkpoint.vocabularies;
      const written = await asStop(tfjs.TfjsError, () =>
        tfjs.exportTfjs({ model: c.model, source: c.source, dataSizes: c.dataSizes, program: c.program, params: c.params, vocabularies, overrides: c.overrides, dir: c.output }),
      );
      return `${written.files.join(" and ")} (${written.graph.weights.length} layers, ${written.bytes} bytes of weights)`;
    },
  },
  onnx: {
    output: "a file: an ONNX model (opset 17) for ONNX Runtime",
    async write(c) {
      checkWritable(c.output, "rnnc export: -o", "model.onnx");
      const onnx = await import("../interop/onnx/index.ts");
      const metadata = { "rnnc.vocabularies": JSON.stringify(c.checkpoint.vocabularies) };
      const report = await asStop(onnx.OnnxExportUnsupported, async () => onnx.exportOnnxWithReport(c.program, c.params, { metadata }));
      writeFileSync(c.output, report.bytes);
      const cells = report.recurrences.map((r) => r.as).join(", ");
      return `${c.output} (${report.bytes.length} bytes; inputs ${report.inputs.map((i) => i.name).join(", ")}; outputs ${report.outputs.map((o) => o.name).join(", ")}; recurrences as ${cells || "none"})`;
    },
  },
};

export interface ExportArgs {
  file: string;
  format?: string;
  checkpoint?: string;
  output?: string;
  sets: string[];
}

export const exportCommand = (args: ExportArgs) => stopping(() => run(args));

async function run(args: ExportArgs): Promise<number> {
  const format = formatNamed(exportFormats, args.format, "export");
  if (!args.output) throw new Stop(`rnnc export: say where to write it: -o OUT (for --format ${args.format}, ${format.output})`, 2);
  const sets = parseOverrides(args.sets);
  if (!sets) throw new Stop("", 2);
  const checkpointPath = checkpointFor(args.file, args.checkpoint);

  const saved = readCheckpoint(checkpointPath);
  const overrides = new Map([...savedOverrides(saved, checkpointPath, args.file, sets.keys()), ...sets]);
  const { model, source } = loadModel(args.file, overrides);
  if (typeof saved.meta.source === "string" && saved.meta.source !== source) console.error(`warning: ${args.file} has changed since ${checkpointPath} was saved`);
  const vocabularies = checkpointVocabularies(saved, modelFields(model), checkpointPath);
  const sizes = dataSizes(model, vocabularies, checkpointPath);
  if (sizes.errors.length > 0) throw new Stop(sizes.errors.join("\n"));
  const program = lower(model, sizes.sizes);
  let checkpoint: Checkpoint;
  try {
    checkpoint = loadCheckpointFile(checkpointPath, { model: model.name, params: Object.fromEntries(program.params.map((p) => [p.name, p.shape])) });
  } catch (error) {
    throw new Stop((error as Error).message);
  }
  const params = new Map(program.params.map((p) => [p.name, { shape: p.shape, values: checkpoint.params[p.name].values }]));

  const written = await format.write({
    file: args.file,
    source,
    model,
    dataSizes: sizes.sizes,
    program,
    params,
    checkpoint,
    checkpointPath,
    overrides: Object.fromEntries(overrides),
    output: args.output,
  });
  console.error(`wrote ${written}: ${model.name} from ${checkpointPath}`);
  return 0;
}


/** The format `--format NAME` names, or a Stop listing the formats. */
export function formatNamed<F>(formats: Record<string, F>, name: string | undefined, command: string): F {
  const names = Object.keys(formats).join(", ");
  if (!name) throw new Stop(`rnnc ${command}: say which format: --format ${names.includes(",") ? `one of ${names}` : names}`, 2);
  if (!Object.hasOwn(formats, name)) throw new Stop(`rnnc ${command}: --format ${name}: the formats are ${names}`, 2);
  return formats[name];
}

/** A format's module, or a Stop saying which package it needs when that is not installed. */
export async function library<M>(format: string, load: () => Promise<M>): Promise<M> {
  try {
    return await load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ERR_MODULE_NOT_FOUND") throw error;
    const missing = /'([^']+)'/.exec((error as Error).message)?.[1] ?? "its library";
    throw new Stop(`rnnc: --format ${format} needs ${missing}, which is not installed (npm install it next to rnnc)`);
  }
}

/** Runs `work`; an error of the format's own class (a user's problem) becomes a Stop with its message. */
export async function asStop<T>(userError: new (...args: never[]) => Error, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof userError) throw new Stop(error.message);
    throw error;
  }
}
