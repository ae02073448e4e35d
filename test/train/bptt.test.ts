// Training with `bptt K`: one long series, cut into windows whose state carries over; it learns.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { readCheckpoint } from "../../cli/checkpoints.ts";
import { trainCommand } from "../../cli/train.ts";
import { windows } from "../../cli/windows.ts";

it("cuts a time-major batch into windows of K steps", () => {
  const ids = Float32Array.from({ length: 7 * 2 }, (_, i) => i); // t * 2 + b
  const batch = { size: 2, lengths: { t: Int32Array.of(7, 4) }, fields: new Map([["x", ids]]) };
  const parts = [...windows(batch, "t", [{ name: "x", axis: "t", sequence: true, kind: "ids", size: 5 }], 3, [])];
  expect(parts.map((p) => [...p.lengths.t!])).toEqual([[3, 3], [3, 1], [1, 0]]);
  expect(parts.map((p) => [...p.fields.get("x")!])).toEqual([[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11], [12, 13]]);
});

it("co2.rnn learns a periodic series with truncated BPTT", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "rnnc-bptt-"));
  const wave = Array.from({ length: 97 }, (_, t) => Math.sin((2 * Math.PI * t) / 12) + 0.01 * t);
  writeFileSync(join(dir, "train.jsonl"), JSON.stringify({ series: wave.slice(0, -1), next: wave.slice(1) }) + "\n");
  const checkpoint = join(dir, "co2.ckpt.json");
  const train = join(dir, "train.jsonl");
  const code = await trainCommand({ file: "examples/co2.rnn", data: train, sets: ["H=8", "bptt=16", "epochs=60", "lr=0.02"], checkpoint, runDir: join(dir, "run"), backend: "compiled", quiet: true, skipInvalid: false });
  expect(code).toBe(0);
  const history = (readCheckpoint(checkpoint).meta as { history: { trainLoss: number }[] }).history;
  // 96 steps of unit-scale targets: the summed squared error starts near 96 × 0.5 and falls far.
  expect(history[0].trainLoss).toBeGreaterThan(10);
  expect(history.at(-1)!.trainLoss).toBeLessThan(history[0].trainLoss / 10);

  // Train and validation losses are on one scale whatever bptt does: with a rate too small to
  // move the params, an epoch of windows over a series loses what the whole series loses.
  const still = join(dir, "still.ckpt");
  expect(await trainCommand({ file: "examples/co2.rnn", data: train, valid: train, sets: ["H=8", "bptt=16", "epochs=1", "lr=1e-12"], checkpoint: still, runDir: join(dir, "still"), backend: "compiled", quiet: true, skipInvalid: false })).toBe(0);
  const [epoch] = (readCheckpoint(still).meta as { history: { trainLoss: number; validLoss: number }[] }).history;
  expect(Math.abs(epoch.trainLoss - epoch.validLoss) / epoch.validLoss).toBeLessThan(1e-5);
});
