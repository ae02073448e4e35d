// The main thread's handle on one worker: its thread, its port, its slot of the control words,
// and the region it reads its part of each batch from. What one step asks of it: run on the
// part written into its region, then answer.
import { receiveMessageOnPort, type MessagePort, type Worker } from "node:worker_threads";
import { ControlSlot, FAILED, NEW_REGION, OK, QUIT, RUN } from "./control.ts";
import { PartView, type PartSpec } from "./region.ts";

/** How long a worker asked to quit may take before it is terminated. */
const QUIT_MS = 2000;

export class WorkerPart {
  /** The main thread's views of the region, to write the part into (and read its final states from). */
  readonly view: PartView;
  private readonly control: ControlSlot;

  constructor(
    private readonly thread: Worker,
    private readonly port: MessagePort,
    readonly slot: number,
    /** The worker's region (shared); replaced by a bigger one when a part does not fit. */
    public region: SharedArrayBuffer,
    spec: PartSpec,
    control: SharedArrayBuffer,
  ) {
    this.view = new PartView(spec, []); // the denominators are the worker's to fill
    this.control = new ControlSlot(control, slot);
  }

  /** Starts the worker's step on the part written into `region`: first sent to it, when it is a new one. */
  run(region: SharedArrayBuffer): void {
    let command = RUN;
    if (region !== this.region) {
      this.region = region;
      this.port.postMessage({ region }); // the worker reads it from its port before the step
      command |= NEW_REGION;
    }
    this.control.send(command);
  }

  /** Blocks until the worker has done its step: undefined when it went well, else what went wrong. */
  awaitStep(): Error | undefined {
    const status = this.control.awaitAnswer();
    if (status === OK) return undefined;
    if (status !== FAILED) return new Error("a training worker stopped");
    const message = receiveMessageOnPort(this.port)?.message as { error?: string } | undefined;
    return new Error(`a training worker failed: ${message?.error}`);
  }

  /** Ends the thread at once: a worker that did not start, or one of its fellows. */
  async terminate(): Promise<void> {
    await this.thread.terminate();
    this.port.close();
  }

  /** Asks the worker to end, and resolves once its thread has exited (terminated if it takes too long). */
  async stop(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.thread.once("exit", () => resolve());
      if (this.thread.threadId === -1) return resolve(); // gone already
      this.control.send(QUIT);
      timer = setTimeout(() => this.thread.terminate().then(() => resolve(), () => resolve()), QUIT_MS);
    });
    clearTimeout(timer);
    this.port.close();
  }
}
