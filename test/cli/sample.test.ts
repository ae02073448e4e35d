// `rnnc sample` on a name generator trained for a few seconds: one generated name per line,
// made of the training characters, the same for the same seed.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it, vi } from "vitest";
import { sampleCommand } from "../../cli/sample.ts";
import { trainCommand } from "../../cli/train.ts";

it("samples names from a trained checkpoint, reproducibly by seed", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "rnnc-sample-"));
  const names = ["anna", "bob", "carla", "dave", "emma", "frank", "grace", "hank", "ida", "jack", "kate", "liam"];
  writeFileSync(join(dir, "train.jsonl"), names.map((name) => JSON.stringify({ name })).join("\n") + "\n");
  const checkpoint = join(dir, "names.ckpt.json");
  const common = { file: "examples/names.rnn", sets: ["H=16", "E=8"], checkpoint };
  expect(await trainCommand({ ...common, data: join(dir, "train.jsonl"), epochs: "30", runDir: join(dir, "run"), backend: "compiled", quiet: true, skipInvalid: false })).toBe(0);

  const sample = async (seed: string) => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const code = await sampleCommand({ ...common, count: "8", seed, temperature: "0.8", maxLength: "12" });
    const lines = log.mock.calls.map((c) => String(c[0]));
    log.mockRestore();
    expect(code).toBe(0);
    return lines;
  };
  const first = await sample("7");
  expect(first).toHaveLength(8);
  const letters = new Set(names.join(""));
  for (const name of first) {
    expect(name.length).toBeLessThanOrEqual(12);
    expect([...name].every((ch) => letters.has(ch)), name).toBe(true);
  }
  expect(await sample("7")).toEqual(first);
});
