// Errors said where they are (issue 14): a checkpoint whose meta.overrides is bad is a problem of
// that checkpoint file (its path, the key, what is wrong) — not a `--set` mistake, not an error in
// the .rnn — for every command that applies them; an invalid dim is one error, not one more
// `unknown name` per use of it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parityExamples } from "../../data/parity.ts";
import { loadCheckpointFile, saveCheckpointFile } from "../../runtime/checkpoint-file.ts";
import { errors } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "rnnc-attribution-"));
const data = join(dir, "train.jsonl");
const run = join(dir, "run");
writeFileSync(data, parityExamples(40, { minLength: 1, maxLength: 6, seed: 3 }).map((r) => JSON.stringify(r)).join("\n") + "\n");

const rnnc = (...args: string[]) => {
  const done = spawnSync(process.execPath, ["cli/rnnc.js", ...args], { encoding: "utf8", timeout: 120_000 });
  expect(done.stderr).not.toMatch(/internal error|\n\s+at /);
  return { code: done.status, out: done.stdout, err: done.stderr };
};

/** A copy of the run's best checkpoint with meta.overrides replaced. */
function withOverrides(overrides: unknown, name: string): string {
  const checkpoint = loadCheckpointFile(join(run, "best.ckpt"));
  checkpoint.meta.overrides = overrides;
  const path = join(dir, name);
  saveCheckpointFile(path, checkpoint);
  return path;
}

const trailer = "\n  (a checkpoint's meta.overrides holds the dims and settings its run was trained with: was this file edited, or written by another tool?)\n";

describe("a checkpoint's bad meta.overrides", { timeout: 120_000 }, () => {
  beforeAll(() => {
    expect(rnnc("train", "examples/parity.rnn", "--data", data, "--run-dir", run, "--epochs", "1", "--quiet").code).toBe(0);
  }, 120_000);

  it("is a problem of the checkpoint: its path, the key and what is wrong (evaluate)", () => {
    const cases: [unknown, string][] = [
      [{ H: -3 }, "meta.overrides.H is -3: dim H must be a whole number from 1 to 2,147,483,647"],
      [{ H: "x" }, 'meta.overrides.H is "x", not a number'],
      [{ Q: 3 }, "meta.overrides.Q is 3: parity has no dim or train setting Q (it has H, batch, epochs, seed, bptt, clip_norm, weight_decay, lr, momentum, beta1, beta2, eps, warmup, early_stop)"],
      [{ lr: -1 }, "meta.overrides.lr is -1: lr takes a number above 0"],
      [[1], "meta.overrides is [1], not an object of names and numbers"],
      ["x", 'meta.overrides is "x", not an object of names and numbers'],
    ];
    cases.forEach(([overrides, message], i) => {
      const path = withOverrides(overrides, `bad${i}.ckpt`);
      const evaluated = rnnc("evaluate", "examples/parity.rnn", "--data", data, "--checkpoint", path);
      expect([evaluated.code, evaluated.err]).toEqual([1, `${path}: ${message}${trailer}`]);
    });
  });

  it("the same for predict, export, compile and train --resume; a --set of the same name replaces it", () => {
    const path = withOverrides({ H: -3 }, "dim.ckpt");
    const said = [1, `${path}: meta.overrides.H is -3: dim H must be a whole number from 1 to 2,147,483,647${trailer}`];
    const predicted = rnnc("predict", "examples/parity.rnn", "--checkpoint", path, "--input", '{"bits": "01"}');
    expect([predicted.code, predicted.err]).toEqual(said);
    const exported = rnnc("export", "--format", "onnx", "examples/parity.rnn", "--checkpoint", path, "-o", join(dir, "x.onnx"));
    expect([exported.code, exported.err]).toEqual(said);
    const compiled = rnnc("compile", "examples/parity.rnn", "--checkpoint", path, "-o", join(dir, "x.ts"));
    expect([compiled.code, compiled.err]).toEqual(said);
    const replaced = rnnc("evaluate", "examples/parity.rnn", "--data", data, "--checkpoint", path, "--set", "H=16");
    expect(replaced.code).toBe(0);

    const resumedRun = join(dir, "resume");
    expect(rnnc("train", "examples/parity.rnn", "--data", data, "--run-dir", resumedRun, "--epochs", "1", "--quiet").code).toBe(0);
    const last = join(resumedRun, "last.ckpt");
    const checkpoint = loadCheckpointFile(last);
    checkpoint.meta.overrides = { epochs: 2, H: 0 };
    saveCheckpointFile(last, checkpoint);
    const resumed = rnnc("train", "--resume", resumedRun);
    expect([resumed.code, resumed.err]).toEqual([1, `${last}: meta.overrides.H is 0: dim H must be a whole number from 1 to 2,147,483,647${trailer}`]);
  });
});

describe("an invalid dim", () => {
  const model = (value: string) => `model m {
  dims { H = ${value}, G = H + 1 }
  input  bits: seq<token>
  target even: class
  layer cell = gru(2, H)
  layer head = dense(G, 2)
  h[t] = cell(onehot(bits[t], 2), h[t-1])
  loss cross_entropy(head(h[last]), even)
}`;

  it("is one error, at the dim: its uses (a dim made from it, layers sized by it) say nothing more", () => {
    const cases: [string, string][] = [
      ["-3", "dim `H` must be a whole number of at least 1"],
      ["0", "dim `H` must be a whole number of at least 1"],
      ["1.5", "dim `H` must be a whole number of at least 1"],
      ["x", "unknown name `x`"],
    ];
    for (const [value, message] of cases) expect(errors(model(value)).map((e) => `${e.line}:${e.column}: ${e.message}`)).toEqual([`2:14: ${message}`]);
  });

  it("a valid model still reports a real unknown name", () => {
    expect(errors(model("16").replace("dense(G, 2)", "dense(K, 2)")).map((e) => e.message)).toContain("unknown name `K`");
  });
});
