// Each command's memory check (cli/memory.ts): the batch it will run — training's largest batch
// (its longest sequences, or bptt's windows), evaluation's and prediction's, sampling's count
// (or beams) × steps — and what its user may lower when that is too much.
import type { CheckedModel, TrainSettings } from "../compiler/2-check/checked.ts";
import { grouped } from "../compiler/limits.ts";
import type { Example } from "../data/examples.ts";
import { checkMemory, describeBatch, longestSteps, memoryLimit, type Budget, type MemoryUse } from "./memory.ts";

export { checkMemory, memoryLimit };

/** The largest batch training forms: `batch` examples (fewer when the data has fewer) of the longest sequences of the training and validation data, cut to bptt's windows. */
export function trainingMemoryUse(model: CheckedModel, settings: TrainSettings, train: readonly Example[], valid?: readonly Example[]): MemoryUse {
  const steps = longestSteps([...train, ...(valid ?? [])], model);
  if (settings.bptt !== undefined && steps.t !== undefined) steps.t = Math.min(steps.t, settings.bptt);
  const batch = Math.min(settings.batch, Math.max(train.length, valid?.length ?? 0));
  const { name, momentum } = settings.optimizer;
  return { batch, steps, moments: name === "adam" ? 2 : momentum > 0 ? 1 : 0 };
}

export function trainingBudget(file: string, model: CheckedModel, backend: string, limit: Budget["limit"], bptt: number | undefined): Budget {
  const sequences = model.data.some((d) => d.type.sequence);
  return { command: "rnnc train", file, model, backend, limit, dims: true, backends: true, lower: sequences ? `--batch or ${bptt === undefined ? "the sequence length" : "bptt"}` : "--batch", describe: (use) => describeBatch(use) };
}

/** Evaluation and prediction: batches of `batch` examples of the data's longest sequences. */
export function evaluationMemoryUse(model: CheckedModel, batch: number, examples: readonly Example[]): MemoryUse {
  return { batch: Math.min(batch, Math.max(1, examples.length)), steps: longestSteps(examples, model) };
}

export function evaluationBudget(command: string, file: string, model: CheckedModel, backend: string, limit: Budget["limit"]): Budget {
  const sequences = model.data.some((d) => d.type.sequence);
  return { command, file, model, backend, limit, backends: true, lower: sequences ? "--batch or the sequence length" : "--batch", describe: (use) => describeBatch(use) };
}

/** Sampling: `rows` sequences (--count, or --beam × 1 input) of the prompt and --max-length steps, on the target's axis. */
export function samplingMemoryUse(model: CheckedModel, rows: number, steps: number): MemoryUse {
  const target = model.data.find((d) => d.autoregressive);
  const axis = (target?.axis ?? "t") as "t" | "s";
  return { batch: rows, steps: { [axis]: steps } };
}

export function samplingBudget(file: string, model: CheckedModel, limit: Budget["limit"], beam: boolean): Budget {
  return {
    command: "rnnc sample",
    file,
    model,
    backend: "compiled",
    limit,
    lower: beam ? "--beam or --max-length" : "--count or --max-length",
    describe: (use) => `${beam ? `a beam of ${grouped(use.batch)} hypotheses` : `${grouped(use.batch)} sequence${use.batch === 1 ? "" : "s"}`} of up to ${grouped(Math.max(...Object.values(use.steps).map((n) => n ?? 1)))} steps`,
  };
}
