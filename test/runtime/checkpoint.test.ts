// Checkpoints (version 2): bit-exact round trips, the documented safetensors layout, resumable
// training state, clear errors, atomic files that are recognized by their content.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 as zlibCrc32 } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, type Checkpoint, type ExpectedLayout } from "../../runtime/checkpoint.ts";
import { loadCheckpointFile, saveCheckpointFile, temporaryPathFor } from "../../runtime/checkpoint-file.ts";
import { Adam, type Param } from "../../runtime/optimizers.ts";
import { Rng } from "../../runtime/rng.ts";

/** Every finite float32 oddity: signed zeros, the smallest subnormal, the largest finite, inexact decimals. */
const awkward = new Float32Array([0, -0, 1e-45, -3.4028234663852886e38, 3.4028234663852886e38, 0.1, 1 / 3, -1e-38, 7]);

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
const bits = (values: Float32Array | Float64Array) => [...new Uint8Array(values.buffer, values.byteOffset, values.byteLength)];

function problemsOf(data: Uint8Array, layout: ExpectedLayout = expected): string[] {
  try {
    decodeCheckpoint(data, layout);
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointError);
    return (error as CheckpointError).problems;
  }
  throw new Error("decoded without complaint");
}

/** A safetensors reader written from its specification alone, as another program would read the file. */
function readSafetensors(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const length = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  const tensors: Record<string, number[]> = {};
  for (const [name, entry] of Object.entries(header) as [string, { dtype: string; data_offsets: number[] }][]) {
    if (name === "__metadata__") continue;
    const { dtype, data_offsets: [begin, end] } = entry;
    const raw = bytes.slice(8 + length + begin, 8 + length + end);
    tensors[name] = [...(dtype === "F32" ? new Float32Array(raw.buffer) : new Float64Array(raw.buffer))];
  }
  return { length, header, tensors };
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
    expect(Object.keys(decoded.params)).toEqual(Object.keys(original.params));
    expect(decoded.vocabularies).toEqual(original.vocabularies);
    expect(decoded.meta).toEqual(original.meta);
    expect(decoded.rng).toEqual(original.rng);
  });

  it("writes the documented layout: a safetensors file with rnnc's metadata and a CRC-32", () => {
    const bytes = encodeCheckpoint({ ...sample(), optimizer: { kind: "sgd", steps: 2, velocity: { "enc.W": new Float32Array(12).fill(0.5) } } });
    const magic = '{"__metadata__":{"format":"rnnc-checkpoint","version":"2","crc32":"';
    expect(new TextDecoder().decode(bytes.subarray(8, 8 + magic.length))).toBe(magic);
    const { length, header, tensors } = readSafetensors(bytes);
    expect((8 + length) % 8).toBe(0); // the data starts aligned
    expect(header["enc.W"]).toEqual({ dtype: "F32", shape: [4, 3], data_offsets: [16, 64] }); // after out.W: float64 first
    expect(header["out.W"]).toEqual({ dtype: "F64", shape: [2], data_offsets: [0, 16] });
    expect(tensors["enc.b"]).toEqual([...awkward]);
    expect(tensors["optimizer/velocity/enc.W"]).toEqual(Array(12).fill(0.5)); // the moments are binary too
    const metadata = header.__metadata__;
    expect(Object.values(metadata).every((value) => typeof value === "string")).toBe(true); // safetensors' rule
    expect(metadata).toMatchObject({ format: "rnnc-checkpoint", version: "2", model: "tagger" });
    expect(JSON.parse(metadata.optimizer)).toEqual({ kind: "sgd", steps: 2, velocity: { "enc.W": { $tensor: "optimizer/velocity/enc.W" } } });
    expect(JSON.parse(metadata.vocabularies)).toEqual(sample().vocabularies);
    // The checksum: the file's CRC-32 with its own 8 digits taken as zeros.
    const zeroed = bytes.slice();
    zeroed.set(new TextEncoder().encode("00000000"), 8 + magic.length);
    expect(metadata.crc32).toBe(zlibCrc32(zeroed).toString(16).padStart(8, "0"));
    expect(bytes.length).toBe(8 + length + 16 + 48 + 36 + 48);
  });

  it("carries the optimizer and rng so training resumes bit-identically, in memory and through a file", () => {
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
    rng.normal(); // an odd number of normals: the spare one is part of the state
    const checkpoint = { model: "m", params: { W: { shape: [3], values: p.values } }, vocabularies: {}, optimizer: adam.state(), rng: rng.state(), meta: {} };
    const bytes = encodeCheckpoint(checkpoint);
    const dir = mkdtempSync(join(tmpdir(), "rnnc-resume-"));
    saveCheckpointFile(join(dir, "m.ckpt"), checkpoint);
    run(adam, rng, p, 4);

    for (const saved of [decodeCheckpoint(bytes), loadCheckpointFile(join(dir, "m.ckpt"))]) {
      const q: Param = { ...p, values: Float32Array.from(saved.params.W.values), grad: new Float32Array(3) };
      const resumed = new Adam({ lr: 0.01 });
      resumed.load(saved.optimizer);
      const resumedRng = Rng.fromState(saved.rng);
      run(resumed, resumedRng, q, 4);
      expect(bits(q.values)).toEqual(bits(p.values));
      expect(resumedRng.state()).toEqual(rng.state());
      expect(resumed.state()).toEqual(adam.state());
    }
    rmSync(dir, { recursive: true });
  });

  it("names every parameter that is missing, extra or of the wrong shape", () => {
    const bytes = encodeCheckpoint(sample());
    const problems = problemsOf(bytes, { model: "tagger", params: { "enc.W": [3, 4], "enc.b": [9], "dec.W": [2, 2] } });
    expect(problems).toEqual([
      'parameter "enc.W" has shape [4, 3] in the checkpoint, the model expects [3, 4]',
      'parameter "dec.W" is missing from the checkpoint',
      'parameter "out.W" is in the checkpoint but not in the model',
    ]);
    expect(problemsOf(bytes, { model: "parity", params: expected.params })).toEqual(['the checkpoint is for model "tagger", not "parity"']);
  });

  it("is not fooled by parameter names that are Object.prototype's", () => {
    const bytes = encodeCheckpoint({ ...sample(), params: { ["__proto__"]: { shape: [1], values: new Float32Array([1]) } } as Checkpoint["params"] });
    expect(problemsOf(bytes, { model: "tagger", params: { constructor: [1] } })).toEqual([
      'parameter "constructor" is missing from the checkpoint',
      'parameter "__proto__" is in the checkpoint but not in the model',
    ]);
    expect(Object.keys(decodeCheckpoint(bytes).params)).toEqual(["__proto__"]);
    const numbered = encodeCheckpoint({ ...sample(), params: { "enc.W": sample().params["enc.W"], 0: { shape: [1], values: new Float32Array([5]) } } });
    expect([...decodeCheckpoint(numbered).params[0].values]).toEqual([5]); // a name like "0" does not move the magic
  });

  it("holds empty parameters, and no parameters at all", () => {
    const empty = { model: "m", params: { a: { shape: [2], values: new Float32Array([1, 2]) }, e: { shape: [0, 3], values: new Float32Array(0) }, b: { shape: [1], values: new Float32Array([3]) } }, vocabularies: {}, meta: {} };
    const decoded = decodeCheckpoint(encodeCheckpoint(empty), { params: { a: [2], e: [0, 3], b: [1] } });
    expect(Object.fromEntries(Object.entries(decoded.params).map(([name, p]) => [name, [...p.values]]))).toEqual({ a: [1, 2], e: [], b: [3] });
    expect(decodeCheckpoint(encodeCheckpoint({ model: "none", params: {}, vocabularies: {}, meta: {} })).params).toEqual({});
  });

  it("reads an ArrayBuffer, a Uint8Array anywhere in its buffer, and a Node Buffer alike", () => {
    const bytes = encodeCheckpoint(sample());
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3); // misaligned: the arrays are copied instead of viewed
    for (const data of [bytes.slice().buffer, shifted.subarray(3), Buffer.from(bytes)]) {
      expect(bits(decodeCheckpoint(data, expected).params["out.W"].values)).toEqual(bits(sample().params["out.W"].values));
    }
  });
});

describe("checkpoint files", () => {
  const dir = mkdtempSync(join(tmpdir(), "rnnc-checkpoint-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("saves the bytes encodeCheckpoint gives, and loads them", () => {
    const path = join(dir, "saved.ckpt");
    saveCheckpointFile(path, sample());
    expect(readFileSync(path).equals(encodeCheckpoint(sample()))).toBe(true);
    const loaded = loadCheckpointFile(path, expected);
    expect(bits(loaded.params["enc.b"].values)).toEqual(bits(awkward));
    expect(loaded.meta).toEqual(sample().meta);
    expect(() => readFileSync(temporaryPathFor(path))).toThrow(/ENOENT/); // no temporary file left behind
  });

  it("recognizes the format by the content, whatever the file's name", () => {
    const binary = join(dir, "binary.ckpt.json");
    saveCheckpointFile(binary, sample());
    const json = join(dir, "json.ckpt");
    writeFileSync(json, readFileSync("test/runtime/fixtures/v1-checkpoint.json"));
    expect(loadCheckpointFile(binary).model).toBe("tagger");
    expect(loadCheckpointFile(json).model).toBe("tagger");
  });

  it("leaves the old checkpoint intact when writing the new one fails", () => {
    const path = join(dir, "kept.ckpt");
    saveCheckpointFile(path, sample());
    const before = readFileSync(path);
    mkdirSync(temporaryPathFor(path)); // a directory where the temporary file should go
    const newer = { ...sample(), meta: { epoch: 4 } };
    expect(() => saveCheckpointFile(path, newer)).toThrow(`${path}: could not save the checkpoint: a directory is in the way`);
    expect(readFileSync(path).equals(before)).toBe(true);
    rmSync(temporaryPathFor(path), { recursive: true });
    saveCheckpointFile(path, newer);
    expect(loadCheckpointFile(path).meta).toEqual({ epoch: 4 });
  });

  it("says which file could not be loaded, and why", () => {
    const missing = join(dir, "missing.ckpt");
    expect(() => loadCheckpointFile(missing)).toThrow(`${missing}: could not read the checkpoint: no such file or directory`);
    const corrupt = join(dir, "corrupt.json");
    writeFileSync(corrupt, '{"format": "rnnc-checkpoint", "version": 1, "model": "m", "params": {"W": 3}}');
    expect(() => loadCheckpointFile(corrupt)).toThrow(`${corrupt}: parameter "W" is not an object`);
    const error = (() => {
      try {
        loadCheckpointFile(join(dir, "saved.ckpt"), { model: "other", params: {} });
      } catch (e) {
        return e as CheckpointError;
      }
    })();
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error?.file).toBe(join(dir, "saved.ckpt"));
    expect(error?.problems[0]).toBe('the checkpoint is for model "tagger", not "other"');
    expect(() => loadCheckpointFile(dir)).toThrow(`${dir}: could not read the checkpoint: a directory is in the way`);
  });
});
