// Captioning, on a task where the caption is fixed by the vector (data/caption.ts): the numbers
// 0–999, each a 512-number "image" (one-hot digits plus a fixed random projection of them),
// captioned with its English reading (407 → "four hundred seven"); 800 for training, 200 held out.
// Trains examples/caption.rnn as written (`init h = tanh(proj(image))`, a GRU over the words; E = 64,
// H = 256, and the default settings: adam lr 0.001, batch 32, 10 epochs, clip_norm 5), then reads
// every held-out vector GREEDILY with `generate` and prints the exact-match rate (the whole word
// sequence right) and some examples. Extra arguments go to `rnnc train` (--set H=64, --epochs 5).
import { pathToFileURL } from "node:url";
import { checkpointVocabularies, readCheckpoint, restoreParams } from "../cli/checkpoints.ts";
import { modelFields } from "../cli/model-data.ts";
import { toModelBatch } from "../data/batches.ts";
import { backendNamed, compileModel, loadData, loadModel } from "../cli/setup.ts";
import { trainCommand } from "../cli/train.ts";
import { captionSplit, numberImage, unseenWords, writeCaptionData } from "../data/caption.ts";
import { generate } from "../runtime/generation.ts";
import { argmax } from "../runtime/sampling.ts";

export interface CaptionReading {
  expected: string;
  generated: string;
}

/**
 * Loads a checkpoint of a caption model (as `rnnc sample` does: the dims it was trained with,
 * its vocabulary), reads every example of `data` greedily (argmax at each step, at most
 * `maxLength` words and <eos>) and compares each with its caption, word for word.
 */
export async function readCaptions(modelFile: string, checkpoint: string, data: string, maxLength = 10): Promise<{ exact: number; readings: CaptionReading[] }> {
  const saved = readCheckpoint(checkpoint);
  const overrides = new Map(Object.entries((saved.meta.overrides ?? {}) as Record<string, number>));
  const { model: checked } = loadModel(modelFile, overrides);
  const fields = modelFields(checked);
  const target = fields.find((f) => f.autoregressive);
  if (!target) throw new Error(`${modelFile}: no autoregressive target to generate`);
  const vocabularies = checkpointVocabularies(saved, fields, checkpoint);
  const model = await compileModel(checked, vocabularies, checkpoint, backendNamed("compiled"));
  const params = restoreParams(readCheckpoint(checkpoint, model), model);
  const { examples } = await loadData(data, fields, { vocabularies, skipInvalid: false });
  const layout = model.data.filter((d) => d.role === "input" && !d.name.endsWith("@input"));
  const batch = toModelBatch(examples, Int32Array.from(examples, (_, i) => i), layout, { vocabularies, arrays: Float32Array });
  const vocabulary = vocabularies.get(target.name)!;
  const generated = generate(model, params, batch, { steps: maxLength + 1, bos: vocabulary.bos, eos: vocabulary.eos, choose: argmax });
  const readings = examples.map((e, i) => {
    const field = e.fields.get(target.name)!;
    if (field.kind !== "shifted") throw new Error(`${target.name} is not encoded as an autoregressive target`);
    // The encoded target is the caption's ids then <eos>; every held-out word is in the vocabulary.
    return { expected: vocabulary.decode(field.target.subarray(0, field.target.length - 1)), generated: vocabulary.decode(generated[i]) };
  });
  return { exact: readings.filter((r) => r.expected === r.generated).length / readings.length, readings };
}

async function main(): Promise<number> {
  const dir = "out/caption";
  const split = captionSplit();
  const files = writeCaptionData(dir, split);
  const unseen = unseenWords(split);
  console.log(`caption: numbers 0–999 read aloud; ${split.train.length} for training, ${split.valid.length} held out (${unseen.length === 0 ? "every held-out word occurs in training" : `words never seen in training: ${unseen.join(", ")}`}); images of ${numberImage(0).length} numbers`);

  const extra = process.argv.slice(2);
  const flag = (name: string) => (extra.includes(name) ? extra[extra.indexOf(name) + 1] : undefined);
  const sets = extra.flatMap((a, i) => (extra[i - 1] === "--set" ? [a] : []));
  const checkpoint = `${dir}/caption.ckpt.json`;
  const file = "examples/caption.rnn";
  const started = performance.now();
  const code = await trainCommand({
    file,
    sets,
    checkpoint,
    overwrite: true, // this script's own copy; every run keeps its own directory under runs/
    data: files.train,
    valid: files.valid,
    ...(flag("--epochs") ? { epochs: flag("--epochs") } : {}),
    backend: "compiled",
    quiet: false,
    skipInvalid: false,
  });
  if (code !== 0) return code;
  const seconds = (performance.now() - started) / 1000;

  const { exact, readings } = await readCaptions(file, checkpoint, files.valid);
  const wrong = readings.filter((r) => r.expected !== r.generated);
  console.log(`greedy captions of the ${readings.length} held-out vectors: ${(exact * 100).toFixed(1)}% exactly right (${readings.length - wrong.length}/${readings.length}); trained in ${seconds.toFixed(0)} s`);
  for (const r of readings.filter((_, i) => i % 40 === 7)) console.log(`  ${r.generated}${r.generated === r.expected ? "" : `   (should be: ${r.expected})`}`);
  if (wrong.length > 0) {
    console.log(`wrong (${wrong.length}):`);
    for (const r of wrong.slice(0, 20)) console.log(`  ${r.generated || "(nothing)"}   (should be: ${r.expected})`);
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exit(await main());
