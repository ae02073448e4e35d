// The backends a compiled program can run on, by the name `--backend` takes. Each gives the
// training loop a CompiledModel; nothing else in the CLI knows which one it drives.
import { interpretedModel } from "../compiler/interpreted-model.ts";
import { compiledModel } from "./compiled-model.ts";
import type { DifferentiatedProgram } from "../compiler/ir/nodes.ts";
import type { CompiledModel } from "../runtime/model.ts";

export interface Backend {
  /** The array type of its params and batches. */
  arrays: Float32ArrayConstructor | Float64ArrayConstructor;
  create(program: DifferentiatedProgram): Promise<CompiledModel>;
}

export const backends: Record<string, Backend> = {
  /** The reference interpreter: float64, slow, needs nothing but the IR. */
  interpreted: { arrays: Float64Array, create: async (program) => interpretedModel(program) as CompiledModel },
  /** The emitted TypeScript module: float32, sizes as constants, products in WebAssembly SIMD; the default. */
  compiled: { arrays: Float32Array, create: (program) => compiledModel(program, "float32") },
  /** The same without WebAssembly: every loop in plain TypeScript (the kernels' fallback and reference). */
  "compiled-ts": { arrays: Float32Array, create: (program) => compiledModel(program, "float32", false) },
  /** The emitted module in float64: for checking the compiled code against the interpreter. */
  compiled64: { arrays: Float64Array, create: (program) => compiledModel(program, "float64") },
};

export const DEFAULT_BACKEND = "compiled";
