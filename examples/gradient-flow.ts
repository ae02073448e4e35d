// Vanishing gradients, made visible (`npm run gradient-flow`): the parity model with a plain
// `rnn` cell and with an `lstm`, trained on bit strings of length 50, side by side in one
// report. Its heatmaps show |∂L/∂h_t| at each step t of each epoch: the rnn's falls off by
// orders of magnitude towards the first steps — the early bits barely reach the gradient — and
// the lstm's less at first. Prints each model's held-out accuracy and, per state, the ratio of
// the gradient at the first step to the gradient at the last, in the first and the last epoch.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeReport } from "../cli/report.ts";
import type { EpochLine } from "../cli/run-record.ts";
import { trainRun } from "../cli/train.ts";
import { parityExamples } from "../data/parity.ts";

const dir = "out/gradient-flow";
mkdirSync(dir, { recursive: true });
const write = (name: string, records: object[]) => {
  writeFileSync(join(dir, name), records.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return join(dir, name);
};
const train = parityExamples(2000, { minLength: 50, maxLength: 50, seed: 21 });
const seen = new Set(train.map((e) => e.bits));
const files = { train: write("train.jsonl", train), valid: write("valid.jsonl", parityExamples(500, { minLength: 50, maxLength: 50, seed: 22, exclude: seen })) };

// examples/parity.rnn with another cell: the recurrence is the only line that changes.
const parity = readFileSync("examples/parity.rnn", "utf8");
const variants = {
  rnn: parity.replace("model parity", "model parity_rnn").replace("gru(2, H)", "rnn(2, H)"),
  lstm: parity
    .replace("model parity", "model parity_lstm")
    .replace("gru(2, H)", "lstm(2, H)")
    .replace("h[t] = cell(onehot(bits[t], 2), h[t-1])", "(h[t], c[t]) = cell(onehot(bits[t], 2), h[t-1], c[t-1])"),
};
const epochs = process.argv[2] ?? "8";
const runs: string[] = [];
for (const [cell, source] of Object.entries(variants)) {
  const file = join(dir, `parity_${cell}.rnn`);
  writeFileSync(file, source);
  const { code, dir: run } = await trainRun({ file, data: files.train, valid: files.valid, epochs, sets: [], backend: "compiled", threads: "1", quiet: false, skipInvalid: false });
  if (code !== 0 || !run) process.exit(code || 1);
  runs.push(run);
  const lines = readFileSync(join(run, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as EpochLine);
  const [first, last] = [lines[0], lines.at(-1)!];
  // How much of the gradient reaches the first step, relative to the last: per state, first and last epoch.
  const reach = (line: EpochLine, state: string) => {
    const flow = line.gradientFlow![state];
    return (flow[0] / flow[flow.length - 1]).toExponential(1);
  };
  const states = Object.keys(last.gradientFlow!).map((state) => `${state}: ${reach(first, state)} at epoch 1, ${reach(last, state)} at epoch ${last.epoch}`);
  console.log(`${cell}: valid accuracy ${(100 * (last.valid?.accuracy ?? 0)).toFixed(1)}%; |∂L/∂state at step 1| / |at step 50|, ${states.join("; ")}`);
}
const report = join(dir, "report.html");
writeReport(runs, report);
console.log(`both runs side by side: ${report}`);
