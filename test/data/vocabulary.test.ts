// Vocabularies: specials first, deterministic sorted order, rare tokens, unknowns, checkpoint round-trip.
import { describe, expect, it } from "vitest";
import { BOS, EOS, PAD, UNK, Vocabulary, vocabulariesFromJSON, vocabulariesToJSON } from "../../data/vocabulary.ts";

describe("token vocabularies", () => {
  const vocab = Vocabulary.build("token", ["the", "cat", "the", "sat", "a", "the", "cat"]);

  it("start with <pad>, <unk>, <bos>, <eos> at 0..3, then the tokens in sorted order", () => {
    expect([PAD, UNK, BOS, EOS]).toEqual([0, 1, 2, 3]);
    expect(vocab.tokens).toEqual(["<pad>", "<unk>", "<bos>", "<eos>", "a", "cat", "sat", "the"]);
    expect(vocab.size).toBe(8);
    expect(vocab.id("<eos>")).toBe(EOS);
    expect(vocab.id("cat")).toBe(5);
    expect(vocab.token(7)).toBe("the");
  });

  it("map an unknown token to <unk> and reject an id outside the vocabulary", () => {
    expect(vocab.id("dog")).toBe(UNK);
    expect(vocab.has("dog")).toBe(false);
    expect(() => vocab.token(8)).toThrow(RangeError);
  });

  it("drop tokens rarer than minCount (they become <unk>)", () => {
    const common = Vocabulary.build("token", ["the", "cat", "the", "sat", "a", "the", "cat"], { minCount: 2 });
    expect(common.tokens.slice(4)).toEqual(["cat", "the"]);
    expect(common.id("sat")).toBe(UNK);
  });

  it("give the same ids whatever the order of the data", () => {
    const shuffled = Vocabulary.build("token", ["cat", "a", "sat", "the", "cat", "the", "the"]);
    expect(shuffled.tokens).toEqual(vocab.tokens);
  });
});

describe("class vocabularies", () => {
  it("have no specials and are sorted; numeric labels sort as numbers", () => {
    expect(Vocabulary.build("class", ["odd", "even", "odd"]).tokens).toEqual(["even", "odd"]);
    const digits = Vocabulary.build("class", ["10", "2", "0", "1", "2"]);
    expect(digits.tokens).toEqual(["0", "1", "2", "10"]);
    expect(digits.id("2")).toBe(2);
  });

  it("ignore minCount and throw on an unknown class (callers check has() first)", () => {
    const vocab = Vocabulary.build("class", ["a", "b", "b"], { minCount: 2 });
    expect(vocab.tokens).toEqual(["a", "b"]);
    expect(() => vocab.id("c")).toThrow(/unknown class "c"/);
  });
});

describe("saving with a checkpoint", () => {
  it("round-trips through JSON text", () => {
    const vocabularies = new Map([
      ["words", Vocabulary.build("token", ["b", "a", "b"])],
      ["tags", Vocabulary.build("class", ["nn", "at"])],
    ]);
    const restored = vocabulariesFromJSON(JSON.parse(JSON.stringify(vocabulariesToJSON(vocabularies))));
    expect([...restored.keys()]).toEqual(["words", "tags"]);
    expect(restored.get("words")!.toJSON()).toEqual({ kind: "token", tokens: ["<pad>", "<unk>", "<bos>", "<eos>", "a", "b"] });
    expect(restored.get("tags")!.kind).toBe("class");
    expect(restored.get("tags")!.id("nn")).toBe(1);
  });

  it("refuses a malformed vocabulary", () => {
    expect(() => Vocabulary.fromJSON({ kind: "token", tokens: ["a", "b"] })).toThrow(/must start with <pad>/);
    expect(() => Vocabulary.fromJSON({ kind: "class", tokens: ["a", "a"] })).toThrow(/duplicate/);
    expect(() => Vocabulary.fromJSON({ kind: "word", tokens: [] })).toThrow(/unknown kind/);
    expect(() => Vocabulary.fromJSON({ kind: "class", tokens: [1] })).toThrow(/array of strings/);
  });
});
