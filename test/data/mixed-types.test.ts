// A field written two ways in one file is an error at the line that departs from the earlier
// ones: a seq<token> given as a string on some lines and as an array on others, and a class
// target whose labels mix numbers and strings.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDataError } from "../../data/errors.ts";
import { encodeExamples } from "../../data/examples.ts";
import { loadExamples } from "../../data/load-examples.ts";
import type { DataField } from "../../data/fields.ts";
import { parseJsonLines } from "../../data/jsonl.ts";

const words: DataField = { name: "words", role: "input", sequence: true, element: { kind: "token" }, axis: "t" };
const label: DataField = { name: "y", role: "target", sequence: false, element: { kind: "class" } };
const tags: DataField = { name: "tags", role: "target", sequence: true, element: { kind: "class" }, axis: "t" };
const name: DataField = { name: "name", role: "target", sequence: true, element: { kind: "token" }, axis: "t", autoregressive: true };

function encode(fields: DataField[], lines: string[]) {
  const { records, errors } = parseJsonLines(lines.join("\n"), "train.jsonl");
  expect(errors).toEqual([]);
  const data = encodeExamples(records, fields, undefined, { file: "train.jsonl" });
  return { ...data, printed: data.errors.map(formatDataError), lines: data.examples.map((e) => e.line) };
}

describe("a seq<token> field is a string on every line or an array on every line", () => {
  it("an array after strings is an error naming the first line", () => {
    const data = encode([words, label], ['{"words": "abc", "y": "a"}', '{"words": "ab", "y": "a"}', '{"words": ["ab", "c"], "y": "b"}']);
    expect(data.printed).toEqual([
      'train.jsonl:3: field "words" is an array of strings (a token each), but line 1 gave it as a string (a token per character); write it the same way on every line',
    ]);
    expect(data.lines).toEqual([1, 2]);
    expect(data.vocabularies.get("words")!.tokens.slice(0, 3)).toEqual(["a", "b", "c"]); // "ab" did not join them
  });

  it("a string after arrays is an error too, on every such line; an autoregressive target likewise", () => {
    const data = encode([words, label], ['{"words": ["the", "cat"], "y": "a"}', '{"words": "dog", "y": "a"}', '{"words": "cat", "y": "a"}']);
    expect(data.printed).toEqual([
      'train.jsonl:2: field "words" is a string (a token per character), but line 1 gave it as an array of strings (a token each); write it the same way on every line',
      'train.jsonl:3: field "words" is a string (a token per character), but line 1 gave it as an array of strings (a token each); write it the same way on every line',
    ]);
    expect(encode([name], ['{"name": "Ann"}', '{"name": ["B", "o", "b"]}']).printed).toEqual([
      'train.jsonl:2: field "name" is an array of strings (a token each), but line 1 gave it as a string (a token per character); write it the same way on every line',
    ]);
  });

  it("the first line that gives the field sets the form, even when the line is bad otherwise", () => {
    const data = encode([words, label], ['{"words": "ab"}', '{"words": ["a"], "y": "a"}']);
    expect(data.printed).toEqual([
      'train.jsonl:1: missing field "y"',
      'train.jsonl:2: field "words" is an array of strings (a token each), but line 1 gave it as a string (a token per character); write it the same way on every line',
    ]);
  });
});

describe("a class field's labels are all numbers or all strings", () => {
  it("a string label after number labels is an error naming the first line", () => {
    const data = encode([label], ['{"y": 1}', '{"y": 2}', '{"y": "meh"}']);
    expect(data.printed).toEqual([
      'train.jsonl:3: field "y" is the string "meh", but line 1 gave the number 1; a class field\'s labels are all numbers or all strings',
    ]);
    expect(data.vocabularies.get("y")!.tokens).toEqual(["1", "2"]);
  });

  it("a number label after string labels is an error", () => {
    expect(encode([label], ['{"y": "good"}', '{"y": 5}']).printed).toEqual([
      'train.jsonl:2: field "y" is the number 5, but line 1 gave the string "good"; a class field\'s labels are all numbers or all strings',
    ]);
  });

  it("in a seq<class>, within one line or across lines, naming the step", () => {
    expect(encode([tags], ['{"tags": [1, 2, "meh"]}']).printed).toEqual([
      'train.jsonl:1: field "tags"[2] is the string "meh", but this line gave the number 1; a class field\'s labels are all numbers or all strings',
    ]);
    expect(encode([tags], ['{"tags": ["nn", "vb"]}', '{"tags": ["nn", 3]}']).printed).toEqual([
      'train.jsonl:2: field "tags"[1] is the number 3, but line 1 gave the string "nn"; a class field\'s labels are all numbers or all strings',
    ]);
  });

  it("a string that spells a number goes with numbers and with strings", () => {
    const numbers = encode([label], ['{"y": 10}', '{"y": "2"}', '{"y": 2}']);
    expect(numbers.printed).toEqual([]);
    expect(numbers.vocabularies.get("y")!.tokens).toEqual(["2", "10"]);
    const strings = encode([label], ['{"y": "2"}', '{"y": "two"}', '{"y": "3"}']);
    expect(strings.printed).toEqual([]);
    expect(strings.vocabularies.get("y")!.tokens).toEqual(["2", "3", "two"]);
  });
});

describe("in a file", () => {
  it("the errors carry the file's name and line, like every data error", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "rnnc-mixed-")), "reviews.jsonl");
    writeFileSync(path, ['{"words": ["good", "film"], "y": 1}', "", '{"words": "bad", "y": "meh"}'].join("\n") + "\n");
    const data = await loadExamples(path, [words, label], undefined, { file: "reviews.jsonl" });
    expect(data.errors.map(formatDataError)).toEqual([
      'reviews.jsonl:3: field "words" is a string (a token per character), but line 1 gave it as an array of strings (a token each); write it the same way on every line',
      'reviews.jsonl:3: field "y" is the string "meh", but line 1 gave the number 1; a class field\'s labels are all numbers or all strings',
    ]);
    expect(data.examples.map((e) => e.line)).toEqual([1]);
  });
});
