// The parallel model (the main thread and worker threads, each on part of the batch) computes
// what the single-thread module computes, up to the order of float summation: float64 to 1e-12
// relative, float32 to 1e-5; uneven parts, a batch smaller than the thread count, shapes that
// change from step to step, carried states for truncated BPTT, a module with top-level await.
import { writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emittedModuleFile, importCompiledModel } from "../../cli/compiled-model.ts";
import { tsxWorkers, workerLoader } from "../../cli/worker-loader.ts";
import type { CompiledModel, ModelBatch } from "../../runtime/model.ts";
import { parallelModel, type ParallelModel, type ParallelOptions } from "../../runtime/parallel/index.ts";
import { CHUNK, flagChunks } from "../../runtime/parallel/chunks.ts";
import type { FloatArray } from "../../runtime/types.ts";
import { randomBatch, randomParams } from "../4-differentiate/gradcheck.ts";
import { castParams, expectNonZero, maxRelativeDifference, meanOverTokens, modelBatch, program } from "./helpers.ts";

const tagger = program("tagger", { E: 3, H: 5 }, { "vocab(words)": 7, "classes(tags)": 5 }, meanOverTokens);
const g2p = program("g2p", { E: 2, H: 3 }, { "vocab(spelling)": 5, "vocab(phones)": 6 });
// co2 reading further back: its carries hold 2 steps of the series and 3 of the state.
const co2 = program("co2", { H: 4 }, {}, (s) => s.replace("cell(series[t], h[t-1])", "cell(series[t] + series[t-2], h[t-1])").replace("out(h[t])", "out(h[t] + h[t-3])"));
// A vocabulary of 700 words of 3 values: the embedding spans 132 chunks of gradient, most of them zero for a small batch.
const wide = program("tagger", { E: 3, H: 4 }, { "vocab(words)": 700, "classes(tags)": 5 });

/** The module behind a wrapper that awaits at top level, and in a worker fails on parts of 3 examples, exits on parts of 7. */
async function awaitingWrapper(file: string): Promise<string> {
  const wrapper = join(dirname(file), "awaiting.mts");
  writeFileSync(
    wrapper,
    `import { isMainThread } from "node:worker_threads";
const inner = (await import(${JSON.stringify(`./${basename(file)}`)})).default;
await new Promise((resolve) => setTimeout(resolve, 10));
export default { ...inner, lossAndGrad(P, G, batch) {
  if (!isMainThread && batch.size === 3) throw new Error("boom in a worker");
  if (!isMainThread && batch.size === 7) process.exit(3);
  return inner.lossAndGrad(P, G, batch);
} };
`,
  );
  return wrapper;
}

// Starting a worker takes a fifth of a second (esbuild's bundles), a second through tsx's loader:
// every model of this file starts at once, then the tests take theirs.
const open: Promise<ParallelModel>[] = [];
const choices: { choice: "parallel" | "single"; ms: { single: number; parallel: number } }[] = [];
const models = (async () => {
  const files = {
    tagger64: await emittedModuleFile(tagger, "float64"),
    tagger32: await emittedModuleFile(tagger, "float32"),
    g2p: await emittedModuleFile(g2p, "float64"),
    co2: await emittedModuleFile(co2, "float64"),
    awaiting: await emittedModuleFile(tagger, "float64"),
    wide: await emittedModuleFile(wide, "float32"),
  };
  const start = (file: string, threads: number, options?: Partial<ParallelOptions>) => {
    const model = parallelModel(file, threads, { load: workerLoader, ...options });
    open.push(model);
    return model;
  };
  const wrapper = await awaitingWrapper(files.awaiting);
  const [tagger64, tagger32, g2p3, co22, awaiting, wide2, measured, viaTsx] = await Promise.all([
    start(files.tagger64, 2),
    start(files.tagger32, 2),
    start(files.g2p, 3),
    start(files.co2, 2),
    start(wrapper, 2),
    start(files.wide, 2),
    start(files.tagger64, 2, { trials: 3, onChoice: (choice, ms) => choices.push({ choice, ms }) }),
    start(wrapper, 2, { load: tsxWorkers }),
  ]);
  const single = async (file: string) => importCompiledModel(file);
  return {
    float64: { single: await single(files.tagger64), par: tagger64 },
    float32: { single: await single(files.tagger32), par: tagger32 },
    g2p: { single: await single(files.g2p), par: g2p3 },
    co2: { single: await single(files.co2), par: co22 },
    awaiting: { single: await single(files.awaiting), par: awaiting },
    wide: { single: await single(files.wide), par: wide2 },
    measured: { single: await single(files.tagger64), par: measured },
    viaTsx: { single: await single(files.awaiting), par: viaTsx },
  };
})();
afterAll(async () => {
  for (const model of await Promise.allSettled(open)) if (model.status === "fulfilled") await model.value.close();
});

/** lossAndGrad on both; the loss and gradients agree to `tolerance` (relative), and are not trivial. */
function expectSame(single: CompiledModel, par: CompiledModel, params: Map<string, FloatArray>, batch: ModelBatch, tolerance: number) {
  const g1 = single.createParams();
  const g2 = par.createParams();
  const l1 = single.lossAndGrad(params, g1, batch);
  const l2 = par.lossAndGrad(params, g2, batch);
  expect(Number.isFinite(l1)).toBe(true);
  expect(Math.abs(l2 - l1) / Math.max(1, Math.abs(l1))).toBeLessThan(tolerance);
  expectNonZero(g1);
  expect(maxRelativeDifference(g2, g1)).toBeLessThan(tolerance);
}

describe.each([
  ["float64", 1e-12],
  ["float32", 1e-5],
] as const)("%s", (dtype, tolerance) => {
  it("tagger (mean over tokens) on 2 threads: uneven parts, a batch smaller than the threads, changing shapes and params", { timeout: 30_000 }, async () => {
    const { single, par } = (await models)[dtype];
    expect(par.threads).toBe(2);
    const params = castParams(randomParams(tagger), dtype);
    const steps: number[][] = [
      [3, 1, 5, 2, 4], // B = 5: 2 + 3
      [2], // smaller than the thread count: the main thread alone
      [6, 7, 1, 3, 2, 5, 4, 8, 2, 1, 3, 9, 2], // longer and wider: the regions grow
      [1, 2, 1, 2, 3, 1], // smaller again: the same regions, fewer steps
    ];
    steps.forEach((lengths, i) => {
      const batch = modelBatch(randomBatch(tagger, { t: lengths }, 10 + i), dtype);
      expectSame(single, par, params, batch, tolerance);
    });
    // New params are seen by the workers.
    const other = castParams(randomParams(tagger, 5), dtype);
    expectSame(single, par, other, modelBatch(randomBatch(tagger, { t: [3, 1, 5, 2, 4] }, 10), dtype), tolerance);
    // Evaluation runs on the main thread's instance.
    const batch = modelBatch(randomBatch(tagger, { t: [4, 2, 3] }, 20), dtype);
    expect(par.loss(params, batch)).toBe(single.loss(params, batch));
    expect([...par.predict(params, batch)[0]]).toEqual([...single.predict(params, batch)[0]]);
  });
});

it("g2p (two time axes) on 3 threads: two workers and the main thread", { timeout: 30_000 }, async () => {
  const { single, par } = (await models).g2p;
  expect(par.threads).toBe(3);
  const params = randomParams(g2p);
  for (const [i, lengths] of [{ s: [3, 1, 4, 2, 5, 2, 1], t: [2, 3, 1, 4, 2, 2, 3] }, { s: [2, 2], t: [1, 3] }].entries()) {
    expectSame(single, par, params, modelBatch(randomBatch(g2p, lengths, 30 + i), "float64"), 1e-12);
  }
});

it("co2 (bptt): the final states come back in example order, and carry into the next window", { timeout: 30_000 }, async () => {
  const { single, par } = (await models).co2;
  expect(par.carried).toEqual(single.carried);
  expect(co2.carries.map((c) => [c.name, c.steps])).toEqual([["series", 2], ["h", 3]]);
  const params = randomParams(co2);
  const windows = [
    modelBatch(randomBatch(co2, { t: [4, 4, 2, 4, 3] }, 40), "float64"),
    modelBatch(randomBatch(co2, { t: [3, 0, 0, 2, 1] }, 41), "float64"), // ended examples keep their carry
  ];
  let carrySingle: Map<string, FloatArray> | undefined;
  let carryPar: Map<string, FloatArray> | undefined;
  for (const window of windows) {
    const g1 = single.createParams();
    const g2 = par.createParams();
    const l1 = single.lossAndGrad(params, g1, carrySingle ? { ...window, carry: carrySingle } : window);
    carrySingle = single.finalStates();
    const l2 = par.lossAndGrad(params, g2, carryPar ? { ...window, carry: carryPar } : window);
    carryPar = par.finalStates();
    expect(Math.abs(l2 - l1) / Math.max(1, Math.abs(l1))).toBeLessThan(1e-12);
    expectNonZero(g1);
    expect(maxRelativeDifference(g2, g1)).toBeLessThan(1e-12);
    expect(maxRelativeDifference(carryPar, carrySingle)).toBeLessThan(1e-12);
    for (const c of co2.carries) expect(carrySingle.get(c.name)!.length).toBe(window.size * c.steps * c.width);
    expectNonZero(carrySingle);
  }
});

it("adds only the chunks of a worker's gradients that are not all zeros: a large vocabulary's embedding", async () => {
  const { single, par } = (await models).wide;
  const params = castParams(randomParams(wide), "float32");
  const batch = modelBatch(randomBatch(wide, { t: [3, 1, 4, 2, 2, 3] }, 60), "float32");
  expectSame(single, par, params, batch, 1e-5);
  // Most of the embedding's gradient is zero, but not all (else the test shows nothing).
  const grads = par.createParams();
  par.lossAndGrad(params, grads, batch);
  const embedding = grads.get("emb.W") ?? grads.get([...grads.keys()].find((k) => k.startsWith("emb"))!)!;
  expect(embedding.length).toBe(700 * 3);
  const nonZero = embedding.filter((x) => x !== 0).length;
  expect(nonZero).toBeGreaterThan(0);
  expect(nonZero).toBeLessThanOrEqual(15 * 3); // at most the batch's 15 tokens' rows
});

it("measuring (auto): the first batches run both ways, then the faster way is kept and said", async () => {
  const { single, par } = (await models).measured;
  const params = randomParams(tagger);
  expect(par.choice).toBe("measuring");
  const run = (lengths: number[], seed: number) => {
    const batch = modelBatch(randomBatch(tagger, { t: lengths }, seed), "float64");
    const g1 = single.createParams();
    const g2 = par.createParams();
    return [single.lossAndGrad(params, g1, batch), par.lossAndGrad(params, g2, batch), maxRelativeDifference(g2, g1)];
  };
  // While measuring, the result is the single thread's, exactly.
  for (const [lengths, seed] of [[[3, 1, 5, 2], 70], [[2, 4, 1, 3], 71]] as const) {
    const [l1, l2, d] = run([...lengths], seed);
    expect([l2, d]).toEqual([l1, 0]);
  }
  run([5], 72); // one example: not cut, not a trial
  expect(par.choice).toBe("measuring");
  run([1, 2, 3], 73); // the third trial: decided
  expect(["parallel", "single"]).toContain(par.choice);
  expect(choices).toHaveLength(1);
  expect(choices[0].choice).toBe(par.choice);
  expect(choices[0].ms.single).toBeGreaterThan(0);
  expect(choices[0].ms.parallel).toBeGreaterThan(0);
  // Either way, the same results after.
  const [a, b, diff] = run([3, 1, 5, 2, 4], 74);
  expect(Math.abs(a - b)).toBeLessThan(1e-12 * Math.max(1, Math.abs(a)));
  expect(diff).toBeLessThan(1e-12);
});

it("flags the chunks that hold anything but zeros, NaN included", () => {
  const values = new Float32Array(3 * CHUNK + 5);
  values[CHUNK + 7] = -2;
  values[3 * CHUNK + 4] = NaN;
  const flags = new Uint8Array(4).fill(9);
  flagChunks(values, flags);
  expect([...flags]).toEqual([0, 1, 0, 1]);
});

it("loads a module with top-level await in the workers; reports a worker's error or exit instead of hanging; closes", { timeout: 30_000 }, async () => {
  const { single, par } = (await models).awaiting;
  const params = randomParams(tagger);
  expectSame(single, par, params, modelBatch(randomBatch(tagger, { t: [3, 1, 5, 2] }, 50), "float64"), 1e-12);
  // B = 5: the worker's part has 3 examples, and fails; the step fails with its message.
  expect(() => par.lossAndGrad(params, par.createParams(), modelBatch(randomBatch(tagger, { t: [3, 1, 5, 2, 2] }, 51), "float64"))).toThrow(/boom in a worker/);
  // The worker is still there for the next step.
  expectSame(single, par, params, modelBatch(randomBatch(tagger, { t: [2, 4, 1, 3] }, 52), "float64"), 1e-12);
  // B = 13: the worker's part has 7 examples, and its thread exits: the step fails, it does not hang.
  const lengths = Array.from({ length: 13 }, (_, b) => 1 + (b % 4));
  expect(() => par.lossAndGrad(params, par.createParams(), modelBatch(randomBatch(tagger, { t: lengths }, 53), "float64"))).toThrow(/a training worker stopped/);
  await par.close(); // closes what is left
  expect(() => par.lossAndGrad(params, par.createParams(), modelBatch(randomBatch(tagger, { t: [2, 4] }, 52), "float64"))).toThrow(/closed/);
  await par.close(); // twice is fine
});

it("loads the workers through tsx's loader when asked (what is used without esbuild)", async () => {
  const { single, par } = (await models).viaTsx;
  expectSame(single, par, randomParams(tagger), modelBatch(randomBatch(tagger, { t: [3, 1, 5, 2] }, 80), "float64"), 1e-12);
});

it("refuses a thread count that is not a whole number of at least 1", async () => {
  await expect(parallelModel("nowhere.mts", 0, { load: workerLoader })).rejects.toThrow(/at least 1/);
  await expect(parallelModel("nowhere.mts", 1.5, { load: workerLoader })).rejects.toThrow(/at least 1/);
});
