// Encoding examples: every field kind, every validation error with its exact message, the
// autoregressive shift, and vocabularies given (validation sets) versus built (training sets).
import { describe, expect, it } from "vitest";
import { formatDataError } from "../../data/errors.ts";
import { encodeExamples, type EncodedField } from "../../data/examples.ts";
import type { DataField } from "../../data/fields.ts";
import { parseJsonLines } from "../../data/jsonl.ts";
import { Vocabulary } from "../../data/vocabulary.ts";

const parity: DataField[] = [
  { name: "bits", role: "input", sequence: true, element: { kind: "token" }, axis: "t" },
  { name: "even", role: "target", sequence: false, element: { kind: "class" } },
];
const tagger: DataField[] = [
  { name: "words", role: "input", sequence: true, element: { kind: "token" }, axis: "t" },
  { name: "tags", role: "target", sequence: true, element: { kind: "class" }, axis: "t" },
];
const names: DataField[] = [
  { name: "name", role: "target", sequence: true, element: { kind: "token" }, axis: "t", autoregressive: true },
];
const caption: DataField[] = [
  { name: "image", role: "input", sequence: false, element: { kind: "vector", size: 3 } },
  { name: "words", role: "target", sequence: true, element: { kind: "token" }, axis: "t", autoregressive: true },
];
const co2: DataField[] = [
  { name: "series", role: "input", sequence: true, element: { kind: "vector", size: 1 }, axis: "t" },
  { name: "next", role: "target", sequence: true, element: { kind: "vector", size: 1 }, axis: "t" },
];
const g2p: DataField[] = [
  { name: "spelling", role: "input", sequence: true, element: { kind: "token" }, axis: "s" },
  { name: "phones", role: "target", sequence: true, element: { kind: "token" }, axis: "t", autoregressive: true },
];

/** Encodes JSON Lines text written inline, one record a line. */
function encode(fields: DataField[], lines: string[], vocabularies?: Map<string, Vocabulary>) {
  const { records, errors } = parseJsonLines(lines.join("\n"), "train.jsonl");
  expect(errors).toEqual([]);
  return encodeExamples(records, fields, vocabularies, { file: "train.jsonl" });
}

/** The printed errors of encoding the records, which must all be rejected. */
function rejected(fields: DataField[], lines: string[], vocabularies?: Map<string, Vocabulary>): string[] {
  const data = encode(fields, lines, vocabularies);
  expect(data.examples).toEqual([]);
  return data.errors.map(formatDataError);
}

const ids = (field: EncodedField | undefined) => (field?.kind === "ids" ? [...field.ids] : undefined);

describe("encoding each kind of field", () => {
  it("seq<token> from a string splits by code point; class labels become class ids", () => {
    const data = encode(parity, ['{"bits": "0110", "even": "even"}', '{"bits": "1", "even": "odd"}']);
    expect(data.errors).toEqual([]);
    const bits = data.vocabularies.get("bits")!, even = data.vocabularies.get("even")!;
    expect(bits.tokens).toEqual(["0", "1", "<pad>", "<unk>", "<bos>", "<eos>"]);
    expect([bits.id("0"), bits.id("1"), bits.pad]).toEqual([0, 1, 2]); // what onehot(bits[t], 2) needs
    expect(even.tokens).toEqual(["even", "odd"]);
    const [first, second] = data.examples;
    expect(first!.line).toBe(1);
    expect(first!.fields.get("bits")).toEqual({ kind: "ids", steps: 4, ids: Int32Array.from([0, 1, 1, 0]) });
    expect(ids(first!.fields.get("even"))).toEqual([0]);
    expect(ids(second!.fields.get("even"))).toEqual([1]);
    const emoji = encode(parity, ['{"bits": "a😀b", "even": "odd"}']);
    expect(emoji.examples[0]!.fields.get("bits")!.steps).toBe(3);
    expect(emoji.vocabularies.get("bits")!.has("😀")).toBe(true);
  });

  it("seq<token> from an array of strings; seq<class> from an array of labels", () => {
    const data = encode(tagger, ['{"words": ["The", "cat", "sat"], "tags": ["at", "nn", "vbd"], "id": 7}']);
    const words = data.vocabularies.get("words")!, tags = data.vocabularies.get("tags")!;
    const example = data.examples[0]!.fields;
    expect(ids(example.get("words"))!.map((id) => words.token(id))).toEqual(["The", "cat", "sat"]);
    expect(ids(example.get("tags"))).toEqual([0, 1, 2]);
    expect(tags.tokens).toEqual(["at", "nn", "vbd"]);
    expect(example.has("id")).toBe(false); // keys the model does not name are ignored
  });

  it("number class labels are labels too, sorted numerically", () => {
    const fields: DataField[] = [{ name: "digit", role: "target", sequence: false, element: { kind: "class" } }];
    const data = encode(fields, ['{"digit": 10}', '{"digit": 2}', '{"digit": "2"}']);
    expect(data.vocabularies.get("digit")!.tokens).toEqual(["2", "10"]);
    expect(data.examples.map((e) => ids(e.fields.get("digit"))![0])).toEqual([1, 0, 0]);
  });

  it("vec(n) is an array of n numbers; seq<vec(n)> an array of them, flat for vec(1)", () => {
    const data = encode(caption, ['{"image": [0.5, -1, 2e-3], "words": ["a", "dog"]}']);
    expect(data.examples[0]!.fields.get("image")).toEqual({ kind: "vectors", steps: 1, size: 3, values: Float32Array.from([0.5, -1, 2e-3]) });
    const series = encode(co2, ['{"series": [1, 2, 3], "next": [[2], [3], [4]]}']).examples[0]!.fields;
    expect(series.get("series")).toEqual({ kind: "vectors", steps: 3, size: 1, values: Float32Array.from([1, 2, 3]) });
    expect(series.get("next")).toEqual({ kind: "vectors", steps: 3, size: 1, values: Float32Array.from([2, 3, 4]) });
    const pairs: DataField[] = [{ name: "xy", role: "input", sequence: true, element: { kind: "vector", size: 2 } }];
    expect(encode(pairs, ['{"xy": [[1, 2], [3, 4]]}']).examples[0]!.fields.get("xy")).toEqual({
      kind: "vectors", steps: 2, size: 2, values: Float32Array.from([1, 2, 3, 4]),
    });
  });
});

describe("autoregressive token targets", () => {
  it("read [<bos>, c1..cn] and predict [c1..cn, <eos>]", () => {
    const data = encode(names, ['{"name": "ana"}']);
    const vocab = data.vocabularies.get("name")!;
    expect(vocab.tokens).toEqual(["a", "n", "<pad>", "<unk>", "<bos>", "<eos>"]);
    const [a, n, bos, eos] = [0, 1, 4, 5];
    expect([vocab.bos, vocab.eos]).toEqual([bos, eos]);
    expect(data.examples[0]!.fields.get("name")).toEqual({
      kind: "shifted",
      steps: 4,
      input: Int32Array.from([bos, a, n, a]),
      target: Int32Array.from([a, n, a, eos]),
    });
  });

  it("count n+1 steps on their axis, next to a field on another axis", () => {
    const data = encode(g2p, ['{"spelling": "cat", "phones": ["K", "AE1", "T", "S"]}']);
    expect(data.errors).toEqual([]);
    expect(data.examples[0]!.fields.get("spelling")!.steps).toBe(3);
    expect(data.examples[0]!.fields.get("phones")!.steps).toBe(5);
  });
});

describe("given vocabularies (validation and test sets, checkpoints)", () => {
  const training = encode(tagger, ['{"words": ["the", "cat"], "tags": ["at", "nn"]}']);

  it("map unknown tokens to <unk> and keep the training ids", () => {
    const valid = encode(tagger, ['{"words": ["the", "dog"], "tags": ["at", "nn"]}'], training.vocabularies);
    expect(valid.errors).toEqual([]);
    const words = training.vocabularies.get("words")!;
    expect(words.tokens).toEqual(["cat", "the", "<pad>", "<unk>", "<bos>", "<eos>"]);
    expect(ids(valid.examples[0]!.fields.get("words"))).toEqual([1, words.unk]);
    expect(words.unk).toBe(3);
    expect(valid.vocabularies.get("words")).toBe(words);
  });

  it("reject an unknown class, saying which step and which classes exist", () => {
    expect(rejected(tagger, ['{"words": ["the", "cat"], "tags": ["at", "vbd"]}'], training.vocabularies)).toEqual([
      'train.jsonl:1: field "tags"[1]: unknown class "vbd" (the training data has 2 classes: at, nn)',
    ]);
    const parityVocabularies = encode(parity, ['{"bits": "01", "even": "odd"}']).vocabularies;
    expect(rejected(parity, ['{"bits": "1", "even": "even"}'], parityVocabularies)).toEqual([
      'train.jsonl:1: field "even": unknown class "even" (the training data has 1 class: odd)',
    ]);
  });

  it("build rare training tokens as <unk> with minCount", () => {
    const { records } = parseJsonLines('{"bits": "0001", "even": "odd"}');
    const data = encodeExamples(records, parity, undefined, { minCount: 2 });
    const bits = data.vocabularies.get("bits")!;
    expect(bits.tokens).toEqual(["0", "<pad>", "<unk>", "<bos>", "<eos>"]);
    expect(ids(data.examples[0]!.fields.get("bits"))).toEqual([0, 0, 0, 2]);
    expect(bits.unk).toBe(2);
  });
});

describe("validation errors: one per problem, with file:line, and the example skipped", () => {
  it("a record that is not an object", () => {
    expect(rejected(parity, ['["0110", "even"]', "42"])).toEqual([
      "train.jsonl:1: expected a JSON object with the fields bits, even; found an array",
      "train.jsonl:2: expected a JSON object with the fields bits, even; found a number",
    ]);
  });

  it("missing fields, each named", () => {
    expect(rejected(parity, ["{}"])).toEqual(['train.jsonl:1: missing field "bits"', 'train.jsonl:1: missing field "even"']);
  });

  it("values of the wrong type", () => {
    expect(rejected(parity, ['{"bits": 110, "even": true}'])).toEqual([
      'train.jsonl:1: field "bits" should be a string or an array of strings (seq<token>), not a number',
      'train.jsonl:1: field "even" should be a class label (a string or a number), not a boolean',
    ]);
    expect(rejected(tagger, ['{"words": ["a", 3], "tags": "at"}'])).toEqual([
      'train.jsonl:1: field "words"[1] should be a string (a token), not a number',
      'train.jsonl:1: field "tags" should be an array of class labels (seq<class>), not a string',
    ]);
    expect(rejected(tagger, ['{"words": ["a"], "tags": [null]}'])).toEqual([
      'train.jsonl:1: field "tags"[0] should be a class label (a string or a number), not null',
    ]);
  });

  it("vectors of the wrong size or type", () => {
    expect(rejected(caption, ['{"image": [1, 2], "words": ["a"]}', '{"image": "cat.png", "words": ["a"]}'])).toEqual([
      'train.jsonl:1: field "image" has 2 numbers; vec(3) needs 3',
      'train.jsonl:2: field "image" should be an array of 3 numbers (vec(3)), not a string',
    ]);
    expect(rejected(co2, ['{"series": [[1], [2, 3]], "next": {"a": 1}}', '{"series": [[1], ["2"]], "next": [1, 2]}'])).toEqual([
      'train.jsonl:1: field "series"[1] has 2 numbers; vec(1) needs 1',
      'train.jsonl:1: field "next" should be an array of vectors (seq<vec(1)>), not an object',
      'train.jsonl:2: field "series"[1][0] should be a number, not a string',
    ]);
  });

  it("numbers that are not finite (JSON's 1e999 is Infinity)", () => {
    expect(rejected(co2, ['{"series": [1, 1e999], "next": [1, 2]}', '{"series": [[1], [-1e999]], "next": [1, 2]}'])).toEqual([
      'train.jsonl:1: field "series"[1] is not a finite number (Infinity)',
      'train.jsonl:2: field "series"[1][0] is not a finite number (-Infinity)',
    ]);
    const { records } = parseJsonLines('{"image": [0, 0, 0], "words": ["a"]}');
    (records[0]!.value as { image: number[] }).image[1] = NaN; // records built in code, not parsed
    expect(encodeExamples(records, caption).errors.map(formatDataError)).toEqual([
      '<data>:1: field "image"[1] is not a finite number (NaN)',
    ]);
  });

  it("empty sequences", () => {
    expect(rejected(parity, ['{"bits": "", "even": "even"}'])).toEqual([
      'train.jsonl:1: field "bits" is empty: a sequence needs at least one step',
    ]);
    expect(rejected(co2, ['{"series": [], "next": []}'])).toEqual([
      'train.jsonl:1: field "series" is empty: a sequence needs at least one step',
      'train.jsonl:1: field "next" is empty: a sequence needs at least one step',
    ]);
  });

  it("fields on the same axis with different lengths, named with their lengths", () => {
    expect(rejected(tagger, ['{"words": ["the", "cat", "sat"], "tags": ["at", "nn"]}'])).toEqual([
      "train.jsonl:1: fields on axis t have different lengths: words has 3, tags has 2",
    ]);
    const inputAndShifted: DataField[] = [
      { name: "x", role: "input", sequence: true, element: { kind: "token" }, axis: "t" },
      { name: "y", role: "target", sequence: true, element: { kind: "token" }, axis: "t", autoregressive: true },
    ];
    expect(rejected(inputAndShifted, ['{"x": "ab", "y": "ab"}'])).toEqual([
      "train.jsonl:1: fields on axis t have different lengths: x has 2, y has 3 (with <eos>)",
    ]);
  });

  it("keeps the good records and reports the bad ones in line order", () => {
    const data = encode(parity, ['{"bits": "01", "even": "odd"}', '{"bits": 1}', '{"bits": "11", "even": "even"}', "null"]);
    expect(data.examples.map((e) => e.line)).toEqual([1, 3]);
    expect(data.errors.map((e) => e.line)).toEqual([2, 2, 4]);
  });
});

describe("field descriptions (from the compiler) that make no sense throw", () => {
  it("an autoregressive class target, a duplicate field, a missing given vocabulary", () => {
    const bad: DataField[] = [{ name: "y", role: "target", sequence: true, element: { kind: "class" }, autoregressive: true }];
    expect(() => encodeExamples([], bad)).toThrow(/only a seq<token> target can be autoregressive/);
    expect(() => encodeExamples([], [...parity, parity[0]!])).toThrow(/described twice/);
    expect(() => encodeExamples([], parity, new Map())).toThrow(/no vocabulary given for field "bits"/);
  });
});
