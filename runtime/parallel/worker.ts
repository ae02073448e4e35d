// One worker of a parallel model: imports the emitted module (its own instance, its own work
// buffers), then, each time the main thread says GO, runs lossAndGrad on its part of the batch —
// the params read from shared memory, the gradients written into this worker's share of it —
// flags the chunks of them that are not all zeros, and says DONE. It blocks in Atomics.wait
// between steps; the rare message it needs (a bigger region, an error's text) goes through its
// port, read synchronously.
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import type { CompiledModel } from "../model.ts";
import { flagChunks } from "./chunks.ts";
import { ControlSlot, FAILED, NEW_REGION, OK, QUIT } from "./control.ts";
import { PartView } from "./region.ts";
import { SharedMemory } from "./shared-memory.ts";
import type { WorkerData } from "./worker-pool.ts";

const data = workerData as WorkerData;
const control = new ControlSlot(data.memory.control, data.slot);
const memory = new SharedMemory(data.memory);
const params = memory.params();
const grads = memory.grads(data.slot);
const flat = memory.gradsAndFlags(data.slot);
const denominators: number[] = new Array<number>(data.spec.losses).fill(1);
const part = new PartView(data.spec, denominators);
let region = data.region;

// If this thread goes away (an exit from inside the module, say), the main thread must not wait forever.
process.on("exit", () => control.gone());

let model: CompiledModel;
try {
  model = ((await import(data.module)) as { default: CompiledModel }).default;
} catch (error) {
  parentPort!.postMessage({ failed: describe(error) });
  process.exit(1);
}
parentPort!.postMessage({ ready: true });

let seen = 0;
for (;;) {
  seen = control.awaitCommand(seen);
  const command = control.command();
  if (command & QUIT) break;
  let status = OK;
  try {
    if (command & NEW_REGION) region = (receiveMessageOnPort(data.port)!.message as { region: SharedArrayBuffer }).region;
    memory.readDenominators(denominators);
    const batch = part.read(region);
    memory.readTraining(data.slot, batch);
    memory.setLoss(data.slot, model.lossAndGrad(params, grads, batch));
    flagChunks(flat.values, flat.flags);
    if (model.carried.length > 0) {
      const states = model.finalStates();
      data.spec.carried.forEach((c, i) => part.final[i].set(states.get(c.name)!.subarray(0, part.final[i].length)));
    }
  } catch (error) {
    status = FAILED;
    data.port.postMessage({ error: describe(error) });
  }
  control.answer(seen, status);
}
data.port.close();
process.exit(0);

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
