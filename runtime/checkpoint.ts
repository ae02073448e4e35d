// Checkpoints: a trained model's parameters, vocabularies, and (to resume training exactly) the
// optimizer's and RNG's state. Browser-safe: this reads and writes bytes in memory (what a page
// fetches); files, written and read tensor by tensor, are checkpoint-file.ts (Node).
//
// Two formats, told apart by their first bytes, never by a file's name:
//   version 2 (written): binary, safetensors-compatible, with a CRC-32 — checkpoint-binary.ts
//   version 1 (read only): one JSON text, values as base64 — checkpoint-v1.ts
// Either way a checkpoint that holds NaN or ±Infinity is refused, on load and on save.

import { assemble, checkCrc, checkSize, CRC_AT, headerCrc, headerLength, littleEndianBytes, parseHeader, planCheckpoint, sniff, storedCrc, tensorIn } from "./checkpoint-binary.ts";
import { CheckpointError, finish, type Checkpoint, type Decoded, type ExpectedLayout } from "./checkpoint-shared.ts";
import { decodeJsonCheckpoint } from "./checkpoint-v1.ts";
import { crc32, crc32Hex } from "./checksum.ts";

export { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, CheckpointError, type Checkpoint, type ExpectedLayout, type SavedParam } from "./checkpoint-shared.ts";

/** What decodeCheckpoint reads: a file's bytes (either version), or the text of a version 1 file. */
export type CheckpointData = string | ArrayBuffer | ArrayBufferView;

/**
 * The checkpoint as the bytes of a version 2 file, in one buffer. For files, saveCheckpointFile
 * writes the same bytes without assembling them. Throws a CheckpointError ("not saved: …") when a
 * parameter or state array holds NaN or ±Infinity, or a shape its values do not fill.
 */
export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const plan = planCheckpoint(checkpoint);
  const bytes = new Uint8Array(plan.size);
  bytes.set(plan.header);
  let at = plan.header.length;
  for (const values of plan.tensors) {
    bytes.set(littleEndianBytes(values), at);
    at += values.byteLength;
  }
  // The header's digits are still "00000000": the checksum of the buffer as it is is the file's.
  bytes.set(new TextEncoder().encode(crc32Hex(crc32(bytes))), CRC_AT);
  return bytes;
}

/**
 * Reads a checkpoint, checking that it is whole (version 2: its size and checksum), that every
 * number in it is finite and, when `expected` is given, that it fits: the same model, every
 * expected parameter present with the expected shape, and no other parameter. Throws a
 * CheckpointError naming every problem. A version 2 checkpoint's arrays may be views of `data`'s
 * memory (no copy): do not reuse `data` for something else.
 */
export function decodeCheckpoint(data: CheckpointData, expected?: ExpectedLayout): Checkpoint {
  if (typeof data === "string") {
    const { decoded, problems } = decodeJsonCheckpoint(data);
    return finish(decoded, problems, expected);
  }
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const kind = sniff(bytes.subarray(0, 64));
  if (kind === "json") {
    const { decoded, problems } = decodeJsonCheckpoint(new TextDecoder().decode(bytes));
    return finish(decoded, problems, expected);
  }
  if (kind !== "binary") throw new CheckpointError([kind]);
  const { decoded, problems } = decodeBinary(bytes);
  return finish(decoded, problems, expected);
}

function decodeBinary(bytes: Uint8Array): { decoded: Decoded; problems: string[] } {
  const dataStart = 8 + headerLength(bytes);
  if (dataStart > bytes.length) throw new CheckpointError([`truncated: the file has ${bytes.length} bytes, its header alone claims ${dataStart}`]);
  const header = bytes.subarray(0, dataStart);
  const checksum = () => crc32(bytes.subarray(dataStart), headerCrc(header));
  let layout;
  try {
    layout = parseHeader(header);
  } catch (error) {
    const stored = storedCrc(header);
    if (stored !== undefined) checkCrc(stored, checksum()); // a damaged file says so, rather than what the damage looks like
    throw error;
  }
  checkSize(layout, bytes.length);
  checkCrc(layout.crc, checksum());
  return assemble(layout, new Map(layout.tensors.map((tensor) => [tensor.name, tensorIn(bytes, layout, tensor)])));
}
