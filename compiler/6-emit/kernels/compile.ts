// AssemblyScript → WebAssembly with asc (pure JavaScript: nothing to download), at -O3 with SIMD,
// in a child process of plain Node (see asc-child.mjs). Each distinct source is compiled once and
// kept in a cache directory by its hash: compiling takes about a second. The cache is one folder,
// reused by every run and bounded: past CACHE_ENTRIES files, the least recently used go.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CACHE = process.env.RNNC_KERNEL_CACHE ?? join(tmpdir(), "rnnc-kernels");
/** How many compiled kernels the cache keeps (each 5–20 kB: a few MB at most). */
export const CACHE_ENTRIES = 256;
const CHILD = fileURLToPath(new URL("./asc-child.mjs", import.meta.url));

/** asc's options: the same as `asc --enable simd -O3 --runtime stub --importMemory --noAssert`. */
export const ASC_OPTIONS = { optimizeLevel: 3, shrinkLevel: 0, runtime: "stub", enable: ["simd"], importMemory: true, noAssert: true };

export function compileKernels(source: string): Uint8Array<ArrayBuffer> {
  const hash = createHash("sha256").update(JSON.stringify(ASC_OPTIONS)).update(source).digest("hex").slice(0, 32);
  const file = join(CACHE, `${hash}.wasm`);
  try {
    const cached = new Uint8Array(readFileSync(file));
    touch(file);
    return cached;
  } catch {
    // not compiled yet
  }
  let binary: Buffer;
  try {
    binary = execFileSync(process.execPath, [CHILD, JSON.stringify(ASC_OPTIONS)], {
      input: source,
      env: { ...process.env, NODE_OPTIONS: "" },
      stdio: ["pipe", "pipe", "pipe"],
      maxBuffer: 1 << 26,
    });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? (error as Error).message;
    throw new Error(`the WebAssembly kernels do not compile (a compiler bug):\n${stderr}`);
  }
  // Written under a temporary name, then renamed: a reader never sees half a file.
  mkdirSync(CACHE, { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, binary);
  renameSync(partial, file);
  pruneCache(CACHE, CACHE_ENTRIES);
  return new Uint8Array(binary);
}

/** Marks a cached file as used now (its modification time orders the pruning). */
function touch(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // a read-only cache is still a cache
  }
}

/** Removes all but the `keep` most recently used files of a cache folder, and partial files older than an hour (a compile that was killed). */
export function pruneCache(dir: string, keep: number): void {
  try {
    const entries = readdirSync(dir).flatMap((name) => {
      try {
        return [{ path: join(dir, name), partial: name.endsWith(".partial"), used: statSync(join(dir, name)).mtimeMs }];
      } catch {
        return []; // removed by another process meanwhile
      }
    });
    const stalePartials = entries.filter((e) => e.partial && e.used < Date.now() - 3_600_000);
    const oldest = entries.filter((e) => !e.partial).sort((a, b) => b.used - a.used).slice(keep);
    for (const e of [...stalePartials, ...oldest]) rmSync(e.path, { force: true });
  } catch {
    // best effort: another process may be pruning the same folder
  }
}
