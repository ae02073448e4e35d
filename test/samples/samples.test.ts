// Golden samples of generated code: each model below, emitted as `rnnc compile --no-kernels`
// writes it, must equal its `.ts` file here to the character. Any change to what the compiler
// writes shows up as a diff of these files, to be read like any other change: regenerate them
// with `UPDATE_GOLDEN=1 npx vitest run test/samples` and review the diff before committing.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkSource, differentiatedProgram } from "../../compiler/index.ts";
import { emitModule } from "../../compiler/6-emit/index.ts";

/** Each sample: a model file, the sizes its data would bind, the dims it is built with. */
const samples = [
  { name: "names", file: "examples/names.rnn", sizes: { "vocab(name)": 55 }, dims: {} },
  { name: "parity", file: "examples/parity.rnn", sizes: { "vocab(bits)": 6 }, dims: { H: 4 } },
  { name: "co2-bptt", file: "examples/co2.rnn", sizes: {}, dims: { H: 4 } },
];

describe("generated code, as a person reads it", () => {
  it.each(samples)("$file", ({ name, file, sizes, dims }) => {
    const source = readFileSync(file, "utf8");
    const checked = checkSource(source, file, { overrides: new Map(Object.entries(dims)) });
    const program = differentiatedProgram(checked.models[0], new Map(Object.entries(sizes)));
    const code = emitModule(program, { dtype: "float32", kernels: false, runtime: "rnnc/runtime", source: file.split("/").pop()! });
    const golden = `test/samples/${name}.ts`;
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, code);
    expect(existsSync(golden), `${golden} is missing: write it with UPDATE_GOLDEN=1`).toBe(true);
    expect(code).toBe(readFileSync(golden, "utf8"));
  });
});
