// Preloaded by test/cli/help.test.ts (node --import): writes the URL of every module the process
// resolves to the file RNNC_TRACE_FILE names, so that a test can say what a command loaded.
// The same file is the hooks module, run in Node's hooks thread.
import { appendFileSync } from "node:fs";
import { register } from "node:module";
import { isMainThread } from "node:worker_threads";

if (isMainThread) register(import.meta.url, { data: { file: process.env.RNNC_TRACE_FILE } });

let file;
export function initialize(data) {
  file = data.file;
}

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (file) appendFileSync(file, `${resolved.url}\n`);
  return resolved;
}
