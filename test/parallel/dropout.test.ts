// Dropout on several threads: each part of a batch draws the masks its examples draw in the whole
// batch (their index in it, not in the part), so 1, 2 and 3 threads give the same loss and
// gradients (up to the order of float summation), and the interpreter's.
import { afterAll, expect, it } from "vitest";
import { emittedModuleFile, importCompiledModel } from "../../cli/compiled-model.ts";
import { workerLoader } from "../../cli/worker-loader.ts";
import { interpretedModel } from "../../compiler/interpreted-model.ts";
import type { CompiledModel, ModelBatch } from "../../runtime/model.ts";
import { parallelModel, type ParallelModel } from "../../runtime/parallel/index.ts";
import { randomBatch, randomParams } from "../4-differentiate/gradcheck.ts";
import { compile, dropoutSource } from "../6-emit/dropout-programs.ts";
import { expectNonZero, maxRelativeDifference, modelBatch } from "./helpers.ts";

const { p } = compile(dropoutSource(0.3, 0.4, 0.5));
const open: ParallelModel[] = [];
const models = (async () => {
  const file = await emittedModuleFile(p, "float64");
  const [two, three] = await Promise.all([parallelModel(file, 2, { load: workerLoader }), parallelModel(file, 3, { load: workerLoader })]);
  open.push(two, three);
  return { single: await importCompiledModel(file), two, three };
})();
afterAll(async () => {
  for (const model of open) await model.close();
});

const lossAndGrad = (model: CompiledModel, params: Map<string, Float64Array>, batch: ModelBatch) => {
  const grads = model.createParams();
  return { loss: model.lossAndGrad(params, grads, batch), grads };
};

it("1, 2 and 3 threads (and the interpreter) draw the same masks: the same loss and gradients", { timeout: 60_000 }, async () => {
  const { single, two, three } = await models;
  const params = randomParams(p);
  const reference = interpretedModel(p);
  for (const [i, lengths] of [[3, 1, 5, 2, 4], [2, 6, 1, 3, 2, 5, 4, 1, 3], [4, 4]].entries()) {
    for (const offset of [0, 7]) {
      const batch: ModelBatch = { ...modelBatch(randomBatch(p, { t: lengths }, 50 + i), "float64"), training: { seed: 99, update: 3 + i, offset } };
      const one = lossAndGrad(single, params, batch);
      expectNonZero(one.grads);
      const plain = lossAndGrad(single, params, { ...batch, training: undefined });
      expect(one.loss).not.toBe(plain.loss); // the masks are on
      for (const model of [two, three, reference]) {
        const other = lossAndGrad(model, params, batch);
        expect(Math.abs(other.loss - one.loss) / Math.max(1, Math.abs(one.loss))).toBeLessThan(1e-12);
        expect(maxRelativeDifference(other.grads, one.grads)).toBeLessThan(1e-12);
      }
    }
  }
  // A step that does not train, after one that did: the workers drop nothing.
  const batch = modelBatch(randomBatch(p, { t: [2, 3, 1, 4] }, 60), "float64");
  const one = lossAndGrad(single, params, batch);
  const par = lossAndGrad(three, params, batch);
  expect(Math.abs(par.loss - one.loss)).toBeLessThan(1e-12);
  expect(maxRelativeDifference(par.grads, one.grads)).toBeLessThan(1e-12);
});
