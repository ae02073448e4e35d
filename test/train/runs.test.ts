// Runs that lose nothing: each run in a directory of its own (numbered, locked), holding its
// last and best checkpoints, metrics.jsonl, settings.json and the model's text; an interrupted
// run resumed ends with the same parameters, bit for bit, as one never interrupted; early
// stopping keeps the best epoch.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { readCheckpoint } from "../../cli/checkpoints.ts";
import { Course } from "../../cli/course.ts";
import { checkpointFor, claimRunDir, runsOf } from "../../cli/run-dir.ts";
import type { EpochLine, RunSettingsFile } from "../../cli/run-record.ts";
import { trainRun, type TrainArgs } from "../../cli/train.ts";
import { parityExamples } from "../../data/parity.ts";

const dir = mkdtempSync(join(tmpdir(), "rnnc-runs-"));
const model = join(dir, "parity.rnn");
const trainFile = join(dir, "train.jsonl");
const validFile = join(dir, "valid.jsonl");
const jsonl = (records: object[]) => records.map((r) => JSON.stringify(r)).join("\n") + "\n";
copyFileSync("examples/parity.rnn", model);
writeFileSync(trainFile, jsonl(parityExamples(300, { minLength: 1, maxLength: 8, seed: 5 })));
writeFileSync(validFile, jsonl(parityExamples(60, { minLength: 1, maxLength: 8, seed: 6 })));
afterEach(() => vi.restoreAllMocks());

const base: TrainArgs = { file: model, data: trainFile, valid: validFile, sets: ["H=8"], backend: "compiled", threads: "1", quiet: false, skipInvalid: false };

/** Runs `rnnc train` in process; `onLine` sees each line it prints (and may stop the run). */
async function train(args: Partial<TrainArgs>, onLine?: (line: string) => void) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => {
    out.push(a.join(" "));
    onLine?.(a.join(" "));
  });
  vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  vi.spyOn(process.stdout, "write").mockImplementation(() => true); // progress lines
  const result = await trainRun({ ...base, ...args });
  vi.restoreAllMocks();
  return { ...result, out: out.join("\n"), err: err.join("\n") };
}

const metricsOf = (runDir: string) =>
  readFileSync(join(runDir, "metrics.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line) as EpochLine);

describe("run directories", () => {
  it("are numbered: each run claims the next free one", () => {
    const root = join(dir, "numbered");
    expect([claimRunDir("a/names.rnn", root), claimRunDir("names.rnn", root)]).toEqual([join(root, "names", "1"), join(root, "names", "2")]);
    mkdirSync(join(root, "names", "7"));
    expect(claimRunDir("names.rnn", root)).toBe(join(root, "names", "8"));
    expect(runsOf("names.rnn", root)).toEqual(["1", "2", "7", "8"].map((n) => join(root, "names", n)));
  });

  it("hold the last and best checkpoints, metrics per epoch, the settings and the model's text", async () => {
    const runDir = join(dir, "full");
    const { code, out, dir: reported } = await train({ runDir, epochs: "3" });
    expect(code).toBe(0);
    expect(reported).toBe(runDir);
    expect(out).toContain(`run directory: ${runDir}`);
    for (const file of ["last.ckpt", "best.ckpt", "metrics.jsonl", "settings.json", "model.rnn"]) expect(existsSync(join(runDir, file)), file).toBe(true);
    expect(existsSync(join(runDir, "lock"))).toBe(false); // released
    expect(readFileSync(join(runDir, "model.rnn"), "utf8")).toBe(readFileSync(model, "utf8"));
    const settings = JSON.parse(readFileSync(join(runDir, "settings.json"), "utf8")) as RunSettingsFile;
    expect(settings).toMatchObject({ model: "parity", overrides: { H: 8, epochs: 3 }, data: { train: trainFile, valid: validFile, examples: 300, validExamples: 60 }, monitor: { name: "valid loss", lowerIsBetter: true } });
    expect(settings.summary).toContain("model parity");
    const lines = metricsOf(runDir);
    expect(lines.map((l) => l.epoch)).toEqual([1, 2, 3]);
    for (const l of lines) {
      expect(l.updates).toBe(l.epoch * Math.ceil(300 / 32));
      expect(l.lr).toBe(0.01);
      expect(l.gradNorm.max).toBeGreaterThanOrEqual(l.gradNorm.mean);
      expect(l.gradientFlow!.h).toHaveLength(8); // the probe's longest example
      expect(l.validLoss).toBeGreaterThan(0);
    }
    // best.ckpt is the epoch with the lowest validation loss.
    const bestEpoch = lines.reduce((a, b) => (b.validLoss! < a.validLoss! ? b : a)).epoch;
    expect(lines.filter((l) => l.best).at(-1)!.epoch).toBe(bestEpoch);
    expect(readCheckpoint(join(runDir, "best.ckpt")).meta.epoch).toBe(bestEpoch);
    expect(checkpointFor(model, runDir)).toBe(join(runDir, "best.ckpt"));
  });

  it("refuse a directory that holds another run, and one in use", async () => {
    const runDir = join(dir, "taken");
    expect((await train({ runDir, epochs: "1" })).code).toBe(0);
    const again = await train({ runDir, epochs: "1" });
    expect(again.code).toBe(2);
    expect(again.err).toBe(`rnnc train: ${runDir} holds a run already; continue it with --resume ${runDir}, or pass --overwrite to replace its files`);
    const busy = join(dir, "busy");
    mkdirSync(busy);
    writeFileSync(join(busy, "lock"), JSON.stringify({ pid: process.pid, host: (await import("node:os")).hostname(), since: "now" }));
    const locked = await train({ runDir: busy, epochs: "1" });
    expect(locked.code).toBe(2);
    expect(locked.err).toContain(`rnnc train: ${busy} is in use by process ${process.pid}`);
  });
});

describe("resume", () => {
  const straight = join(dir, "straight");
  beforeAll(async () => expect((await train({ runDir: straight, epochs: "3" })).code).toBe(0));

  /** Stopped by SIGTERM (as `kill` sends it) where `stopAt` says, then resumed to the end: the same as never stopped. */
  async function stopAndResume(name: string, stopAt: { line?: string; update?: number }, where: string) {
    const stopped = join(dir, name);
    const signal = () => process.emit("SIGTERM", "SIGTERM"); // the run finishes its batch and saves
    if (stopAt.update !== undefined) {
      const lr = Course.prototype.lr;
      let updates = 0;
      vi.spyOn(Course.prototype, "lr").mockImplementation(function (this: Course, ...args) {
        if (++updates === stopAt.update) signal();
        return lr.apply(this, args);
      });
    }
    const first = await train({ runDir: stopped, epochs: "3" }, (line) => line.startsWith(stopAt.line ?? "-") && signal());
    expect(first.code).toBe(130);
    expect(first.err).toContain(`interrupted ${where}; checkpoint: ${join(stopped, "last.ckpt")}\n  continue with: rnnc train --resume ${stopped}`);

    const resumed = await train({ resume: stopped, file: undefined, data: undefined, valid: undefined, sets: [] });
    expect(resumed.err).toBe("");
    expect(resumed.code).toBe(0);
    expect(resumed.out).toContain(`resuming ${stopped} ${where}`);
    const [a, b] = [readCheckpoint(join(straight, "last.ckpt")), readCheckpoint(join(stopped, "last.ckpt"))];
    for (const [name, p] of Object.entries(a.params)) expect(Buffer.from(b.params[name].values.buffer).equals(Buffer.from(p.values.buffer)), name).toBe(true);
    expect(b.rng).toEqual(a.rng);
    expect(b.optimizer).toEqual(a.optimizer);
    const numbers = (l: EpochLine) => [l.epoch, l.updates, l.trainLoss, l.validLoss, l.lr, l.gradNorm, l.gradientFlow, l.best];
    expect(metricsOf(stopped).map(numbers)).toEqual(metricsOf(straight).map(numbers));
  }

  it("stopped inside an epoch, resumed, ends bit for bit where an uninterrupted run does", async () => {
    await stopAndResume("inside", { update: 13 }, "in epoch 2, after batch 3 of 10");
  });

  it("stopped between epochs, resumed, ends bit for bit where an uninterrupted run does", async () => {
    await stopAndResume("between", { line: "epoch 1/3" }, "after epoch 1");
  });

  it("of a run that has done its epochs is refused, saying how many to ask for; more epochs continue it", async () => {
    const finished = join(dir, "finished");
    expect((await train({ runDir: finished, epochs: "2", quiet: true })).code).toBe(0);
    const again = await train({ resume: finished, file: undefined, data: undefined, valid: undefined, sets: [] });
    expect([again.code, again.err]).toEqual([2, `rnnc train: ${finished} has trained 2 epochs already, and 2 are asked for: nothing is left to do; --epochs 3 or more continues it`]);
    const fewer = await train({ resume: finished, file: undefined, data: undefined, valid: undefined, sets: [], epochs: "1" });
    expect(fewer.err).toContain("has trained 2 epochs already, and 1 is asked for");
    const more = await train({ resume: finished, file: undefined, data: undefined, valid: undefined, sets: [], epochs: "3", quiet: true });
    expect(more.code, more.err).toBe(0);
    expect(metricsOf(finished).map((l) => l.epoch)).toEqual([1, 2, 3]);
  });
});

describe("--save-every", () => {
  it("saves the last checkpoint inside an epoch too, where a resume would continue", async () => {
    const runDir = join(dir, "saving");
    const seen: unknown[] = [];
    const lr = Course.prototype.lr;
    let updates = 0;
    vi.spyOn(Course.prototype, "lr").mockImplementation(function (this: Course, ...args) {
      // Update 5 is the 5th batch of epoch 1: the save after batch 4 is the last one before it.
      if (++updates === 5) seen.push(readCheckpoint(join(runDir, "last.ckpt")).meta.position);
      return lr.apply(this, args);
    });
    expect((await train({ runDir, epochs: "1", saveEvery: "0.000001" })).code).toBe(0);
    expect(seen).toEqual([expect.objectContaining({ epoch: 1, batch: 4, batches: 10 })]);
    expect(readCheckpoint(join(runDir, "last.ckpt")).meta.position).toMatchObject({ epoch: 2, batch: 0 });
  });
});

describe("early stopping", () => {
  it("stops when the validation loss has not improved for `patience` epochs; best.ckpt is the best epoch", async () => {
    const runDir = join(dir, "early");
    // A learning rate too small to move float32 params: the validation loss never improves after epoch 1.
    const { code, out } = await train({ runDir, epochs: "10", sets: ["H=8", "early_stop=2", "lr=1e-12"] });
    expect(code).toBe(0);
    expect(out).toMatch(/^stopped early after epoch 3: valid loss has not improved for 2 epochs \(best [\d.]+ at epoch 1\)$/m);
    expect(metricsOf(runDir).map((l) => l.best)).toEqual([true, false, false]);
    expect(readCheckpoint(join(runDir, "best.ckpt")).meta.epoch).toBe(1);
  });
});
