// One fuzz case through the whole pipeline: check, lower, differentiate, emit (no WebAssembly
// kernels), the module written to a directory and imported, one training step on tiny matching
// data compared with the reference interpreter. tsc --strict runs once over every module of a
// run (`typecheck`), not once a case: it is slow. A case ends as a clean refusal (diagnostics
// the user can read), a model that compiled (and trained a step, unless it is huge), or a
// failure: a throw past the checker, an "internal error", NaN, a mismatch, a tsc error.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { transformSync } from "esbuild";
import { checkSource, differentiatedProgram } from "../../compiler/index.ts";
import { formatDiagnostic, hasErrors } from "../../compiler/diagnostics.ts";
import { numeric } from "../../compiler/2-check/sizes.ts";
import { emitModule } from "../../compiler/6-emit/index.ts";
import { interpretedModel } from "../../compiler/interpreted-model.ts";
import type { DifferentiatedProgram } from "../../compiler/ir/nodes.ts";
import type { CompiledModel, ModelBatch } from "../../runtime/model.ts";
import { Rng } from "../../runtime/rng.ts";
import type { FloatArray } from "../../runtime/types.ts";

export interface FuzzCase {
  seed: number;
  origin: string; // "generated", "mutated", "regression: …"
  source: string;
}

export type Outcome =
  | { kind: "refused" }
  | { kind: "compiled"; trained: boolean }
  | { kind: "failure"; stage: string; message: string };

export interface Failure extends FuzzCase {
  stage: string;
  message: string;
}

/** Above these, the module is emitted and type-checked but not run (size limits are the checker's). */
const MAX_PARAMS = 1e6;
const MAX_WIDTH = 1e5;
/** Modules a tsc is given at most: a few MB of memory each. */
const CHUNK = 150;

const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const firstLine = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split("\n").slice(0, 6).join("\n");

export class FuzzRun {
  readonly failures: Failure[] = [];
  readonly counts = { cases: 0, compiled: 0, trained: 0, refused: 0, failed: 0 };
  private readonly files = new Map<string, FuzzCase>();
  private checkedFiles = 0;
  private running = 0; // tsc processes under way
  private written?: string; // the module of the case being run
  private readonly keep = new Set<string>(); // modules of failed cases
  private readonly checks: Promise<void>[] = [];
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
    mkdirSync(this.dir, { recursive: true });
  }

  /** Runs one case; a failure is recorded (with its seed and program) as well as returned. */
  async run(c: FuzzCase): Promise<Outcome> {
    this.written = undefined;
    const outcome = await this.outcome(c).catch((e): Outcome => ({ kind: "failure", stage: "harness", message: firstLine(e) }));
    this.counts.cases++;
    if (outcome.kind === "failure") {
      if (this.written) this.keep.add(this.written);
      this.counts.failed++;
      this.failures.push({ ...c, stage: outcome.stage, message: outcome.message });
    } else if (outcome.kind === "refused") this.counts.refused++;
    else (this.counts.compiled++, outcome.trained && this.counts.trained++);
    return outcome;
  }

  private async outcome(c: FuzzCase): Promise<Outcome> {
    const fail = (stage: string, e: unknown): Outcome => ({ kind: "failure", stage, message: firstLine(e) });
    let checked;
    try {
      checked = checkSource(c.source, "fuzz.rnn");
    } catch (e) {
      return fail("check", e);
    }
    for (const d of checked.diagnostics) {
      let printed: string;
      try {
        printed = formatDiagnostic(d, "fuzz.rnn", c.source);
      } catch (e) {
        return fail("diagnostic printing", e);
      }
      if (/internal error/i.test(d.message) || d.code === "parserFailure") return fail("check", printed);
      if (!(d.span.start >= 0 && d.span.end >= d.span.start && d.span.start <= c.source.length)) return fail("check", `a span out of the file: ${printed}`);
    }
    const model = checked.models[0];
    if (hasErrors(checked.diagnostics) || !model) return { kind: "refused" };

    const rng = new Rng(c.seed);
    const sizes = new Map<string, number>();
    for (const d of model.data) {
      const kind = d.type.element.kind;
      if (kind !== "token" && kind !== "class") continue;
      const key = `${kind === "token" ? "vocab" : "classes"}(${d.name})`;
      const fixed = model.sizeConstraints.get(key);
      if (fixed && numeric(fixed) === undefined) continue;
      sizes.set(key, fixed ? numeric(fixed)! : 2 + rng.int(4));
    }
    let program: DifferentiatedProgram;
    try {
      program = differentiatedProgram(model, sizes);
    } catch (e) {
      return fail("lower/differentiate", e);
    }
    const dtype = c.seed % 2 === 0 ? "float64" : "float32";
    const file = `${this.dir}/case${this.files.size}-${dtype}.ts`;
    try {
      const runtime = relative(this.dir, resolve("runtime/model.ts"));
      writeFileSync(file, emitModule(program, { dtype, kernels: false, runtime, source: "fuzz.rnn" }));
    } catch (e) {
      return fail("emit", e);
    }
    this.files.set(file, c);
    this.written = file;
    const pending = this.files.size - this.checkedFiles;
    if (pending >= CHUNK) await this.checks[this.checks.length - 1]; // tsc is behind: wait for it (its memory grows with its files)
    if (this.running === 0 && pending >= 40) this.typecheck();

    const huge =
      program.params.reduce((n, p) => n + count(p.shape), 0) > MAX_PARAMS ||
      [...program.data, ...program.sequences, ...program.values].some((x) => x.size > MAX_WIDTH) ||
      program.carries.some((c) => c.steps * c.width > MAX_WIDTH) ||
      program.blocks.some((b) => b.nodes.some((n) => count(n.shape) > MAX_WIDTH));
    if (huge) return { kind: "compiled", trained: false };

    let emitted: CompiledModel;
    try {
      emitted = load(readFileSync(file, "utf8"));
    } catch (e) {
      return fail("import", e);
    }
    try {
      const problem = trainStep(program, emitted, dtype, rng);
      return problem ? fail("train", problem) : { kind: "compiled", trained: true };
    } catch (e) {
      return fail("train", e);
    }
  }

  /**
   * tsc --strict over the modules written since the last call, in the background (a run goes on
   * with its next cases on the other core): one invocation for many modules, as it is slow to start.
   */
  typecheck(): void {
    const files = [...this.files.keys()].slice(this.checkedFiles, this.checkedFiles + CHUNK);
    this.checkedFiles += files.length;
    if (files.length === 0) return;
    const args = ["--ignoreConfig", "--noEmit", "--strict", "--target", "ES2022", "--module", "NodeNext", "--moduleResolution", "NodeNext", "--allowImportingTsExtensions", "--skipLibCheck", "--checkers", "1", ...files];
    this.running++;
    this.checks.push(
      new Promise<string>((done) =>
        execFile(resolve("node_modules/.bin/tsc"), args, { encoding: "utf8", maxBuffer: 1 << 28 }, (error, stdout) => done(error ? stdout || firstLine(error) : "")),
      ).then((output) => {
        this.running--;
        const failed = this.tscFailures(output);
        // A module that type-checked is done with: only failures stay on disk, to look at.
        for (const f of files) if (!failed.has(f) && !this.keep.has(f)) rmSync(f, { force: true });
      }),
    );
  }

  /** Type-checks what is left and waits for every tsc of the run. */
  async finish(): Promise<void> {
    while (this.checkedFiles < this.files.size) {
      await this.checks[this.checks.length - 1];
      this.typecheck();
    }
    await Promise.all(this.checks);
  }

  /** The failures in tsc's output, recorded; returns the files they are in. */
  private tscFailures(output: string): Set<string> {
    const byCase = new Map<FuzzCase, string[]>();
    const unknown: FuzzCase = { seed: -1, origin: "tsc", source: "" };
    const failed = new Set<string>();
    for (const line of output.split("\n").filter((l) => /error TS\d+/.test(l))) {
      const file = resolve(line.split("(")[0]);
      const c = this.files.get(file) ?? unknown;
      failed.add(file);
      byCase.set(c, [...(byCase.get(c) ?? []), line]);
    }
    if (output && byCase.size === 0) byCase.set(unknown, [output.slice(0, 2000)]);
    for (const [c, lines] of byCase) {
      this.failures.push({ ...c, stage: "tsc --strict", message: lines.slice(0, 5).join("\n") });
      this.counts.failed++;
    }
    return failed;
  }
}

/**
 * The module, its types stripped by esbuild and run as a function: what importing it does, without
 * a bundler's transform of every module (vitest's is slower than the rest of a case). A module
 * that imports anything at run time (it may import the runtime's types only) fails here.
 */
function load(code: string): CompiledModel {
  const js = transformSync(code, { loader: "ts", format: "cjs", target: "es2022" }).code;
  const module = { exports: {} as { default?: CompiledModel } };
  const require = (what: string) => {
    throw new Error(`the module imports ${what} at run time`);
  };
  new Function("module", "exports", "require", js)(module, module.exports, require);
  if (!module.exports.default) throw new Error("the module has no default export");
  return module.exports.default;
}

/** Batch 1–3, lengths 1–4 on each axis, ids within their sizes, vectors N(0, 1). */
function tinyBatch(program: DifferentiatedProgram, rng: Rng, dtype: "float32" | "float64"): ModelBatch {
  const size = 1 + rng.int(3);
  const axes = [...new Set([...program.data, ...program.sequences].map((x) => x.axis).filter((a): a is "t" | "s" => !!a))];
  const lengths = Object.fromEntries(axes.map((a) => [a, Int32Array.from({ length: size }, () => 1 + rng.int(4))]));
  const steps = (axis?: "t" | "s") => (axis ? Math.max(...lengths[axis]) : 1);
  const F = dtype === "float64" ? Float64Array : Float32Array;
  const fields = new Map<string, FloatArray>();
  for (const d of program.data) {
    const width = d.kind === "ids" ? 1 : d.size;
    const n = (d.sequence ? steps(d.axis) : 1) * size * width;
    const values = Array.from({ length: n }, () => (d.kind === "ids" ? rng.int(Math.max(1, d.size)) : rng.normal()));
    fields.set(d.name, F.from(values));
  }
  return { size, lengths, fields };
}

/** What differs between the emitted module and the interpreter in a training step, or nothing. */
function trainStep(program: DifferentiatedProgram, emitted: CompiledModel, dtype: "float32" | "float64", rng: Rng): string | undefined {
  const reference = interpretedModel(program);
  const F = dtype === "float64" ? Float64Array : Float32Array;
  const params64 = new Map(program.params.map((p) => [p.name, Float64Array.from({ length: count(p.shape) }, () => 0.5 * rng.normal())]));
  const params = new Map([...params64].map(([k, v]) => [k, F.from(v)]));
  const batch: ModelBatch = { ...tinyBatch(program, rng, dtype), training: { seed: 1 + rng.int(1000), update: rng.int(10) } };
  const batch64: ModelBatch = { ...batch, fields: new Map([...batch.fields].map(([k, v]) => [k, Float64Array.from(v)])) };
  const tolerance = dtype === "float64" ? 1e-9 : 2e-3;
  const problems: string[] = [];
  const compare = (what: string, expected: ArrayLike<number>, actual: ArrayLike<number> | undefined) => {
    if (!actual) return void problems.push(`${what}: missing`);
    if (actual.length !== expected.length) return void problems.push(`${what}: length ${actual.length}, expected ${expected.length}`);
    let scale = 1;
    for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
    for (let i = 0; i < expected.length; i++) {
      if (!Number.isFinite(actual[i])) return void problems.push(`${what}[${i}] is ${actual[i]} (the interpreter: ${expected[i]})`);
      if (!(Math.abs(actual[i] - expected[i]) <= tolerance * scale)) return void problems.push(`${what}[${i}] is ${actual[i]}, the interpreter's ${expected[i]}`);
    }
  };

  const grads = emitted.createParams();
  const loss = emitted.lossAndGrad(params, grads, batch);
  const referenceGrads = reference.createParams();
  const referenceLoss = reference.lossAndGrad(params64, referenceGrads, batch64);
  if (!Number.isFinite(referenceLoss) || [...referenceGrads.values()].some((g) => g.some((x) => !Number.isFinite(x))))
    return `the interpreter's own loss or gradients are not finite (loss ${referenceLoss})`;
  compare("loss", [referenceLoss], [loss]);
  for (const [name, g] of referenceGrads) compare(`gradient of ${name}`, g, grads.get(name));
  if (program.carries.length > 0) {
    const carry = emitted.finalStates();
    const referenceCarry = reference.finalStates();
    for (const [name, c] of referenceCarry) compare(`carry ${name}`, c, carry.get(name));
    // The next window, from the carry.
    const next = emitted.lossAndGrad(params, grads, { ...batch, carry });
    const nextReference = reference.lossAndGrad(params64, referenceGrads, { ...batch64, carry: referenceCarry });
    compare("the second window's loss", [nextReference], [next]);
  }
  const flows = emitted.gradientFlow?.(params, batch);
  for (const [name, flow] of reference.gradientFlow?.(params64, batch64) ?? []) compare(`gradient flow of ${name}`, flow, flows?.get(name));
  const predictions = emitted.predict(params, batch);
  reference.predict(params64, batch64).forEach((p, i) => compare(`prediction ${i}`, p, predictions[i]));
  if (program.outputs.length > 0) {
    const outputs = emitted.outputValues(params, batch);
    reference.outputValues(params64, batch64).forEach((o, i) => compare(`output ${program.outputs[i].name}`, o, outputs[i]));
  }
  return problems.length > 0 ? problems.slice(0, 4).join("\n") : undefined;
}
