// The parent's half of the rnnc engine: the workload's .rnn file checked with its sizes
// (--set E=…, H=…; the vocabulary bound as the data would bind it), lowered, differentiated and
// emitted as a TypeScript module file (Float32) — the path cli/compiled-model.ts takes.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { emittedModuleFile } from "../cli/compiled-model.ts";
import { formatDiagnostic, hasErrors } from "../compiler/diagnostics.ts";
import { checkSource, differentiatedProgram } from "../compiler/index.ts";
import type { RnncSetup } from "./engines/rnnc.ts";
import type { Workload } from "./workloads.ts";

export const benchFile = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

export async function emitRnncModule(w: Workload): Promise<RnncSetup> {
  const file = benchFile(w.rnnFile);
  const source = readFileSync(file, "utf8");
  const checked = checkSource(source, file, { overrides: new Map([["E", w.E], ["H", w.H]]) });
  if (hasErrors(checked.diagnostics) || checked.models.length !== 1)
    throw new Error(`${w.rnnFile} does not check:\n${checked.diagnostics.map((d) => formatDiagnostic(d, file, source)).join("\n")}`);
  const model = checked.models[0];
  const program = differentiatedProgram(model, new Map([[w.vocabKey, w.V]]));
  const moduleFile = await emittedModuleFile(program, "float32");
  const o = model.train.optimizer;
  if (o.name !== "adam") throw new Error(`${w.rnnFile}: the benchmark's engines all use Adam`);
  return { moduleFile, adam: { lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps }, seed: model.train.seed };
}
