// `rnnc predict`: a parity classifier trained for a second by `rnnc train` and found where
// `rnnc evaluate` finds it (the newest run); a tagger and a regression model from checkpoints of
// fixed params, whose --json output is exactly what predictor() returns (runtime/records.ts), and
// whose words say the same; and the mistakes, each named with its file and line.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { predictCommand, type PredictArgs } from "../../cli/predict.ts";
import { saveCheckpointFile } from "../../runtime/checkpoint-file.ts";
import { predictor, type ClassPrediction } from "../../runtime/records.ts";
import { fixedModel, SENTENCES, TAGGER } from "../runtime/fixed-model.ts";

const RNNC = resolve("cli/rnnc.js");
const dir = mkdtempSync(join(tmpdir(), "rnnc-predict-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const jsonl = (records: object[]) => records.map((r) => JSON.stringify(r)).join("\n") + "\n";
const write = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));

/** The command run in this process: its exit code, and what it printed on stdout (a line each) and stderr. */
async function predict(args: Partial<PredictArgs> & { file: string }) {
  const out = vi.spyOn(console, "log").mockImplementation(() => {});
  const err = vi.spyOn(console, "error").mockImplementation(() => {});
  try {
    const code = await predictCommand({ json: false, sets: [], backend: "compiled64", ...args });
    const lines = (spy: typeof out) => spy.mock.calls.map((c) => String(c[0])).join("\n");
    return { code, out: lines(out), err: lines(err) };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const parity = (bits: string) => ([...bits].filter((b) => b === "1").length % 2 ? "odd" : "even");
/** Bit strings of length 1 to 10 from a small seeded generator. */
function bitStrings(count: number, seed: number): string[] {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(next() * 10) }, () => (next() < 0.5 ? "0" : "1")).join(""));
}

describe("a classifier trained by rnnc train, its checkpoint found as rnnc evaluate finds it", { timeout: 120_000 }, () => {
  const rnnc = (...args: string[]) => spawnSync(process.execPath, [RNNC, ...args], { cwd: dir, encoding: "utf8", timeout: 90_000 });
  const held = bitStrings(40, 99);

  beforeAll(() => {
    copyFileSync("examples/parity.rnn", join(dir, "parity.rnn"));
    write("train.jsonl", jsonl(bitStrings(2000, 7).map((bits) => ({ bits, even: parity(bits) }))));
    write("test.jsonl", jsonl(held.map((bits) => ({ bits })))); // no targets: they are what is asked
    const trained = rnnc("train", "parity.rnn", "--data", "train.jsonl", "--epochs", "3", "--set", "H=8", "--quiet");
    expect(trained.status, trained.stderr + trained.stdout).toBe(0);
  });

  it("prints a class and its probability per example, in the file's order; --json and --top 2 the same as objects", () => {
    const words = rnnc("predict", "parity.rnn", "--data", "test.jsonl");
    expect(words.stderr).toBe("");
    expect(words.status).toBe(0);
    const lines = words.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(held.length);
    for (const line of lines) expect(line).toMatch(/^(even|odd) (0\.\d{2,4}|1\.00|>0\.9999)$/);
    const right = lines.filter((line, i) => line.split(" ")[0] === parity(held[i])).length;
    expect(right, lines.join("\n")).toBeGreaterThanOrEqual(0.8 * held.length); // trained: it has learnt parity, mostly

    const json = rnnc("predict", "parity.rnn", "--data", "test.jsonl", "--json", "--top", "2");
    expect(json.status).toBe(0);
    const objects = json.stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as { even: ClassPrediction });
    objects.forEach(({ even }, i) => {
      expect(Object.keys(even)).toEqual(["label", "probability", "top"]);
      expect(even.top!.map((c) => c.label).sort()).toEqual(["even", "odd"]);
      expect(even.top![0]).toEqual({ label: even.label, probability: even.probability });
      expect(even.top![0].probability + even.top![1].probability).toBeCloseTo(1, 6);
      expect(lines[i].split(" ")[0]).toBe(even.label);
    });

    const one = rnnc("predict", "parity.rnn", "--input", JSON.stringify({ bits: held[0], even: "ignored" }), "--top", "2");
    expect(one.status).toBe(0);
    expect(one.stdout).toMatch(new RegExp(`^${objects[0].even.label} \\S+  ${objects[0].even.top![1].label} \\S+\\n$`));
  });
});

describe("a tagger and a regression model (checkpoints of fixed params)", { timeout: 60_000 }, () => {
  it("tags each token of the input, and --json is exactly what predictor() returns", async () => {
    const fixed = await fixedModel(TAGGER, SENTENCES);
    const file = write("tiny_tagger.rnn", TAGGER);
    const checkpoint = join(dir, "tagger.ckpt");
    saveCheckpointFile(checkpoint, fixed.checkpoint);
    const records = [{ words: ["the", "old", "cat", "barks"] }, { words: ["a", "zebra"] }, SENTENCES[0]];
    const data = write("sentences.jsonl", jsonl(records));
    const expected = predictor(fixed.model, fixed.checkpoint).predictBatch(records, { top: 2 });

    const json = await predict({ file, checkpoint, data, json: true, top: "2" });
    expect(json.err).toBe("");
    expect(json.code).toBe(0);
    expect(json.out.split("\n").map((line) => JSON.parse(line))).toEqual(expected);
    for (const batch of ["1", "2"]) expect((await predict({ file, checkpoint, data, json: true, top: "2", batch })).out).toBe(json.out); // --batch: the same, in the same order

    const words = await predict({ file, checkpoint, data });
    const tags = expected.map((p) => (p.tags as ClassPrediction[]).map((c) => c.label));
    expect(words.out.split("\n")).toEqual(records.map((r, i) => r.words.map((w, t) => `${w}/${tags[i][t]}`).join(" ")));
    expect(words.out.split("\n")[1]).toMatch(/^a\/\S+ zebra\/\S+$/); // an unknown word is tagged too (as <unk>)

    const top = await predict({ file, checkpoint, input: JSON.stringify(records[1]), top: "2" });
    const [first, second] = (expected[1].tags as ClassPrediction[]).map((c) => c.top!.map((x) => `${x.label}:${x.probability.toFixed(2)}`).join("|"));
    expect(top.out).toBe(`a/${first} zebra/${second}`); // untrained: no probability near 0 or 1, so two decimals each
  });

  it("prints a regression's values per step (co2), and its --json numbers", async () => {
    const lines = [{ series: [0.5, -0.25, 1], next: [-0.25, 1, 0] }, { series: [0.125, 2], next: [2, 1] }];
    const fixed = await fixedModel(readFileSync("examples/co2.rnn", "utf8"), lines, { overrides: { H: 4 } });
    const checkpoint = join(dir, "co2.ckpt");
    saveCheckpointFile(checkpoint, fixed.checkpoint);
    const data = write("series.jsonl", jsonl(lines.map(({ series }) => ({ series }))));
    const expected = predictor(fixed.model, fixed.checkpoint).predictBatch(lines);
    const json = await predict({ file: "examples/co2.rnn", checkpoint, data, json: true });
    expect(json.code).toBe(0);
    expect(json.out.split("\n").map((line) => JSON.parse(line))).toEqual(expected);
    const words = await predict({ file: "examples/co2.rnn", checkpoint, data });
    expect(words.out.split("\n")).toEqual(expected.map((p) => (p.next as number[]).map((x) => String(Number(x.toPrecision(4)))).join(" ")));
  });
});

describe("a model that declares its outputs", { timeout: 60_000 }, () => {
  it("prints each output by name: the tag per token, the summary's numbers; --json keyed by output", async () => {
    const source = TAGGER.replace(/\n}\s*$/, "\n  output tag[t] = softmax(out(concat(f[t], b[t])))\n  output summary = f[last][0:2]\n}\n");
    const fixed = await fixedModel(source, SENTENCES);
    const file = write("tagger_outputs.rnn", source);
    const checkpoint = join(dir, "tagger_outputs.ckpt");
    saveCheckpointFile(checkpoint, fixed.checkpoint);
    const records = [{ words: ["the", "old", "cat"] }, { words: ["a", "zebra"] }];
    const data = write("outputs.jsonl", jsonl(records));
    const expected = predictor(fixed.model, fixed.checkpoint).predictBatch(records);
    expect(Object.keys(expected[0])).toEqual(["tag", "summary"]);
    const json = await predict({ file, checkpoint, data, json: true });
    expect(json.err).toBe("");
    expect(json.out.split("\n").map((line) => JSON.parse(line))).toEqual(expected);
    const words = await predict({ file, checkpoint, data });
    expect(words.out.split("\n")).toEqual(
      expected.map((p, i) => {
        const tags = (p.tag as ClassPrediction[]).map((c, t) => `${records[i].words[t]}/${c.label}`).join(" ");
        return `tag: ${tags} | summary: ${(p.summary as number[]).map((x) => String(Number(x.toPrecision(4)))).join(" ")}`;
      }),
    );
  });
});

describe("mistakes, each said once, with its file and line", { timeout: 60_000 }, () => {
  let file = "";
  let checkpoint = "";
  beforeAll(async () => {
    const fixed = await fixedModel(TAGGER, SENTENCES);
    file = write("tagger-for-errors.rnn", TAGGER);
    checkpoint = join(dir, "tagger-for-errors.ckpt");
    saveCheckpointFile(checkpoint, fixed.checkpoint);
  });

  it("a record missing an input, with a field the model lacks, or not JSON: every bad line, and no predictions", async () => {
    const data = write("bad.jsonl", ['{"words": ["the", "dog"]}', '{"word": ["the"]}', "", '{"words": ["a"], "tags": ["DET"], "tgas": 1}', "{oops", '{"words": []}'].join("\n") + "\n");
    const { code, out, err } = await predict({ file, checkpoint, data });
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err.split("\n")).toEqual([
      `${data}:2: unknown field "word": tiny_tagger reads words and predicts tags`,
      `${data}:2: missing field "words"`,
      `${data}:4: unknown field "tgas": tiny_tagger reads words and predicts tags`,
      expect.stringMatching(`^${data}:5: not valid JSON: `), // JSON.parse's own words, which differ between Node versions
      `${data}:6: field "words" is empty: a sequence needs at least one step`,
      `${data}: 4 bad lines; fix them to get predictions`,
    ]);
  });

  it("--input: not JSON, or a bad record; neither --data nor --input, or both; --top 0", async () => {
    const run = async (args: Partial<PredictArgs>) => {
      const { code, out, err } = await predict({ file, checkpoint, ...args });
      expect(out).toBe("");
      return [code, err];
    };
    expect(await run({ input: "{words: 1}" })).toEqual([2, expect.stringMatching(/^rnnc predict: --input is not JSON: /)]);
    expect(await run({ input: '{"words": "ok", "tag": "x"}' })).toEqual([2, '--input: unknown field "tag": tiny_tagger reads words and predicts tags']);
    expect(await run({})).toEqual([2, "rnnc predict: give the examples: --data FILE.jsonl, or one example as --input '{...}'"]);
    expect(await run({ input: "{}", data: "x.jsonl" })).toEqual([2, "rnnc predict: --data or --input, not both"]);
    expect(await run({ input: '{"words": "a"}', top: "0" })).toEqual([2, "rnnc: --top takes a whole number of at least 1, not '0'"]);
    expect(await run({ data: join(dir, "absent.jsonl") })).toEqual([1, expect.stringMatching(/absent\.jsonl: cannot read the file: ENOENT/)]);
  });

  it("a model whose target is generated, not predicted: says to sample it", async () => {
    const names = await fixedModel(readFileSync("examples/names.rnn", "utf8"), [{ name: "Ann" }], { overrides: { E: 2, H: 3 } });
    const saved = join(dir, "names.ckpt");
    saveCheckpointFile(saved, names.checkpoint);
    const { code, err } = await predict({ file: "examples/names.rnn", checkpoint: saved, input: "{}" });
    expect(code).toBe(2);
    expect(err).toBe("rnnc predict: names: name is read at t-1 and predicted at t: it is generated token by token (rnnc sample, or the module's generate), not predicted from inputs");
  });
});
