// Milliseconds per training step on one thread and on N (data-parallel), for the record and for
// `--threads auto`: npx tsx test/parallel/speed.ts MODEL.rnn DATA.jsonl [--set NAME=VALUE]…
// [--batch N] [--threads N] [--steps N] [--backend compiled|compiled-ts|compiled64]
// The same batches, single and parallel steps alternating (so that a busy machine slows both
// alike); the step is lossAndGrad, clipping and Adam, as the training loop does it. Medians.
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { parseOverrides } from "../../cli/check.ts";
import { emittedModuleFile, importCompiledModel } from "../../cli/compiled-model.ts";
import { workerLoader } from "../../cli/worker-loader.ts";
import { dataSizes, modelFields } from "../../cli/model-data.ts";
import { exampleLengths, toModelBatch } from "../../data/batches.ts";
import { loadData, loadModel } from "../../cli/setup.ts";
import { createOptimizer } from "../../cli/train-loop.ts";
import { differentiatedProgram } from "../../compiler/index.ts";
import { bucketByLength } from "../../runtime/batch.ts";
import { clipGlobalNorm } from "../../runtime/clip.ts";
import { initialize } from "../../runtime/init.ts";
import type { CompiledModel, ModelBatch } from "../../runtime/model.ts";
import type { Param } from "../../runtime/optimizers.ts";
import { parallelModel } from "../../runtime/parallel/index.ts";
import { Rng } from "../../runtime/rng.ts";
import type { FloatArray } from "../../runtime/types.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { set: { type: "string", multiple: true }, batch: { type: "string" }, threads: { type: "string" }, steps: { type: "string" }, backend: { type: "string" } },
});
const [file, data] = positionals;
const overrides = parseOverrides(values.set ?? [])!;
if (values.batch) overrides.set("batch", Number(values.batch));
const threads = Number(values.threads ?? 2);
const steps = Number(values.steps ?? 20);
const [dtype, kernels] = ({ compiled: ["float32", true], "compiled-ts": ["float32", false], compiled64: ["float64", false] } as const)[values.backend ?? "compiled"]!;

const { model: checked } = loadModel(file, overrides);
const train = await loadData(data, modelFields(checked), { skipInvalid: true });
const program = differentiatedProgram(checked, dataSizes(checked, train.vocabularies, data).sizes);
const moduleFile = await emittedModuleFile(program, dtype, kernels);
const single = await importCompiledModel(moduleFile);
let started = performance.now();
const parallel = await parallelModel(moduleFile, threads, { load: workerLoader });
const startup = performance.now() - started;

const rng = new Rng(1);
const params = single.createParams();
for (const p of single.params) initialize(params.get(p.name)!, p.shape, p.init, rng);
const batches = bucketByLength(exampleLengths(train.examples, single.data), checked.train.batch, rng)
  .filter((b) => b.length === checked.train.batch)
  .slice(0, steps + 2)
  .map((indices) => toModelBatch(train.examples, indices, single.data, { vocabularies: train.vocabularies, arrays: dtype === "float64" ? Float64Array : Float32Array }));

/** One training step as trainEpochs takes it (on a copy of the params, so both runs see the same); ms. */
function stepper(model: CompiledModel) {
  const own = new Map([...params].map(([k, v]) => [k, v.slice()]));
  const grads = model.createParams();
  const optimizer = createOptimizer(checked.train);
  const list: Param<FloatArray>[] = model.params.map((p) => ({ name: p.name, values: own.get(p.name)!, grad: grads.get(p.name)!, decay: p.decay, frozen: false }));
  return (batch: ModelBatch) => {
    const t0 = performance.now();
    model.lossAndGrad(own, grads, batch);
    const t1 = performance.now();
    clipGlobalNorm(list.map((p) => p.grad), checked.train.clipNorm);
    optimizer.step(list, checked.train.weightDecay);
    return [performance.now() - t0, t1 - t0];
  };
}
const one = stepper(single);
const many = stepper(parallel);
const times = { single: [] as number[], parallel: [] as number[], singleGrad: [] as number[], parallelGrad: [] as number[] };
started = performance.now();
batches.forEach((batch, i) => {
  const order = i % 2 === 0 ? ([one, many] as const) : ([many, one] as const);
  for (const run of order) {
    const [step, grad] = run(batch);
    if (i < 2) continue; // warm-up
    const which = run === one ? "single" : "parallel";
    times[which].push(step);
    times[`${which}Grad`].push(grad);
  }
});
await parallel.close();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const tokens = batches.slice(2).reduce((n, b) => n + Math.max(...Object.values(b.lengths).map((l) => l!.reduce((a, x) => a + x, 0))), 0) / (batches.length - 2);
console.log(
  `${checked.name} ${[...overrides].map(([k, v]) => `${k}=${v}`).join(" ")} batch ${checked.train.batch} (${tokens.toFixed(0)} tokens), ${values.backend ?? "compiled"}, ${availableParallelism()} cores: ` +
    `1 thread ${median(times.single).toFixed(1)} ms/step (lossAndGrad ${median(times.singleGrad).toFixed(1)}), ` +
    `${threads} threads ${median(times.parallel).toFixed(1)} ms/step (lossAndGrad ${median(times.parallelGrad).toFixed(1)}): ` +
    `×${(median(times.single) / median(times.parallel)).toFixed(2)}; workers started in ${startup.toFixed(0)} ms; ${times.single.length} steps each`,
);
