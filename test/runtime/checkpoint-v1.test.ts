// Version 1 checkpoints (one JSON text) still load: fixtures/v1-checkpoint.json was written by the
// version 1 encoder from a three-step Adam run, which is replayed here. Loaded from a file, from
// bytes or from text, it gives that run's params and state bit for bit, training resumes from it
// exactly, and a damaged one is explained as before.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { floatsToBase64 } from "../../runtime/base64.ts";
import { CheckpointError, decodeCheckpoint, type ExpectedLayout } from "../../runtime/checkpoint.ts";
import { loadCheckpointFile } from "../../runtime/checkpoint-file.ts";
import { Adam, type Param } from "../../runtime/optimizers.ts";
import { Rng } from "../../runtime/rng.ts";

const FIXTURE = "test/runtime/fixtures/v1-checkpoint.json";
const expected: ExpectedLayout = { model: "tagger", params: { "enc.W": [2, 3], "enc.b": [3], "out.W": [2] } };
const bits = (values: Float32Array | Float64Array) => [...new Uint8Array(values.buffer, values.byteOffset, values.byteLength)];

/** The run the fixture saved: `steps` Adam steps on random gradients (3 when it was saved). */
function replay() {
  const rng = new Rng(11);
  const W: Param = { name: "enc.W", values: Float32Array.from({ length: 6 }, () => rng.normal()), grad: new Float32Array(6), decay: true, frozen: false };
  const b: Param = { name: "enc.b", values: new Float32Array([0, -0, 1e-45]), grad: new Float32Array(3), decay: false, frozen: false };
  const adam = new Adam({ lr: 0.01 });
  const step = () => {
    for (const p of [W, b]) for (let k = 0; k < p.grad.length; k++) p.grad[k] = rng.normal();
    adam.step([W, b], 0.01);
  };
  for (let s = 0; s < 3; s++) step();
  rng.normal();
  return { W, b, adam, rng, step };
}

function problemsOf(text: string, layout: ExpectedLayout = expected): string[] {
  try {
    decodeCheckpoint(text, layout);
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointError);
    return (error as CheckpointError).problems;
  }
  throw new Error("decoded without complaint");
}

describe("version 1 checkpoints", () => {
  it("load from a file, from bytes and from text, with the saved run's params and state", () => {
    const run = replay();
    const text = readFileSync(FIXTURE, "utf8");
    for (const saved of [loadCheckpointFile(FIXTURE, expected), decodeCheckpoint(readFileSync(FIXTURE), expected), decodeCheckpoint(text, expected)]) {
      expect(bits(saved.params["enc.W"].values)).toEqual(bits(run.W.values));
      expect(bits(saved.params["enc.b"].values)).toEqual(bits(run.b.values));
      expect(bits(saved.params["out.W"].values)).toEqual(bits(new Float64Array([Math.PI, -Number.MIN_VALUE])));
      expect(saved.optimizer).toEqual(run.adam.state());
      expect(saved.rng).toEqual(run.rng.state());
      expect(saved.vocabularies).toEqual({ words: ["<pad>", "the", "ünïcode", "\"quoted\""] });
      expect(saved.meta).toEqual({ epoch: 3, history: [{ trainLoss: 0.5 }] });
    }
  });

  it("resume training exactly where the run was", () => {
    const run = replay();
    const saved = loadCheckpointFile(FIXTURE, expected);
    const W: Param = { ...run.W, values: Float32Array.from(saved.params["enc.W"].values), grad: new Float32Array(6) };
    const b: Param = { ...run.b, values: Float32Array.from(saved.params["enc.b"].values), grad: new Float32Array(3) };
    const adam = new Adam({ lr: 0.01 });
    adam.load(saved.optimizer);
    const rng = Rng.fromState(saved.rng);
    for (let s = 0; s < 3; s++) {
      run.step();
      for (const p of [W, b]) for (let k = 0; k < p.grad.length; k++) p.grad[k] = rng.normal();
      adam.step([W, b], 0.01);
    }
    expect(bits(W.values)).toEqual(bits(run.W.values));
    expect(bits(b.values)).toEqual(bits(run.b.values));
  });

  it("say what is wrong with a text that is not a checkpoint, or is damaged", () => {
    expect(problemsOf("{ not json")[0]).toMatch(/^not a checkpoint: the text is not JSON/);
    expect(problemsOf('{"format": "keras"}')).toEqual(['not an rnnc checkpoint (format "keras"; expected "rnnc-checkpoint")']);
    expect(problemsOf("[1, 2]")).toEqual(['not an rnnc checkpoint (no format field; expected "rnnc-checkpoint")']);
    expect(problemsOf('{"format": "rnnc-checkpoint", "version": 3}')).toEqual([
      "a JSON checkpoint of version 3 is not supported (checkpoints are version 1 as JSON, version 2 as binary)",
    ]);

    const json = JSON.parse(readFileSync(FIXTURE, "utf8"));
    json.params["enc.W"].values = json.params["enc.W"].values.slice(0, -8); // 24 bytes: now 18 — not whole floats
    json.params["enc.b"].values = "@@@@";
    json.params["out.W"].dtype = "int8";
    json.vocabularies.words = [1, 2];
    json.optimizer.m["enc.W"].$float32 = "!";
    expect(problemsOf(JSON.stringify(json))).toEqual([
      'parameter "enc.W": values are 18 bytes long, not a whole number of float32 values',
      'parameter "enc.b": values are not valid base64',
      'parameter "out.W": dtype "int8" is neither "float32" nor "float64"',
      'vocabulary "words" is not a list of strings',
      "optimizer.m.enc.W: values are not valid base64",
    ]);
  });

  it("list every problem in the error message", () => {
    const json = JSON.parse(readFileSync(FIXTURE, "utf8"));
    delete json.params["enc.b"];
    json.params["enc.W"].shape = [5];
    expect(() => decodeCheckpoint(JSON.stringify(json), expected)).toThrow(
      '2 problems:\n  parameter "enc.W": 6 values stored, shape [5] needs 5\n  parameter "enc.b" is missing from the checkpoint',
    );
  });

  it("are refused when they hold NaN or ±Infinity, naming the arrays and how many values", () => {
    const json = JSON.parse(readFileSync(FIXTURE, "utf8"));
    json.params["enc.b"].values = floatsToBase64(new Float32Array([NaN, 1, -Infinity]));
    json.optimizer.v["enc.W"] = { $float32: floatsToBase64(new Float32Array([1, 2, 3, 4, 5, Infinity])) };
    expect(problemsOf(JSON.stringify(json))).toEqual([
      'parameter "enc.b": 2 of 3 values are not finite (the first, [0], is NaN)',
      "optimizer.v.enc.W: 1 of 6 values are not finite (the first, [5], is Infinity)",
    ]);
  });
});
