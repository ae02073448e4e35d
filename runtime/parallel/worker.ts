// One worker of a parallel model: imports the emitted module (its own instance, its own work
// buffers), then, each time the main thread says GO, runs lossAndGrad on its part of the batch —
// the params read from shared memory, the gradients written into this worker's shared region —
// flags the chunks of them that are not all zeros, and says DONE. It blocks in Atomics.wait
// between steps; the rare message it needs (a bigger region, an error's text) goes through its
// port, read synchronously.
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from "node:worker_threads";
import type { CompiledModel } from "../model.ts";
import type { FloatArray } from "../types.ts";
import { COMMAND, DONE, FAILED, GO, GONE, NEW_REGION, OK, PartView, QUIT, SLOT, STATUS, flagChunks, floatView, type PartSpec } from "./shared.ts";

export interface WorkerData {
  module: string; // the emitted module's URL
  slot: number; // this worker's slot in `control`, and its loss in `scalars`
  spec: PartSpec;
  control: SharedArrayBuffer;
  scalars: SharedArrayBuffer; // Float64: the losses' denominators, then each worker's loss
  params: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  /** Each param's name, and where it lies in `params` (and in this worker's share of `grads`), in values. */
  layout: { name: string; offset: number; length: number }[];
  gradsOffset: number; // values
  flags: SharedArrayBuffer; // per worker, per CHUNK values of its gradients: 1 if any is not 0
  total: number; // values of the gradients per worker (the params, each padded to 8 bytes)
  chunks: number; // chunks per worker: ⌈total / CHUNK⌉
  region: SharedArrayBuffer;
  port: MessagePort;
}

const data = workerData as WorkerData;
const control = new Int32Array(data.control);
const base = data.slot * SLOT;
const scalars = new Float64Array(data.scalars);
const params = new Map<string, FloatArray>(data.layout.map((p) => [p.name, floatView(data.spec.bytes, data.params, p.offset * data.spec.bytes, p.length)]));
const grads = new Map<string, FloatArray>(data.layout.map((p) => [p.name, floatView(data.spec.bytes, data.grads, (data.gradsOffset + p.offset) * data.spec.bytes, p.length)]));
const flat = floatView(data.spec.bytes, data.grads, data.gradsOffset * data.spec.bytes, data.total);
const flags = new Uint8Array(data.flags, data.slot * data.chunks, data.chunks);
const denominators: number[] = new Array<number>(data.spec.losses).fill(1);
const part = new PartView(data.spec, denominators);
let region = data.region;

// If this thread goes away (an exit from inside the module, say), the main thread must not wait forever.
process.on("exit", () => {
  Atomics.store(control, base + STATUS, GONE);
  Atomics.store(control, base + DONE, Atomics.load(control, base + GO));
  Atomics.notify(control, base + DONE);
});

let model: CompiledModel;
try {
  model = ((await import(data.module)) as { default: CompiledModel }).default;
} catch (error) {
  parentPort!.postMessage({ failed: describe(error) });
  process.exit(1);
}
parentPort!.postMessage({ ready: true });

let seen = 0; // GO moves only once the main thread has heard `ready`
for (;;) {
  Atomics.wait(control, base + GO, seen);
  const go = Atomics.load(control, base + GO);
  if (go === seen) continue;
  seen = go;
  const command = Atomics.load(control, base + COMMAND);
  if (command & QUIT) break;
  let status = OK;
  try {
    if (command & NEW_REGION) region = (receiveMessageOnPort(data.port)!.message as { region: SharedArrayBuffer }).region;
    for (let i = 0; i < denominators.length; i++) denominators[i] = scalars[i];
    const batch = part.read(region);
    scalars[data.spec.losses + data.slot] = model.lossAndGrad(params, grads, batch);
    flagChunks(flat, flags);
    if (model.carried.length > 0) {
      const states = model.finalStates();
      data.spec.carried.forEach((c, i) => part.final[i].set(states.get(c.name)!.subarray(0, part.final[i].length)));
    }
  } catch (error) {
    status = FAILED;
    data.port.postMessage({ error: describe(error) });
  }
  Atomics.store(control, base + STATUS, status);
  Atomics.store(control, base + DONE, seen);
  Atomics.notify(control, base + DONE);
}
data.port.close();
process.exit(0);

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
