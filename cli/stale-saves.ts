// Temporary files that a save killed halfway leaves behind. Every file a run writes goes first
// to `NAME.PID.tmp` beside it (runtime/checkpoint-file.ts, run-writer.ts) and is renamed over
// NAME when whole; a kill (SIGKILL, a power cut) between the two leaves the .tmp file — for a
// checkpoint, as large as the model. The next run on the same directory removes them and says so.
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const TEMPORARY = /^(.+)\.(\d+)\.tmp$/;

/** Whether a process of this id runs (on this machine). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // it runs, as another user
  }
}

/**
 * Removes the stale temporary files in `dir`: those of a process that no longer runs, or (its id
 * reused since) written before `since`. Only those of `only` (a file name) when given, else every
 * one. Returns one line to print, or undefined when there were none.
 */
export function removeStaleTemporaries(dir: string, options: { only?: string; since?: number } = {}): string | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  const removed: string[] = [];
  let bytes = 0;
  for (const name of names) {
    const match = TEMPORARY.exec(name);
    if (!match || (options.only !== undefined && match[1] !== options.only)) continue;
    const pid = Number(match[2]);
    if (pid === process.pid) continue;
    const path = join(dir, name);
    try {
      const stat = statSync(path);
      if (!stat.isFile()) continue;
      if (processAlive(pid) && !(options.since !== undefined && stat.mtimeMs < options.since)) continue;
      rmSync(path, { force: true });
      removed.push(name);
      bytes += stat.size;
    } catch {
      // gone already, or not ours to remove: left as it is
    }
  }
  if (removed.length === 0) return undefined;
  const listed = removed.length <= 3 ? removed.join(", ") : `${removed.slice(0, 3).join(", ")} and ${removed.length - 3} more`;
  return `removed ${removed.length} temporary file${removed.length === 1 ? "" : "s"} that an interrupted save left in ${dir} (${megabytes(bytes)}): ${listed}`;
}

const megabytes = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${bytes} bytes`);
