// For the prediction tests: a model compiled from its source, its vocabularies built from a few
// records, and a checkpoint of fixed (seeded, untrained) params — no training, so the tests are
// fast and their numbers do not move with the training loop.
import { compiledModel } from "../../cli/compiled-model.ts";
import { dataSizes, modelFields } from "../../cli/model-data.ts";
import { checkSource, differentiatedProgram } from "../../compiler/index.ts";
import { encodeExamples } from "../../data/examples.ts";
import type { DataField } from "../../data/fields.ts";
import type { Vocabulary } from "../../data/vocabulary.ts";
import type { Checkpoint } from "../../runtime/checkpoint.ts";
import { initialize } from "../../runtime/init.ts";
import type { CompiledModel } from "../../runtime/model.ts";
import { Rng } from "../../runtime/rng.ts";

export interface FixedModel {
  model: CompiledModel;
  fields: DataField[];
  vocabularies: Map<string, Vocabulary>;
  checkpoint: Checkpoint;
}

/** `records` are training lines: they give the vocabularies. `overrides` are saved in the checkpoint, as training saves its --set. */
export async function fixedModel(source: string, records: object[], options: { overrides?: Record<string, number>; dtype?: "float32" | "float64"; seed?: number } = {}): Promise<FixedModel> {
  const overrides = options.overrides ?? {};
  const result = checkSource(source, "test.rnn", { overrides: new Map(Object.entries(overrides)) });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((d) => d.message).join("\n"));
  const checked = result.models[0];
  const fields = modelFields(checked);
  const encoded = encodeExamples(records.map((value, i) => ({ line: i + 1, value })), fields, undefined, { file: "train" });
  if (encoded.errors.length > 0) throw new Error(encoded.errors.map((e) => e.message).join("\n"));
  const { sizes } = dataSizes(checked, encoded.vocabularies, "train");
  const model = await compiledModel(differentiatedProgram(checked, sizes), options.dtype ?? "float64");
  const rng = new Rng(options.seed ?? 3);
  const params = model.createParams();
  for (const p of model.params) initialize(params.get(p.name)!, p.shape, p.init, rng);
  // Biases start at zero; random ones make the predictions depend on them too.
  for (const p of model.params) if (!p.decay) params.get(p.name)!.forEach((_, i, a) => (a[i] = rng.next() - 0.5));
  const checkpoint: Checkpoint = {
    model: model.name,
    params: Object.fromEntries(model.params.map((p) => [p.name, { shape: p.shape, values: params.get(p.name)! }])),
    vocabularies: Object.fromEntries([...encoded.vocabularies].map(([name, v]) => [name, [...v.tokens]])),
    meta: { overrides },
  };
  return { model, fields, vocabularies: encoded.vocabularies, checkpoint };
}

/** A small tagger (a tag per word, both directions) and a few sentences for it. */
export const TAGGER = `
model tiny_tagger {
  dims { E = 4, H = 5 }
  input  words: seq<token>
  target tags: seq<class>
  layer emb = embedding(vocab(words), E)
  layer fw  = gru(E, H)
  layer bw  = gru(E, H)
  layer out = dense(2*H, classes(tags))
  e[t] = emb(words[t])
  f[t] = fw(e[t], f[t-1])
  b[t] = bw(e[t], b[t+1])
  loss cross_entropy(out(concat(f[t], b[t])), tags[t])
}
`;

export const SENTENCES = [
  { words: ["the", "dog", "barks"], tags: ["DET", "NOUN", "VERB"] },
  { words: ["a", "cat"], tags: ["DET", "NOUN"] },
  { words: ["the", "old", "dog", "sleeps", "here"], tags: ["DET", "ADJ", "NOUN", "VERB", "ADV"] },
  { words: ["dogs"], tags: ["NOUN"] },
  { words: ["cats", "sleep"], tags: ["NOUN", "VERB"] },
];
