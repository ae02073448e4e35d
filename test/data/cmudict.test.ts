// Grapheme-to-phoneme data (data/cmudict.ts): the package's format, the filtering (letters only,
// first pronunciation, stress stripped), the hash split, the files, and PER/WER on hand-made cases.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadExamples } from "../../data/load-examples.ts";
import type { DataField } from "../../data/fields.ts";
import {
  cmudictPhones, editDistance, g2pEntries, isTestWord, loadG2p, phoneErrorRate, readCmudict, splitG2p, stripStress,
  wordErrorRate, writeG2pData,
} from "../../data/cmudict.ts";

const split = loadG2p();

describe("filtering", () => {
  const dict = {
    "A": "AH0", "A(1)": "EY1",
    "READ": "R EH1 D", "READ(1)": "R IY1 D",
    "A'S": "EY1 Z", "A.": "EY1", "ABLE-BODIED": "EY1 B AH0 L B AA1 D IY0 D", "A42128": "EY1 F AO1 R",
    "Hello": "HH AH0 L OW1",
    "AARDVARK": "AA1 R D V AA2 R K",
  };

  it("keeps letters-only words, lower-cased and sorted, with their first pronunciation, stress stripped", () => {
    expect(g2pEntries(dict)).toEqual([
      { spelling: "a", phones: ["AH"] },
      { spelling: "aardvark", phones: ["AA", "R", "D", "V", "AA", "R", "K"] },
      { spelling: "hello", phones: ["HH", "AH", "L", "OW"] },
      { spelling: "read", phones: ["R", "EH", "D"] },
    ]);
  });

  it("strips the stress digit only", () => {
    expect(["AH0", "AH1", "AH2", "HH", "NG", "ER0"].map(stripStress)).toEqual(["AH", "AH", "AH", "HH", "NG", "ER"]);
  });

  it("on the real dictionary: first pronunciations, 39 stressless phones, letters only", () => {
    const raw = readCmudict();
    expect(raw["READ"]).toBe("R EH1 D");
    expect(raw["READ(1)"]).toBe("R IY1 D");
    const all = [...split.train, ...split.test];
    expect(all.length).toBe(116506);
    const read = all.find((e) => e.spelling === "read")!;
    expect(read.phones).toEqual(["R", "EH", "D"]);
    expect(all.every((e) => /^[a-z]+$/.test(e.spelling) && e.phones.length > 0)).toBe(true);
    const phones = new Set(all.flatMap((e) => e.phones));
    expect([...phones].sort()).toEqual(cmudictPhones());
    expect(phones.size).toBe(39);
    expect(new Set(all.map((e) => e.spelling)).size).toBe(all.length);
  });
});

describe("the split", () => {
  it("is a property of the word alone", () => {
    const entries = [{ spelling: "a", phones: ["AH"] }, { spelling: "zebra", phones: ["Z", "IY", "B", "R", "AH"] }];
    const forward = splitG2p(entries), backward = splitG2p([...entries].reverse());
    expect(new Set(forward.test.map((e) => e.spelling))).toEqual(new Set(backward.test.map((e) => e.spelling)));
    expect(split.test.every((e) => isTestWord(e.spelling))).toBe(true);
    expect(split.train.some((e) => isTestWord(e.spelling))).toBe(false);
  });

  it("holds out about 5% of the words, the same ones every time", () => {
    const total = split.train.length + split.test.length;
    expect(split.test.length / total).toBeGreaterThan(0.045);
    expect(split.test.length / total).toBeLessThan(0.055);
    expect(split.test.length).toBe(5822);
    expect(split.test.slice(0, 3).map((e) => e.spelling)).toEqual(["a", "aarti", "abbotstown"]);
  });
});

describe("files", () => {
  it("writes JSON Lines records the data layer reads", async () => {
    const directory = mkdtempSync(join(tmpdir(), "g2p-"));
    const tiny = { train: split.train.slice(0, 50), test: split.test.slice(0, 20) };
    writeG2pData(directory, tiny);
    const lines = readFileSync(join(directory, "g2p-test.jsonl"), "utf8").trim().split("\n");
    expect(lines.map((l) => JSON.parse(l))).toEqual(tiny.test);
    expect(JSON.parse(lines[0])).toEqual({ spelling: "a", phones: ["AH"] });
    const train = readFileSync(join(directory, "g2p-train.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(new Set(train.map((e) => e.spelling))).toEqual(new Set(tiny.train.map((e) => e.spelling)));
    const fields: DataField[] = [
      { name: "spelling", role: "input", sequence: true, element: { kind: "token" }, axis: "s" },
      { name: "phones", role: "target", sequence: true, element: { kind: "token" }, axis: "t", autoregressive: true },
    ];
    const loaded = await loadExamples(join(directory, "g2p-test.jsonl"), fields);
    expect(loaded.errors).toEqual([]);
    expect(loaded.examples.length).toBe(20);
    const abbotstown = loaded.examples[2].fields.get("spelling")!;
    expect(abbotstown.steps).toBe("abbotstown".length);
  });
});

describe("PER and WER", () => {
  it("edit distance", () => {
    expect(editDistance([], [])).toBe(0);
    expect(editDistance(["A"], [])).toBe(1);
    expect(editDistance([], ["A", "B"])).toBe(2);
    expect(editDistance([..."kitten"], [..."sitting"])).toBe(3);
    expect(editDistance(["HH", "AH", "L", "OW"], ["HH", "EH", "L", "OW"])).toBe(1);
  });

  it("on hand-made examples", () => {
    const references = [["HH", "AH", "L", "OW"], ["K", "AE", "T"], ["D", "AO", "G"]];
    const hypotheses = [["HH", "EH", "L", "OW"], ["K", "AE", "T"], ["D", "AO", "Z", "S"]];
    // "D AO G" → "D AO Z S": substitute G→Z, insert S = 2 edits
    expect(phoneErrorRate(references, hypotheses)).toBe(3 / 10);
    expect(wordErrorRate(references, hypotheses)).toBe(2 / 3);
    expect(phoneErrorRate(references, references)).toBe(0);
    expect(wordErrorRate(references, references)).toBe(0);
    // a prefix is not right: WER counts it, PER counts the missing phone
    expect(wordErrorRate([["K", "AE", "T"]], [["K", "AE"]])).toBe(1);
    expect(phoneErrorRate([["K", "AE", "T"]], [["K", "AE"]])).toBe(1 / 3);
    // empty hypotheses: every reference phone is an error
    expect(phoneErrorRate(references, [[], [], []])).toBe(1);
    expect(phoneErrorRate([], [])).toBe(0);
    expect(wordErrorRate([], [])).toBe(0);
    expect(() => phoneErrorRate(references, [])).toThrow(RangeError);
  });
});
