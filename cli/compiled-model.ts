// The compiled backend: the emitted TypeScript module, written to a temporary .mts file (ESM
// wherever it lands; the CLI runs under tsx, which loads TypeScript) and imported. Its only
// import is the runtime's types, erased at load time.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { emitModule } from "../compiler/6-emit/index.ts";
import type { DifferentiatedProgram } from "../compiler/ir/nodes.ts";
import type { CompiledModel } from "../runtime/model.ts";

export async function compiledModel(program: DifferentiatedProgram, dtype: "float32" | "float64" = "float32"): Promise<CompiledModel> {
  const runtime = pathToFileURL(new URL("../runtime/model.ts", import.meta.url).pathname).href;
  const file = join(mkdtempSync(join(tmpdir(), "rnnc-")), `${program.model.replace(/[^A-Za-z0-9_]/g, "_")}.mts`);
  writeFileSync(file, emitModule(program, { dtype, runtime }));
  const module = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { default: CompiledModel };
  return module.default;
}
