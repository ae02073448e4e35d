// rnnc compile MODEL.rnn: the emitted TypeScript module (to a file, or stdout), or the IR; with
// --target browser, one plain-JavaScript ES module for a page (browser/bundle.ts). Vocabulary
// sizes are constants in the module, so they come from the training data or from a checkpoint's
// saved vocabularies (and its dims: a checkpoint's --set overrides apply before the command's).
import { writeFileSync } from "node:fs";
import { basename } from "node:path";
import { differentiatedProgram } from "../compiler/index.ts";
import { programSizeProblem } from "../compiler/limits.ts";
import { emitModuleWithKernels } from "../compiler/6-emit/index.ts";
import { printable } from "../compiler/escape.ts";
import { formatProgram } from "../compiler/ir/print.ts";
import type { Vocabulary } from "../data/vocabulary.ts";
import { parseOverrides } from "./check.ts";
import { checkpointVocabularies, readCheckpoint } from "./checkpoints.ts";
import { dataSizes, modelFields } from "./model-data.ts";
import { checkpointFor } from "./run-dir.ts";
import { loadData, loadModel } from "./setup.ts";
import { savedOverrides } from "./saved-overrides.ts";
import { Stop, stopping } from "./stop.ts";

export interface CompileArgs {
  file: string;
  output?: string;
  data?: string;
  checkpoint?: string;
  dtype?: string;
  runtime?: string;
  target?: string; // node (TypeScript, the default) or browser (one JavaScript module)
  dumpIr: boolean;
  noKernels?: boolean;
  sets: string[];
}

export const compileCommand = (args: CompileArgs) => stopping(() => run(args));

async function run(args: CompileArgs): Promise<number> {
  const sets = parseOverrides(args.sets);
  if (!sets) throw new Stop("", 2);
  const dtype = args.dtype ?? "float32";
  if (dtype !== "float32" && dtype !== "float64") throw new Stop(`rnnc compile: --dtype ${dtype}: it is float32 or float64`, 2);
  const target = args.target ?? "node";
  if (target !== "node" && target !== "browser") throw new Stop(`rnnc compile: --target ${target}: it is node or browser`, 2);
  if (target === "browser" && args.runtime !== undefined) throw new Stop("rnnc compile: --runtime is for --target node: a browser module imports nothing", 2);
  const checkpoint = args.checkpoint === undefined ? undefined : checkpointFor(args.file, args.checkpoint); // a run directory names its best
  const saved = checkpoint ? readCheckpoint(checkpoint) : undefined;
  const trainedWith = saved ? savedOverrides(saved, checkpoint!, args.file, sets.keys()) : [];
  const { model } = loadModel(args.file, new Map([...trainedWith, ...sets]));
  const fields = modelFields(model);

  let vocabularies: ReadonlyMap<string, Vocabulary> = new Map();
  let origin = "";
  if (checkpoint && saved) {
    vocabularies = checkpointVocabularies(saved, fields, checkpoint);
    origin = checkpoint;
  } else if (args.data) {
    vocabularies = (await loadData(args.data, fields, { skipInvalid: true })).vocabularies;
    origin = args.data;
  }
  const needed = fields.filter((f) => f.element.kind !== "vector" && !vocabularies.has(f.name) && !model.sizeConstraints.has(`${f.element.kind === "token" ? "vocab" : "classes"}(${f.name})`));
  if (needed.length > 0) {
    const sizes = needed.map((f) => `${f.element.kind === "token" ? "vocab" : "classes"}(${f.name})`).join(", ");
    throw new Stop(`rnnc compile: ${model.name} uses ${sizes}, known only from data: give --data TRAIN.jsonl or --checkpoint CKPT`, 2);
  }
  const { sizes, errors } = dataSizes(model, vocabularies, origin);
  if (errors.length > 0) throw new Stop(errors.join("\n"));
  const program = differentiatedProgram(model, sizes);
  const tooLarge = programSizeProblem(program); // a vocabulary's size times a dim, say
  if (tooLarge) throw new Stop(`rnnc compile: ${args.file}: ${tooLarge}`, 2);

  if (args.dumpIr) {
    console.log(printable(formatProgram(program), "\n")); // it quotes the source (compiler/escape.ts)
    return 0;
  }
  const kernels = dtype === "float32" && !args.noKernels;
  const emitted = emitModuleWithKernels(program, { dtype, kernels, runtime: args.runtime ?? "rnnc/runtime", source: basename(args.file) });
  // esbuild is loaded only for the browser target.
  const code = target === "browser" ? await (await import("../browser/bundle.ts")).browserModule(emitted.code, fields, basename(args.file)) : emitted.code;
  const kernelSource = emitted.kernels;
  if (!args.output) {
    process.stdout.write(code);
    return 0;
  }
  try {
    writeFileSync(args.output, code);
    // The kernels' AssemblyScript, next to the module (which embeds them compiled): to read, or rebuild.
    if (kernelSource) writeFileSync(args.output.replace(/\.[cm]?[jt]s$/, "") + ".kernels.as", kernelSource);
  } catch (error) {
    throw new Stop(`${args.output}: cannot write the module: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  console.error(`wrote ${args.output} (${model.name}, ${program.params.length} params, ${dtype}${target === "browser" ? ", for the browser" : ""})`);
  return 0;
}
