// Vocabularies: tokens first then specials, deterministic sorted order, rare tokens, unknowns, checkpoint round-trip.
import { describe, expect, it } from "vitest";
import { SPECIAL_TOKENS, Vocabulary, vocabulariesFromJSON, vocabulariesToJSON } from "../../data/vocabulary.ts";

describe("token vocabularies", () => {
  const vocab = Vocabulary.build("token", ["the", "cat", "the", "sat", "a", "the", "cat"]);

  it("hold the tokens in sorted order at 0..n-1, then <pad>, <unk>, <bos>, <eos> at n..n+3", () => {
    expect(SPECIAL_TOKENS).toEqual(["<pad>", "<unk>", "<bos>", "<eos>"]);
    expect(vocab.tokens).toEqual(["a", "cat", "sat", "the", "<pad>", "<unk>", "<bos>", "<eos>"]);
    expect(vocab.size).toBe(8);
    expect([vocab.pad, vocab.unk, vocab.bos, vocab.eos]).toEqual([4, 5, 6, 7]);
    expect(vocab.id("<pad>")).toBe(vocab.pad);
    expect(vocab.id("<eos>")).toBe(vocab.eos);
    expect(vocab.id("a")).toBe(0);
    expect(vocab.id("cat")).toBe(1);
    expect(vocab.token(3)).toBe("the");
    expect(vocab.token(7)).toBe("<eos>");
  });

  it("give bit strings the ids a onehot(bits[t], 2) needs: \"0\" = 0, \"1\" = 1", () => {
    const bits = Vocabulary.build("token", [..."0110", ..."1"]);
    expect([bits.id("0"), bits.id("1")]).toEqual([0, 1]);
    expect([bits.pad, bits.unk, bits.bos, bits.eos]).toEqual([2, 3, 4, 5]);
  });

  it("with no training tokens, are just the specials at 0..3", () => {
    const empty = Vocabulary.build("token", []);
    expect(empty.tokens).toEqual(SPECIAL_TOKENS);
    expect([empty.pad, empty.unk, empty.bos, empty.eos]).toEqual([0, 1, 2, 3]);
  });

  it("never take a special token from the data as a real token", () => {
    const vocab = Vocabulary.build("token", ["<eos>", "b", "<pad>", "a"]);
    expect(vocab.tokens).toEqual(["a", "b", "<pad>", "<unk>", "<bos>", "<eos>"]);
  });

  it("map an unknown token to <unk> and reject an id outside the vocabulary", () => {
    expect(vocab.id("dog")).toBe(vocab.unk);
    expect(vocab.id("dog")).toBe(5);
    expect(vocab.has("dog")).toBe(false);
    expect(() => vocab.token(8)).toThrow(RangeError);
  });

  it("drop tokens rarer than minCount (they become <unk>)", () => {
    const common = Vocabulary.build("token", ["the", "cat", "the", "sat", "a", "the", "cat"], { minCount: 2 });
    expect(common.tokens).toEqual(["cat", "the", "<pad>", "<unk>", "<bos>", "<eos>"]);
    expect(common.id("sat")).toBe(common.unk);
    expect(common.unk).toBe(3);
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

  it("have no special ids: asking for one throws", () => {
    const vocab = Vocabulary.build("class", ["even", "odd"]);
    expect(() => vocab.pad).toThrow(/class vocabulary has no <pad>/);
    expect(() => vocab.unk).toThrow(/no <unk>/);
    expect(() => vocab.bos).toThrow(/no <bos>/);
    expect(() => vocab.eos).toThrow(/no <eos>/);
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
    expect(restored.get("words")!.toJSON()).toEqual({ kind: "token", tokens: ["a", "b", "<pad>", "<unk>", "<bos>", "<eos>"] });
    expect(restored.get("words")!.eos).toBe(5);
    expect(restored.get("tags")!.kind).toBe("class");
    expect(restored.get("tags")!.id("nn")).toBe(1);
  });

  it("refuses a malformed vocabulary", () => {
    expect(() => Vocabulary.fromJSON({ kind: "token", tokens: ["a", "b"] })).toThrow(/must end with <pad>, <unk>, <bos>, <eos>/);
    expect(() => Vocabulary.fromJSON({ kind: "token", tokens: ["<pad>", "<unk>", "<bos>", "<eos>", "a"] })).toThrow(/must end with/);
    expect(() => Vocabulary.fromJSON({ kind: "token", tokens: ["a", "<pad>", "<unk>", "<eos>", "<bos>"] })).toThrow(/must end with/);
    expect(() => Vocabulary.fromJSON({ kind: "token", tokens: ["<unk>", "<bos>", "<eos>"] })).toThrow(/must end with/);
    expect(Vocabulary.fromJSON({ kind: "token", tokens: ["<pad>", "<unk>", "<bos>", "<eos>"] }).pad).toBe(0);
    expect(() => Vocabulary.fromJSON({ kind: "class", tokens: ["a", "a"] })).toThrow(/duplicate/);
    expect(() => Vocabulary.fromJSON({ kind: "word", tokens: [] })).toThrow(/unknown kind/);
    expect(() => Vocabulary.fromJSON({ kind: "class", tokens: [1] })).toThrow(/array of strings/);
  });
});
