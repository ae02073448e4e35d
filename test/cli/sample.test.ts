// `rnnc sample` on a name generator trained for a few seconds: one generated name per line,
// made of the training characters, the same for the same seed; with --prompt, every name begins
// with it; and the mistakes a user makes (a prompt character the model never saw, an --input
// field it does not have) answered in words, with exit code 2.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { sampleCommand, type SampleArgs } from "../../cli/sample.ts";
import { trainCommand } from "../../cli/train.ts";
import { loadCheckpointFile, saveCheckpointFile } from "../../runtime/checkpoint-file.ts";

const names = ["anna", "bob", "carla", "dave", "emma", "frank", "grace", "hank", "ida", "jack", "kate", "liam"];
const letters = new Set(names.join(""));
const dir = mkdtempSync(join(tmpdir(), "rnnc-sample-"));
const checkpoint = join(dir, "names.ckpt.json");
const common = { file: "examples/names.rnn", sets: ["H=16", "E=8"], checkpoint };

/** What rnnc sample prints (stdout lines, stderr) and its exit code. */
async function sample(args: Partial<SampleArgs>): Promise<{ code: number; lines: string[]; errors: string }> {
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  const error = vi.spyOn(console, "error").mockImplementation(() => {});
  try {
    const code = await sampleCommand({ ...common, ...args });
    return { code, lines: log.mock.calls.map((c) => String(c[0])), errors: error.mock.calls.map((c) => String(c[0])).join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe("rnnc sample", { timeout: 60_000 }, () => {
  beforeAll(async () => {
    writeFileSync(join(dir, "train.jsonl"), names.map((name) => JSON.stringify({ name })).join("\n") + "\n");
    expect(await trainCommand({ ...common, data: join(dir, "train.jsonl"), epochs: "30", runDir: join(dir, "run"), backend: "compiled", quiet: true, skipInvalid: false })).toBe(0);
  }, 60_000);

  it("samples names from a trained checkpoint, reproducibly by seed", async () => {
    const first = await sample({ count: "8", seed: "7", temperature: "0.8", maxLength: "12" });
    expect(first.code).toBe(0);
    expect(first.lines).toHaveLength(8);
    for (const name of first.lines) {
      expect(name.length).toBeLessThanOrEqual(12);
      expect([...name].every((ch) => letters.has(ch)), name).toBe(true); // never <pad>, <unk>, <bos>
    }
    expect((await sample({ count: "8", seed: "7", temperature: "0.8", maxLength: "12" })).lines).toEqual(first.lines);
  });

  it("--prompt: every name begins with it and continues it, reproducibly by seed, and by beam search", async () => {
    const run = { count: "20", seed: "3", temperature: "0.8", maxLength: "6", prompt: "ja" };
    const first = await sample(run);
    expect(first.code, first.errors).toBe(0);
    expect(first.lines).toHaveLength(20);
    for (const name of first.lines) {
      expect(name.startsWith("ja"), name).toBe(true);
      expect(name.length).toBeLessThanOrEqual(2 + 6); // --max-length counts what follows the prompt
      expect([...name].every((ch) => letters.has(ch)), name).toBe(true);
    }
    expect(first.lines.some((name) => name.length > 2)).toBe(true);
    expect((await sample(run)).lines).toEqual(first.lines);
    const greedy = await sample({ count: "2", temperature: "0", prompt: "jac" });
    expect(greedy.lines[0].startsWith("jac")).toBe(true);
    expect(greedy.lines[1]).toBe(greedy.lines[0]);
    const beam = await sample({ beam: "4", prompt: "gra" });
    expect(beam.code).toBe(0);
    expect(beam.lines).toHaveLength(1);
    expect(beam.lines[0].startsWith("gra")).toBe(true);
  });

  it("says which prompt characters the model never saw, and which --input fields it does not read", async () => {
    const unseen = await sample({ prompt: "Jo!" });
    expect(unseen.code).toBe(2);
    expect(unseen.errors).toMatch(/^rnnc sample: --prompt: the prompt has "J", "!": not characters of the vocabulary of name \(18 characters: "a" "b" "c" /);
    const input = await sample({ input: '{"name": "jack", "size": 3}' });
    expect(input.code).toBe(2);
    expect(input.errors).toBe('rnnc sample: --input: unknown fields "name", "size" (name: a target, which names predicts, not reads): names reads no inputs');
  });

  it("says so on stderr when sequences are empty (<eos> chosen first), and only then", async () => {
    // The same model, made to end every sequence at once: <eos>'s bias far above the others.
    const saved = loadCheckpointFile(checkpoint);
    saved.params["head.b"].values[saved.vocabularies.name.indexOf("<eos>")] = 1e4;
    const ending = join(dir, "ending.ckpt");
    saveCheckpointFile(ending, saved);
    const greedy = await sample({ checkpoint: ending, count: "3", temperature: "0" });
    expect([greedy.code, greedy.lines, greedy.errors]).toEqual([0, ["", "", ""], "note: every sequence is empty (an empty line): the model chose <eos> first; is it trained enough?"]);
    const beam = await sample({ checkpoint: ending, beam: "2" });
    expect([beam.lines, beam.errors]).toEqual([[""], "note: the sequence is empty (an empty line): the model chose <eos> first; is it trained enough?"]);
    expect((await sample({ count: "3", seed: "1" })).errors).toBe("");
    // <eos> about as likely as the rest at the first step: some sequences empty, the others not, and the note counts them.
    saved.params["head.b"].values[saved.vocabularies.name.indexOf("<eos>")] = 3;
    saveCheckpointFile(ending, saved);
    const some = await sample({ checkpoint: ending, count: "20", seed: "1" });
    const empty = some.lines.filter((line) => line === "").length;
    expect(empty).toBeGreaterThan(0);
    expect(empty).toBeLessThan(20);
    expect(some.errors).toBe(`note: ${empty} of 20 sequences are empty (an empty line): the model chose <eos> first`);
  });

  it("runs from the command line, --prompt listed by --help", () => {
    const help = spawnSync(process.execPath, ["cli/rnnc.js", "sample", "--help"], { encoding: "utf8" });
    expect(help.stdout).toMatch(/^ {2}--prompt TEXT/m);
    const run = spawnSync(process.execPath, ["cli/rnnc.js", "sample", ...common.sets.flatMap((s) => ["--set", s]), "examples/names.rnn", "--checkpoint", checkpoint, "--prompt", "em", "--count", "3", "--seed", "1"], { encoding: "utf8", timeout: 30_000 });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    for (const name of lines) expect(name.startsWith("em"), name).toBe(true);
  });
});
