// Live progress inside an epoch. On a terminal, one line redrawn in place (at most ten times a
// second); elsewhere (a log, CI), a plain line every few seconds. Either way: where the run is,
// the running loss, the throughput and how long the rest of the run will take at this pace.
import { formatLoss } from "./metrics.ts";

export interface ProgressOptions {
  /** A terminal: redraw one line in place; else plain lines every `every` seconds. */
  tty: boolean;
  write: (text: string) => void;
  epochs: number;
  /** What the throughput counts: tokens (valid steps) for sequence models, else examples. */
  unit: "tokens" | "examples";
  every?: number;
  now?: () => number; // milliseconds; for the tests
}

export interface BatchDone {
  epoch: number;
  batch: number; // from 1
  batches: number;
  trainLoss: number; // running mean over the epoch so far
  items: number; // tokens (or examples) in this batch
  /** Seconds since this process began the epoch, and the batches it found done (a resumed epoch). */
  seconds: number;
  firstBatch: number;
}

export class Progress {
  private readonly now: () => number;
  private epoch = 0;
  private epochItems = 0;
  private lastShown = 0;
  private shown = false; // a redrawn line is on screen

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  batch(done: BatchDone): void {
    const now = this.now();
    if (done.epoch !== this.epoch) [this.epoch, this.epochItems, this.lastShown] = [done.epoch, 0, now - done.seconds * 1000];
    this.epochItems += done.items;
    const since = now - this.lastShown;
    const last = done.batch === done.batches;
    if (this.options.tty ? since < 100 && !last : since < (this.options.every ?? 5) * 1000 || last) return;
    this.lastShown = now;
    const line = this.line(done);
    if (this.options.tty) {
      this.options.write(`\r\x1b[K${line}`);
      this.shown = true;
    } else this.options.write(`${line}\n`);
  }

  /** Before any other output: a redrawn line is cleared, so the next line starts clean. */
  clear(): void {
    if (!this.shown) return;
    this.options.write("\r\x1b[K");
    this.shown = false;
  }

  private line(d: BatchDone): string {
    const rate = this.epochItems / Math.max(d.seconds, 1e-9);
    const perBatch = d.seconds / Math.max(1, d.batch - d.firstBatch);
    const remaining = (d.batches - d.batch + (this.options.epochs - d.epoch) * d.batches) * perBatch;
    return `epoch ${d.epoch}/${this.options.epochs}  batch ${d.batch}/${d.batches}  train loss ${formatLoss(d.trainLoss)}  ${formatRate(rate)} ${this.options.unit}/s  ETA ${formatDuration(remaining)}`;
  }
}

const formatRate = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(1)}M` : x >= 1e4 ? `${(x / 1e3).toFixed(0)}k` : x >= 100 ? x.toFixed(0) : x.toFixed(1));

/** `42s`, `3m05s`, `2h07m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
