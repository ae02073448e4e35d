// Every slice and every time index of the language (sweep-programs.ts), through the emitted
// modules at every batch size from 1 to 9. A family of wrong-code bugs hid behind the batch
// sizes other tests happened to use: a shared value (a param, or anything computed from params
// alone) read as if it held one copy per example works at batch 1 and often at 2, then reads
// out of bounds or another example's row. So each program is checked three ways:
//   - the interpreter, at every batch size, against the same examples run one at a time (a
//     batch's loss and gradients are the means of its examples', its predictions theirs): the
//     interpreter is the oracle, and it was itself wrong for shared values;
//   - the interpreter's gradient against central differences;
//   - the emitted modules (float64; float32 with and without kernels) against the interpreter,
//     one module each reused for all nine sizes, in an order where every larger batch is
//     followed by a smaller one: rows a grown buffer keeps from a larger batch must not leak.
// Each check collects every mismatch and asserts the list is empty, so a failure names all the
// dtypes, batch sizes and values that are wrong at once.
import { describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/index.ts";
import { formatDiagnostic } from "../../compiler/diagnostics.ts";
import { lower } from "../../compiler/3-lower/index.ts";
import { differentiate } from "../../compiler/4-differentiate/index.ts";
import { lossAndGradient, type Batch, type Params } from "../../compiler/ir/interpret.ts";
import { interpretedModel } from "../../compiler/interpreted-model.ts";
import { validate } from "../../compiler/ir/validate.ts";
import type { DifferentiatedProgram, Program } from "../../compiler/ir/nodes.ts";
import { gradcheck, randomBatch, randomParams } from "../4-differentiate/gradcheck.ts";
import { collect, compare, emitted, F32, F64, relativeLossError, threw, toModelBatch, widened, type Reference } from "./harness.ts";
import { sweepPrograms, type SweepProgram } from "./sweep-programs.ts";

/** Every size from 1 to 9 once; 9→2, 8→3, 7→4, 6→5 each follow a larger batch. */
const BATCH_SIZES = [1, 9, 2, 8, 3, 7, 4, 6, 5];
/** The batch size gradients are checked against central differences at (examples past the first must count). */
const GRADCHECK_SIZE = 5;

/** Lengths for `B` examples: unequal, 1 among them (at B = 1 too), rotating with B and the axis. */
const LENGTHS = [4, 1, 5, 2, 6, 3, 1, 5, 2];
const lengthsFor = (axes: SweepProgram["axes"], B: number): Partial<Record<"t" | "s", number[]>> =>
  Object.fromEntries(axes.map((axis, k) => [axis, Array.from({ length: B }, (_, b) => LENGTHS[(b + B + 4 * k) % LENGTHS.length])]));

/** Checked (without errors: a refused case is a bug of this file), lowered, differentiated. */
function compileSweep(sp: SweepProgram): { lowered: Program; differentiated: DifferentiatedProgram } {
  const checked = checkSource(sp.source, `${sp.name}.rnn`);
  const errors = checked.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((d) => formatDiagnostic(d, `${sp.name}.rnn`, sp.source)).join("\n"));
  const lowered = lower(checked.models[0], new Map(Object.entries(sp.dataSizes ?? {})));
  const differentiated = differentiate(lowered);
  const problems = validate(differentiated); // shapes, and which values are shared
  if (problems.length > 0) throw new Error(problems.join("\n"));
  return { lowered, differentiated };
}

/** A batch's example `b` alone: its own lengths, its own steps of every field. */
function exampleOf(p: Program, batch: Batch, b: number): Batch {
  const B = batch.size;
  const lengths = Object.fromEntries(Object.entries(batch.lengths).map(([axis, ls]) => [axis, Int32Array.of(ls![b])]));
  const fields = new Map(
    p.data.map((d) => {
      const width = d.kind === "ids" ? 1 : d.size;
      const steps = d.sequence && d.axis ? batch.lengths[d.axis]![b] : 1;
      const all = batch.fields.get(d.name)!;
      const own = new Float64Array(steps * width);
      for (let t = 0; t < steps; t++) own.set(all.subarray((t * B + b) * width, (t * B + b + 1) * width), t * width);
      return [d.name, own];
    }),
  );
  return { size: 1, lengths, fields };
}

function interpreted(p: DifferentiatedProgram, params: Params, batch: Batch): Reference {
  const { loss, grads } = lossAndGradient(p, params, batch);
  return { loss, grads, predictions: interpretedModel(p).predict(params, toModelBatch(batch, "float64")) };
}

/** The batch's loss and gradients as the means of its examples', each prediction row as its example's. */
function fromExamples(p: DifferentiatedProgram, params: Params, batch: Batch): Reference {
  const B = batch.size;
  const singles = Array.from({ length: B }, (_, b) => interpreted(p, params, exampleOf(p, batch, b)));
  const grads = new Map(p.params.map((q) => [q.name, new Float64Array(params.get(q.name)!.length)]));
  for (const single of singles) for (const [name, g] of grads) single.grads.get(name)!.forEach((x, i) => (g[i] += x / B));
  const predictions = interpretedModel(p).losses.map((loss, l) => {
    const n = loss.size;
    const lengths = loss.axis ? batch.lengths[loss.axis]! : Int32Array.from({ length: B }, () => 1);
    const out = new Float64Array(Math.max(...lengths) * B * n); // padded steps stay 0
    singles.forEach((single, b) => {
      for (let t = 0; t < lengths[b]; t++) out.set(single.predictions[l].subarray(t * n, (t + 1) * n), (t * B + b) * n);
    });
    return out;
  });
  return { loss: singles.reduce((sum, s) => sum + s.loss, 0) / B, grads, predictions };
}

const titled = sweepPrograms.map((sp) => [`${sp.name} (${sp.cases.join("; ")})`, sp] as const);

describe("every slice and time index at batch sizes 1 to 9", () => {
  it.each(titled)("the interpreter: a batch is its examples run one at a time — %s", (_, sp) => {
    const { differentiated: p } = compileSweep(sp);
    const params = randomParams(p);
    const problems: string[] = [];
    for (const B of BATCH_SIZES) {
      const batch = randomBatch(p, lengthsFor(sp.axes, B), B);
      collect(problems, `B=${B}`, () => compare(fromExamples(p, params, batch), interpreted(p, params, batch), F64));
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it.each(titled)(`the interpreter's gradient against central differences at B=${GRADCHECK_SIZE} — %s`, (_, sp) => {
    const { lowered } = compileSweep(sp);
    const report = gradcheck(lowered, randomParams(lowered), randomBatch(lowered, lengthsFor(sp.axes, GRADCHECK_SIZE), GRADCHECK_SIZE));
    expect(report.checked).toBeGreaterThan(0);
    expect(report.maxRelativeError, report.worst).toBeLessThan(1e-6);
  }, 60_000);

  it.each(titled)("the emitted modules against the interpreter — %s", async (_, sp) => {
    const { differentiated: p } = compileSweep(sp);
    const params = randomParams(p);
    const params32 = new Map([...params].map(([k, v]) => [k, Float32Array.from(v)]));
    const problems: string[] = [];
    const variants = [
      { label: "float64", dtype: "float64", kernels: false, params, tolerances: F64 },
      { label: "float32", dtype: "float32", kernels: false, params: params32, tolerances: F32 },
      { label: "float32+kernels", dtype: "float32", kernels: true, params: params32, tolerances: F32 },
    ] as const;
    // One module each, and one gradient map each: lossAndGrad overwrites it, a stale entry would show.
    const modules = [];
    for (const v of variants) {
      try {
        const module = await emitted(p, v.dtype, v.kernels, "sweep-");
        modules.push({ ...v, module, grads: module.createParams() });
      } catch (error) {
        problems.push(`${v.label}: emitting or loading ${threw(error)}`);
      }
    }
    for (const B of BATCH_SIZES) {
      const batch = randomBatch(p, lengthsFor(sp.axes, B), B);
      let reference: Reference;
      try {
        reference = interpreted(p, params, batch);
      } catch (error) {
        problems.push(`interpreter B=${B}: ${threw(error)}`);
        continue;
      }
      for (const { label, dtype, module, grads, params: ps, tolerances } of modules) {
        const modelBatch = toModelBatch(batch, dtype);
        collect(problems, `${label} B=${B}`, () => {
          const loss = module.lossAndGrad(ps, grads, modelBatch);
          const predictions = module.predict(ps, modelBatch).map((a) => Float64Array.from(a));
          const lossOnly = module.loss(ps, modelBatch);
          return [
            ...compare(reference, { loss, grads: widened(grads), predictions }, tolerances),
            relativeLossError(reference.loss, lossOnly) <= tolerances.loss ? undefined : `loss() ${lossOnly}, expected ${reference.loss}`,
          ];
        });
      }
    }
    expect(problems).toEqual([]);
  }, 120_000); // the kernels compile in a second or two (once per model: they are cached)
});

