// The auto choice between cutting a batch (on every thread) and not (on the main thread alone),
// made by measuring. A small model is slower cut: waking a worker and gathering the parts cost
// more than half its step (parity's 0.6 ms step takes 1 to 3 ms on two threads here).

export type Choice = "measuring" | "parallel" | "single";

export class ThreadChoice {
  private current: Choice;
  private readonly trials: number;
  private trialsLeft: number;
  private readonly warmUp: number;
  /** The milliseconds of the timed trials (those past the warm-up), each way. */
  private readonly timed: { single: Float64Array; parallel: Float64Array };

  /**
   * The first `trials` steps whose batch is cut run both ways on the same batch; the first half
   * warm up (a worker's module starts cold: its code and WebAssembly tier up over its first
   * calls), the medians of the second half decide, told to `onChoice`. No trials: always parallel.
   */
  constructor(
    trials: number,
    private readonly onChoice?: (choice: "parallel" | "single", ms: { single: number; parallel: number }) => void,
  ) {
    trials = Math.max(0, Math.floor(trials));
    this.trials = trials;
    this.current = trials > 0 ? "measuring" : "parallel";
    this.trialsLeft = trials;
    this.warmUp = Math.floor(trials / 2);
    this.timed = { single: new Float64Array(trials - this.warmUp), parallel: new Float64Array(trials - this.warmUp) };
  }

  get choice(): Choice {
    return this.current;
  }

  /**
   * One trial: `parallel` then `single`, timed. The single thread's runs last, so that what it
   * leaves (its gradients, its final states) stands; its loss is returned.
   */
  trial(parallel: () => unknown, single: () => number): number {
    const t0 = performance.now();
    parallel();
    const t1 = performance.now();
    const loss = single();
    const t2 = performance.now();
    const trial = this.trials - this.trialsLeft;
    if (trial >= this.warmUp) {
      this.timed.parallel[trial - this.warmUp] = t1 - t0;
      this.timed.single[trial - this.warmUp] = t2 - t1;
    }
    if (--this.trialsLeft === 0) {
      const ms = { single: median(this.timed.single), parallel: median(this.timed.parallel) };
      this.current = ms.parallel < ms.single ? "parallel" : "single";
      this.onChoice?.(this.current, ms);
    }
    return loss;
  }
}

const median = (xs: Float64Array) => xs.sort()[Math.floor(xs.length / 2)];
