// rnnc evaluate MODEL.rnn --checkpoint C --data D.jsonl: a trained model's loss and accuracy (or
// RMSE) on a data set, encoded with the checkpoint's vocabularies: a file of any format (--data,
// --text) or a part of a named data set (--dataset NAME --split test), read by data-source.ts. The
// dims the model was trained with (its --set overrides, saved in the checkpoint) apply again
// unless --set says otherwise.
import { checkpointVocabularies, readCheckpoint, restoreParams } from "./checkpoints.ts";
import { evaluate, formatEvaluation } from "./metrics.ts";
import { modelFields } from "./model-data.ts";
import { backendNamed, compileModel, loadModel, whole } from "./setup.ts";
import { checkMemory, evaluationBudget, evaluationMemoryUse, memoryLimit } from "./memory-use.ts";
import { checkpointFor } from "./run-dir.ts";
import { savedOverrides } from "./saved-overrides.ts";
import { Stop, stopping } from "./stop.ts";
import { parseOverrides } from "./check.ts";
import { checkEvaluationArgs, loadEvaluationData, type EvaluationSourceArgs } from "./data-source.ts";

export interface EvaluateArgs extends EvaluationSourceArgs {
  file: string;
  checkpoint?: string;
  batch?: string;
  limit?: string;
  memoryLimit?: string;
  sets: string[];
  backend: string;
}

export const evaluateCommand = (args: EvaluateArgs) => stopping(() => run(args));

async function run(args: EvaluateArgs): Promise<number> {
  checkEvaluationArgs(args); // a mistake in naming the data is said before the checkpoint is read
  const sets = parseOverrides(args.sets);
  if (!sets) throw new Stop("", 2);
  const limit = args.limit === undefined ? undefined : whole("--limit", args.limit, 1);
  const backend = backendNamed(args.backend);
  const memory = memoryLimit(args.memoryLimit);
  const path = checkpointFor(args.file, args.checkpoint);

  const saved = readCheckpoint(path);
  const { model: checked, source } = loadModel(args.file, new Map([...savedOverrides(saved, path, args.file, sets.keys()), ...sets]));
  if (typeof saved.meta.source === "string" && saved.meta.source !== source)
    console.error(`warning: ${args.file} has changed since ${path} was saved`);
  const fields = modelFields(checked);
  const vocabularies = checkpointVocabularies(saved, fields, path);
  const { data, file } = await loadEvaluationData(args, fields, { vocabularies, ...(limit ? { limit } : {}) });
  const batch = args.batch === undefined ? checked.train.batch : whole("--batch", args.batch, 1);
  const budget = evaluationBudget("rnnc evaluate", args.file, checked, args.backend, memory);
  const model = await compileModel(checked, vocabularies, path, backend, (program) => checkMemory(program, budget, evaluationMemoryUse(checked, batch, data.examples)));
  const params = restoreParams(readCheckpoint(path, model), model);

  const result = evaluate(model, params, data.examples, vocabularies, batch);
  console.log(`${file}: ${result.examples} examples  ${formatEvaluation(result, "")}`);
  return 0;
}

