// Plain text for a language model: an example a line (characters or words), or running text cut
// into chunks of N tokens; each example with the line it starts on; only for a model whose one
// field is a seq<token> target.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDataError } from "../../data/errors.ts";
import { encodeExamples } from "../../data/examples.ts";
import type { DataField } from "../../data/fields.ts";
import { optionProblem, readRecords } from "../../data/formats.ts";
import { parseText, readText } from "../../data/text.ts";

const names: DataField[] = [{ name: "name", role: "target", sequence: true, element: { kind: "token" }, axis: "t", autoregressive: true }];
const parity: DataField[] = [
  { name: "bits", role: "input", sequence: true, element: { kind: "token" }, axis: "t" },
  { name: "even", role: "target", sequence: false, element: { kind: "class" } },
];
const file = "book.txt";

describe("plain text, an example a line", () => {
  it("takes each line that is not blank, its characters the tokens, with its line number", () => {
    const read = parseText("\ufeffAnna\r\n\r\n  \nBob \nZoë😀", names, { tokens: "chars", file });
    expect(read).toEqual({
      records: [
        { line: 1, value: { name: "Anna" } },
        { line: 4, value: { name: "Bob " } },
        { line: 5, value: { name: "Zoë😀" } },
      ],
      errors: [],
    });
    const encoded = encodeExamples(read.records, names);
    expect(encoded.errors).toEqual([]);
    expect(encoded.examples.map((e) => e.fields.get("name")!.steps)).toEqual([5, 5, 5]); // characters + <eos>
  });

  it("with words, a line's whitespace-separated words", () => {
    expect(parseText("the cat  sat\n\ton the mat \n", names, { tokens: "words", file }).records).toEqual([
      { line: 1, value: { name: ["the", "cat", "sat"] } },
      { line: 2, value: { name: ["on", "the", "mat"] } },
    ]);
  });

  it("fits only a model whose one field is a seq<token>: anything else is a problem of the whole file", () => {
    const read = parseText("0110\n", parity, { tokens: "chars", file });
    expect(read.records).toEqual([]);
    expect(read.errors.map(formatDataError)).toEqual([
      "book.txt: plain text fits a model whose one field is a seq<token> target read at t-1, like examples/names.rnn; this model has bits: seq<token>, even: class (give it JSON Lines, CSV or TSV)",
    ]);
  });
});

describe("running text cut into chunks", () => {
  it("cuts the whole text, line breaks included (one \\n for any line end), into N characters, the last what remains", () => {
    const read = parseText("ab\r\ncd\ref\n", names, { tokens: "chars", chunk: 4, file });
    expect(read.records).toEqual([
      { line: 1, value: { name: "ab\nc" } },
      { line: 2, value: { name: "d\nef" } },
      { line: 3, value: { name: "\n" } },
    ]);
  });

  it("counts characters by code point, and words with --tokens words", () => {
    expect(parseText("😀😀😀", names, { tokens: "chars", chunk: 2, file }).records.map((r) => r.value)).toEqual([{ name: "😀😀" }, { name: "😀" }]);
    expect(parseText("Call me\n\nIshmael. Some years ago", names, { tokens: "words", chunk: 2, file }).records).toEqual([
      { line: 1, value: { name: ["Call", "me"] } },
      { line: 3, value: { name: ["Ishmael.", "Some"] } },
      { line: 3, value: { name: ["years", "ago"] } },
    ]);
  });

  it("gives examples a model with bptt can read: all the same length but the last", () => {
    const text = "It was the best of times, it was the worst of times.\n".repeat(40);
    const read = parseText(text, names, { tokens: "chars", chunk: 500, file });
    const steps = encodeExamples(read.records, names).examples.map((e) => e.fields.get("name")!.steps);
    expect(steps).toEqual([501, 501, 501, 501, text.length - 2000 + 1]);
  });
});

describe("text files", () => {
  const dir = mkdtempSync(join(tmpdir(), "rnnc-text-"));

  it("are read whole; a .txt file is text by its ending", async () => {
    const path = join(dir, "names.txt");
    writeFileSync(path, "Anna\nBob\n");
    expect(await readText(path, names, { tokens: "chars", file })).toEqual(parseText("Anna\nBob\n", names, { tokens: "chars", file }));
    expect((await readRecords(path, names)).records.map((r) => r.value)).toEqual([{ name: "Anna" }, { name: "Bob" }]);
    expect((await readRecords(path, names, { chunk: 3 })).records.map((r) => r.value)).toEqual([{ name: "Ann" }, { name: "a\nB" }, { name: "ob\n" }]);
  });

  it("--tokens and --chunk are refused where they mean nothing", () => {
    expect(optionProblem("train.jsonl", { tokens: "words" })).toBe(
      "--tokens says how CSV, TSV and text are cut into tokens; train.jsonl is JSON Lines, where a string is a token per character and an array a token per string",
    );
    expect(optionProblem("train.csv", { chunk: 100 })).toBe("--chunk cuts plain text (--text FILE, or a .txt file) into examples; train.csv is CSV");
    expect(optionProblem("book", { format: "text", chunk: 100, tokens: "words" })).toBeUndefined();
  });
});
