// Checkpoints: bit-exact round trips, resumable training state, clear errors, atomic files.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, type Checkpoint, type ExpectedLayout } from "../../runtime/checkpoint.ts";
import { loadCheckpointFile, saveCheckpointFile, temporaryPathFor } from "../../runtime/checkpoint-file.ts";
import { Adam, type Param } from "../../runtime/optimizers.ts";
import { Rng } from "../../runtime/rng.ts";

/** Every float32 oddity: signed zeros, the smallest subnormal, the largest finite, infinities, NaN. */
const awkward = new Float32Array([0, -0, 1e-45, -3.4028234663852886e38, Infinity, -Infinity, NaN, 0.1, 1 / 3]);

function sample(): Checkpoint {
  const rng = new Rng(1);
  return {
    model: "tagger",
    params: {
      "enc.W": { shape: [4, 3], values: Float32Array.from({ length: 12 }, () => rng.normal()) },
      "enc.b": { shape: [9], values: awkward },
      "out.W": { shape: [2], values: new Float64Array([Math.PI, -Number.MIN_VALUE]) },
    },
    vocabularies: { words: ["<pad>", "the", "ünïcode", "\"quoted\""] },
    rng: rng.state(),
    meta: { epoch: 3, loss: 0.25 },
  };
}

const expected: ExpectedLayout = { model: "tagger", params: { "enc.W": [4, 3], "enc.b": [9], "out.W": [2] } };
const bits = (values: Float32Array | Float64Array) =>
  [...new Uint8Array(values.buffer, values.byteOffset, values.byteLength)];

function problemsOf(text: string, layout: ExpectedLayout = expected): string[] {
  try {
    decodeCheckpoint(text, layout);
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointError);
    return (error as CheckpointError).problems;
  }
  throw new Error("decoded without complaint");
}

describe("encodeCheckpoint / decodeCheckpoint", () => {
  it("round-trips parameters bit for bit, in their own precision", () => {
    const original = sample();
    const decoded = decodeCheckpoint(encodeCheckpoint(original), expected);
    for (const [name, { shape, values }] of Object.entries(original.params)) {
      expect(decoded.params[name].shape).toEqual(shape);
      expect(decoded.params[name].values.constructor).toBe(values.constructor);
      expect(bits(decoded.params[name].values)).toEqual(bits(values));
    }
    expect(decoded.vocabularies).toEqual(original.vocabularies);
    expect(decoded.meta).toEqual(original.meta);
    expect(decoded.rng).toEqual(original.rng);
  });

  it("writes the documented format, values as base64", () => {
    const json = JSON.parse(encodeCheckpoint(sample()));
    expect(json.format).toBe("rnnc-checkpoint");
    expect(json.version).toBe(1);
    expect(json.params["enc.b"]).toMatchObject({ shape: [9], dtype: "float32" });
    expect(json.params["enc.b"].values).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it("carries the optimizer and rng so training resumes exactly", () => {
    const run = (adam: Adam, rng: Rng, p: Param, steps: number) => {
      for (let i = 0; i < steps; i++) {
        for (let k = 0; k < p.grad.length; k++) p.grad[k] = rng.normal();
        adam.step([p], 0.01);
      }
    };
    const p: Param = { name: "W", values: new Float32Array([0.5, -0.25, 2]), grad: new Float32Array(3), decay: true, frozen: false };
    const adam = new Adam({ lr: 0.01 });
    const rng = new Rng(7);
    run(adam, rng, p, 4);
    const text = encodeCheckpoint({
      model: "m", params: { W: { shape: [3], values: p.values } }, vocabularies: {},
      optimizer: adam.state(), rng: rng.state(), meta: {},
    });
    run(adam, rng, p, 4);

    const saved = decodeCheckpoint(text);
    const q: Param = { ...p, values: saved.params.W.values, grad: new Float32Array(3) };
    const resumed = new Adam({ lr: 0.01 });
    resumed.load(saved.optimizer);
    run(resumed, Rng.fromState(saved.rng), q, 4);
    expect(bits(q.values)).toEqual(bits(p.values));
  });

  it("names every parameter that is missing, extra or of the wrong shape", () => {
    const text = encodeCheckpoint(sample());
    const problems = problemsOf(text, { model: "tagger", params: { "enc.W": [3, 4], "enc.b": [9], "dec.W": [2, 2] } });
    expect(problems).toEqual([
      'parameter "enc.W" has shape [4, 3] in the checkpoint, the model expects [3, 4]',
      'parameter "dec.W" is missing from the checkpoint',
      'parameter "out.W" is in the checkpoint but not in the model',
    ]);
    expect(problemsOf(text, { model: "parity", params: expected.params })).toEqual(['the checkpoint is for model "tagger", not "parity"']);
  });

  it("says what is wrong with a file that is not a checkpoint, or is damaged", () => {
    expect(problemsOf("{ not json")[0]).toMatch(/^not a checkpoint: the text is not JSON/);
    expect(problemsOf('{"format": "keras"}')).toEqual(['not an rnnc checkpoint (format "keras"; expected "rnnc-checkpoint")']);
    expect(problemsOf("[1, 2]")).toEqual(['not an rnnc checkpoint (no format field; expected "rnnc-checkpoint")']);
    expect(problemsOf('{"format": "rnnc-checkpoint", "version": 2}')).toEqual([
      "checkpoint version 2 is not supported (this runtime reads version 1)",
    ]);

    const json = JSON.parse(encodeCheckpoint(sample()));
    json.params["enc.W"].values = json.params["enc.W"].values.slice(0, -16); // 64 characters, 48 bytes: now 36
    json.params["enc.b"].values = "@@@@";
    json.params["out.W"].dtype = "int8";
    json.vocabularies.words = [1, 2];
    expect(problemsOf(JSON.stringify(json))).toEqual([
      'parameter "enc.W": 9 values stored, shape [4, 3] needs 12',
      'parameter "enc.b": values are not valid base64',
      'parameter "out.W": dtype "int8" is neither "float32" nor "float64"',
      'vocabulary "words" is not a list of strings',
    ]);
  });

  it("says when stored values are not whole floats", () => {
    const json = JSON.parse(encodeCheckpoint(sample()));
    json.params["enc.W"].values = json.params["enc.W"].values.slice(0, -8); // 42 bytes
    expect(problemsOf(JSON.stringify(json))[0]).toBe('parameter "enc.W": values are 42 bytes long, not a whole number of float32 values');
  });

  it("lists every problem in the error message", () => {
    const json = JSON.parse(encodeCheckpoint(sample()));
    delete json.params["enc.b"];
    json.params["enc.W"].shape = [5];
    expect(() => decodeCheckpoint(JSON.stringify(json), expected)).toThrow(
      '2 problems:\n  parameter "enc.W": 12 values stored, shape [5] needs 5\n  parameter "enc.b" is missing from the checkpoint',
    );
  });

  it("is not fooled by parameter names that are Object.prototype's", () => {
    const text = encodeCheckpoint({ ...sample(), params: { PROTO: { shape: [1], values: new Float32Array([1]) } } });
    expect(problemsOf(text.replace('"PROTO"', '"__proto__"'), { model: "tagger", params: { constructor: [1] } })).toEqual([
      'parameter "constructor" is missing from the checkpoint',
      'parameter "__proto__" is in the checkpoint but not in the model',
    ]);
    expect(Object.keys(decodeCheckpoint(text.replace('"PROTO"', '"__proto__"')).params)).toEqual(["__proto__"]);
  });
});

describe("checkpoint files", () => {
  const dir = mkdtempSync(join(tmpdir(), "rnnc-checkpoint-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("saves and loads", () => {
    const path = join(dir, "saved.json");
    saveCheckpointFile(path, sample());
    const loaded = loadCheckpointFile(path, expected);
    expect(bits(loaded.params["enc.b"].values)).toEqual(bits(awkward));
    expect(() => readFileSync(temporaryPathFor(path))).toThrow(/ENOENT/); // no temporary file left behind
  });

  it("leaves the old checkpoint intact when writing the new one fails", () => {
    const path = join(dir, "kept.json");
    saveCheckpointFile(path, sample());
    const before = readFileSync(path, "utf8");
    mkdirSync(temporaryPathFor(path)); // a directory where the temporary file should go
    const newer = { ...sample(), meta: { epoch: 4 } };
    expect(() => saveCheckpointFile(path, newer)).toThrow(`${path}: could not save the checkpoint: a directory is in the way`);
    expect(readFileSync(path, "utf8")).toBe(before);
    rmSync(temporaryPathFor(path), { recursive: true });
    saveCheckpointFile(path, newer);
    expect(loadCheckpointFile(path).meta).toEqual({ epoch: 4 });
  });

  it("says which file could not be loaded, and why", () => {
    const missing = join(dir, "missing.json");
    expect(() => loadCheckpointFile(missing)).toThrow(`${missing}: could not read the checkpoint: no such file or directory`);
    const corrupt = join(dir, "corrupt.json");
    writeFileSync(corrupt, '{"format": "rnnc-checkpoint", "version": 1, "model": "m", "params": {"W": 3}}');
    expect(() => loadCheckpointFile(corrupt)).toThrow(`${corrupt}: parameter "W" is not an object`);
  });
});
