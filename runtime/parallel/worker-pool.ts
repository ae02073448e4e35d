// Starting and stopping a parallel model's worker threads.
//
// The worker (worker.ts) and the emitted module are TypeScript, which Node 20 cannot run in a
// worker thread by itself, and the runtime is not a build tool: how they become something a
// worker can import is the caller's `WorkerLoader` (the CLI's is cli/worker-loader.ts: bundled by
// esbuild, or tsx's loader in each worker).
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import type { PartSpec } from "./region.ts";
import type { SharedMemory, SharedMemoryData } from "./shared-memory.ts";
import { WorkerPart } from "./worker-part.ts";

/** What a WorkerLoader prepared for one model: how to start its workers. */
export interface WorkerCode {
  /** What `new Worker` runs: a file (a path or a file: URL), or with `eval` the text of a script. */
  entry: string | URL;
  eval: boolean;
  /** The workers' Node flags: left out, they inherit the main thread's (a loader's --import, say). */
  execArgv?: string[];
  /** The URL each worker imports the model module from. */
  module: string;
  /** Removes whatever was written for the workers: called once they have all loaded it (and again at stop), or failed to start; may be called twice. */
  cleanup(): void;
}

/**
 * Makes the worker `worker` (worker.ts's URL) and the emitted module `moduleFile` (a .mts file)
 * into code a worker thread can run.
 */
export type WorkerLoader = (worker: URL, moduleFile: string) => Promise<WorkerCode>;

/** What worker.ts is started with. */
export interface WorkerData {
  /** The emitted module's URL. */
  module: string;
  /** This worker's slot in the control words, and its loss's in the scalars. */
  slot: number;
  spec: PartSpec;
  memory: SharedMemoryData;
  /** Its first region; a bigger one comes through `port` when a part does not fit. */
  region: SharedArrayBuffer;
  port: MessagePort;
}

const WORKER = new URL("./worker.ts", import.meta.url);
/** A region's first size: most parts fit. */
const FIRST_REGION_BYTES = 4096;

export class WorkerPool {
  private constructor(
    readonly parts: readonly WorkerPart[],
    private readonly code: WorkerCode | undefined,
  ) {}

  /**
   * `count` workers, each with its own instance of the module `moduleFile`, started together; resolves
   * once every one has loaded it (rejects, the others stopped, if any fails to).
   */
  static async start(count: number, load: WorkerLoader, moduleFile: string, memory: SharedMemory, spec: PartSpec): Promise<WorkerPool> {
    if (count === 0) return new WorkerPool([], undefined);
    const code = await load(WORKER, moduleFile);
    const parts: WorkerPart[] = [];
    const started: Promise<void>[] = [];
    for (let slot = 0; slot < count; slot++) {
      const { port1, port2 } = new MessageChannel();
      const region = new SharedArrayBuffer(FIRST_REGION_BYTES);
      const workerData: WorkerData = { module: code.module, slot, spec, memory: memory.data, region, port: port2 };
      const thread = new Worker(code.entry, { eval: code.eval, workerData, transferList: [port2], ...(code.execArgv ? { execArgv: code.execArgv } : {}) });
      thread.unref(); // an idle worker never keeps the process alive
      parts.push(new WorkerPart(thread, port1, slot, region, spec, memory.data.control));
      started.push(ready(thread));
    }
    try {
      await Promise.all(started);
    } catch (error) {
      await Promise.all(parts.map((p) => p.terminate()));
      code.cleanup();
      throw error;
    }
    code.cleanup(); // every worker has loaded its code: the files are no longer needed
    return new WorkerPool(parts, code);
  }

  /** Ends the workers (waits for them), then removes their code. */
  async stop(): Promise<void> {
    await Promise.all(this.parts.map((p) => p.stop()));
    this.code?.cleanup();
  }
}

/**
 * Resolves when the worker says it has loaded the module; rejects when it says it could not, or
 * fails or exits first. Then leaves it with an error listener alone: once started, a worker's
 * errors come through its control slot (FAILED, GONE), or show at close.
 */
function ready(thread: Worker): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    thread.once("message", (m: { ready?: boolean; failed?: string }) => (m.ready ? resolve() : reject(new Error(`a training worker could not load the model: ${m.failed}`))));
    thread.once("error", reject);
    thread.once("exit", (code) => reject(new Error(`a training worker stopped while starting (exit code ${code})`)));
  }).finally(() => {
    thread.removeAllListeners("exit").removeAllListeners("error").removeAllListeners("message");
    thread.on("error", () => {});
  });
}
