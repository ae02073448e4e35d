// CSV and TSV: RFC 4180 rows (quotes, doubled quotes, line breaks inside quotes, a BOM, CRLF),
// the header naming the fields, each type's cell, and every problem at the line its row starts on.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { TokenSplit } from "../../data/cells.ts";
import { CsvRows, csvRows } from "../../data/csv-rows.ts";
import { parseCsv, readCsv } from "../../data/csv.ts";
import { formatDataError } from "../../data/errors.ts";
import { encodeExamples } from "../../data/examples.ts";
import type { DataField } from "../../data/fields.ts";
import { formatOf, readRecords } from "../../data/formats.ts";

const parity: DataField[] = [
  { name: "bits", role: "input", sequence: true, element: { kind: "token" }, axis: "t" },
  { name: "even", role: "target", sequence: false, element: { kind: "class" } },
];
const tagger: DataField[] = [
  { name: "words", role: "input", sequence: true, element: { kind: "token" }, axis: "t" },
  { name: "tags", role: "target", sequence: true, element: { kind: "class" }, axis: "t" },
];
const vectors: DataField[] = [
  { name: "image", role: "input", sequence: false, element: { kind: "vector", size: 3 } },
  { name: "series", role: "input", sequence: true, element: { kind: "vector", size: 2 }, axis: "t" },
];
const co2: DataField[] = [
  { name: "series", role: "input", sequence: true, element: { kind: "vector", size: 1 }, axis: "t" },
  { name: "next", role: "target", sequence: true, element: { kind: "vector", size: 1 }, axis: "t" },
];

const csv = (text: string, fields: DataField[], tokens: TokenSplit = "chars", delimiter = ",") => parseCsv(text, fields, { delimiter, tokens, file: "train.csv" });
const values = (text: string, fields: DataField[], tokens: TokenSplit = "chars") => csv(text, fields, tokens).records.map((r) => [r.line, r.value]);
/** Every problem, read and encoded, as printed. */
const problems = (text: string, fields: DataField[], tokens: TokenSplit = "chars") => {
  const read = csv(text, fields, tokens);
  const encoded = encodeExamples(read.records, fields, undefined, { file: "train.csv" });
  return [...read.errors, ...encoded.errors].sort((a, b) => a.line - b.line).map(formatDataError);
};

describe("CSV rows (RFC 4180)", () => {
  it("splits cells at commas and rows at line ends, each row with the line it starts on", () => {
    expect(csvRows("a,b\n1,2\r\n3,4", ",").rows).toEqual([
      { line: 1, cells: ["a", "b"] },
      { line: 2, cells: ["1", "2"] },
      { line: 3, cells: ["3", "4"] },
    ]);
  });

  it("reads quoted cells: commas, doubled quotes and line breaks inside, the lines still counted", () => {
    const { rows, problems } = csvRows('text,n\n"a, b",1\n"say ""hi""",2\n"two\r\nlines",3\n"",4\n', ",");
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      { line: 1, cells: ["text", "n"] },
      { line: 2, cells: ["a, b", "1"] },
      { line: 3, cells: ['say "hi"', "2"] },
      { line: 4, cells: ["two\nlines", "3"] }, // a CRLF inside quotes is one "\n"
      { line: 6, cells: ["", "4"] },
    ]);
  });

  it("drops a byte-order mark, skips empty lines, keeps a quote inside an unquoted cell", () => {
    expect(csvRows('\ufeffa\n\n\r\n5" disk\n', ",").rows).toEqual([
      { line: 1, cells: ["a"] },
      { line: 4, cells: ['5" disk'] },
    ]);
  });

  it("gives the same rows however the text is cut into chunks (a stream)", () => {
    const text = 'a,b\r\n"x\r\ny",2\r\n"q""",3\r\n';
    const whole = csvRows(text, ",");
    for (let cut = 1; cut < text.length; cut++) {
      const rows: unknown[] = [];
      const parser = new CsvRows(",", (row) => rows.push(row), () => rows.push("problem"));
      parser.push(text.slice(0, cut));
      parser.push(text.slice(cut));
      parser.end();
      expect(rows, `cut at ${cut}`).toEqual(whole.rows);
    }
  });

  it("reports text after a closing quote and a quote that never closes, at the row's line", () => {
    expect(csvRows('a,b\n"x"y,1\n2,"open\nmore\n', ",").problems).toEqual([
      { line: 2, message: 'cell 1 has text after its closing quote ("y"); a quote inside a quoted cell is written twice: ""' },
      { line: 3, message: "cell 2 opens a quote that never closes (the rest of the file is inside it)" },
    ]);
  });
});

describe("CSV and TSV records", () => {
  it("map the header's columns to the model's fields, ignoring the others, in any order", () => {
    expect(values("id,even,bits\n1,even,0110\n2,odd,1", parity)).toEqual([
      [2, { even: "even", bits: "0110" }],
      [3, { even: "odd", bits: "1" }],
    ]);
  });

  it("TSV is the same with tabs; a header name's spaces are trimmed", () => {
    expect(csv("bits\t even \n01\todd\n", parity, "chars", "\t").records).toEqual([{ line: 2, value: { bits: "01", even: "odd" } }]);
  });

  it("splits a sequence's cell into characters (by code point) or, with words, on whitespace", () => {
    const chars = encodeExamples(csv("bits,even\na😀b,odd\n", parity).records, parity);
    expect(chars.examples[0]!.fields.get("bits")!.steps).toBe(3);
    expect(values("words,tags\n\"The  jury said\",at nn vbd\n", tagger, "words")).toEqual([[2, { words: ["The", "jury", "said"], tags: ["at", "nn", "vbd"] }]]);
  });

  it("reads class labels as JSON would: a number column is numbers, and a column may not mix them with words", () => {
    expect(values("bits,even\n1,0\n0,1\n", parity)).toEqual([
      [2, { bits: "1", even: 0 }],
      [3, { bits: "0", even: 1 }],
    ]);
    expect(problems("bits,even\n1,1\n0,meh\n", parity)).toEqual([
      'train.csv:3: field "even" is the string "meh", but line 2 gave the number 1; a class field\'s labels are all numbers or all strings',
    ]);
  });

  it("reads vectors as numbers separated by spaces or semicolons, n a step for a sequence", () => {
    expect(values('image,series\n"0.5 -1 2e-3","1 2; 3 4"\n.5;+1;7,5 6\n', vectors)).toEqual([
      [2, { image: [0.5, -1, 0.002], series: [[1, 2], [3, 4]] }],
      [3, { image: [0.5, 1, 7], series: [[5, 6]] }],
    ]);
    expect(values("series,next\n1.5 1.7,1.7 1.6\n", co2)).toEqual([[2, { series: [1.5, 1.7], next: [1.7, 1.6] }]]);
  });

  it("reports each problem as file:line: message, every bad row in one pass, and keeps the good rows", () => {
    const text = [
      "bits,even", //       1
      "0110,even", //       2
      "01,odd,extra", //    3: a cell too many
      "", //                4
      ",odd", //            5: an empty sequence
      "11,", //             6: an empty label
      '"1\n0",even', //     7-8: fine, a line break is a token
      "0", //               9: a cell too few
    ].join("\n");
    expect(problems(text, parity)).toEqual([
      "train.csv:3: this row has 3 cells, but the header (line 1) has 2",
      'train.csv:5: field "bits" is empty: a sequence needs at least one step',
      'train.csv:6: field "even" is an empty cell: a class needs a label',
      "train.csv:9: this row has 1 cell, but the header (line 1) has 2",
    ]);
    expect(csv(text, parity).records.map((r) => r.line)).toEqual([2, 5, 7]);
  });

  it("reports a missing column, or one named twice, at the header's line, and reads no row", () => {
    const missing = csv("\n\nbits,evn\n01,odd\n", parity);
    expect(missing.errors.map(formatDataError)).toEqual(['train.csv:3: missing column "even" (the header names "bits", "evn")']);
    expect(missing.records).toEqual([]);
    expect(csv("bits,even,bits\n0,odd,1\n", parity).errors.map(formatDataError)).toEqual([
      'train.csv:1: column "bits" is named 2 times in the header (columns 1, 3); which one is meant?',
    ]);
  });

  it("reports a number that is not one, or a missing one, naming the field", () => {
    expect(problems('image,series\n"1,5 2 3",1 2\n1;;2,1 2\n1 2 3,1 2 3\n', vectors)).toEqual([
      'train.csv:2: field "image": "1,5" is not a number (a cell\'s numbers are separated by spaces or ";", with "." for the decimal point)',
      'train.csv:3: field "image": number 2 is missing (two separators in a row, or one at an end)',
      'train.csv:4: field "series" has 3 numbers; seq<vec(2)> needs 2 a step, so a multiple of 2',
    ]);
    expect(problems("image,series\nnan 1 2,1 2\n1 2,1 2\n", vectors)).toEqual([
      'train.csv:2: field "image": "nan" is not a number (a cell\'s numbers are separated by spaces or ";", with "." for the decimal point)',
      'train.csv:3: field "image" has 2 numbers; vec(3) needs 3',
    ]);
  });

  it("refuses numbers beyond float32, naming the field and the range", () => {
    expect(problems("series,next\n1 1e39,1 2\n-1e308 1,1 2\n1e999 0,1 2\n", co2)).toEqual([
      "train.csv:2: field \"series\"[1] is 1e+39, beyond float32's range (±3.4028235e38): the models compute in float32",
      "train.csv:3: field \"series\"[0] is -1e+308, beyond float32's range (±3.4028235e38): the models compute in float32",
      'train.csv:4: field "series"[0] is not a finite number (Infinity)',
    ]);
  });
});

describe("CSV and TSV files", () => {
  const dir = mkdtempSync(join(tmpdir(), "rnnc-csv-"));

  it("are read as a stream, with a BOM and CRLF, the same as text in memory", async () => {
    const path = join(dir, "train.csv");
    const text = '\ufeffbits,even\r\n0110,even\r\n"1\r\n1",even\r\n';
    writeFileSync(path, text);
    const read = await readCsv(path, parity, { delimiter: ",", tokens: "chars", file: "train.csv" });
    expect(read).toEqual(csv(text, parity));
    expect(read.records).toEqual([
      { line: 2, value: { bits: "0110", even: "even" } },
      { line: 3, value: { bits: "1\n1", even: "even" } },
    ]);
  });

  it("are chosen by their ending, or by the format given", async () => {
    expect(["a.csv", "A.CSV", "b.tsv", "c.txt", "d.jsonl", "e", "dir.csv/f.json"].map((p) => formatOf(p))).toEqual(["csv", "csv", "tsv", "text", "jsonl", "jsonl", "jsonl"]);
    expect(formatOf("data.jsonl", "csv")).toBe("csv");
    const path = join(dir, "tabs.dat");
    writeFileSync(path, "bits\teven\n01\todd\n");
    expect((await readRecords(path, parity, { format: "tsv" })).records).toEqual([{ line: 2, value: { bits: "01", even: "odd" } }]);
  });

  it("a file that cannot be read is one problem of the whole file", async () => {
    const read = await readCsv(join(dir, "missing.csv"), parity, { delimiter: ",", tokens: "chars", file: "missing.csv" });
    expect(read.errors.map(formatDataError)[0]).toMatch(/^missing\.csv: cannot read the file: .*ENOENT/);
  });
});
