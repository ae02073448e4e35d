// `npm run transfer`: transfer learning, measured. A character language model (examples/names.rnn)
// is pretrained on first names; then the classifier of examples/gender.rnn (female or male, from
// the name's characters) is trained three ways with the same data, epochs and seeds:
//   scratch     every parameter initialized fresh;
//   fine-tuned  `--init-from` the language model: its `emb` and `cell` copied, `out` fresh, every
//               parameter trained, at a lower rate (--fine-lr, default 0.001: the file's is 0.003);
//   frozen      the same copy with `freeze emb cell` (feature extraction: only `out` is trained).
// Each is scored once, at the end, on the test names (best epoch by validation loss), next to the
// majority class of the training names (data/gender.ts has the data and the split).
//
// Extra arguments: --epochs N (the classifiers', default the file's 10), --lm-epochs N (default
// the file's 10), --lm RUN_DIR (a names.rnn run to start from instead of pretraining one),
// --seeds 1,2,3 (the classifiers' seeds; the language model's is its file's), --fine-lr X,
// --scratch-lr X (default the file's), --labelled N (train on N of the labelled training names,
// every k-th by name: the few-labels case), --threads N (as rnnc train; default auto).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readCheckpoint } from "../cli/checkpoints.ts";
import { trainRun, type TrainArgs } from "../cli/train.ts";
import { genderFiles, loadGender, majorityClass, writeGenderData, type LabelledName } from "../data/gender.ts";
import { encodeRecords, loadTrained, predictExamples } from "./trained.ts";

const started = performance.now();
const seconds = () => (performance.now() - started) / 1000;
const extra = process.argv.slice(2);
const flag = (name: string) => (extra.includes(name) ? extra[extra.indexOf(name) + 1] : undefined);
const seeds = (flag("--seeds") ?? "1,2,3").split(",").map(Number);
const fineLr = flag("--fine-lr") ?? "0.001";
const scratchLr = flag("--scratch-lr");
const labelled = flag("--labelled") === undefined ? undefined : Number(flag("--labelled"));

const dir = "out/transfer";
mkdirSync(dir, { recursive: true });
const data = loadGender();
for (const line of writeGenderData(dir, data)) console.log(line);
const files = genderFiles(dir);
// Few labels: every k-th training name in name order (the language model still reads them all).
let trainFile = files.train;
if (labelled !== undefined) {
  const step = data.classifier.train.length / labelled;
  const chosen = Array.from({ length: labelled }, (_, i) => data.classifier.train[Math.floor(i * step)]!);
  trainFile = join(dir, `gender-train-${labelled}.jsonl`);
  writeFileSync(trainFile, chosen.map((e) => JSON.stringify(e)).join("\n") + "\n");
  console.log(`${trainFile}: ${chosen.length} of the training names (every ${step.toFixed(1)}th), ${chosen.filter((e) => e.sex === "female").length} female`);
}
const trainNames = labelled === undefined ? data.classifier.train : readFileSync(trainFile, "utf8").trim().split("\n").map((l) => JSON.parse(l) as LabelledName);

// The baseline: every test name gets the commonest class of the training names.
const test = data.classifier.test;
const majority = majorityClass(trainNames);
const baseline = test.filter((e) => e.sex === majority).length / test.length;
console.log(`majority class of the training names: ${majority}; on the ${test.length} test names: ${pct(baseline)}`);

const common = {
  backend: "compiled",
  quiet: false,
  skipInvalid: false,
  overwrite: true,
  ...(flag("--threads") ? { threads: flag("--threads") } : {}),
} satisfies Partial<TrainArgs>;
const train = async (args: Omit<TrainArgs, keyof typeof common>): Promise<string> => {
  const { code, dir: run } = await trainRun({ ...common, ...args });
  if (code !== 0 || !run) process.exit(code || 1);
  return run;
};

// 1. The language model, on every name of the train and valid parts (both lists; no test name).
if (!flag("--lm")) console.log(`\n== pretraining examples/names.rnn on ${data.lm.train.length} names (${data.lm.valid.length} to validate)`);
const lm = flag("--lm") ?? await train({
  file: "examples/names.rnn",
  data: files.lmTrain,
  valid: files.lmValid,
  sets: [],
  runDir: join(dir, "lm"),
  ...(flag("--lm-epochs") ? { epochs: flag("--lm-epochs") } : {}),
});
const lmSeconds = seconds();

// 2. The classifier, three ways. Feature extraction is the same file with `freeze emb cell`.
const frozenFile = join(dir, "gender-frozen.rnn");
writeFileSync(frozenFile, readFileSync("examples/gender.rnn", "utf8").replace(/train \{/, "train { freeze emb cell "));
const variants = [
  { key: "scratch", label: `from scratch${scratchLr ? ` (lr ${scratchLr})` : ""}`, file: "examples/gender.rnn", sets: scratchLr ? [`lr=${scratchLr}`] : [] },
  { key: "fine-tuned", label: `fine-tuned (--init-from, lr ${fineLr})`, file: "examples/gender.rnn", initFrom: lm, sets: [`lr=${fineLr}`] },
  { key: "frozen", label: "frozen emb, cell (only out trained)", file: frozenFile, initFrom: lm, sets: [] as string[] },
];
const results = new Map<string, { accuracy: number; valid: number; epoch: number; seconds: number }[]>(variants.map((v) => [v.key, []]));
for (const seed of seeds)
  for (const v of variants) {
    console.log(`\n== ${v.label}, seed ${seed}`);
    const before = seconds();
    const run = await train({
      file: v.file,
      data: trainFile,
      valid: files.valid,
      sets: [...v.sets, `seed=${seed}`],
      runDir: join(dir, `${v.key}-${seed}${labelled === undefined ? "" : `-of-${labelled}`}`),
      ...(v.initFrom ? { initFrom: v.initFrom } : {}),
      ...(flag("--epochs") ? { epochs: flag("--epochs") } : {}),
    });
    const scored = await testAccuracy(v.file, join(run, "best.ckpt"), test);
    const valid = (await testAccuracy(v.file, join(run, "best.ckpt"), data.classifier.valid)).accuracy;
    results.get(v.key)!.push({ ...scored, valid, seconds: seconds() - before });
    console.log(`test accuracy ${pct(scored.accuracy)} (best epoch ${scored.epoch}; valid ${pct(valid)})`);
  }

console.log(`\ntest accuracy on ${test.length} names (${test.filter((e) => e.sex === "female").length} female), trained on ${trainNames.length} labelled names; seeds ${seeds.join(", ")}:`);
console.log(`  ${"".padEnd(38)}${seeds.map((s) => `seed ${s}`.padStart(9)).join("")}     mean  (valid)  best epochs`);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
for (const v of variants) {
  const rows = results.get(v.key)!;
  const line = rows.map((r) => pct(r.accuracy).padStart(9)).join("") + pct(mean(rows.map((r) => r.accuracy))).padStart(9);
  console.log(`  ${v.label.padEnd(38)}${line}  (${pct(mean(rows.map((r) => r.valid)))})  ${rows.map((r) => r.epoch).join(", ")}`);
}
console.log(`  ${`majority class (${majority})`.padEnd(38)}${pct(baseline).padStart(9 * seeds.length + 9)}`);
console.log(`language model ${lmSeconds.toFixed(0)} s; ${seconds().toFixed(0)} s in all (runs in ${dir}/)`);

/** The share of `names` whose likelier class under the checkpoint is their label, and the checkpoint's epoch. */
async function testAccuracy(file: string, checkpoint: string, names: readonly LabelledName[]) {
  const trained = await loadTrained(file, checkpoint);
  const sexes = trained.vocabularies.get("sex")!;
  const examples = encodeRecords(trained, names.map(({ name, sex }) => ({ name, sex })));
  const predicted = predictExamples(trained, examples).map(([logits]) => (logits![1]! > logits![0]! ? 1 : 0));
  const right = predicted.filter((id, i) => id === sexes.id(names[i]!.sex)).length;
  const epoch = Number(readCheckpoint(checkpoint).meta.epoch);
  return { accuracy: right / names.length, epoch };
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}
