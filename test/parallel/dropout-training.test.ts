// `rnnc train` of a model with dropout: the masks come from the run's seed and the update's
// number, so a run is the same for a seed, on 1 thread or 2 (up to float summation order); and
// dropout is on while training (the same run with rates of 0 trains otherwise).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { readCheckpoint } from "../../cli/checkpoints.ts";
import { trainCommand } from "../../cli/train.ts";
import { parityExamples } from "../../data/parity.ts";

const dir = mkdtempSync(join(tmpdir(), "rnnc-dropout-"));
const model = join(dir, "parity.rnn");
const trainFile = join(dir, "train.jsonl");
const withRates = (p: number, q: number, r: number) =>
  readFileSync("examples/parity.rnn", "utf8")
    .replace("h[t] = cell(onehot(bits[t], 2), h[t-1])", `h[t] = cell(dropout(onehot(bits[t], 2), ${p}), locked_dropout(h[t-1], ${q}))`)
    .replace("head(h[last])", `head(dropout(h[last], ${r}))`);
writeFileSync(model, withRates(0.1, 0.2, 0.3));
const none = join(dir, "none.rnn");
writeFileSync(none, withRates(0, 0, 0));
writeFileSync(trainFile, parityExamples(120, { minLength: 1, maxLength: 8, seed: 5 }).map((r) => JSON.stringify(r)).join("\n") + "\n");

const history = (checkpoint: string) => (readCheckpoint(checkpoint).meta as { history: { trainLoss: number }[] }).history.map((h) => h.trainLoss);

async function train(name: string, threads: string, file = model): Promise<number[]> {
  const log = console.log;
  console.log = () => {};
  try {
    const args = { file, data: trainFile, sets: ["epochs=3"], checkpoint: join(dir, `${name}.ckpt.json`), runDir: join(dir, `run-${name}`), backend: "compiled", quiet: true, skipInvalid: false, threads };
    expect(await trainCommand(args)).toBe(0);
  } finally {
    console.log = log;
  }
  return history(join(dir, `${name}.ckpt.json`));
}

it("trains the same for a seed on 1 thread, again, and on 2 threads; without dropout, otherwise", { timeout: 120_000 }, async () => {
  const one = await train("one", "1");
  const again = await train("again", "1");
  const two = await train("two", "2");
  const other = await train("none", "1", none);
  expect(one).toHaveLength(3);
  expect(again).toEqual(one);
  two.forEach((loss, i) => expect(Math.abs(loss - one[i]) / one[i]).toBeLessThan(1e-4));
  expect(other).not.toEqual(one);
});
