// Between a checked model and its data: the fields of every example model, the sizes the data
// binds (and the ones the model fixes), and time-major minibatches with padding.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { dataSizes, modelFields } from "../../cli/model-data.ts";
import { exampleLengths, toModelBatch } from "../../data/batches.ts";
import type { CheckedModel } from "../../compiler/2-check/checked.ts";
import { checkSource } from "../../compiler/index.ts";
import { encodeExamples } from "../../data/examples.ts";
import type { DataField } from "../../data/fields.ts";
import { parseJsonLines } from "../../data/jsonl.ts";
import type { DataLayout } from "../../runtime/model.ts";

function checked(name: string): CheckedModel {
  const result = checkSource(readFileSync(`examples/${name}.rnn`, "utf8"), `${name}.rnn`);
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return result.models[0];
}

function encode(fields: DataField[], lines: object[]) {
  const { records } = parseJsonLines(lines.map((l) => JSON.stringify(l)).join("\n"), "train.jsonl");
  const data = encodeExamples(records, fields, undefined, { file: "train.jsonl" });
  expect(data.errors).toEqual([]);
  return data;
}

const token = { kind: "token" } as const;
const klass = { kind: "class" } as const;
const vector = (size: number) => ({ kind: "vector", size }) as const;

describe("the data fields of every example model", () => {
  const expected: Record<string, DataField[]> = {
    parity: [
      { name: "bits", role: "input", sequence: true, element: token, axis: "t" },
      { name: "even", role: "target", sequence: false, element: klass },
    ],
    tagger: [
      { name: "words", role: "input", sequence: true, element: token, axis: "t" },
      { name: "tags", role: "target", sequence: true, element: klass, axis: "t" },
    ],
    names: [{ name: "name", role: "target", sequence: true, element: token, axis: "t", autoregressive: true }],
    caption: [
      { name: "image", role: "input", sequence: false, element: vector(512) },
      { name: "words", role: "target", sequence: true, element: token, axis: "t", autoregressive: true },
    ],
    g2p: [
      { name: "spelling", role: "input", sequence: true, element: token, axis: "s" },
      { name: "phones", role: "target", sequence: true, element: token, axis: "t", autoregressive: true },
    ],
    co2: [
      { name: "series", role: "input", sequence: true, element: vector(1), axis: "t" },
      { name: "next", role: "target", sequence: true, element: vector(1), axis: "t" },
    ],
    spam: [
      { name: "words", role: "input", sequence: true, element: token, axis: "t" },
      { name: "label", role: "target", sequence: false, element: klass },
    ],
    moby: [{ name: "text", role: "target", sequence: true, element: token, axis: "t", autoregressive: true }],
    gender: [
      { name: "name", role: "input", sequence: true, element: token, axis: "t" },
      { name: "sex", role: "target", sequence: false, element: klass },
    ],
  };
  const files = readdirSync("examples").filter((f) => f.endsWith(".rnn")).map((f) => f.slice(0, -4));
  it.each(files)("%s", (name) => {
    expect(expected[name], `a new example: add its fields here`).toBeDefined();
    expect(modelFields(checked(name))).toEqual(expected[name]);
  });
});

describe("sizes bound from the data", () => {
  it("vocab(x) is the vocabulary with its specials; a class count the model fixes stays fixed", () => {
    const model = checked("parity");
    const data = encode(modelFields(model), [{ bits: "0110", even: "even" }, { bits: "1", even: "odd" }]);
    const { sizes, errors } = dataSizes(model, data.vocabularies, "train.jsonl");
    expect(errors).toEqual([]);
    expect([...sizes]).toEqual([["vocab(bits)", 6], ["classes(even)", 2]]);
  });

  it("fewer classes than the model fixes is fine: the size stays the model's", () => {
    const model = checked("parity");
    const data = encode(modelFields(model), [{ bits: "0110", even: "even" }]);
    expect(dataSizes(model, data.vocabularies, "train.jsonl").sizes.get("classes(even)")).toBe(2);
  });

  it("more classes than the model fixes is an error that says which and how many", () => {
    const model = checked("parity");
    const data = encode(modelFields(model), [{ bits: "0", even: "even" }, { bits: "1", even: "odd" }, { bits: "11", even: "maybe" }]);
    expect(dataSizes(model, data.vocabularies, "train.jsonl").errors).toEqual([
      "train.jsonl: even has 3 classes (even, maybe, odd), but the model fixes classes(even) = 2",
    ]);
  });

  it("classes from the data where the model does not fix them", () => {
    const model = checked("tagger");
    const data = encode(modelFields(model), [{ words: ["a", "dog"], tags: ["at", "nn"] }, { words: ["runs"], tags: ["vbz"] }]);
    expect([...dataSizes(model, data.vocabularies, "t").sizes]).toEqual([["vocab(words)", 7], ["classes(tags)", 3]]);
  });
});

describe("minibatches", () => {
  it("are time-major, with lengths per axis and padded steps holding the pad id", () => {
    const model = checked("tagger");
    const fields = modelFields(model);
    const data = encode(fields, [
      { words: ["a", "dog", "runs"], tags: ["at", "nn", "vbz"] },
      { words: ["dog"], tags: ["nn"] },
    ]);
    const layout: DataLayout[] = [
      { name: "words", role: "input", kind: "ids", size: 7, sequence: true, axis: "t", shifted: false },
      { name: "tags", role: "target", kind: "ids", size: 3, sequence: true, axis: "t", shifted: false },
    ];
    const batch = toModelBatch(data.examples, [0, 1], layout, { vocabularies: data.vocabularies });
    const w = data.vocabularies.get("words")!, t = data.vocabularies.get("tags")!;
    expect(batch.size).toBe(2);
    expect([...batch.lengths.t!]).toEqual([3, 1]);
    // (t, b) at t * 2 + b
    expect([...batch.fields.get("words")!]).toEqual([w.id("a"), w.id("dog"), w.id("dog"), w.pad, w.id("runs"), w.pad]);
    expect([...batch.fields.get("tags")!]).toEqual([t.id("at"), t.id("nn"), t.id("nn"), 0, t.id("vbz"), 0]);
    expect(batch.fields.get("words")).toBeInstanceOf(Float64Array);
    // The indices pick and order the examples.
    expect([...toModelBatch(data.examples, [1], layout).fields.get("words")!]).toEqual([w.id("dog")]);
    expect(toModelBatch(data.examples, [0], layout, { arrays: Float32Array }).fields.get("words")).toBeInstanceOf(Float32Array);
  });

  it("give an autoregressive target as NAME (what is predicted) and NAME@input (what is read, from <bos>)", () => {
    const fields = modelFields(checked("caption")).map((f) => (f.element.kind === "vector" ? { ...f, element: vector(2) } : f));
    const data = encode(fields, [
      { image: [1, 2], words: ["a", "b"] },
      { image: [3, 4], words: ["b"] },
    ]);
    const layout: DataLayout[] = [
      { name: "image", role: "input", kind: "vectors", size: 2, sequence: false, shifted: false },
      { name: "words", role: "target", kind: "ids", size: 6, sequence: true, axis: "t", shifted: true },
      { name: "words@input", role: "input", kind: "ids", size: 6, sequence: true, axis: "t", shifted: false },
    ];
    const v = data.vocabularies.get("words")!;
    const batch = toModelBatch(data.examples, [0, 1], layout, { vocabularies: data.vocabularies });
    expect([...batch.lengths.t!]).toEqual([3, 2]); // n tokens + 1
    expect([...batch.fields.get("image")!]).toEqual([1, 2, 3, 4]);
    expect([...batch.fields.get("words@input")!]).toEqual([v.bos, v.bos, v.id("a"), v.id("b"), v.id("b"), v.pad]);
    expect([...batch.fields.get("words")!]).toEqual([v.id("a"), v.id("b"), v.id("b"), v.eos, v.eos, v.pad]);
  });

  it("pad vectors with zeros and count steps on every axis for bucketing", () => {
    const fields = modelFields(checked("co2"));
    const data = encode(fields, [
      { series: [1, 2, 3], next: [2, 3, 4] },
      { series: [5], next: [6] },
    ]);
    const layout: DataLayout[] = [
      { name: "series", role: "input", kind: "vectors", size: 1, sequence: true, axis: "t", shifted: false },
      { name: "next", role: "target", kind: "vectors", size: 1, sequence: true, axis: "t", shifted: false },
    ];
    const batch = toModelBatch(data.examples, [0, 1], layout);
    expect([...batch.fields.get("series")!]).toEqual([1, 5, 2, 0, 3, 0]);
    expect([...batch.fields.get("next")!]).toEqual([2, 6, 3, 0, 4, 0]);
    expect([...exampleLengths(data.examples, layout)]).toEqual([3, 1]);

    const g2p = modelFields(checked("g2p"));
    const pairs = encode(g2p, [{ spelling: "abc", phones: ["AH", "B"] }]);
    const g2pLayout: DataLayout[] = [
      { name: "spelling", role: "input", kind: "ids", size: 7, sequence: true, axis: "s", shifted: false },
      { name: "phones", role: "target", kind: "ids", size: 6, sequence: true, axis: "t", shifted: true },
      { name: "phones@input", role: "input", kind: "ids", size: 6, sequence: true, axis: "t", shifted: false },
    ];
    expect([...exampleLengths(pairs.examples, g2pLayout)]).toEqual([3 + 3]);
    const b = toModelBatch(pairs.examples, [0], g2pLayout, { vocabularies: pairs.vocabularies });
    expect([b.lengths.s![0], b.lengths.t![0]]).toEqual([3, 3]);
  });
});
