// The compiled backend: the emitted TypeScript module, written to a temporary .mts file (ESM
// wherever it lands; the CLI runs under tsx, which loads TypeScript) and imported. Its only
// import is the runtime's types, erased at load time. In float32 its products run in the
// WebAssembly kernels it embeds, unless `kernels` is false.
//
// The file lives only until it is imported (and, with worker threads, until the workers have
// loaded it): `removeModuleFile` deletes its directory, and whatever a failure left is deleted
// when the process exits. Its name is the model's, cut to 64 characters: a model name of any
// length (a file name may not pass 255 bytes) gives a file that can be written.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { emitModule } from "../compiler/6-emit/index.ts";
import type { DifferentiatedProgram } from "../compiler/ir/nodes.ts";
import type { CompiledModel } from "../runtime/model.ts";

/** The directories this process wrote modules into and has not removed yet. */
const written = new Set<string>();
let exitHook = false;

/** A file name from a model name: letters, digits and `_`, at most 64 characters. */
export const moduleFileName = (model: string) => `${model.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 64) || "model"}.mts`;

/** Emits the program's module into a fresh temporary directory; returns the file's path. */
export async function emittedModuleFile(program: DifferentiatedProgram, dtype: "float32" | "float64" = "float32", kernels = dtype === "float32"): Promise<string> {
  const runtime = pathToFileURL(new URL("../runtime/model.ts", import.meta.url).pathname).href;
  const dir = mkdtempSync(join(tmpdir(), "rnnc-"));
  written.add(dir);
  if (!exitHook) {
    exitHook = true;
    process.once("exit", () => [...written].forEach(removeDir));
  }
  const file = join(dir, moduleFileName(program.model));
  writeFileSync(file, emitModule(program, { dtype, runtime, kernels }));
  return file;
}

/** Deletes a module file that emittedModuleFile wrote, with its directory (once imported, it is not needed). */
export function removeModuleFile(file: string): void {
  const dir = dirname(file);
  if (written.has(dir) && basename(dir).startsWith("rnnc-")) removeDir(dir);
}

function removeDir(dir: string): void {
  written.delete(dir);
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // best effort: a temporary directory
  }
}

/** Imports an emitted module file (each file once: Node caches modules by URL). */
export async function importCompiledModel(file: string): Promise<CompiledModel> {
  const module = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { default: CompiledModel };
  return module.default;
}

/** Emits, imports, and deletes the file: nothing is left in the temporary directory. */
export async function compiledModel(program: DifferentiatedProgram, dtype: "float32" | "float64" = "float32", kernels = dtype === "float32"): Promise<CompiledModel> {
  const file = await emittedModuleFile(program, dtype, kernels);
  try {
    return await importCompiledModel(file);
  } finally {
    removeModuleFile(file);
  }
}
