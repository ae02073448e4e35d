// Writes the example data sets as JSON Lines files, one example a line:
//   npx tsx data/write-datasets.ts [directory]        (default: data/generated/, git-ignored)
//
//   parity-train.jsonl   5000 bit strings of length 1–20          { "bits": "0110", "even": "even" }
//   parity-valid.jsonl   1000 of length 1–20, none in the training set
//   parity-long.jsonl    1000 of length 40–50: does the model generalise to longer strings?
//   brown-train.jsonl    Brown corpus sentences, 9 documents in 10  { "words": [...], "tags": [...] }
//   brown-test.jsonl     every 10th document (see brown.ts)
//
// Everything is deterministic: the same files on every run and machine.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadBrown, mostFrequentTagBaseline } from "./brown.ts";
import { parityExamples } from "./parity.ts";

export const DEFAULT_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), "generated");

/** Writes every file into `directory` and returns one line of summary per file. */
export function writeDatasets(directory: string): string[] {
  mkdirSync(directory, { recursive: true });
  const summary: string[] = [];
  const write = (name: string, records: readonly object[], note = "") => {
    const path = join(directory, name);
    writeFileSync(path, records.map((record) => JSON.stringify(record)).join("\n") + "\n");
    summary.push(`${path}: ${records.length} examples${note}`);
  };

  const parityTrain = parityExamples(5000, { minLength: 1, maxLength: 20, seed: 1 });
  const seen = new Set(parityTrain.map((example) => example.bits));
  write("parity-train.jsonl", parityTrain, ", lengths 1–20");
  write("parity-valid.jsonl", parityExamples(1000, { minLength: 1, maxLength: 20, seed: 2, exclude: seen }), ", lengths 1–20, none in training");
  write("parity-long.jsonl", parityExamples(1000, { minLength: 40, maxLength: 50, seed: 3 }), ", lengths 40–50");

  const brown = loadBrown();
  const tokens = (sentences: { words: string[] }[]) => sentences.reduce((sum, s) => sum + s.words.length, 0);
  write("brown-train.jsonl", brown.train, ` (sentences), ${tokens(brown.train)} tokens, ${brown.trainDocuments.length} documents`);
  write("brown-test.jsonl", brown.test, ` (sentences), ${tokens(brown.test)} tokens, ${brown.testDocuments.length} documents`);
  const baseline = mostFrequentTagBaseline(brown.train, brown.test);
  summary.push(`Brown most-frequent-tag baseline on the test set: ${(100 * baseline).toFixed(2)}% token accuracy`);
  return summary;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const directory = process.argv[2] ?? DEFAULT_DIRECTORY;
  for (const line of writeDatasets(directory)) console.log(line);
}
