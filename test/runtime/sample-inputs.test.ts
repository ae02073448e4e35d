// runtime/sample-inputs.ts: a prompt cut as its vocabulary's data was (characters or words), a
// token it lacks named; the ids never generated; an inputs record's unknown fields named.
import { describe, expect, it } from "vitest";
import type { DataField } from "../../data/fields.ts";
import { Vocabulary } from "../../data/vocabulary.ts";
import { neverGenerated, promptIds, unknownInputs } from "../../runtime/sample-inputs.ts";

const characters = Vocabulary.build("token", [..."Call me Ishmael"]);
const words = Vocabulary.build("token", "the cat sat on the mat".split(" "));

describe("promptIds", () => {
  it("cuts a character model's prompt into characters, spaces included, and decodes back to it", () => {
    const ids = promptIds("Call me", characters, "text");
    expect([...ids]).toEqual([..."Call me"].map((c) => characters.id(c)));
    expect(characters.decode(ids)).toBe("Call me");
    expect(promptIds("", characters, "text")).toHaveLength(0);
  });

  it("cuts a word model's prompt on whitespace; <unk> may be written, the other specials not", () => {
    expect(words.decode(promptIds("  the cat\tsat ", words, "words"))).toBe("the cat sat");
    expect([...promptIds("the <unk>", words, "words")]).toEqual([words.id("the"), words.unk]);
    expect(promptIds(" ", words, "words")).toHaveLength(0);
    expect(() => promptIds("the dog <eos>", words, "words")).toThrow(
      `the prompt has "dog", "<eos>": not tokens of the vocabulary of words (5 tokens: "cat" "mat" "on" "sat" "the"; <unk> stands for any token it lacks)`,
    );
  });

  it("names each character the vocabulary lacks, once", () => {
    expect(() => promptIds("Call you", characters, "text")).toThrow(`the prompt has "y", "o", "u": not characters of the vocabulary of text (9 characters: " " "C" "I" "a" "e" "h" "l" "m" "s")`);
    expect(() => promptIds("Cally", characters, "text")).toThrow(`the prompt has "y": not a character of the vocabulary of text`);
  });
});

it("neverGenerated: <pad>, <unk>, <bos>, not <eos>", () => {
  expect(neverGenerated(words)).toEqual([words.pad, words.unk, words.bos]);
});

describe("unknownInputs", () => {
  const field = (name: string, role: "input" | "target"): DataField => ({ name, role, sequence: true, element: { kind: "token" } });
  const g2p = [field("spelling", "input"), { ...field("phones", "target"), autoregressive: true }];
  it("names the fields a model does not read, and the ones it does", () => {
    expect(unknownInputs({ spelling: "cat" }, g2p, "g2p")).toBeUndefined();
    expect(unknownInputs({ speling: "cat" }, g2p, "g2p")).toBe(`unknown field "speling": g2p's inputs are spelling`);
    expect(unknownInputs({ spelling: "cat", phones: "K AE T" }, g2p, "g2p")).toBe(`unknown field "phones" (phones: a target, which g2p predicts, not reads): g2p's inputs are spelling`);
    expect(unknownInputs({ x: 1, y: 2 }, [g2p[1]], "names")).toBe(`unknown fields "x", "y": names reads no inputs`);
  });
});
