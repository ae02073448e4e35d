// Checkpoints never load garbage: a flipped byte (in the data or in the header), a truncated or
// extended file, a file that is not a checkpoint, and NaN or ±Infinity values are all refused,
// naming the file and what is wrong; and nothing non-finite is ever saved — not by
// saveCheckpointFile, and not by `rnnc train`'s saveRun over the last good checkpoint.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { saveRun, type RunMeta, type RunState } from "../../cli/checkpoints.ts";
import { Stop } from "../../cli/stop.ts";
import { Vocabulary } from "../../data/vocabulary.ts";
import { CRC_AT } from "../../runtime/checkpoint-binary.ts";
import { loadCheckpointFile, saveCheckpointFile } from "../../runtime/checkpoint-file.ts";
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, type Checkpoint } from "../../runtime/checkpoint.ts";
import { crc32, crc32Hex } from "../../runtime/checksum.ts";
import type { CompiledModel } from "../../runtime/model.ts";
import { Sgd } from "../../runtime/optimizers.ts";
import { Rng } from "../../runtime/rng.ts";

const dir = mkdtempSync(join(tmpdir(), "rnnc-damage-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sample = (): Checkpoint => ({
  model: "m",
  params: { "enc.W": { shape: [3, 4], values: Float32Array.from({ length: 12 }, (_, i) => i / 7) }, "enc.b": { shape: [4], values: new Float32Array(4) } },
  vocabularies: { words: ["<pad>", "a", "b"] },
  optimizer: { kind: "sgd", steps: 1, velocity: { "enc.W": new Float32Array(12).fill(0.25) } },
  meta: { epoch: 3 },
});

/** The file `bytes` saved as `name`, and what loading it says. */
function load(name: string, bytes: Uint8Array): { path: string; error: CheckpointError } {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  try {
    loadCheckpointFile(path);
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message.startsWith(`${path}: `)).toBe(true); // the file is named
    expect(() => decodeCheckpoint(bytes)).toThrow(CheckpointError); // and the same bytes in memory are refused too
    return { path, error: error as CheckpointError };
  }
  throw new Error(`${name} loaded without complaint`);
}

/** Rewrites the checksum, as if the damage had been written by rnnc itself. */
function rechecksum(bytes: Uint8Array): Uint8Array {
  bytes.set(new TextEncoder().encode("00000000"), CRC_AT);
  bytes.set(new TextEncoder().encode(crc32Hex(crc32(bytes))), CRC_AT);
  return bytes;
}

const headerText = (bytes: Uint8Array) => new TextDecoder().decode(bytes.subarray(0, 2000));
const dataStart = (bytes: Uint8Array) => 8 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);

describe("a damaged checkpoint", () => {
  it("is refused when a byte of its data or header changed, naming the file", () => {
    const good = encodeCheckpoint(sample());
    const inData = good.slice();
    inData[good.length - 5] ^= 0x10;
    expect(load("data.ckpt", inData).error.problems).toEqual([
      expect.stringMatching(/^damaged: its checksum does not match \(CRC-32 [0-9a-f]{8}, the header records [0-9a-f]{8}\): the file changed after it was written$/),
    ]);
    const inMeta = good.slice(); // still valid JSON, a different epoch: only the checksum can tell
    inMeta[headerText(good).indexOf('epoch\\":3') + 9] = "4".charCodeAt(0);
    expect(load("meta.ckpt", inMeta).error.problems[0]).toMatch(/^damaged: its checksum does not match/);
    const inSyntax = good.slice(); // no longer JSON: still reported as damage, not as a strange header
    inSyntax[headerText(good).indexOf('"shape"') + 3] = "}".charCodeAt(0);
    expect(load("syntax.ckpt", inSyntax).error.problems[0]).toMatch(/^damaged: its checksum does not match/);
  });

  it("is refused when truncated or extended, saying so", () => {
    const good = encodeCheckpoint(sample());
    const start = dataStart(good);
    const size = good.length;
    expect(load("short1.ckpt", good.slice(0, size - 1)).error.problems).toEqual([`truncated: the file has ${size - 1} bytes, its header describes ${size}`]);
    expect(load("header.ckpt", good.slice(0, start)).error.problems).toEqual([`truncated: the file has ${start} bytes, its header describes ${size}`]);
    expect(load("mid-header.ckpt", good.slice(0, 100)).error.problems).toEqual([`truncated: the file has 100 bytes, its header alone claims ${start}`]);
    expect(load("magic.ckpt", good.slice(0, 40)).error.problems).toEqual(["truncated: the file has only 40 bytes"]);
    expect(load("empty.ckpt", new Uint8Array(0)).error.problems).toEqual(["not a checkpoint: the file is empty"]);
    const longer = new Uint8Array(size + 3);
    longer.set(good);
    expect(load("long.ckpt", longer).error.problems).toEqual([`damaged: the file has ${size + 3} bytes, 3 more than its header describes`]);
  });

  it("is refused when it is not an rnnc checkpoint, or of another version", () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    expect(load("image.png", png).error.problems).toEqual(["not an rnnc checkpoint: neither JSON (version 1) nor rnnc's binary format (version 2)"]);
    const foreign = new TextEncoder().encode('        {"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}    ');
    new DataView(foreign.buffer).setUint32(0, foreign.length - 8 - 4, true);
    expect(load("foreign.safetensors", foreign).error.problems).toEqual(["not an rnnc checkpoint: a safetensors file without rnnc's metadata at the start of its header"]);
    const future = encodeCheckpoint(sample());
    future[headerText(future).indexOf('"version":"2"') + 11] = "3".charCodeAt(0);
    expect(load("future.ckpt", rechecksum(future)).error.problems).toEqual(['checkpoint version "3" is not supported (this runtime reads versions 1 and 2)']);
  });

  it("is refused when it is a device, not a file (a directory: checkpoint.test.ts)", () => {
    expect(() => loadCheckpointFile("/dev/zero")).toThrow(new CheckpointError(["not a checkpoint: not a regular file (a device or a pipe)"], { file: "/dev/zero" }));
  });

  it("is refused when its header does not describe its data exactly", () => {
    const bytes = encodeCheckpoint(sample());
    const text = headerText(bytes);
    const at = text.indexOf('"shape":[4]');
    bytes[at + 9] = "5".charCodeAt(0); // enc.b: [5] needs 20 bytes, 16 are stored
    expect(load("shape.ckpt", rechecksum(bytes)).error.problems).toEqual(['tensor "enc.b": 16 bytes stored, shape [5] of F32 needs 20']);
    const overlapping = encodeCheckpoint(sample());
    overlapping.set(new TextEncoder().encode("[32,48]"), headerText(overlapping).indexOf("[48,64]")); // enc.b inside enc.W
    expect(load("overlap.ckpt", rechecksum(overlapping)).error.problems).toEqual([
      'tensor "enc.b": data_offsets [32, 48] overlap another tensor\'s',
      'tensor "optimizer/velocity/enc.W": data_offsets [64, 112] leave a gap before them',
    ]);
  });
});

describe("non-finite values", () => {
  /** The sample saved, then NaN and infinities written into its bytes (checksum rewritten): what a buggy writer would leave. */
  function poisoned(): Uint8Array {
    const bytes = encodeCheckpoint(sample());
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, dataStart(bytes))));
    const view = new DataView(bytes.buffer);
    const put = (tensor: string, index: number, value: number) => view.setFloat32(dataStart(bytes) + header[tensor].data_offsets[0] + 4 * index, value, true);
    put("enc.W", 3, NaN);
    put("enc.W", 7, Infinity);
    put("optimizer/velocity/enc.W", 0, -Infinity);
    return rechecksum(bytes);
  }

  it("are refused on load, naming every array and how many values", () => {
    expect(load("nan.ckpt", poisoned()).error.problems).toEqual([
      'parameter "enc.W": 2 of 12 values are not finite (the first, [3], is NaN)',
      "optimizer.velocity.enc.W: 1 of 12 values are not finite (the first, [0], is -Infinity)",
    ]);
  });

  it("are never saved: encodeCheckpoint and saveCheckpointFile refuse them and leave the old file", () => {
    const path = join(dir, "refused.ckpt");
    saveCheckpointFile(path, sample());
    const before = readFileSync(path);
    const bad = sample();
    bad.params["enc.b"].values[2] = NaN;
    const message = `${path}: not saved: parameter "enc.b": 1 of 4 values are not finite (the first, [2], is NaN)`;
    expect(() => saveCheckpointFile(path, bad)).toThrow(message);
    expect(() => encodeCheckpoint(bad)).toThrow('not saved: parameter "enc.b"');
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("stop rnnc train's saveRun with a message naming them, leaving the last good checkpoint", () => {
    const model = { name: "m", params: [{ name: "W", shape: [2, 2] }] } as unknown as CompiledModel<Float32Array>;
    const state: RunState<Float32Array> = {
      model,
      params: new Map([["W", new Float32Array([1, 2, 3, 4])]]),
      vocabularies: new Map([["words", Vocabulary.build("token", ["a", "b"])]]),
      optimizer: new Sgd({ lr: 0.1 }),
      rng: new Rng(1),
    };
    const meta = { epoch: 1 } as RunMeta;
    const path = join(dir, "run.ckpt");
    saveRun(path, state, meta);
    const before = readFileSync(path);
    state.params.get("W")![1] = -Infinity;
    expect(() => saveRun(path, state, meta)).toThrow(Stop);
    expect(() => saveRun(path, state, meta)).toThrow(
      `${path}: not saved: parameter "W": 1 of 4 values are not finite (the first, [1], is -Infinity)\n  ${path} is left as it was`,
    );
    expect(readFileSync(path).equals(before)).toBe(true);
    const fresh = join(dir, "fresh.ckpt");
    expect(() => saveRun(fresh, state, meta)).toThrow("no checkpoint was written");
    expect(existsSync(fresh)).toBe(false);
  });
});
