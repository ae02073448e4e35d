// Learning, proven: examples/parity.rnn, trained by `rnnc train` on a small slice of generated
// bit strings (lengths 1–20), classifies held-out strings perfectly, and strings of length
// 40–50 (never seen) at 99% or better.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { expect, it } from "vitest";
import { readCheckpoint } from "../../cli/checkpoints.ts";
import type { Metric } from "../../cli/metrics.ts";
import { trainCommand } from "../../cli/train.ts";
import { parityExamples, type ParityExample } from "../../data/parity.ts";

it("parity learns to 100% held out and generalizes to longer strings", { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "rnnc-parity-"));
  const write = (name: string, examples: ParityExample[]) => {
    writeFileSync(join(dir, name), examples.map((e) => JSON.stringify(e)).join("\n") + "\n");
    return join(dir, name);
  };
  const train = parityExamples(1500, { minLength: 1, maxLength: 20, seed: 11 });
  const seen = new Set(train.map((e) => e.bits));
  const common = { file: "examples/parity.rnn", sets: [], backend: "compiled", quiet: true, skipInvalid: false };
  const accuracyOn = async (valid: string, epochs: string) => {
    const checkpoint = join(dir, `parity-${basename(valid, ".jsonl")}.ckpt.json`);
    const code = await trainCommand({ ...common, data: join(dir, "train.jsonl"), valid, epochs, checkpoint, runDir: join(dir, `run-${basename(valid, ".jsonl")}`) });
    expect(code).toBe(0);
    const history = (readCheckpoint(checkpoint).meta as { history: { valid: Metric[] }[] }).history;
    return history.at(-1)!.valid[0].value;
  };
  write("train.jsonl", train);
  const valid = write("valid.jsonl", parityExamples(300, { minLength: 1, maxLength: 20, seed: 12, exclude: seen }));
  const long = write("long.jsonl", parityExamples(300, { minLength: 40, maxLength: 50, seed: 13 }));
  expect(await accuracyOn(valid, "12")).toBe(1);
  expect(await accuracyOn(long, "12")).toBeGreaterThanOrEqual(0.99);
});
