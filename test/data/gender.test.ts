// Female or male first names (data/gender.ts), the data of examples/gender.rnn and of the language
// model it is fine-tuned from: the labels, the names on both lists left out, the hash split (its
// test part is exactly what data/names.ts holds out), the files and the majority class.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { genderFiles, genderPart, labelledNames, loadGender, majorityClass, writeGenderData } from "../../data/gender.ts";
import { isHeldOutName, loadNames } from "../../data/names.ts";

const data = loadGender();
const { classifier, lm, ambiguous } = data;
const all = [...classifier.train, ...classifier.valid, ...classifier.test];

describe("data/gender.ts", () => {
  it("labels a name by its one list, and leaves out the 419 names on both", () => {
    expect(ambiguous).toHaveLength(419);
    expect(ambiguous).toEqual(expect.arrayContaining(["Jo", "Kelly", "Alexis"]));
    const names = new Set(all.map((e) => e.name));
    expect(ambiguous.some((name) => names.has(name))).toBe(false);
    expect(names.size).toBe(all.length);
    expect(all.length + ambiguous.length).toBe(8422); // every distinct name of data/names.ts
    expect(all.find((e) => e.name === "Aaron")?.sex).toBe("male");
    expect(all.find((e) => e.name === "Abagael")?.sex).toBe("female");
    expect(labelledNames().labelled).toEqual([...all].sort((a, b) => (a.name < b.name ? -1 : 1)));
  });

  it("splits by the name's hash: test is what names.rnn holds out, and the language model never sees it", () => {
    expect([classifier.train.length, classifier.valid.length, classifier.test.length]).toEqual([6449, 770, 784]);
    for (const e of classifier.test) expect(isHeldOutName(e.name)).toBe(true);
    for (const e of [...classifier.train, ...classifier.valid]) expect(isHeldOutName(e.name)).toBe(false);
    for (const part of ["train", "valid", "test"] as const) for (const e of classifier[part]) expect(genderPart(e.name)).toBe(part);
    // The language model: every name but the test ones, those on both lists too.
    const heldOut = new Set(loadNames().valid);
    expect([...lm.train, ...lm.valid].some((name) => heldOut.has(name))).toBe(false);
    expect(lm.train.length + lm.valid.length + heldOut.size).toBe(8422);
    expect(lm.valid.every((name) => genderPart(name) === "valid")).toBe(true);
  });

  it("writes the five files, and the majority class is the commoner label of training", () => {
    const dir = mkdtempSync(join(tmpdir(), "rnnc-gender-"));
    const summary = writeGenderData(dir, data);
    expect(summary[0]).toBe(`${join(dir, "gender-train.jsonl")}: 6449 names, 3641 female, 2808 male`);
    const files = genderFiles(dir);
    const lines = (path: string) => readFileSync(path, "utf8").trim().split("\n").map((line) => JSON.parse(line) as object);
    expect(lines(files.test)).toEqual(classifier.test.map(({ name, sex }) => ({ name, sex })));
    expect(lines(files.lmValid)).toEqual(lm.valid.map((name) => ({ name })));
    expect(majorityClass(classifier.train)).toBe("female");
    expect(majorityClass([{ name: "A", sex: "male" }, { name: "B", sex: "male" }, { name: "C", sex: "female" }])).toBe("male");
  });
});
