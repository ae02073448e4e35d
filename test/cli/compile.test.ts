// `rnnc compile` end to end: the module a user gets, importing `rnnc/runtime`, type-checks in
// place; --dump-ir shows the forward and backward loops; a missing vocabulary is a clear error.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parityExamples } from "../../data/parity.ts";

const OUT = "test/6-emit/.generated";
mkdirSync(OUT, { recursive: true });
const data = `${OUT}/parity-compile.jsonl`;
writeFileSync(data, parityExamples(20, { minLength: 1, maxLength: 5, seed: 1 }).map((r) => JSON.stringify(r)).join("\n") + "\n");

const rnnc = (...args: string[]) => {
  const run = spawnSync(process.execPath, ["cli/rnnc.js", ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: run.status, out: run.stdout, err: run.stderr };
};

describe("rnnc compile", { timeout: 60_000 }, () => {
  it("writes a module that imports rnnc/runtime and type-checks under tsc --strict", () => {
    const file = `${OUT}/parity-module.ts`;
    const { code, err } = rnnc("compile", "examples/parity.rnn", "--data", data, "-o", file);
    expect(err).toBe(`wrote ${file} (parity, 8 params, float32)\n`);
    expect(code).toBe(0);
    const module = readFileSync(file, "utf8");
    expect(module).toContain('from "rnnc/runtime"');
    expect(module).toMatch(/^export const model: CompiledModel<F> = /m);
    const tsc = () => {
      try {
        return execFileSync("node_modules/.bin/tsc", ["--ignoreConfig", "--noEmit", "--strict", "--target", "ES2022", "--module", "NodeNext", "--moduleResolution", "NodeNext", "--allowImportingTsExtensions", "--skipLibCheck", file], { encoding: "utf8" });
      } catch (error) {
        return (error as { stdout: string }).stdout;
      }
    };
    expect(tsc()).toBe("");
  });

  it("prints the IR with its backward pass, and says when vocabulary sizes are missing", () => {
    const ir = rnnc("compile", "examples/parity.rnn", "--data", data, "--dump-ir");
    expect(ir.code).toBe(0);
    expect(ir.out).toMatch(/^loop forward over t {3}\/\/ h: recurrence forward over t$/m);
    expect(ir.out).toMatch(/^loop backward over t {3}\/\/ adjoint of h: recurrence forward over t$/m);
    expect(ir.out).toContain("accumulate into dh[t-1]");
    const missing = rnnc("compile", "examples/parity.rnn");
    expect(missing.code).toBe(2);
    expect(missing.err).toBe("rnnc compile: parity uses vocab(bits), known only from data: give --data TRAIN.jsonl or --checkpoint CKPT\n");
  });
});
