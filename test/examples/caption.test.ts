// Generation from a vector, proven: examples/caption.rnn, trained by `rnnc train` on the numbers
// 0–999 read aloud (data/caption.ts) at a small size, reads the 200 held-out vectors (never seen)
// greedily with `generate`, whole caption right, for at least 99% of them.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { trainCommand } from "../../cli/train.ts";
import { captionSplit, DIGIT_DIMS, IMAGE_SIZE, numberImage, numberWords, unseenWords, writeCaptionData } from "../../data/caption.ts";
import { readCaptions } from "../../examples/caption.ts";

describe("the caption data", () => {
  it("reads numbers aloud, a word a token", () => {
    expect(numberWords(0)).toEqual(["zero"]);
    expect(numberWords(7)).toEqual(["seven"]);
    expect(numberWords(13)).toEqual(["thirteen"]);
    expect(numberWords(40)).toEqual(["forty"]);
    expect(numberWords(42)).toEqual(["forty", "two"]);
    expect(numberWords(300)).toEqual(["three", "hundred"]);
    expect(numberWords(312)).toEqual(["three", "hundred", "twelve"]);
    expect(numberWords(407)).toEqual(["four", "hundred", "seven"]);
    expect(numberWords(999)).toEqual(["nine", "hundred", "ninety", "nine"]);
    expect(new Set(Array.from({ length: 1000 }, (_, n) => numberWords(n).join(" "))).size).toBe(1000);
    expect(new Set(Array.from({ length: 1000 }, (_, n) => numberWords(n)).flat()).size).toBe(29);
    expect(() => numberWords(1000)).toThrow(RangeError);
  });

  it("gives each number a fixed vector of 512 that names its digits", () => {
    const image = numberImage(407);
    expect(image).toHaveLength(IMAGE_SIZE);
    expect(image).toEqual(numberImage(407)); // deterministic
    expect(image.slice(0, DIGIT_DIMS).flatMap((x, i) => (x === 1 ? [i] : []))).toEqual([4, 10, 27]);
    expect(image.slice(0, DIGIT_DIMS).filter((x) => x !== 0)).toHaveLength(3);
    const dense = image.slice(DIGIT_DIMS);
    expect(dense.every(Number.isFinite)).toBe(true);
    expect(dense.filter((x) => x !== 0).length).toBeGreaterThan(450);
    expect(new Set(Array.from({ length: 1000 }, (_, n) => numberImage(n).join())).size).toBe(1000);
  });

  it("holds out 20% of the numbers by a seeded shuffle, every held-out word seen in training", () => {
    const split = captionSplit();
    expect(split).toEqual(captionSplit({ seed: 1 }));
    expect(split.train).toHaveLength(800);
    expect(split.valid).toHaveLength(200);
    expect(new Set([...split.train, ...split.valid]).size).toBe(1000);
    expect(unseenWords(split)).toEqual([]);
    expect(captionSplit({ seed: 2 }).valid).not.toEqual(split.valid);
  });

  it("writes JSON Lines records {image, words}", () => {
    const dir = mkdtempSync(join(tmpdir(), "rnnc-caption-data-"));
    const files = writeCaptionData(dir, { train: [407], valid: [12, 999] });
    const lines = (path: string) => readFileSync(path, "utf8").trimEnd().split("\n").map((line) => JSON.parse(line) as { image: number[]; words: string[] });
    expect(lines(files.train)).toEqual([{ image: numberImage(407), words: ["four", "hundred", "seven"] }]);
    expect(lines(files.valid).map((r) => r.words)).toEqual([["twelve"], ["nine", "hundred", "ninety", "nine"]]);
  });
});

it("caption.rnn reads held-out vectors greedily, whole captions right", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "rnnc-caption-"));
  const files = writeCaptionData(dir);
  const checkpoint = join(dir, "caption.ckpt.json");
  // Measured (seed 1): 200 of 200 held-out captions exactly right in about 5 s; with seeds 1–8,
  // 99.0–100% (seven of the eight at 100%). At H = 32 it is 96–99.5%, at lr 0.001 slower still.
  const code = await trainCommand({
    file: "examples/caption.rnn",
    sets: ["H=64", "E=16", "lr=0.005", "epochs=20"],
    data: files.train,
    valid: files.valid,
    checkpoint,
    runDir: join(dir, "run"),
    backend: "compiled",
    quiet: true,
    skipInvalid: false,
  });
  expect(code).toBe(0);
  const { exact, readings } = await readCaptions("examples/caption.rnn", checkpoint, files.valid);
  expect(readings).toHaveLength(200);
  expect(readings.map((r) => r.expected)).toEqual(captionSplit().valid.map((n) => numberWords(n).join(" ")));
  expect(exact).toBeGreaterThanOrEqual(0.99);
});
