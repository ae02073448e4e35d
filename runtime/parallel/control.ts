// How the main thread and a worker signal each step to each other: control words in shared memory.
//
// Control (Int32Array over a SharedArrayBuffer): one slot of SLOT words per worker, a cache line
// apart. The main thread writes the command, then bumps GO and notifies; the worker, waiting on GO,
// runs the command, writes STATUS, sets DONE to GO's value and notifies; the main thread waits on
// DONE. Both directions are Atomics: lossAndGrad is synchronous, so the main thread can only wait
// for the workers by blocking in Atomics.wait (a round trip costs about 15 µs here, against about
// 25 µs when the command goes by postMessage; either is nothing next to a training step).

/** Words per worker: 16 Int32s, 64 bytes, so that two workers never write to the same cache line. */
export const SLOT = 16;
const GO = 0;
const DONE = 1;
const COMMAND = 2;
const STATUS = 3;

/** Commands (bits). NEW_REGION: a bigger region waits on the worker's port (read it first). */
export const RUN = 1;
export const QUIT = 2;
export const NEW_REGION = 4;

/** Statuses, the worker's answer to a command. */
export const OK = 0;
export const FAILED = 1; // the error's message waits on the port
export const GONE = 2; // the worker's thread is exiting

/** The control buffer for `workers` workers (at least one slot, so that it is never empty). */
export const controlBuffer = (workers: number) => new SharedArrayBuffer(Math.max(1, workers) * SLOT * 4);

/** One worker's slot of the control words, as either side sees it. */
export class ControlSlot {
  private readonly words: Int32Array;
  private readonly at: number;

  constructor(control: SharedArrayBuffer, slot: number) {
    this.words = new Int32Array(control);
    this.at = slot * SLOT;
  }

  // The main thread's side.

  /** Gives the worker `command` (it wakes up on GO). */
  send(command: number): void {
    Atomics.store(this.words, this.at + COMMAND, command);
    Atomics.add(this.words, this.at + GO, 1);
    Atomics.notify(this.words, this.at + GO);
  }

  /**
   * Blocks until the worker has answered the last command; its status. Wakes every second to
   * check whether the thread went away (its exit handler says GONE). Spinning a while before
   * sleeping, here or in the worker, was measured slower on this machine, not faster.
   */
  awaitAnswer(): number {
    const { words, at } = this;
    const go = Atomics.load(words, at + GO);
    for (;;) {
      const done = Atomics.load(words, at + DONE);
      if (done === go) return Atomics.load(words, at + STATUS);
      Atomics.wait(words, at + DONE, done, 1000);
      if (Atomics.load(words, at + STATUS) === GONE) return GONE;
    }
  }

  // The worker's side.

  /**
   * Blocks until GO moves past `seen` (the last command's count; 0 at first: GO moves only once
   * the main thread has heard that the worker is ready); the new count. The command is `command()`.
   */
  awaitCommand(seen: number): number {
    for (;;) {
      Atomics.wait(this.words, this.at + GO, seen);
      const go = Atomics.load(this.words, this.at + GO);
      if (go !== seen) return go;
    }
  }

  command(): number {
    return Atomics.load(this.words, this.at + COMMAND);
  }

  /** Answers command number `go` with `status`, and wakes the main thread. */
  answer(go: number, status: number): void {
    Atomics.store(this.words, this.at + STATUS, status);
    Atomics.store(this.words, this.at + DONE, go);
    Atomics.notify(this.words, this.at + DONE);
  }

  /** Answers GONE whatever was asked: the thread is exiting, the main thread must not wait forever. */
  gone(): void {
    this.answer(Atomics.load(this.words, this.at + GO), GONE);
  }
}
