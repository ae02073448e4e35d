// How the workers of `rnnc train --threads N` get their code. A worker thread runs
// runtime/parallel/worker.ts, which imports the emitted model module (a .mts file): both
// TypeScript, which Node 20 cannot run by itself, and a hook that tsx registers in the main
// thread does not reach the workers. The runtime is not a build tool: it takes one of these
// loaders as parallelModel's `load`.
//
// With esbuild (which tsx runs on, so it is there whenever the CLI runs): plain JavaScript — the
// worker and the module bundled per pool (its own imports included, top-level await kept) into a
// temporary directory, removed once the workers have loaded them. A worker then starts in about
// 0.2 s. Else each worker registers tsx's loader in its own thread (`new Worker("x.ts")` is
// refused before any `--import` could help): about a second per worker, and two seconds of CPU.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { WorkerCode, WorkerLoader } from "../runtime/parallel/index.ts";

type Esbuild = typeof import("esbuild");

/** esbuild's bundles when esbuild can be imported, else tsx's loader in each worker. */
export const workerLoader: WorkerLoader = async (worker, moduleFile) => {
  const esbuild: Esbuild | undefined = await import("esbuild").catch(() => undefined);
  return esbuild ? bundled(esbuild, worker, moduleFile) : underTsx(worker, moduleFile);
};

/** tsx's loader in each worker, on the TypeScript as it is (what is used without esbuild). */
export const tsxWorkers: WorkerLoader = async (worker, moduleFile) => underTsx(worker, moduleFile);

/**
 * The worker and the model bundled into one temporary directory per pool. The pool removes it
 * (`cleanup`) as soon as every worker has loaded them, and again at its close; a failure in
 * between is cleaned at the process's exit: no rnnc-workers-* directory is left behind.
 */
function bundled(esbuild: Esbuild, worker: URL, moduleFile: string): WorkerCode {
  const bundle = (from: string, to: string) =>
    esbuild.buildSync({ entryPoints: [from], outfile: to, bundle: true, format: "esm", platform: "node", target: "node20", logLevel: "silent" });
  const dir = mkdtempSync(join(tmpdir(), "rnnc-workers-"));
  const cleanup = () => {
    process.off("exit", cleanup);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", cleanup);
  try {
    bundle(fileURLToPath(worker), join(dir, "worker.mjs"));
    bundle(moduleFile, join(dir, "model.mjs"));
  } catch (error) {
    cleanup();
    throw error;
  }
  return {
    entry: join(dir, "worker.mjs"),
    eval: false,
    execArgv: [], // plain JavaScript: none of the main thread's flags (a loader's --import) are needed
    module: pathToFileURL(join(dir, "model.mjs")).href,
    cleanup,
  };
}

/** A script that registers tsx's loader in the worker's own thread, then imports the worker. */
function underTsx(worker: URL, moduleFile: string): WorkerCode {
  const entry = `import(${JSON.stringify(tsxApi())})
  .then((tsx) => { (tsx.register ?? tsx.default.register)(); return import(${JSON.stringify(worker.href)}); })
  .catch((error) => { require("node:worker_threads").parentPort.postMessage({ failed: String(error && error.stack || error) }); });`;
  return { entry, eval: true, module: pathToFileURL(moduleFile).href, cleanup: () => {} };
}

function tsxApi(): string {
  try {
    return import.meta.resolve("tsx/esm/api");
  } catch {
    return pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api")).href;
  }
}
