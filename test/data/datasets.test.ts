// The registry of data sets by name (data/datasets.ts): each is for a shipped model and has a train
// part; its files are written once, into place whole, and written again when one is missing.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/index.ts";
import { datasetFiles, datasetNames, datasets, isDatasetName } from "../../data/datasets.ts";

describe("the data sets", () => {
  it.each(datasetNames)("%s is for a model that checks, and has a train part first", (name) => {
    const { model, parts } = datasets[name];
    expect(checkSource(readFileSync(model, "utf8"), model).models).toHaveLength(1);
    expect(parts[0]).toBe("train");
    expect(new Set(parts).size).toBe(parts.length);
  });

  it("are all in docs/data.md's table", () => {
    const docs = readFileSync("docs/data.md", "utf8");
    for (const name of datasetNames) expect(docs).toContain(`| \`${name}\` |`);
    expect(isDatasetName("parity")).toBe(true);
    expect(isDatasetName("toString")).toBe(false);
  });
});

describe("datasetFiles", () => {
  it("writes a data set once, leaving only its files and a stamp; writes it again when a file is gone", () => {
    const dir = mkdtempSync(join(tmpdir(), "rnnc-datasets-"));
    let writes = 0;
    const hooks = { writing: () => writes++ };
    const files = datasetFiles("co2", dir, hooks);
    expect(files).toEqual({ train: join(dir, "co2-train.jsonl"), test: join(dir, "co2-test.jsonl") });
    expect(readdirSync(dir).sort()).toEqual([".co2.json", "co2-test.jsonl", "co2-train.jsonl"]);
    const written = statSync(files.train).mtimeMs;

    expect(datasetFiles("co2", dir, hooks)).toEqual(files);
    expect(writes).toBe(1);
    expect(statSync(files.train).mtimeMs).toBe(written);

    rmSync(files.test!);
    expect(datasetFiles("co2", dir, hooks)).toEqual(files);
    expect(writes).toBe(2);
    expect(existsSync(files.test!)).toBe(true);
  });

  it("tells of a write before it starts and after, with the files where they ended up", () => {
    const dir = mkdtempSync(join(tmpdir(), "rnnc-datasets-"));
    const heard: string[] = [];
    datasetFiles("caption", dir, { writing: () => heard.push("writing"), wrote: (summary) => heard.push(...summary) });
    expect(heard).toEqual(["writing", `${join(dir, "caption-train.jsonl")}: 800 numbers`, `${join(dir, "caption-valid.jsonl")}: 200 numbers`]);
  });
});
