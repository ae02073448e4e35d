// The main job for now (`npm start`): trains examples/parity.rnn on generated bit strings of
// length 1–20, validates on held-out strings of the same lengths, then evaluates on strings of
// length 40–50 it never saw. Extra arguments go to `rnnc train` (e.g. --epochs 5).
import { mkdirSync, writeFileSync } from "node:fs";
import { evaluateCommand } from "../cli/evaluate.ts";
import { trainCommand } from "../cli/train.ts";
import { parityExamples, type ParityExample } from "../data/parity.ts";

const dir = "out/parity";
mkdirSync(dir, { recursive: true });
const write = (name: string, examples: ParityExample[]) => {
  writeFileSync(`${dir}/${name}`, examples.map((e) => JSON.stringify(e)).join("\n") + "\n");
  return `${dir}/${name}`;
};
const train = parityExamples(5000, { minLength: 1, maxLength: 20, seed: 1 });
const seen = new Set(train.map((e) => e.bits));
const files = {
  train: write("train.jsonl", train),
  valid: write("valid.jsonl", parityExamples(1000, { minLength: 1, maxLength: 20, seed: 2, exclude: seen })),
  long: write("long.jsonl", parityExamples(1000, { minLength: 40, maxLength: 50, seed: 3 })),
};

const extra = process.argv.slice(2);
const flag = (name: string) => (extra.includes(name) ? extra[extra.indexOf(name) + 1] : undefined);
const checkpoint = `${dir}/parity.ckpt.json`;
const common = { file: "examples/parity.rnn", sets: [], checkpoint, overwrite: true, backend: flag("--backend") ?? "compiled", skipInvalid: false };
const trained = await trainCommand({ ...common, data: files.train, valid: files.valid, ...(flag("--epochs") ? { epochs: flag("--epochs") } : {}), quiet: false });
if (trained !== 0) process.exit(trained);
console.log("on strings of length 40–50, never seen in training:");
process.exit(await evaluateCommand({ ...common, data: files.long }));
