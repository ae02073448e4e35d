// `rnnc train` in process: a short parity run that learns and saves a checkpoint that loads back;
// bad data lines stop it before training (or are skipped when asked); a NaN stops it at once and
// leaves the previous checkpoint byte for byte; problems with the model or flags are one message.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { backends } from "../../cli/backends.ts";
import { checkpointVocabularies, readCheckpoint, restoreParams } from "../../cli/checkpoints.ts";
import { evaluate } from "../../cli/metrics.ts";
import { modelFields } from "../../cli/model-data.ts";
import { compileModel, loadData, loadModel } from "../../cli/setup.ts";
import { trainCommand, type TrainArgs } from "../../cli/train.ts";
import { parityExamples } from "../../data/parity.ts";
import { initialize } from "../../runtime/init.ts";
import { Rng } from "../../runtime/rng.ts";

const dir = mkdtempSync(join(tmpdir(), "rnnc-train-"));
const model = join(dir, "parity.rnn");
const trainFile = join(dir, "train.jsonl");
const validFile = join(dir, "valid.jsonl");
const jsonl = (records: object[]) => records.map((r) => JSON.stringify(r)).join("\n") + "\n";

beforeAll(() => {
  copyFileSync("examples/parity.rnn", model);
  writeFileSync(trainFile, jsonl(parityExamples(300, { minLength: 1, maxLength: 8, seed: 5 })));
  writeFileSync(validFile, jsonl(parityExamples(100, { minLength: 1, maxLength: 8, seed: 6 })));
});
afterEach(() => vi.restoreAllMocks());

/** Each run writes into a run directory of its own, in the temporary directory. */
let runs = 0;
const nextRunDir = () => join(dir, "runs", String(++runs));

/** Runs the command, collecting what it prints. */
async function train(args: Partial<TrainArgs>) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  const code = await trainCommand({ file: model, data: trainFile, sets: [], backend: "interpreted", quiet: false, skipInvalid: false, runDir: nextRunDir(), ...args });
  vi.restoreAllMocks();
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("rnnc train", () => {
  it("learns parity from 300 short examples; the checkpoint loads back with the same params", async () => {
    const checkpoint = join(dir, "run.ckpt.json");
    const { code, out, err } = await train({ valid: validFile, epochs: "20", checkpoint });
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toMatch(/^epoch 1\/20  train loss \d\.\d{3}  valid loss \d\.\d{3}  valid accuracy \d+\.\d%  lr 0\.0100  \(\d+\.\d s\)  best$/m);
    expect(out).toContain(`run directory: ${join(dir, "runs", String(runs))}`);

    const saved = readCheckpoint(checkpoint);
    const history = saved.meta.history as { trainLoss: number; validLoss: number }[];
    expect(history).toHaveLength(20);
    expect(saved.meta.epoch).toBe(20);
    expect(history[19].trainLoss).toBeLessThan(0.2);
    expect(history[19].trainLoss).toBeLessThan(history[0].trainLoss / 3);
    expect(saved.meta.source).toBe(readFileSync(model, "utf8"));
    expect(Object.keys(saved.vocabularies)).toEqual(["bits", "even"]);
    expect((saved.optimizer as { kind: string; steps: number }).steps).toBe(20 * Math.ceil(300 / 32));

    // Rebuilt from the checkpoint alone, the model scores the validation set exactly as training did.
    const { model: checked } = loadModel(model, new Map());
    const fields = modelFields(checked);
    const vocabularies = checkpointVocabularies(saved, fields, checkpoint);
    const compiled = await compileModel(checked, vocabularies, checkpoint, backends.interpreted);
    const params = restoreParams(readCheckpoint(checkpoint, compiled), compiled);
    for (const [name, values] of params) expect(values).toEqual(saved.params[name].values);
    const valid = await loadData(validFile, fields, { vocabularies, skipInvalid: false });
    const result = evaluate(compiled, params, valid.examples, vocabularies, 32);
    expect(result.loss).toBe(history[19].validLoss);
    expect(result.metrics[0].value).toBeGreaterThan(0.9);
  });

  const withBadLines = () => {
    const file = join(dir, "bad.jsonl");
    const good = readFileSync(trainFile, "utf8").split("\n").slice(0, 60);
    good.splice(2, 0, '{"bits": "01", "even": ');
    good.splice(5, 0, '{"bits": 101, "even": "even"}');
    writeFileSync(file, good.join("\n"));
    return file;
  };

  it("stops before training on a bad data line, naming file:line", async () => {
    const file = withBadLines();
    const checkpoint = join(dir, "bad.ckpt.json");
    const { code, out, err } = await train({ data: file, checkpoint, quiet: true });
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toContain(`${file}:3: not valid JSON`);
    expect(err).toContain(`${file}:6: field "bits" should be a string or an array of strings (seq<token>), not a number`);
    expect(err).toContain("2 bad lines; fix them, or pass --skip-invalid to use the other 60");
    expect(existsSync(checkpoint)).toBe(false);
  });

  it("with --skip-invalid, trains on the good lines and says how many it skipped", async () => {
    const file = withBadLines();
    const checkpoint = join(dir, "skip.ckpt.json");
    const { code, err } = await train({ data: file, checkpoint, skipInvalid: true, epochs: "1", quiet: true });
    expect(code).toBe(0);
    expect(err).toContain(`${file}:3: not valid JSON`);
    expect(err).toContain(`${file}: skipped 2 bad lines, using the other 60 examples`);
    expect((readCheckpoint(checkpoint).meta.data as { examples: number }).examples).toBe(60);
  });

  it("stops at a NaN, says where, and leaves the previous checkpoint byte for byte", async () => {
    const checkpoint = join(dir, "nan.ckpt.json");
    expect((await train({ checkpoint, epochs: "1", quiet: true })).code).toBe(0);
    const before = readFileSync(checkpoint);
    // Another run does not take over the first one's checkpoint unless told to.
    const refused = await train({ checkpoint, epochs: "3" });
    expect(refused.code).toBe(2);
    expect(refused.err).toBe(`rnnc train: ${checkpoint} holds the checkpoint of the run in ${join(dir, "runs", String(runs - 1))}; pass --overwrite to replace it, or name another path`);
    const runDir = nextRunDir();
    const { code, err } = await train({ checkpoint, epochs: "3", sets: ["lr=1e308"], overwrite: true, runDir });
    expect(code).toBe(1);
    expect(err).toMatch(/^rnnc train: stopped at epoch 1, batch 2 of 10: the (loss|gradient of \S+\[\d+\]) is (NaN|-?Infinity)$/m);
    expect(err).toContain("no checkpoint was saved (no epoch finished)");
    expect(readFileSync(checkpoint).equals(before)).toBe(true);
    expect(existsSync(join(runDir, "last.ckpt"))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(readdirSync(runDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("leaves the params of frozen layers as initialized", async () => {
    const frozen = join(dir, "frozen.rnn");
    writeFileSync(frozen, readFileSync(model, "utf8").replace("seed 1 }", "seed 1  freeze cell }"));
    const checkpoint = join(dir, "frozen.ckpt.json");
    expect((await train({ file: frozen, checkpoint, epochs: "1", quiet: true })).code).toBe(0);
    const saved = readCheckpoint(checkpoint);
    const rng = new Rng(1); // the model's seed: params are initialized in layout order
    const { model: checked } = loadModel(frozen, new Map());
    const compiled = await compileModel(checked, checkpointVocabularies(saved, modelFields(checked), checkpoint), checkpoint, backends.interpreted);
    for (const p of compiled.params) {
      const initial = new Float64Array(p.shape.reduce((a, b) => a * b, 1));
      initialize(initial, p.shape, p.init, rng);
      if (p.layer === "cell") expect(saved.params[p.name].values, p.name).toEqual(initial);
      else if (p.init.name !== "zeros") expect(saved.params[p.name].values, p.name).not.toEqual(initial);
    }
  });

  it("--limit uses the first N examples", async () => {
    const checkpoint = join(dir, "limit.ckpt.json");
    expect((await train({ checkpoint, epochs: "1", limit: "40", quiet: true })).code).toBe(0);
    expect((readCheckpoint(checkpoint).meta.data as { examples: number }).examples).toBe(40);
  });

  it("explains problems with the model, the flags and the data's sizes in one message each", async () => {
    const broken = join(dir, "broken.rnn");
    writeFileSync(broken, readFileSync(model, "utf8").replace("h[t-1])", "hh[t-1])"));
    const bad = await train({ file: broken });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("error: unknown name `hh`");

    expect((await train({ sets: ["HH=3"] })).err).toContain("--set HH=3: parity has no dim or train setting HH (it has H, batch, epochs");
    expect((await train({ sets: ["epochs=0.5"] })).code).toBe(2);
    expect((await train({ epochs: "two" })).err).toContain("--epochs takes a whole number of at least 1, not 'two'");
    expect((await train({ data: join(dir, "missing.jsonl") })).err).toMatch(/missing\.jsonl: cannot read the file/);

    const three = join(dir, "three.jsonl");
    writeFileSync(three, jsonl([{ bits: "0", even: "even" }, { bits: "1", even: "odd" }, { bits: "11", even: "both" }]));
    const sizes = await train({ data: three });
    expect(sizes.code).toBe(1);
    expect(sizes.err).toBe(`${three}: even has 3 classes (both, even, odd), but the model fixes classes(even) = 2`);
  });
});
