// The compiled backend: the emitted TypeScript module, written to a temporary .mts file (ESM
// wherever it lands; the CLI runs under tsx, which loads TypeScript) and imported. Its only
// import is the runtime's types, erased at load time. In float32 its products run in the
// WebAssembly kernels it embeds, unless `kernels` is false.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { emitModule } from "../compiler/6-emit/index.ts";
import type { DifferentiatedProgram } from "../compiler/ir/nodes.ts";
import type { CompiledModel } from "../runtime/model.ts";

/** Emits the program's module into a fresh temporary directory; returns the file's path. */
export async function emittedModuleFile(program: DifferentiatedProgram, dtype: "float32" | "float64" = "float32", kernels = dtype === "float32"): Promise<string> {
  const runtime = pathToFileURL(new URL("../runtime/model.ts", import.meta.url).pathname).href;
  const file = join(mkdtempSync(join(tmpdir(), "rnnc-")), `${program.model.replace(/[^A-Za-z0-9_]/g, "_")}.mts`);
  writeFileSync(file, emitModule(program, { dtype, runtime, kernels }));
  return file;
}

/** Imports an emitted module file (each file once: Node caches modules by URL). */
export async function importCompiledModel(file: string): Promise<CompiledModel> {
  const module = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { default: CompiledModel };
  return module.default;
}

export async function compiledModel(program: DifferentiatedProgram, dtype: "float32" | "float64" = "float32", kernels = dtype === "float32"): Promise<CompiledModel> {
  return importCompiledModel(await emittedModuleFile(program, dtype, kernels));
}
