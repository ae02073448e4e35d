// rnnc import --format F PATH MODEL.rnn -o CKPT: another framework's trained weights as the
// checkpoint of a matching .rnn model, ready for evaluate, sample, compile or export. The dims
// and vocabularies come from what rnnc export stored with the weights, or from --set and --data.
import { lower } from "../compiler/3-lower/index.ts";
import type { Vocabulary } from "../data/vocabulary.ts";
import { saveCheckpointFile } from "../runtime/checkpoint-file.ts";
import type { DataSizes } from "../compiler/3-lower/index.ts";
import type { CheckedModel } from "../compiler/2-check/checked.ts";
import type { Program } from "../compiler/ir/nodes.ts";
import { parseOverrides } from "./check.ts";
import { checkpointVocabularies, checkWritable } from "./checkpoints.ts";
import { asStop, formatNamed, library } from "./export.ts";
import { dataSizes, modelFields } from "./model-data.ts";
import { loadData, loadModel } from "./setup.ts";
import { Stop, stopping } from "./stop.ts";

/** Weights read from another format, before they are matched with a model. */
export interface ImportedWeights {
  /** What the files say about the model they were exported from, when rnnc wrote them. */
  model?: string;
  overrides?: Record<string, number>;
  vocabularies?: Record<string, string[]>;
  /** The weights as `model`'s params (lowered as `program`), every one of them; a mismatch is a Stop naming it. */
  params(model: CheckedModel, source: string, sizes: DataSizes, program: Program): Map<string, Float32Array>;
}

export interface ImportFormat {
  /** What PATH names. */
  input: string;
  open(path: string): Promise<ImportedWeights>;
}

export const importFormats: Record<string, ImportFormat> = {
  tfjs: {
    input: "a directory with model.json and its weight files, a TensorFlow.js layers model",
    async open(path) {
      const tfjs = await library("tfjs", () => import("../interop/tfjs/import.ts"));
      const opened = await asStop(tfjs.TfjsError, () => tfjs.openTfjs(path));
      const params: ImportedWeights["params"] = (...args) => {
        try {
          return opened.params(...args);
        } catch (error) {
          if (error instanceof tfjs.TfjsError) throw new Stop(error.message);
          throw error;
        }
      };
      return { ...opened, params };
    },
  },
};

export interface ImportArgs {
  positionals: string[];
  format?: string;
  output?: string;
  data?: string;
  sets: string[];
}

export const importCommand = (args: ImportArgs) => stopping(() => run(args));

async function run(args: ImportArgs): Promise<number> {
  const format = formatNamed(importFormats, args.format, "import");
  if (args.positionals.length !== 2) throw new Stop(`rnnc import: name what to read and the model it fits: rnnc import --format ${args.format} PATH MODEL.rnn -o CKPT (PATH: ${format.input})`, 2);
  const [path, file] = args.positionals;
  if (!args.output) throw new Stop(`rnnc import: say where the checkpoint goes: -o CKPT`, 2);
  const sets = parseOverrides(args.sets);
  if (!sets) throw new Stop("", 2);
  checkWritable(args.output, "rnnc import: -o");

  const imported = await format.open(path);
  const overrides = new Map([...Object.entries(imported.overrides ?? {}), ...sets]);
  const { model, source } = loadModel(file, overrides);
  if (imported.model !== undefined && imported.model !== model.name) console.error(`warning: ${path} was exported from model ${imported.model}; reading it as ${model.name}`);
  const fields = modelFields(model);
  let vocabularies: ReadonlyMap<string, Vocabulary> = new Map();
  let origin = path;
  if (args.data) {
    vocabularies = (await loadData(args.data, fields, { skipInvalid: true })).vocabularies;
    origin = args.data;
  } else if (imported.vocabularies) {
    vocabularies = checkpointVocabularies({ model: model.name, params: {}, vocabularies: imported.vocabularies, meta: {} }, fields, path);
  }
  const unknown = fields.filter((f) => f.element.kind !== "vector" && !vocabularies.has(f.name));
  if (unknown.length > 0)
    throw new Stop(`rnnc import: ${path} does not hold the vocabularies of ${unknown.map((f) => f.name).join(", ")} (it was not written by rnnc export): give the training data, --data TRAIN.jsonl`, 2);
  const sizes = dataSizes(model, vocabularies, origin);
  if (sizes.errors.length > 0) throw new Stop(sizes.errors.join("\n"));
  const program = lower(model, sizes.sizes);

  const params = imported.params(model, source, sizes.sizes, program);
  try {
    saveCheckpointFile(args.output, {
      model: model.name,
      params: Object.fromEntries(program.params.map((p) => [p.name, { shape: p.shape, values: params.get(p.name)! }])),
      vocabularies: Object.fromEntries([...vocabularies].map(([name, v]) => [name, [...v.tokens]])),
      meta: {
        imported: { format: args.format, from: path, at: new Date().toISOString() },
        modelFile: file,
        source,
        overrides: Object.fromEntries(overrides),
        dataSizes: Object.fromEntries(program.data.filter((d) => d.kind === "ids" && !d.name.endsWith("@input")).map((d) => [d.name, d.size])),
      },
    });
  } catch (error) {
    throw new Stop((error as Error).message);
  }
  console.error(`wrote ${args.output}: ${model.name}, ${program.params.length} params from ${path}`);
  return 0;
}
