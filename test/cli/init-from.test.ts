// `rnnc train B.rnn --init-from A`: transfer learning between two small models. A is a character
// language model; B a classifier whose `emb` and `cell` are A's layers (other fields, another
// head). B's run lists what it copied and what it initialized fresh, and keeps that in
// settings.json; a same-named parameter of another shape is refused with both shapes; B's token
// field takes A's vocabulary, so a copied embedding column is the same character; with `freeze`
// the copied layers stay exactly as A left them while the fresh head trains.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { readCheckpoint } from "../../cli/checkpoints.ts";
import type { RunSettingsFile } from "../../cli/run-record.ts";
import { trainCommand, type TrainArgs } from "../../cli/train.ts";
import type { Checkpoint } from "../../runtime/checkpoint.ts";

const dir = mkdtempSync(join(tmpdir(), "rnnc-init-from-"));
const jsonl = (records: object[]) => records.map((r) => JSON.stringify(r)).join("\n") + "\n";
const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));

const lmModel = `model lm {
  dims { E = 4, H = 6 }
  target text: seq<token>
  layer emb  = embedding(vocab(text), E)
  layer cell = lstm(E, H)
  layer head = dense(H, vocab(text))
  (h[t], c[t]) = cell(emb(text[t-1]), h[t-1], c[t-1])
  loss cross_entropy(head(h[t]), text[t])
  train { optimizer adam(lr: 0.01)  batch 8  epochs 2  seed 3 }
}
`;
// The classifier: A's emb and cell, a head of its own (\`out\`); \`HEAD\` and \`FREEZE\` are replaced per test.
const classifier = (head: string, freeze = "") => `model sex {
  dims { E = 4, H = 6 }
  input  name: seq<token>
  target sex: class
  layer emb  = embedding(vocab(name), E)
  layer cell = lstm(E, H)
  layer ${head} = dense(H, classes(sex))
  (h[t], c[t]) = cell(emb(name[t]), h[t-1], c[t-1])
  loss cross_entropy(${head}(h[last]), sex)
  train { optimizer adam(lr: 0.01)  batch 8  epochs 2  seed 1 ${freeze} }
}
`;

const lmWords = ["abba", "cab", "dace", "bead", "ace", "dab", "cede", "babe", "deed", "abed", "bad", "fad"];
// B's names: the letters a–f of A's data, and x and z, which A never saw (they read as <unk>).
const names = [["ada", "female"], ["bab", "male"], ["ebe", "female"], ["fed", "male"], ["bea", "female"], ["abe", "male"], ["xea", "female"], ["zed", "male"], ["cade", "male"], ["dee", "female"]];
let lmFile: string, lmData: string, namesData: string, lmRun: string;

afterEach(() => vi.restoreAllMocks());

async function train(args: Partial<TrainArgs>) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  const code = await trainCommand({ sets: [], backend: "interpreted", quiet: false, skipInvalid: false, ...args });
  vi.restoreAllMocks();
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const settingsOf = (run: string) => JSON.parse(readFileSync(join(run, "settings.json"), "utf8")) as RunSettingsFile;
const values = (checkpoint: Checkpoint, name: string) => Array.from(checkpoint.params[name]!.values);
/** Column `id` of an embedding [E, vocab]: what the model reads for that token. */
const column = (checkpoint: Checkpoint, id: number) => {
  const { shape, values } = checkpoint.params["emb.W"]!;
  return Array.from({ length: shape[0]! }, (_, e) => values[e * shape[1]! + id]!);
};

beforeAll(async () => {
  lmFile = file("lm.rnn", lmModel);
  lmData = file("lm.jsonl", jsonl(lmWords.map((text) => ({ text }))));
  namesData = file("names.jsonl", jsonl(names.map(([name, sex]) => ({ name, sex }))));
  lmRun = join(dir, "lm-run");
  const { code, err } = await train({ file: lmFile, data: lmData, runDir: lmRun });
  expect(err).toBe("");
  expect(code).toBe(0);
});

describe("rnnc train --init-from", () => {
  it("copies the parameters of the same name and shape, initializes the others, and says which (and keeps it in settings.json)", async () => {
    const run = join(dir, "fine-tuned");
    const { code, out, err } = await train({ file: file("sex.rnn", classifier("out")), data: namesData, runDir: run, initFrom: lmRun });
    expect(err).toBe("");
    expect(code).toBe(0);
    const a = readCheckpoint(join(lmRun, "best.ckpt"));
    const n = a.vocabularies.text!.length; // A's characters a–f and the four specials
    expect(n).toBe(10);
    expect(out).toContain(`initializing from ${join(lmRun, "best.ckpt")} (model lm, epoch 2):`);
    expect(out).toContain(`  copied: emb.W [4, ${n}], cell.W [24, 10], cell.b [24]`);
    expect(out).toContain("  initialized fresh: out.W [2, 6], out.b [2]");
    expect(out).toContain(`  not used: head.W [${n}, 6], head.b [${n}]`);
    expect(out).toContain("name: the checkpoint's vocabulary of text, which emb.W was trained on (6 characters and 4 specials)");
    expect(out).toMatch(/2 characters of the training data are not in it and read as <unk>: "x" \(1 time\), "z" \(1 time\)/);
    expect(settingsOf(run).initFrom).toEqual({
      given: lmRun,
      checkpoint: join(lmRun, "best.ckpt"),
      model: "lm",
      copied: ["emb.W", "cell.W", "cell.b"],
      fresh: ["out.W", "out.b"],
      vocabularies: { name: "text" },
    });
    // The run's own checkpoint carries A's vocabulary: what evaluate and predict read it with.
    expect(readCheckpoint(join(run, "last.ckpt")).vocabularies.name).toEqual(a.vocabularies.text);
  });

  it("refuses a parameter of the same name and another shape, naming both shapes, before writing anything", async () => {
    const run = join(dir, "mismatch");
    const { code, err } = await train({ file: file("head.rnn", classifier("head")), data: namesData, runDir: run, initFrom: join(lmRun, "best.ckpt") });
    expect(code).toBe(2);
    expect(err).toContain("--init-from");
    expect(err).toContain("layer head: head.W is [10, 6] there and [2, 6] here");
    expect(err).toContain("layer head: head.b is [10] there and [2] here");
    expect(err).toContain("give it another name here");
    expect(existsSync(run)).toBe(false);
  });

  it("with freeze: the copied layers stay A's exactly, an embedding column is the same character, and only the fresh head trains", async () => {
    const run = join(dir, "frozen");
    const { code, out, err } = await train({ file: file("frozen.rnn", classifier("out", "freeze emb cell")), data: namesData, runDir: run, initFrom: lmRun });
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain("  frozen (not trained): emb.W, cell.W, cell.b");
    const a = readCheckpoint(join(lmRun, "best.ckpt"));
    const b = readCheckpoint(join(run, "last.ckpt"));
    for (const name of ["emb.W", "cell.W", "cell.b"]) expect(values(b, name)).toEqual(values(a, name));
    // The same token has the same id in both, so the same column: "d" is what A learnt for "d".
    const [ta, tb] = [a.vocabularies.text!, b.vocabularies.name!];
    for (const token of ["a", "d", "f", "<unk>"]) expect(column(b, tb.indexOf(token))).toEqual(column(a, ta.indexOf(token)));
    // The head did train: with every layer frozen, the same run keeps out as it was initialized, and that is not where it ended.
    const still = join(dir, "all-frozen");
    expect((await train({ file: file("still.rnn", classifier("out", "freeze emb cell out")), data: namesData, runDir: still, initFrom: lmRun })).code).toBe(0);
    const initial = readCheckpoint(join(still, "last.ckpt"));
    expect(values(b, "out.W")).not.toEqual(values(initial, "out.W"));
    for (const name of ["emb.W", "cell.W", "cell.b"]) expect(values(initial, name)).toEqual(values(a, name));
  });

  it("carries a class field's classes when the new labels are all among them (so a head sized by them is copied too)", async () => {
    const females = file("females.jsonl", jsonl(names.filter(([, sex]) => sex === "female").map(([name, sex]) => ({ name, sex }))));
    const run = join(dir, "again");
    const { code, out, err } = await train({ file: join(dir, "sex.rnn"), data: females, runDir: run, initFrom: join(dir, "fine-tuned") });
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain("  copied: emb.W [4, 10], cell.W [24, 10], cell.b [24], out.W [2, 6], out.b [2]");
    expect(out).toContain("sex: the checkpoint's classes of sex, which out.W was trained on (female, male)");
    expect(readCheckpoint(join(run, "last.ckpt")).vocabularies.sex).toEqual(["female", "male"]);
  });

  it("without freeze, the copied layers train on from A's values", async () => {
    const a = readCheckpoint(join(lmRun, "best.ckpt"));
    const b = readCheckpoint(join(dir, "fine-tuned", "last.ckpt"));
    expect(values(b, "cell.W")).not.toEqual(values(a, "cell.W"));
  });

  it("is refused together with --resume (a run it started resumes on its own, with the vocabulary it carried), and names a checkpoint that is not there", async () => {
    const resumed = await train({ resume: join(dir, "fine-tuned"), initFrom: lmRun });
    expect(resumed.code).toBe(2);
    expect(resumed.err).toMatch(/--init-from starts a new run, and --resume continues one/);
    const further = await train({ resume: join(dir, "fine-tuned"), epochs: "3" });
    expect(further.err).toBe("");
    expect(further.code).toBe(0);
    expect(further.out).toMatch(/^epoch 3\/3 /m);
    expect(readCheckpoint(join(dir, "fine-tuned", "last.ckpt")).vocabularies.name).toEqual(readCheckpoint(join(lmRun, "best.ckpt")).vocabularies.text);
    const missing = await train({ file: join(dir, "sex.rnn"), data: namesData, runDir: join(dir, "none"), initFrom: join(dir, "nothing.ckpt") });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`--init-from ${join(dir, "nothing.ckpt")}: no such file or directory`);
  });
});
