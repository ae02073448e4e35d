// `rnnc train --threads N` as a user runs it: the run completes and the process exits (no worker
// left hanging), training the same model as one thread does up to float summation order.
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCheckpoint } from "../../cli/checkpoints.ts";
import { trainCommand } from "../../cli/train.ts";
import { parityExamples } from "../../data/parity.ts";

const dir = mkdtempSync(join(tmpdir(), "rnnc-threads-"));
const model = join(dir, "parity.rnn");
const trainFile = join(dir, "train.jsonl");
copyFileSync("examples/parity.rnn", model);
writeFileSync(trainFile, parityExamples(150, { minLength: 1, maxLength: 8, seed: 5 }).map((r) => JSON.stringify(r)).join("\n") + "\n");

const rnnc = (...args: string[]) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn(process.execPath, ["cli/rnnc.js", ...args], { timeout: 60_000 });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    child.on("exit", (code) => resolve({ code, out, err }));
  });

const history = (checkpoint: string) => (readCheckpoint(checkpoint).meta as { history: { trainLoss: number }[] }).history.map((h) => h.trainLoss);

describe("rnnc train --threads", { timeout: 60_000 }, () => {
  it("trains on 2 threads what 1 thread trains, and exits", async () => {
    const [two, one] = await Promise.all([
      rnnc("train", model, "--data", trainFile, "--epochs", "4", "--threads", "2", "--checkpoint", join(dir, "two.ckpt.json"), "--run-dir", join(dir, "run-two")),
      rnnc("train", model, "--data", trainFile, "--epochs", "4", "--threads", "1", "--checkpoint", join(dir, "one.ckpt.json"), "--run-dir", join(dir, "run-one")),
    ]);
    expect(two.err).toBe("");
    expect(two.code).toBe(0);
    expect(one.code).toBe(0);
    expect(two.out).toMatch(/^training parity .*, compiled backend on 2 threads$/m);
    expect(one.out).toMatch(/, compiled backend$/m);
    expect(two.out).toMatch(/^epoch 4\/4  train loss \d\.\d{3}/m);
    const [a, b] = [history(join(dir, "two.ckpt.json")), history(join(dir, "one.ckpt.json"))];
    expect(a).toHaveLength(4);
    a.forEach((loss, i) => expect(Math.abs(loss - b[i]) / b[i]).toBeLessThan(1e-4));
  });

  it.skipIf(availableParallelism() < 2)("by default (auto), times the first batches both ways and keeps the faster, saying so", async () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);
    let code: number;
    try {
      code = await trainCommand({ file: model, data: trainFile, sets: ["epochs=4"], checkpoint: join(dir, "auto.ckpt.json"), runDir: join(dir, "run-auto"), backend: "compiled", quiet: false, skipInvalid: false });
    } finally {
      console.log = log;
    }
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/, compiled backend on 2 threads if faster \(timed on the first batches\)$/);
    // 150 examples: 5 batches an epoch, so the 16 batches timed both ways end in the 4th epoch.
    expect(lines.filter((l) => /^  (2 threads|1 thread): the first batches took \d+\.\d ms on 1 thread, \d+\.\d ms on 2 \(medians\)$/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /^epoch \d\/4 /.test(l))).toHaveLength(4);
    // The same training as the first test's one thread (whose checkpoint that test left).
    const [a, b] = [history(join(dir, "auto.ckpt.json")), history(join(dir, "one.ckpt.json"))];
    a.forEach((loss, i) => expect(Math.abs(loss - b[i]) / b[i]).toBeLessThan(1e-4));
  });

  it("refuses a bad thread count, and threads on the interpreter", async () => {
    const args = { file: model, data: trainFile, sets: ["epochs=1"], checkpoint: join(dir, "bad.ckpt.json"), backend: "compiled", quiet: true, skipInvalid: false };
    const errors: string[] = [];
    const error = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      expect(await trainCommand({ ...args, threads: "0" })).toBe(2);
      expect(await trainCommand({ ...args, threads: "two" })).toBe(2);
      expect(await trainCommand({ ...args, backend: "interpreted", threads: "2" })).toBe(2);
    } finally {
      console.error = error;
    }
    expect(errors).toEqual([
      "rnnc: --threads takes auto or a whole number of at least 1, not '0'",
      "rnnc: --threads takes auto or a whole number of at least 1, not 'two'",
      "rnnc: --threads 2 needs a compiled backend (compiled, compiled-ts, compiled64); interpreted runs on one thread",
    ]);
  });
});
