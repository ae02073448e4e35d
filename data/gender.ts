// Female or male first name: the data of examples/gender.rnn (a character LSTM that tells the two
// lists of data/names.ts apart) and of the language model it is fine-tuned from
// (examples/names.rnn, pretrained on the same names: examples/transfer.ts).
//
// The labels: a name is "female" when it is on the female list only, "male" when on the male list
// only (after data/names.ts's case normalisation and deduplication). The 419 names on both lists
// (Alexis, Jo, Kelly…) are left out of the classifier's data: they have no single answer, and a
// classifier scored on them would be scored on a coin toss.
//
// The split, by a property of the name alone (data/names.ts's 32-bit FNV-1a of its UTF-8 bytes),
// so that it is deterministic and the same for the language model and the classifier:
//   hash % 10 == 0   test:  the names data/names.ts holds out. Neither model sees them in training,
//                    and nothing is chosen by them (no best epoch, no setting): they are looked at
//                    once, at the end.
//   hash % 10 == 1   valid: what both models' best epochs are chosen by.
//   otherwise        train.
// The language model trains on every name of its parts, those on both lists too (it only learns
// what names look like); the test names are kept out of it entirely, so that a fine-tuned
// classifier has not seen a test name in pretraining either.

import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { DEFAULT_DIRECTORY, fnv1a32, NAME_PACKAGES, normaliseName, readNameList } from "./names.ts";

export type Sex = "female" | "male";
export type GenderPart = "train" | "valid" | "test";

export interface LabelledName {
  name: string;
  sex: Sex;
}

export interface GenderData {
  /** The classifier's examples: names on one list only, sorted by name within each part. */
  classifier: Record<GenderPart, LabelledName[]>;
  /** The language model's names: every name of the train and valid parts, both lists. */
  lm: { train: string[]; valid: string[] };
  /** The names on both lists, left out of the classifier. */
  ambiguous: string[];
}

/** The part a name belongs to, by its hash: test (the names data/names.ts holds out), valid, train. */
export function genderPart(name: string): GenderPart {
  const digit = fnv1a32(name) % 10;
  return digit === 0 ? "test" : digit === 1 ? "valid" : "train";
}

/** Each list's names, case-normalised and deduplicated. */
function lists(): Record<Sex, Set<string>> {
  const [female, male] = NAME_PACKAGES.map((packageName) => new Set(readNameList(packageName).map(normaliseName)));
  return { female: female!, male: male! };
}

/** Every name with its label, those on both lists apart; both sorted by name. */
export function labelledNames(): { labelled: LabelledName[]; ambiguous: string[] } {
  const { female, male } = lists();
  const names = [...new Set([...female, ...male])].sort();
  const labelled: LabelledName[] = [];
  const ambiguous: string[] = [];
  for (const name of names) {
    if (female.has(name) && male.has(name)) ambiguous.push(name);
    else labelled.push({ name, sex: female.has(name) ? "female" : "male" });
  }
  return { labelled, ambiguous };
}

export function loadGender(): GenderData {
  const { labelled, ambiguous } = labelledNames();
  const classifier: GenderData["classifier"] = { train: [], valid: [], test: [] };
  for (const example of labelled) classifier[genderPart(example.name)].push(example);
  const lm: GenderData["lm"] = { train: [], valid: [] };
  for (const name of [...labelled.map((e) => e.name), ...ambiguous].sort()) {
    const part = genderPart(name);
    if (part !== "test") lm[part].push(name);
  }
  return { classifier, lm, ambiguous };
}

/** The class every name gets from a model that has learnt only how often each label is: the training data's commonest. */
export function majorityClass(train: readonly LabelledName[]): Sex {
  const female = train.filter((e) => e.sex === "female").length;
  return female >= train.length - female ? "female" : "male";
}

/** The files: the classifier's `gender-{train,valid,test}.jsonl` ({"name", "sex"}), the language model's `lm-{train,valid}.jsonl` ({"name"}). */
export const genderFiles = (directory: string) => ({
  train: join(directory, "gender-train.jsonl"),
  valid: join(directory, "gender-valid.jsonl"),
  test: join(directory, "gender-test.jsonl"),
  lmTrain: join(directory, "lm-train.jsonl"),
  lmValid: join(directory, "lm-valid.jsonl"),
});

/** Writes the five files into `directory`; one line of summary per file. */
export function writeGenderData(directory: string, data: GenderData = loadGender()): string[] {
  mkdirSync(directory, { recursive: true });
  const files = genderFiles(directory);
  const jsonl = (records: object[]) => records.map((r) => JSON.stringify(r)).join("\n") + "\n";
  const summary: string[] = [];
  for (const part of ["train", "valid", "test"] as const) {
    const examples = data.classifier[part];
    writeFileSync(files[part], jsonl(examples.map(({ name, sex }) => ({ name, sex }))));
    const female = examples.filter((e) => e.sex === "female").length;
    summary.push(`${files[part]}: ${examples.length} names, ${female} female, ${examples.length - female} male`);
  }
  for (const [path, names] of [[files.lmTrain, data.lm.train], [files.lmValid, data.lm.valid]] as const) {
    writeFileSync(path, jsonl(names.map((name) => ({ name }))));
    summary.push(`${path}: ${names.length} names (both lists)`);
  }
  return summary;
}

//   npx tsx data/gender.ts [directory]      writes the files (default data/generated/)
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const data = loadGender();
  for (const line of writeGenderData(process.argv[2] ?? DEFAULT_DIRECTORY, data)) console.log(line);
  console.log(`left out of the classifier: ${data.ambiguous.length} names on both lists`);
}
