// Numbers to read aloud: a synthetic task for examples/caption.rnn (one-to-many from a vector),
// where the vector fixes the sequence, so a model can be held to an exact answer.
//
// The "image" of a number n in 0..999 is a vector of 512 numbers (the model's `image: vec(512)`):
//   dims   0–9    one-hot of the hundreds digit  (n = 42 has hundreds digit 0: dim 0 is 1)
//   dims  10–19   one-hot of the tens digit
//   dims  20–29   one-hot of the units digit
//   dims 30–511   a fixed random linear projection of those 30 dims: dim 30+j is
//                 R[j][h] + R[j][10+t] + R[j][20+u] for a 482×30 matrix R of independent
//                 N(0, 1/3) entries drawn once from mulberry32(PROJECTION_SEED), so each of
//                 these dims has about unit variance over the numbers; rounded to 4 decimals.
// Every dim is a function of n alone (no noise), and n is recoverable from the vector (the one-hot
// block says it outright), so the vector determines the caption; and nothing in it is a token id
// the model could copy: it has to learn, through `proj`, what the dense 512 numbers mean. The
// projection makes the vector look like a feature vector (482 dense dims that all carry the
// information, linearly mixed), not a clean switch per word.
//
// The caption is the number's English reading, one word a token (American style, no "and"):
//   0 → ["zero"]   7 → ["seven"]   13 → ["thirteen"]   40 → ["forty"]   42 → ["forty", "two"]
//   300 → ["three", "hundred"]   312 → ["three", "hundred", "twelve"]
//   407 → ["four", "hundred", "seven"]   999 → ["nine", "hundred", "ninety", "nine"]
// 1 to 4 words from a vocabulary of 29 (zero…nineteen, twenty…ninety, hundred). The reading is
// not a word per digit: a tens digit of 1 makes one word of the last two digits (twelve), a zero
// digit is silent except in "zero" itself, so the model must combine the digit blocks, not copy
// them one by one.
//
// Split: the numbers of the range, shuffled by a seeded Fisher–Yates (mulberry32(seed)); the
// first 20% are held out (validation), the rest are for training; both sorted. Every held-out
// vector is one the model never saw. With the defaults (0..999, seed 1): 800 for training,
// 200 held out, and every word of a held-out caption occurs in the training captions
// (`unseenWords` checks it).

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mulberry32 } from "./parity.ts";

/** The size of the model's `image: vec(512)`. */
export const IMAGE_SIZE = 512;
/** The one-hot digit blocks: hundreds, tens, units, 10 dims each. */
export const DIGIT_DIMS = 30;
export const PROJECTION_SEED = 512;

const ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
const TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];
const TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

export interface CaptionExample {
  image: number[];
  words: string[];
}

export interface CaptionSplit {
  train: number[];
  valid: number[];
}

export interface CaptionOptions {
  /** The numbers are 0..count-1 (at most 1000). Default 1000. */
  count?: number;
  /** The share held out. Default 0.2. */
  heldOut?: number;
  /** The shuffle's seed. Default 1. */
  seed?: number;
}

function checkNumber(n: number): void {
  if (!(Number.isInteger(n) && n >= 0 && n <= 999)) throw new RangeError(`caption: numbers are whole, 0 to 999 (got ${n})`);
}

/** The English reading of n, a word a token: 342 → ["three", "hundred", "forty", "two"]. */
export function numberWords(n: number): string[] {
  checkNumber(n);
  if (n === 0) return ["zero"];
  const hundreds = Math.floor(n / 100), rest = n % 100, tens = Math.floor(rest / 10), units = rest % 10;
  const words = hundreds > 0 ? [ONES[hundreds], "hundred"] : [];
  if (rest === 0) return words;
  if (rest < 10) return [...words, ONES[rest]];
  if (rest < 20) return [...words, TEENS[rest - 10]];
  return units === 0 ? [...words, TENS[tens]] : [...words, TENS[tens], ONES[units]];
}

let projection: Float64Array | undefined;

/** R, (IMAGE_SIZE - DIGIT_DIMS) × DIGIT_DIMS row-major, entries N(0, 1/3) (Box–Muller on mulberry32). */
function projectionMatrix(): Float64Array {
  if (projection) return projection;
  const random = mulberry32(PROJECTION_SEED);
  const rows = IMAGE_SIZE - DIGIT_DIMS;
  const matrix = new Float64Array(rows * DIGIT_DIMS);
  for (let i = 0; i < matrix.length; i++) {
    const u = 1 - random(); // (0, 1]: log(u) is finite
    const v = random();
    matrix[i] = (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)) / Math.sqrt(3);
  }
  return (projection = matrix);
}

/** The 512 numbers standing for n (see the top of this file). */
export function numberImage(n: number): number[] {
  checkNumber(n);
  const digits = [Math.floor(n / 100), Math.floor(n / 10) % 10, n % 10];
  const hot = digits.map((d, block) => block * 10 + d);
  const image = new Array<number>(IMAGE_SIZE).fill(0);
  for (const i of hot) image[i] = 1;
  const R = projectionMatrix();
  for (let j = 0; j < IMAGE_SIZE - DIGIT_DIMS; j++) {
    let sum = 0;
    for (const i of hot) sum += R[j * DIGIT_DIMS + i];
    image[DIGIT_DIMS + j] = Math.round(sum * 1e4) / 1e4;
  }
  return image;
}

export const captionExample = (n: number): CaptionExample => ({ image: numberImage(n), words: numberWords(n) });

/** The numbers 0..count-1, shuffled by the seed: the first `heldOut` share held out; both sorted. */
export function captionSplit(options: CaptionOptions = {}): CaptionSplit {
  const { count = 1000, heldOut = 0.2, seed = 1 } = options;
  if (!(Number.isInteger(count) && count >= 2 && count <= 1000)) throw new RangeError(`caption: count is a whole number from 2 to 1000 (got ${count})`);
  if (!(heldOut > 0 && heldOut < 1)) throw new RangeError(`caption: heldOut is a share between 0 and 1 (got ${heldOut})`);
  const numbers = Array.from({ length: count }, (_, i) => i);
  const random = mulberry32(seed);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [numbers[i], numbers[j]] = [numbers[j], numbers[i]];
  }
  const cut = Math.max(1, Math.round(count * heldOut));
  return { valid: numbers.slice(0, cut).sort((a, b) => a - b), train: numbers.slice(cut).sort((a, b) => a - b) };
}

/** Words of the held-out captions that no training caption has (none, for the default split). */
export function unseenWords(split: CaptionSplit): string[] {
  const seen = new Set(split.train.flatMap(numberWords));
  return [...new Set(split.valid.flatMap(numberWords))].filter((w) => !seen.has(w));
}

/** Writes `caption-train.jsonl` and `caption-valid.jsonl` into dir: `{"image": [...512], "words": [...]}` a line. */
export function writeCaptionData(dir: string, split: CaptionSplit = captionSplit()): { train: string; valid: string } {
  mkdirSync(dir, { recursive: true });
  const write = (name: string, numbers: number[]) => {
    const path = join(dir, name);
    writeFileSync(path, numbers.map((n) => JSON.stringify(captionExample(n))).join("\n") + "\n");
    return path;
  };
  return { train: write("caption-train.jsonl", split.train), valid: write("caption-valid.jsonl", split.valid) };
}
