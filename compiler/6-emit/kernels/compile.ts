// AssemblyScript → WebAssembly with asc (pure JavaScript: nothing to download), at -O3 with SIMD,
// in a child process of plain Node (see asc-child.mjs). Each distinct source is compiled once and
// kept in a cache directory by its hash: compiling takes about a second.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CACHE = process.env.RNNC_KERNEL_CACHE ?? join(tmpdir(), "rnnc-kernels");
const CHILD = fileURLToPath(new URL("./asc-child.mjs", import.meta.url));

/** asc's options: the same as `asc --enable simd -O3 --runtime stub --importMemory --noAssert`. */
export const ASC_OPTIONS = { optimizeLevel: 3, shrinkLevel: 0, runtime: "stub", enable: ["simd"], importMemory: true, noAssert: true };

export function compileKernels(source: string): Uint8Array<ArrayBuffer> {
  const hash = createHash("sha256").update(JSON.stringify(ASC_OPTIONS)).update(source).digest("hex").slice(0, 32);
  const file = join(CACHE, `${hash}.wasm`);
  try {
    return new Uint8Array(readFileSync(file));
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
  return new Uint8Array(binary);
}
