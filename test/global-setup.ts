// The whole suite writes its temporary files under one directory of its own, removed when it
// ends: test workers end without the exit hooks that clean up after a CLI run, and a thousand
// runs' leftovers should not pile up in the machine's /tmp. The kernel cache stays where it was,
// shared between runs (compiling the kernels anew would cost each run minutes).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  process.env.RNNC_KERNEL_CACHE ??= join(tmpdir(), "rnnc-kernels");
  const dir = mkdtempSync(join(tmpdir(), "rnnc-tests-"));
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
