// rnnc predict MODEL.rnn (--data FILE.jsonl | --input '{...}'): a trained model's predictions for
// examples written as in its data files, one line per example, in the file's order. In words
// (`even 0.97`, `The/at jury/nn`, the values), or with --json the objects runtime/records.ts
// returns, as JSON Lines: that file computes every prediction (the browser bundle's predict is
// the same code); this one finds the checkpoint, reads the records and prints. The checkpoint is
// found, read and fitted to the model as `rnnc evaluate` does it.
import { printable, safeJson } from "../compiler/escape.ts";
import type { DataError } from "../data/errors.ts";
import type { DataField } from "../data/fields.ts";
import { formatDataErrors, readJsonLines, type JsonRecord } from "../data/jsonl.ts";
import { readField } from "../data/read-field.ts";
import { predictor, type ClassPrediction, type Output, type Prediction, type Predictor, type TargetPrediction } from "../runtime/records.ts";
import { parseOverrides } from "./check.ts";
import { checkpointVocabularies, readCheckpoint, restoreParams } from "./checkpoints.ts";
import { modelFields } from "./model-data.ts";
import { checkpointFor } from "./run-dir.ts";
import { backendNamed, compileModel, loadModel } from "./setup.ts";
import { checkMemory, evaluationBudget, evaluationMemoryUse, memoryLimit } from "./memory-use.ts";
import type { DifferentiatedProgram } from "../compiler/ir/nodes.ts";
import { savedOverrides } from "./saved-overrides.ts";
import { Stop, stopping } from "./stop.ts";
import { whole } from "./setup.ts";

export interface PredictArgs {
  file: string;
  data?: string;
  input?: string; // one example, as a JSON object
  checkpoint?: string;
  top?: string;
  json: boolean;
  batch?: string;
  memoryLimit?: string;
  sets: string[];
  backend: string;
}

export const predictCommand = (args: PredictArgs) => stopping(() => run(args));

async function run(args: PredictArgs): Promise<number> {
  if ((args.data === undefined) === (args.input === undefined)) {
    throw new Stop(args.data === undefined ? "rnnc predict: give the examples: --data FILE.jsonl, or one example as --input '{...}'" : "rnnc predict: --data or --input, not both", 2);
  }
  const sets = parseOverrides(args.sets);
  if (!sets) throw new Stop("", 2);
  const top = args.top === undefined ? 1 : whole("--top", args.top, 1);
  const backend = backendNamed(args.backend);
  const memory = memoryLimit(args.memoryLimit);
  const path = checkpointFor(args.file, args.checkpoint);

  const saved = readCheckpoint(path);
  // The dims the model was trained with (its --set, saved in the checkpoint), unless --set says otherwise.
  const overrides = savedOverrides(saved, path, args.file, sets.keys());
  const { model: checked, source } = loadModel(args.file, new Map([...overrides, ...sets]));
  if (typeof saved.meta.source === "string" && saved.meta.source !== source) console.error(`warning: ${args.file} has changed since ${path} was saved`);
  const fields = modelFields(checked);
  const vocabularies = checkpointVocabularies(saved, fields, path);
  const batch = args.batch === undefined ? checked.train.batch : whole("--batch", args.batch, 1);
  // The params and a batch of one step are checked against --memory-limit before compiling; the data's longest sequences once read.
  const budget = evaluationBudget("rnnc predict", args.file, checked, args.backend, memory);
  let program: DifferentiatedProgram | undefined;
  const model = await compileModel(checked, vocabularies, path, backend, (p) => checkMemory((program = p), budget, { batch, steps: {} }));
  const params = restoreParams(readCheckpoint(path, model), model);
  let predicting: Predictor;
  try {
    predicting = predictor(model, { params, vocabularies, meta: saved.meta }, { batch });
  } catch (error) {
    throw new Stop(`rnnc predict: ${(error as Error).message}`, 2);
  }

  const { records, file } = args.input !== undefined ? inputRecord(args.input) : await dataRecords(args.data!);
  const { examples, errors } = predicting.encode(records.good, file);
  const problems = [...records.bad, ...errors].sort((a, b) => a.line - b.line);
  if (problems.length > 0) {
    if (args.input !== undefined) throw new Stop(problems.map((e) => `--input: ${e.message}`).join("\n"), 2);
    const lines = new Set(problems.map((e) => e.line)).size;
    throw new Stop(`${formatDataErrors(problems)}\n${file}: ${lines} bad line${lines === 1 ? "" : "s"}; fix them to get predictions`);
  }
  if (examples.length === 0) throw new Stop(`${file}: no examples (the file is empty)`);
  checkMemory(program!, budget, evaluationMemoryUse(checked, batch, examples));

  // In chunks of batches, each printed when done: a long file shows progress, and its output is never held whole.
  const recordAt = new Map(records.good.map((r) => [r.line, r.value as Record<string, unknown>]));
  const chunk = batch * 16;
  for (let start = 0; start < examples.length; start += chunk) {
    const part = examples.slice(start, start + chunk);
    const predictions = predicting.predictEncoded(part, { top });
    console.log(predictions.map((p, k) => (args.json ? safeJson(p) : printable(inWords(p, predicting, recordAt.get(part[k].line)!)))).join("\n"));
  }
  return 0;
}

function inputRecord(text: string): { records: { good: JsonRecord[]; bad: DataError[] }; file: string } {
  try {
    return { records: { good: [{ line: 1, value: JSON.parse(text) }], bad: [] }, file: "--input" };
  } catch (error) {
    throw new Stop(`rnnc predict: --input is not JSON: ${(error as Error).message}`, 2);
  }
}

async function dataRecords(path: string): Promise<{ records: { good: JsonRecord[]; bad: DataError[] }; file: string }> {
  const { records, errors } = await readJsonLines(path);
  const wholeFile = errors.find((e) => e.line === 0);
  if (wholeFile) throw new Stop(formatDataErrors([wholeFile]));
  return { records: { good: records, bad: errors }, file: path };
}

/**
 * One example's predictions as a line of text: each target's in words, named when there are
 * several (`flags: 0.91 0.03 | total: 3.214`).
 */
function inWords(prediction: Prediction, predicting: Pick<Predictor, "inputs" | "outputs">, record: Record<string, unknown>): string {
  const { outputs, inputs } = predicting;
  return outputs.map((o) => (outputs.length > 1 ? `${o.key}: ` : "") + targetInWords(o, prediction[o.key], tokensAlong(o, inputs, record))).join(" | ");
}

/**
 * A class: `even 0.97` (`--top 2`: `even 0.97  odd 0.03`). Classes or tokens per step: a tag per
 * input token, `The/at jury/nn` (`--top 2`: `The/at:0.98|nn:0.01`), or the tags alone when no
 * token input runs along the target's axis. Numbers: the values (4 significant digits), or
 * probabilities; a `seq<vec(n)>`'s steps as `[a b]`.
 */
function targetInWords(output: Output, value: TargetPrediction, tokens: string[] | undefined): string {
  if (output.gives === "labels") {
    if (!output.sequence) return ((value as ClassPrediction).top ?? [value as ClassPrediction]).map((c) => `${c.label} ${probability(c.probability)}`).join("  ");
    return (value as ClassPrediction[])
      .map((c, t) => {
        const tag = c.top ? c.top.map((x) => `${x.label}:${probability(x.probability)}`).join("|") : c.label;
        return tokens ? `${tokens[t]}/${tag}` : tag;
      })
      .join(" ");
  }
  const number = output.numbers === "values" ? (x: number) => String(Number(x.toPrecision(4))) : probability;
  if (typeof value === "number") return number(value);
  const steps = output.sequence ? (value as (number | number[])[]) : [value as number[]];
  return steps.map((step) => (typeof step === "number" ? number(step) : output.sequence ? `[${step.map(number).join(" ")}]` : step.map(number).join(" "))).join(" ");
}

/** The tokens of the record's first token input along the output's axis, what a tag per step goes with. */
function tokensAlong(output: Output, inputs: readonly DataField[], record: Record<string, unknown>): string[] | undefined {
  if (!output.sequence) return undefined;
  const input = inputs.find((f) => f.sequence && f.axis === output.axis && f.element.kind === "token");
  const read = input && readField(record[input.name], input);
  return read?.ok && read.value.kind === "labels" ? read.value.labels : undefined;
}

/**
 * Two decimals; a probability that two would show as 0 or 1 but is not: its first digit (0.003,
 * 0.00004, 4e-7), or up to four decimals below 1 (0.998, 0.9996), or >0.9999. --json has them whole.
 */
function probability(p: number): string {
  const text = p.toFixed(2);
  if (p === 0 || p === 1 || !/^[01]\.00$/.test(text)) return text;
  if (p < 0.5) return String(Number(p.toPrecision(1)));
  for (const digits of [3, 4]) if (p.toFixed(digits).startsWith("0.")) return p.toFixed(digits);
  return ">0.9999";
}
