// Where train and evaluate get their data (cli/data-source.ts): --data in any format, --text,
// --dataset NAME written on first use and read through loadData, --split, and every combination
// that cannot be meant refused as a usage error (exit 2) before anything is read.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/index.ts";
import { loadEvaluationData, loadTrainingData, sameSource, type DataSourceArgs } from "../../cli/data-source.ts";
import { modelFields } from "../../cli/model-data.ts";
import { commands } from "../../cli/options.ts";
import { Stop } from "../../cli/stop.ts";
import { datasetNames } from "../../data/datasets.ts";

const fieldsOf = (file: string) => modelFields(checkSource(readFileSync(file, "utf8"), file).models[0]!);
const names = fieldsOf("examples/names.rnn");
const parity = fieldsOf("examples/parity.rnn");
const co2 = fieldsOf("examples/co2.rnn");

const datasetsDirectory = mkdtempSync(join(tmpdir(), "rnnc-datasets-"));
const dir = mkdtempSync(join(tmpdir(), "rnnc-source-"));
const quiet = { datasetsDirectory, say: () => {} };
const args = (more: Partial<DataSourceArgs>): DataSourceArgs => ({ skipInvalid: false, ...more });

/** The Stop a promise ends with: its exit code and message. */
async function stopped(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Stop) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("expected a Stop");
}

describe("--dataset, end to end through loadData", () => {
  it("names: written on first use (and said), then reused; 7,606 names to train on, 816 to validate on", async () => {
    const heard: string[] = [];
    const first = await loadTrainingData(args({ dataset: "names" }), names, { datasetsDirectory, say: (line) => heard.push(line) });
    expect(first.train.examples).toHaveLength(7606);
    expect(first.valid?.examples).toHaveLength(816);
    expect(first.source).toEqual({ train: join(datasetsDirectory, "names-train.jsonl"), valid: join(datasetsDirectory, "names-valid.jsonl"), dataset: "names", format: "jsonl" });
    expect(heard[0]).toBe(`rnnc: writing the names data set into ${datasetsDirectory}/ (its first use)`);
    expect(heard.slice(1)).toEqual([`  ${datasetsDirectory}/names-train.jsonl: 7606 names, 45809 characters`, `  ${datasetsDirectory}/names-valid.jsonl: 816 names, 4936 characters`]);
    expect(existsSync(join(datasetsDirectory, ".names.json"))).toBe(true);

    const again: string[] = [];
    const second = await loadTrainingData(args({ dataset: "names" }), names, { datasetsDirectory, say: (line) => again.push(line), limit: 100 });
    expect(again).toEqual([]);
    expect(second.train.examples).toHaveLength(100);
    // The name "Aaron" is <bos> A a r o n for input and A a r o n <eos> for target.
    expect(first.train.vocabularies.get("name")!.tokens.slice(-4)).toEqual(["<pad>", "<unk>", "<bos>", "<eos>"]);
  });

  it("co2: one record of the training months to train on, and the whole series to evaluate on", async () => {
    const { train, valid, source } = await loadTrainingData(args({ dataset: "co2" }), co2, quiet);
    expect(train.examples).toHaveLength(1);
    expect(train.examples[0]!.fields.get("series")!.steps).toBe(670);
    expect(valid).toBeUndefined();
    expect(source.dataset).toBe("co2");
    const test = await loadEvaluationData(args({ dataset: "co2" }), co2, { ...quiet, vocabularies: train.vocabularies });
    expect(test.data.examples[0]!.fields.get("series")!.steps).toBe(745);
    expect(test.file).toBe(join(datasetsDirectory, "co2-test.jsonl"));
  });

  it("parity: train and valid to train on; test (strings of 40-50 bits) to evaluate on, or the part --split names", async () => {
    const { train, valid } = await loadTrainingData(args({ dataset: "parity" }), parity, quiet);
    expect([train.examples.length, valid?.examples.length]).toEqual([5000, 1000]);
    const evaluation = (split?: string) => loadEvaluationData({ skipInvalid: false, dataset: "parity", ...(split ? { split } : {}) }, parity, { ...quiet, vocabularies: train.vocabularies });
    const test = await evaluation();
    expect(test.data.examples).toHaveLength(1000);
    expect(Math.min(...test.data.examples.map((e) => e.fields.get("bits")!.steps))).toBeGreaterThanOrEqual(40);
    expect((await evaluation("valid")).file).toBe(join(datasetsDirectory, "parity-valid.jsonl"));
    expect(await stopped(evaluation("tset"))).toEqual({ code: 2, message: "rnnc evaluate: --split tset: parity has the parts train, valid, test" });
  });

  it("evaluates a data set without a test part on its valid part, and says which parts there are", async () => {
    const { train } = await loadTrainingData(args({ dataset: "names" }), names, quiet);
    const held = await loadEvaluationData(args({ dataset: "names" }), names, { ...quiet, vocabularies: train.vocabularies });
    expect(held.data.examples).toHaveLength(816);
    expect(await stopped(loadEvaluationData({ skipInvalid: false, dataset: "names", split: "test" }, names, { ...quiet, vocabularies: train.vocabularies }))).toEqual({
      code: 2,
      message: "rnnc evaluate: --split test: names has only the parts train, valid",
    });
  });

  it("refuses a model the data set does not fit, naming the model it is for", async () => {
    expect(await stopped(loadTrainingData(args({ dataset: "names" }), parity, quiet))).toEqual({
      code: 2,
      message: "rnnc train: --dataset names: it is data for examples/names.rnn (name: seq<token>), and has no bits: seq<token>, even: class",
    });
  });

  it("knows the data sets the help names, and only those", () => {
    for (const command of ["train", "evaluate"] as const) {
      const help = commands[command].options.find((o) => o.name === "dataset")!.help;
      const listed = /^a data set: ([^(]*) \(/.exec(help.replace(/\n/g, " "))![1]!.split(/,\s*|\s+or\s+/);
      expect(listed).toEqual(datasetNames);
    }
  });
});

describe("--data and --text in other formats", () => {
  it("trains on CSV and validates on TSV, each by its ending", async () => {
    writeFileSync(join(dir, "train.csv"), "bits,even\n0110,even\n1,odd\n");
    writeFileSync(join(dir, "valid.tsv"), "even\tbits\nodd\t01\n");
    const { train, valid, source } = await loadTrainingData(args({ data: join(dir, "train.csv"), valid: join(dir, "valid.tsv") }), parity);
    expect(train.examples.map((e) => e.line)).toEqual([2, 3]);
    expect(valid!.examples).toHaveLength(1);
    expect(source.format).toBe("csv");
  });

  it("reads --text as plain text, cut into chunks; the source, passed back, reads the same again", async () => {
    const book = join(dir, "book");
    writeFileSync(book, "Call me Ishmael.\nSome years ago\n");
    const first = await loadTrainingData(args({ text: book, chunk: "10" }), names);
    expect(first.train.examples.map((e) => e.fields.get("name")!.steps)).toEqual([11, 11, 11, 3]); // 32 characters, newlines included, and <eos>
    expect(first.source).toEqual({ train: book, format: "text", chunk: 10 });
    const again = await loadTrainingData(sameSource(first.source, false), names);
    expect(again.train.examples).toEqual(first.train.examples);
  });

  it("stops at a bad line with file:line, as for JSON Lines", async () => {
    writeFileSync(join(dir, "bad.csv"), "bits,even\n0110,even\n01\n");
    expect(await stopped(loadTrainingData(args({ data: join(dir, "bad.csv") }), parity))).toEqual({
      code: 1,
      message: `${join(dir, "bad.csv")}:3: this row has 1 cell, but the header (line 1) has 2\n${join(dir, "bad.csv")}: 1 bad line; fix them, or pass --skip-invalid to use the other 1`,
    });
  });
});

describe("combinations that cannot be meant: usage errors, exit 2", () => {
  const cases: [Partial<DataSourceArgs>, string][] = [
    [{}, "rnnc train: name the training data: --data FILE (JSON Lines, CSV or TSV), --text FILE (plain text) or --dataset NAME, e.g. rnnc train examples/parity.rnn --dataset parity"],
    [{ data: "a.jsonl", dataset: "parity" }, "rnnc train: --data and --dataset each name the data; give one"],
    [{ dataset: "party" }, `rnnc train: --dataset party: the data sets are ${datasetNames.join(", ")}; did you mean parity?`],
    [{ data: "a.jsonl", format: "xml" }, "rnnc train: --format takes jsonl, csv, tsv, text, not 'xml'"],
    [{ data: "a.csv", tokens: "letters" }, "rnnc train: --tokens takes chars or words, not 'letters'"],
    [{ text: "a.txt", format: "csv" }, "rnnc train: --text reads plain text; --format csv is for --data"],
    [{ dataset: "parity", format: "csv" }, "rnnc train: --dataset parity comes in its own format; drop --format"],
    [{ data: "a.jsonl", tokens: "words" }, "rnnc train: --tokens says how CSV, TSV and text are cut into tokens; a.jsonl is JSON Lines, where a string is a token per character and an array a token per string"],
    [{ data: "a.csv", chunk: "100" }, "rnnc train: --chunk cuts plain text (--text FILE, or a .txt file) into examples; a.csv is CSV"],
    [{ data: "a.txt", valid: "v.jsonl", chunk: "100" }, "rnnc train: --chunk cuts plain text (--text FILE, or a .txt file) into examples; v.jsonl is JSON Lines"],
    [{ text: "a.txt", chunk: "0" }, "rnnc: --chunk takes a whole number of at least 1, not '0'"],
  ];
  it.each(cases)("%j", async (given, message) => {
    expect(await stopped(loadTrainingData(args(given), parity, quiet))).toEqual({ code: 2, message });
  });

  it("--split without --dataset", async () => {
    expect(await stopped(loadEvaluationData({ skipInvalid: false, data: "a.jsonl", split: "test" }, parity, { vocabularies: new Map() }))).toEqual({
      code: 2,
      message: "rnnc evaluate: --split chooses a part of a --dataset; a.jsonl is one file already",
    });
  });
});
