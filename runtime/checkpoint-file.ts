// Checkpoint files (Node only). The format is checkpoint-binary.ts's (version 2); version 1 files
// (JSON) still load. Which one a file is, its first bytes say — not its name.
//
// Saving is atomic: the bytes go to a temporary file in the same directory, are flushed to disk,
// and the file is renamed over the old one — a rename within a directory replaces it in one step,
// so a crash or a full disk leaves either the old checkpoint or the new one, never half of one.
//
// Neither direction holds the checkpoint twice: saving writes the header, then each tensor's
// bytes straight from its array (the checksum computed chunk by chunk on the way, then written
// into the header in place); loading reads each tensor straight into its own array. A model is
// bounded by memory and disk, not by the length of a JavaScript string or one buffer.

import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { allocate, assemble, checkCrc, checkSize, CRC_AT, fromLittleEndian, headerCrc, headerLength, littleEndianBytes, parseHeader, planCheckpoint, sniff, storedCrc, type Plan } from "./checkpoint-binary.ts";
import { CheckpointError, finish, type Checkpoint, type ExpectedLayout } from "./checkpoint-shared.ts";
import { decodeJsonCheckpoint } from "./checkpoint-v1.ts";
import { crc32, crc32Hex } from "./checksum.ts";
import type { FloatArray } from "./types.ts";

/** Bytes per read or write call: large enough to cost nothing, small enough to stay in the cache for the checksum. */
const CHUNK = 16 * 2 ** 20;

/** The temporary file a save writes first (per process, so two processes never share one). */
export const temporaryPathFor = (path: string) => `${path}.${process.pid}.tmp`;

/**
 * Saves in the current format (version 2), atomically. Refuses, before touching the disk, a
 * checkpoint that holds NaN or ±Infinity (a CheckpointError: "PATH: not saved: …").
 */
export function saveCheckpointFile(path: string, checkpoint: Checkpoint): void {
  let plan: Plan;
  try {
    plan = planCheckpoint(checkpoint);
  } catch (error) {
    if (error instanceof CheckpointError) throw new CheckpointError(error.problems, { file: path, lead: "not saved" });
    throw error;
  }
  const temporary = temporaryPathFor(path);
  let created = false;
  try {
    const fd = openSync(temporary, "w");
    created = true;
    try {
      writeCheckpoint(fd, plan);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    if (created) tryTo(() => unlinkSync(temporary));
    throw new Error(`${path}: could not save the checkpoint: ${reason(error)}`);
  }
  // Make the rename itself durable. Not every platform can open a directory (Windows cannot).
  tryTo(() => {
    const dir = openSync(dirname(path), "r");
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  });
}

function writeCheckpoint(fd: number, plan: Plan): void {
  let position = 0;
  let crc = 0;
  const put = (bytes: Uint8Array) => {
    for (let at = 0; at < bytes.length; at += CHUNK) {
      const chunk = bytes.subarray(at, at + CHUNK);
      writeAt(fd, chunk, position);
      position += chunk.length;
      crc = crc32(chunk, crc);
    }
  };
  put(plan.header); // its digits "00000000", as the checksum is defined
  for (const values of plan.tensors) put(littleEndianBytes(values));
  writeAt(fd, new TextEncoder().encode(crc32Hex(crc)), CRC_AT);
}

/**
 * Reads a checkpoint of either version, checking it as decodeCheckpoint does (whole, finite,
 * fitting `expected`). A CheckpointError's message starts with the path; so does an I/O error's.
 */
export function loadCheckpointFile(path: string, expected?: ExpectedLayout): Checkpoint {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw new Error(`${path}: could not read the checkpoint: ${reason(error)}`);
  }
  try {
    return readCheckpoint(fd, expected);
  } catch (error) {
    if (error instanceof CheckpointError) throw new CheckpointError(error.problems, { file: path });
    throw new Error(`${path}: could not read the checkpoint: ${reason(error)}`, { cause: error });
  } finally {
    closeSync(fd);
  }
}

function readCheckpoint(fd: number, expected?: ExpectedLayout): Checkpoint {
  const stat = fstatSync(fd);
  // A device or a pipe has no size to read by (and /dev/zero would read as an empty file); a directory fails its read, said as such.
  if (!stat.isFile() && !stat.isDirectory()) throw new CheckpointError(["not a checkpoint: not a regular file (a device or a pipe)"]);
  const size = stat.size;
  const start = readAt(fd, new Uint8Array(Math.min(size, 64)), 0);
  const kind = sniff(start);
  if (kind === "json") {
    const { decoded, problems } = decodeJsonCheckpoint(new TextDecoder().decode(readAt(fd, new Uint8Array(size), 0)));
    return finish(decoded, problems, expected);
  }
  if (kind !== "binary") throw new CheckpointError([kind]);

  const dataStart = 8 + headerLength(start);
  if (dataStart > size) throw new CheckpointError([`truncated: the file has ${size} bytes, its header alone claims ${dataStart}`]);
  const header = readAt(fd, new Uint8Array(dataStart), 0);
  let layout;
  try {
    layout = parseHeader(header);
  } catch (error) {
    // A damaged file says so, rather than what the damage looks like.
    const stored = storedCrc(header);
    if (stored !== undefined) checkCrc(stored, checksumOf(fd, dataStart, size, headerCrc(header)));
    throw error;
  }
  checkSize(layout, size);

  // In file order, each tensor's bytes read into its own array, the checksum computed on the way.
  let crc = headerCrc(header);
  const values = new Map<string, FloatArray>();
  for (const tensor of [...layout.tensors].sort((a, b) => a.begin - b.begin || a.end - b.end)) {
    const array = allocate(tensor);
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    for (let at = 0; at < bytes.length; at += CHUNK) {
      const chunk = readAt(fd, bytes.subarray(at, at + CHUNK), layout.dataStart + tensor.begin + at);
      crc = crc32(chunk, crc);
    }
    values.set(tensor.name, fromLittleEndian(array));
  }
  checkCrc(layout.crc, crc);
  const { decoded, problems } = assemble(layout, values);
  return finish(decoded, problems, expected);
}

/** The checksum of the file's bytes from `from` to `to`, continuing `crc`. */
function checksumOf(fd: number, from: number, to: number, crc: number): number {
  const buffer = new Uint8Array(Math.min(CHUNK, to - from));
  for (let at = from; at < to; at += buffer.length) crc = crc32(readAt(fd, buffer.subarray(0, Math.min(buffer.length, to - at)), at), crc);
  return crc;
}

/** Fills `bytes` from the file at `position` (a read may return less than asked: it is repeated). */
function readAt(fd: number, bytes: Uint8Array, position: number): Uint8Array {
  for (let done = 0; done < bytes.length; ) {
    const n = readSync(fd, bytes, done, bytes.length - done, position + done);
    if (n === 0) throw new CheckpointError([`truncated: the file ended at byte ${position + done} while being read`]);
    done += n;
  }
  return bytes;
}

function writeAt(fd: number, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    ENOENT: "no such file or directory",
    EACCES: "permission denied",
    EISDIR: "a directory is in the way",
    ENOSPC: "the disk is full",
    ENOTDIR: "a part of the path is not a directory",
  };
  return (code && known[code]) || (error as Error).message;
}

function tryTo(action: () => void): void {
  try {
    action();
  } catch {
    // best effort: the outcome that matters has already been decided
  }
}
