// Checkpoint files (Node only). Saving is atomic: the text goes to a temporary file in the same
// directory, is flushed to disk, and is renamed over the old file — a rename within a directory
// replaces it in one step, so a crash or a full disk leaves either the old checkpoint or the new
// one, never half of one.

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint, type ExpectedLayout } from "./checkpoint.ts";

/** The temporary file a save writes first (per process, so two processes never share one). */
export const temporaryPathFor = (path: string) => `${path}.${process.pid}.tmp`;

export function saveCheckpointFile(path: string, checkpoint: Checkpoint): void {
  const text = encodeCheckpoint(checkpoint);
  const temporary = temporaryPathFor(path);
  let created = false;
  try {
    const fd = openSync(temporary, "w");
    created = true;
    try {
      writeSync(fd, text);
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

export function loadCheckpointFile(path: string, expected?: ExpectedLayout): Checkpoint {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`${path}: could not read the checkpoint: ${reason(error)}`);
  }
  try {
    return decodeCheckpoint(text, expected);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
  }
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
