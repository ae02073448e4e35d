// Moby-Dick (data/moby.ts, data/ngram.ts): the split by chapter (deterministic, disjoint, every
// character in exactly one chunk), the chunks, the files examples/moby.rnn reads, and the
// Witten–Bell n-gram baseline on tiny inputs (hand-computed values; probabilities that sum to 1),
// and the model's gradients against central differences.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gradcheck, randomBatch, randomParams } from "../4-differentiate/gradcheck.ts";
import { modelFields } from "../../cli/model-data.ts";
import { lower } from "../../compiler/3-lower/index.ts";
import { checkSource } from "../../compiler/index.ts";
import { loadExamples } from "../../data/load-examples.ts";
import { characterCount, CHUNK, chunkText, ngramBaseline, partOf, readMobyDick, splitMoby, writeMobyData } from "../../data/moby.ts";
import { countNgrams, ngramBits, ngramProbability } from "../../data/ngram.ts";

describe("chunks", () => {
  it("end after the last whitespace within the limit, and put together are the text", () => {
    expect(chunkText("aaa bbb ccc", 5)).toEqual(["aaa ", "bbb ", "ccc"]);
    expect(chunkText("a\nbb cc", 4)).toEqual(["a\n", "bb ", "cc"]);
    expect(chunkText("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]); // a word longer than the limit is cut
    expect(chunkText("", 4)).toEqual([]);
    const text = "Call me Ishmael. Some years ago—never mind how long precisely—having little or no money 🐋 in my purse";
    for (const size of [1, 7, 16, 40, 1000]) {
      const chunks = chunkText(text, size);
      expect(chunks.join("")).toBe(text);
      for (const chunk of chunks) expect(Array.from(chunk).length).toBeLessThanOrEqual(size);
    }
  });
});

describe("the split by chapter", () => {
  const sections = readMobyDick();
  const split = splitMoby(sections);

  it("puts chapters 10, 20, … in test, 5, 15, … in valid, the rest in train, and leaves Contents out", () => {
    expect(["10", "130", "5", "135", "1", "134", "Etymology", "Extracts", "Epilogue", "Contents"].map(partOf))
      .toEqual(["test", "test", "valid", "valid", "train", "train", "train", "train", "train", undefined]);
    expect(split.chapters.test).toEqual(Array.from({ length: 13 }, (_, k) => String(10 * (k + 1))));
    expect(split.chapters.valid).toEqual(Array.from({ length: 14 }, (_, k) => String(10 * k + 5)));
    expect(split.chapters.train).toHaveLength(108 + 3);
    expect(split.chapters.train).not.toContain("Contents");
  });

  it("keeps every character of the kept sections in exactly one chunk of at most CHUNK, deterministically", () => {
    for (const part of ["train", "valid", "test"] as const) {
      const text = sections.filter((s) => split.chapters[part].includes(s.chapter)).map((s) => s.text).join("");
      expect(split[part].join("")).toBe(text);
      for (const chunk of split[part]) expect(Array.from(chunk).length).toBeLessThanOrEqual(CHUNK);
    }
    expect([split.train.length, split.valid.length, split.test.length]).toEqual([1988, 263, 189]);
    expect([characterCount(split.train), characterCount(split.valid), characterCount(split.test)]).toEqual([986571, 129854, 92027]);
    expect(split.test[0]!.startsWith("Returning to the Spouter-Inn from the Chapel")).toBe(true); // chapter 10
    expect(splitMoby(sections)).toEqual(split);
  });

  it("is written as the field examples/moby.rnn reads: a string a chunk, <bos>/<eos> added", async () => {
    const directory = mkdtempSync(join(tmpdir(), "rnnc-moby-"));
    const files = writeMobyData(directory, split);
    expect(files.summary).toHaveLength(3);
    const lines = readFileSync(files.test, "utf8").trimEnd().split("\n");
    expect(lines.map((line) => (JSON.parse(line) as { text: string }).text)).toEqual(split.test);
    const fields = modelFields(checkSource(readFileSync("examples/moby.rnn", "utf8"), "examples/moby.rnn").models[0]!);
    expect(fields).toMatchObject([{ name: "text", role: "target", sequence: true, autoregressive: true }]);
    const train = await loadExamples(files.train, fields);
    expect(train.errors).toEqual([]);
    const test = await loadExamples(files.test, fields, train.vocabularies);
    expect(test.errors).toEqual([]);
    const vocabulary = train.vocabularies.get("text")!;
    test.examples.forEach((example, i) => {
      const encoded = example.fields.get("text")!;
      if (encoded.kind !== "shifted") throw new Error("an autoregressive target should be shifted");
      expect(encoded.steps).toBe(Array.from(split.test[i]!).length + 1); // the characters, then <eos>
      expect(encoded.target.includes(vocabulary.unk)).toBe(false); // every test character occurs in training
    });
  });
});

describe("the Witten–Bell n-gram baseline", () => {
  it("equals the hand-computed values on a tiny text", () => {
    // train "ab": V = {a, b, unknown} = 3. Unigram context: 2 tokens, 2 types →
    // P1(a) = (1 + 2·⅓)/(2 + 2) = 5/12 = P1(b), P1(unknown) = (⅔)/4 = 1/6.
    const unigram = countNgrams(["ab"], 1);
    expect(ngramProbability(unigram, [], "a")).toBeCloseTo(5 / 12, 12);
    expect(ngramProbability(unigram, [], "\u0003")).toBeCloseTo(1 / 6, 12);
    // bigram: context <start> seen once (→a, 1 type), context a once (→b): P(a|<start>) = (1 + 5/12)/2 = 17/24,
    // P(b|a) the same; scoring "ab" is −log₂(17/24) a character.
    expect(ngramBits(["ab"], ["ab"], 2).bits).toBeCloseTo(-Math.log2(17 / 24), 12);
    // "ba": P(b|<start>) = (0 + 5/12)/2 = 5/24; context b never seen → P1(a) = 5/12
    expect(ngramBits(["ab"], ["ba"], 2).bits).toBeCloseTo(-(Math.log2(5 / 24) + Math.log2(5 / 12)) / 2, 12);
    // an unseen character is scored as the unknown symbol
    expect(ngramBits(["ab"], ["z"], 1)).toMatchObject({ unknown: 1, characters: 1, vocabulary: 3 });
  });

  it("gives probabilities that sum to 1 over the vocabulary, in any context", () => {
    const counts = countNgrams(["the cat sat on the mat", "a hat that fat rats ate"], 3);
    const symbols = [...counts.characters, "\u0003"];
    for (const history of [["\u0002", "\u0002"], ["\u0002", "t"], ["t", "h"], ["a", "t"], ["q", "z"], ["\u0003", "a"]]) {
      const total = symbols.reduce((sum, x) => sum + ngramProbability(counts, history, x), 0);
      expect(total).toBeCloseTo(1, 12);
    }
  });

  it("on the real split: the trigram's test number of examples/README.md, higher orders better", () => {
    const split = splitMoby();
    const trigram = ngramBaseline(split, split.test, 3);
    expect(trigram).toMatchObject({ characters: 92027, unknown: 0 });
    expect(trigram.bits).toBeCloseTo(2.883, 3);
    expect(ngramBaseline(split, split.test, 2).bits).toBeGreaterThan(trigram.bits);
  });
});

describe("examples/moby.rnn", () => {
  it("has the gradients of central differences at small sizes (two stacked LSTMs over an autoregressive target)", () => {
    const result = checkSource(readFileSync("examples/moby.rnn", "utf8"), "moby.rnn", { overrides: new Map(Object.entries({ E: 2, H: 3 })) });
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const program = lower(result.models[0]!, new Map(Object.entries({ "vocab(text)": 5 })));
    const report = gradcheck(program, randomParams(program), randomBatch(program, { t: [4, 3] }));
    expect(report.checked).toBeGreaterThan(20);
    expect(report.maxRelativeError, report.worst).toBeLessThan(1e-6);
  });
});
