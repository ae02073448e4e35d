// Version 2 checkpoints: binary, bounded only by memory and disk. Browser-safe; the Node file
// reader and writer (checkpoint-file.ts) stream the same layout tensor by tensor.
//
// A version 2 checkpoint is a safetensors file (https://github.com/huggingface/safetensors), so
// Python reads its tensors as they are (`safetensors.numpy.load_file("names.ckpt")`):
//
//   bytes 0 to 7     N: the header's length in bytes, an unsigned 64-bit little-endian integer
//   bytes 8 to 8+N   the header: UTF-8 JSON, padded with spaces so the data starts at a multiple of 8
//   then             the tensors' values, little-endian, back to back, no gaps; float64 tensors
//                    first, so every tensor starts at a multiple of its element size (typed arrays
//                    can view the bytes where they are)
//
// The header (line breaks added):
//   {"__metadata__":{"format":"rnnc-checkpoint","version":"2","crc32":"8c0e26d1","model":"tagger",
//                    "vocabularies":"{\"words\":[…]}","optimizer":"{…}","rng":"{…}","meta":"{…}"},
//    "enc.W":{"dtype":"F32","shape":[512,192],"data_offsets":[0,393216]}, …,
//    "optimizer/m/enc.W":{"dtype":"F32","shape":[98304],"data_offsets":[…]}, …}
// data_offsets are [begin, end) in bytes from the start of the data; dtype is F32 or F64.
// safetensors allows only strings in __metadata__, so vocabularies, optimizer, rng and meta are
// JSON texts there. Their typed arrays (an optimizer's moments are as big as the params) are
// tensors too, named by their path, with {"$tensor": "optimizer/m/enc.W"} where the array was.
// Every other tensor is a parameter.
//
// The header always begins with the same 67 bytes (bytes 8 to 74 of the file), the magic that
// tells a version 2 checkpoint from anything else:
//   {"__metadata__":{"format":"rnnc-checkpoint","version":"2","crc32":"
// The 8 hexadecimal digits that follow are the CRC-32 (checksum.ts) of the whole file, header and
// data, computed with those 8 digits as "00000000": a flipped byte anywhere, a truncated or an
// extended file, are refused on load.

import { crc32, crc32Hex } from "./checksum.ts";
import { CHECKPOINT_FORMAT, CheckpointError, define, isObject, isShape, problemsToSave, readVocabularies, sizeOf, type Checkpoint, type Decoded, type SavedParam } from "./checkpoint-shared.ts";
import type { FloatArray } from "./types.ts";

const MAGIC = `{"__metadata__":{"format":"${CHECKPOINT_FORMAT}",`; // any version
const PREFIX = `${MAGIC}"version":"2","crc32":"`;
const ZEROS = "00000000";
/** Where the checksum's 8 hexadecimal digits are, in bytes from the start of the file. */
export const CRC_AT = 8 + PREFIX.length;

type Dtype = "F32" | "F64";
export interface Tensor {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** Bytes from the start of the data: [begin, end). */
  begin: number;
  end: number;
}

/** A header, checked: what the file holds and where. */
export interface Layout {
  /** 8 + N: where the data starts. */
  dataStart: number;
  /** The file's size, as the header describes it. */
  size: number;
  crc: number;
  /** In the header's order (the order of the saved record: params, then state). */
  tensors: Tensor[];
  model: string;
  vocabularies: unknown;
  optimizer?: unknown;
  rng?: unknown;
  meta: unknown;
}

/** A checkpoint ready to write: the header (its checksum still "00000000"), then each tensor's values in file order. */
export interface Plan {
  header: Uint8Array;
  tensors: FloatArray[];
  size: number;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const encoder = new TextEncoder();

/** Throws a CheckpointError ("not saved: …") when the checkpoint holds a NaN, an infinity, or a shape its values do not fill. */
export function planCheckpoint(checkpoint: Checkpoint): Plan {
  const problems = problemsToSave(checkpoint);
  if (Object.hasOwn(checkpoint.params, "__metadata__")) problems.push('parameter "__metadata__": the name is the file format\'s own');
  if (problems.length > 0) throw new CheckpointError(problems, { lead: "not saved" });

  const arrays = new Map<string, { shape: readonly number[]; values: FloatArray }>();
  for (const [name, param] of Object.entries(checkpoint.params)) arrays.set(name, param);
  const metadata: Record<string, string> = { format: CHECKPOINT_FORMAT, version: "2", crc32: ZEROS, model: checkpoint.model };
  metadata.vocabularies = JSON.stringify(checkpoint.vocabularies);
  for (const section of ["optimizer", "rng", "meta"] as const) {
    if (checkpoint[section] !== undefined) metadata[section] = JSON.stringify(extractArrays(checkpoint[section], [section], arrays));
  }

  // Offsets: float64 first, so every tensor is aligned to its element size; the header keeps the record's order.
  const inFileOrder = [...arrays].sort(([, a], [, b]) => elementSize(b.values) - elementSize(a.values)); // stable
  const offsets = new Map<string, [number, number]>();
  let offset = 0;
  for (const [name, { values }] of inFileOrder) offsets.set(name, [offset, (offset += values.byteLength)]);
  // The header's text in order, the metadata first (an object would put a name like "0" before it, and move the magic).
  const entries = [...arrays].map(([name, { shape, values }]) => {
    const entry = { dtype: values instanceof Float32Array ? "F32" : "F64", shape: [...shape], data_offsets: offsets.get(name) };
    return `,${JSON.stringify(name)}:${JSON.stringify(entry)}`;
  });
  const text = `{"__metadata__":${JSON.stringify(metadata)}${entries.join("")}}`;
  if (!text.startsWith(PREFIX)) throw new Error(`internal error: a checkpoint header begins ${text.slice(0, PREFIX.length)}`);

  const json = encoder.encode(text);
  const length = Math.ceil((8 + json.length) / 8) * 8 - 8;
  const bytes = new Uint8Array(8 + length).fill(0x20); // the padding: spaces
  const view = new DataView(bytes.buffer);
  view.setUint32(0, length % 2 ** 32, true);
  view.setUint32(4, Math.floor(length / 2 ** 32), true);
  bytes.set(json, 8);
  return { header: bytes, tensors: inFileOrder.map(([, { values }]) => values), size: 8 + length + offset };
}

/** The header's length N, from the file's first 8 bytes (the header is bytes 8 to 8 + N). */
export function headerLength(start: Uint8Array): number {
  const view = new DataView(start.buffer, start.byteOffset, 8);
  return view.getUint32(4, true) * 2 ** 32 + view.getUint32(0, true);
}

/** What a file's first bytes (64, or all if fewer) say it is: "json" (version 1), "binary" (version 2), or why neither. */
export function sniff(start: Uint8Array): "json" | "binary" | string {
  // The binary magic first: it is exact, where JSON is recognized by its first "{".
  const seen = Math.min(MAGIC.length, start.length - 8);
  if (seen > 0 && MAGIC.split("").slice(0, seen).every((c, k) => start[8 + k] === c.charCodeAt(0))) {
    return seen === MAGIC.length ? "binary" : `truncated: the file has only ${start.length} bytes`;
  }
  let i = start[0] === 0xef && start[1] === 0xbb && start[2] === 0xbf ? 3 : 0; // a UTF-8 byte order mark
  while (i < start.length && (start[i] === 0x20 || start[i] === 0x0a || start[i] === 0x0d || start[i] === 0x09)) i++;
  if (start[i] === 0x7b) return "json"; // "{"
  if (start.length === 0) return "not a checkpoint: the file is empty";
  if (start.length < 8) return `not a checkpoint: the file has only ${start.length} bytes`;
  if (start[8] === 0x7b) return "not an rnnc checkpoint: a safetensors file without rnnc's metadata at the start of its header";
  return "not an rnnc checkpoint: neither JSON (version 1) nor rnnc's binary format (version 2)";
}

/** The checksum of a header whose digits are taken as "00000000"; the data's bytes continue it. */
export function headerCrc(header: Uint8Array): number {
  const before = crc32(header.subarray(0, CRC_AT));
  return crc32(header.subarray(CRC_AT + 8), crc32(encoder.encode(ZEROS), before));
}

/** The checksum recorded in a header that begins as rnnc writes them, or undefined. */
export function storedCrc(header: Uint8Array): number | undefined {
  if (header.length < CRC_AT + 8 || !PREFIX.split("").every((c, k) => header[8 + k] === c.charCodeAt(0))) return undefined;
  const digits = String.fromCharCode(...header.subarray(CRC_AT, CRC_AT + 8));
  return /^[0-9a-f]{8}$/.test(digits) ? parseInt(digits, 16) : undefined;
}

export function checkCrc(stored: number | undefined, actual: number): void {
  if (stored !== undefined && stored !== actual) {
    throw new CheckpointError([`damaged: its checksum does not match (CRC-32 ${crc32Hex(actual)}, the header records ${crc32Hex(stored)}): the file changed after it was written`]);
  }
}

export function checkSize(layout: Layout, size: number): void {
  if (size < layout.size) throw new CheckpointError([`truncated: the file has ${size} bytes, its header describes ${layout.size}`]);
  if (size > layout.size) throw new CheckpointError([`damaged: the file has ${size} bytes, ${size - layout.size} more than its header describes`]);
}

/** Reads the header (the file's first 8 + N bytes). Throws a CheckpointError naming every problem. */
export function parseHeader(header: Uint8Array): Layout {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(header.subarray(8)));
  } catch (error) {
    throw new CheckpointError([`the header is not JSON (${(error as Error).message})`]);
  }
  const metadata = isObject(json) ? json.__metadata__ : undefined;
  if (!isObject(json) || !isObject(metadata) || metadata.format !== CHECKPOINT_FORMAT) throw new CheckpointError(["not an rnnc checkpoint: its header has no rnnc metadata"]);
  if (metadata.version !== "2") throw new CheckpointError([`checkpoint version ${JSON.stringify(metadata.version)} is not supported (this runtime reads versions 1 and 2)`]);
  const crc = storedCrc(header);
  if (crc === undefined) throw new CheckpointError([`the header does not begin as rnnc writes it (${PREFIX} and 8 hexadecimal digits)`]);

  const problems: string[] = [];
  const text = (key: string, optional: boolean) => {
    const value = metadata[key];
    if (value === undefined && optional) return undefined;
    if (typeof value !== "string") return void problems.push(`the metadata's ${key} is ${JSON.stringify(value)}, not a string`);
    if (key === "model") return value;
    try {
      return JSON.parse(value) as unknown;
    } catch (error) {
      problems.push(`the metadata's ${key} is not JSON (${(error as Error).message})`);
    }
  };
  const dataStart = header.length;
  const layout: Layout = { dataStart, size: dataStart, crc, tensors: [], model: (text("model", false) as string | undefined) ?? "", vocabularies: text("vocabularies", false) ?? {}, meta: text("meta", true) ?? {} };
  for (const key of ["optimizer", "rng"] as const) {
    const value = text(key, true);
    if (value !== undefined) layout[key] = value;
  }
  const entries = Object.entries(json).filter(([name]) => name !== "__metadata__");
  for (const [name, entry] of entries) {
    const tensor = readTensor(name, entry, problems);
    if (tensor) layout.tensors.push(tensor);
  }
  // safetensors' rule, and a check of the header: the tensors tile the data exactly. (When an
  // entry could not be read, its bytes are unaccounted for: a gap would only repeat the problem.)
  let end = 0;
  for (const tensor of [...layout.tensors].sort((a, b) => a.begin - b.begin || a.end - b.end)) {
    if (tensor.begin !== end && layout.tensors.length === entries.length) {
      problems.push(`tensor "${tensor.name}": data_offsets [${tensor.begin}, ${tensor.end}] ${tensor.begin < end ? "overlap another tensor's" : "leave a gap before them"}`);
    }
    end = Math.max(end, tensor.end);
  }
  layout.size = dataStart + end;
  if (problems.length > 0) throw new CheckpointError(problems);
  return layout;
}

function readTensor(name: string, entry: unknown, problems: string[]): Tensor | undefined {
  const where = `tensor "${name}"`;
  if (!isObject(entry)) return void problems.push(`${where} is not an object`);
  const { dtype, shape, data_offsets: offsets } = entry;
  if (dtype !== "F32" && dtype !== "F64") return void problems.push(`${where}: dtype ${JSON.stringify(dtype)} is neither "F32" nor "F64"`);
  if (!isShape(shape)) return void problems.push(`${where}: shape ${JSON.stringify(shape)} is not a list of sizes`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((n) => Number.isSafeInteger(n) && n >= 0) || offsets[0] > offsets[1]) {
    return void problems.push(`${where}: data_offsets ${JSON.stringify(offsets)} are not [begin, end]`);
  }
  const [begin, end] = offsets as [number, number];
  const bytes = sizeOf(shape) * (dtype === "F32" ? 4 : 8);
  if (end - begin !== bytes) return void problems.push(`${where}: ${end - begin} bytes stored, shape [${shape.join(", ")}] of ${dtype} needs ${bytes}`);
  return { name, dtype, shape, begin, end };
}

/** A tensor's array, zero-filled, for the file reader to fill. */
export function allocate(tensor: Tensor): FloatArray {
  const count = (tensor.end - tensor.begin) / (tensor.dtype === "F32" ? 4 : 8);
  return tensor.dtype === "F32" ? new Float32Array(count) : new Float64Array(count);
}

/** The tensor's values from the whole file's bytes: a view of them where aligned (little-endian hosts), else a copy. */
export function tensorIn(file: Uint8Array, layout: Layout, tensor: Tensor): FloatArray {
  const at = layout.dataStart + tensor.begin;
  const width = tensor.dtype === "F32" ? 4 : 8;
  const count = (tensor.end - tensor.begin) / width;
  const aligned = littleEndian && (file.byteOffset + at) % width === 0;
  const bytes = aligned ? file : file.slice(at, tensor.end + layout.dataStart);
  const offset = aligned ? file.byteOffset + at : 0;
  const values = tensor.dtype === "F32" ? new Float32Array(bytes.buffer, offset, count) : new Float64Array(bytes.buffer, offset, count);
  return aligned ? values : fromLittleEndian(values);
}

/** The little-endian bytes of `values`: a view of them on little-endian hosts (every host rnnc runs on), else a swapped copy. */
export function littleEndianBytes(values: FloatArray): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return littleEndian ? bytes : swapped(bytes.slice(), elementSize(values));
}

/** Makes values read as little-endian bytes right on this host (in place; nothing to do on little-endian hosts). */
export function fromLittleEndian<A extends FloatArray>(values: A): A {
  if (!littleEndian) swapped(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), elementSize(values));
  return values;
}

function swapped(bytes: Uint8Array, width: number): Uint8Array {
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
  return bytes;
}

const elementSize = (values: FloatArray) => (values instanceof Float32Array ? 4 : 8);

/** The checkpoint from a header and its tensors' values: state arrays back in place, the other tensors as params. */
export function assemble(layout: Layout, values: ReadonlyMap<string, FloatArray>): { decoded: Decoded; problems: string[] } {
  const problems: string[] = [];
  const referenced = new Set<string>();
  const revive = (value: unknown, path: string): unknown => {
    if (Array.isArray(value)) return value.map((x, i) => revive(x, `${path}[${i}]`));
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "$tensor" && typeof value.$tensor === "string") {
      const array = values.get(value.$tensor);
      if (array) referenced.add(value.$tensor);
      else problems.push(`${path}: there is no tensor "${value.$tensor}" in the file`);
      return array ?? value;
    }
    const result: Record<string, unknown> = {};
    for (const key of keys) define(result, key, revive(value[key], `${path}.${key}`));
    return result;
  };
  const meta = revive(layout.meta, "meta");
  if (!isObject(meta)) problems.push("meta is not an object");
  const decoded: Decoded = { model: layout.model, params: {}, stored: new Set(), vocabularies: readVocabularies(layout.vocabularies, problems), meta: isObject(meta) ? meta : {} };
  if (layout.optimizer !== undefined) decoded.optimizer = revive(layout.optimizer, "optimizer");
  if (layout.rng !== undefined) decoded.rng = revive(layout.rng, "rng");
  for (const tensor of layout.tensors) {
    if (referenced.has(tensor.name)) continue;
    decoded.stored.add(tensor.name);
    define<SavedParam>(decoded.params, tensor.name, { shape: tensor.shape, values: values.get(tensor.name)! });
  }
  return { decoded, problems };
}

/** The arrays inside `value` moved to `arrays` (named by their path), {"$tensor": name} in their place. */
function extractArrays(value: unknown, path: string[], arrays: Map<string, { shape: readonly number[]; values: FloatArray }>): unknown {
  if (value instanceof Float32Array || value instanceof Float64Array) {
    let name = path.join("/");
    for (let k = 2; arrays.has(name); k++) name = `${path.join("/")}#${k}`; // a param of that name: unlikely, but possible
    arrays.set(name, { shape: [value.length], values: value });
    return { $tensor: name };
  }
  if (ArrayBuffer.isView(value)) throw new TypeError(`a checkpoint holds Float32Array and Float64Array, not ${value.constructor.name}`);
  if (Array.isArray(value)) return value.map((x, i) => extractArrays(x, [...path, String(i)], arrays));
  if (!isObject(value) || typeof value.toJSON === "function") return value; // JSON.stringify does the rest (a Date's toJSON)
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(value)) define(result, key, extractArrays(value[key], [...path, key], arrays));
  return result;
}
