// The course of a run, epoch by epoch: the learning rate of each update (warmup, then the
// schedule), which epoch is the best so far, and when to stop early. It decides; the training
// loop acts. Its state is plain numbers, saved in each checkpoint, so a resumed run takes the
// same course as one never interrupted.
import type { TrainSettings } from "../compiler/2-check/checked.ts";
import type { Evaluation } from "./metrics.ts";

export interface CourseState {
  best?: { epoch: number; value: number };
  /** Epochs since the best one (early stopping), and since the plateau schedule last saw an improvement. */
  sinceBest: number;
  sincePlateauBest: number;
  plateauBest?: number;
  /** The plateau schedule's factor so far (1 until the first plateau). */
  scale: number;
}

/** What one epoch's end decided. */
export interface EpochVerdict {
  value: number; // the monitored number this epoch
  improved: boolean; // the best epoch so far: save it as `best`
  stop?: string; // early stopping: why, in words
  lrChanged?: string; // the plateau schedule lowered the rate: in words
}

export class Course {
  private s: CourseState;

  constructor(
    private readonly settings: TrainSettings,
    /** What is monitored: the validation set's numbers when there is one, else the training loss. */
    private readonly validating: boolean,
    state?: CourseState,
  ) {
    this.s = state ? { ...state } : { sinceBest: 0, sincePlateauBest: 0, scale: 1 };
  }

  /** The monitored quantity, in words: `valid loss`, `valid accuracy`, `train loss`. */
  get monitored(): string {
    return `${this.validating ? "valid" : "train"} ${this.settings.monitor}`;
  }

  /**
   * The rate of an update: the schedule's at this point of the run (epoch from 1, `progress` the
   * fraction of the epoch done), scaled up linearly over the first `warmup` updates. `update`
   * counts updates before this one (the optimizer's steps), so it survives a resume.
   */
  lr(update: number, epoch: number, progress: number): number {
    const { optimizer, lrSchedule: schedule, epochs, warmup } = this.settings;
    let lr = optimizer.lr;
    if (schedule?.name === "step") lr *= schedule.factor ** Math.floor((epoch - 1) / schedule.every);
    else if (schedule?.name === "cosine") lr *= 0.5 * (1 + Math.cos((Math.PI * (epoch - 1 + progress)) / epochs));
    else if (schedule?.name === "plateau") lr *= this.s.scale;
    return warmup > 0 && update < warmup ? (lr * (update + 1)) / warmup : lr;
  }

  /** After an epoch's validation: whether it is the best so far, whether to stop, whether the rate drops. */
  endEpoch(epoch: number, trainLoss: number, valid: Evaluation | undefined): EpochVerdict {
    const value = this.value(trainLoss, valid);
    const better = (a: number, b: number) => (this.settings.monitor === "accuracy" ? a > b : a < b);
    const improved = Number.isFinite(value) && (this.s.best === undefined || better(value, this.s.best.value));
    if (improved) this.s = { ...this.s, best: { epoch, value }, sinceBest: 0 };
    else this.s.sinceBest++;
    const verdict: EpochVerdict = { value, improved };
    const patience = this.settings.earlyStop?.patience;
    if (patience !== undefined && this.s.sinceBest >= patience)
      verdict.stop = `${this.monitored} has not improved for ${patience} epoch${patience === 1 ? "" : "s"} (best ${formatValue(this.s.best?.value, this.settings.monitor)} at epoch ${this.s.best?.epoch})`;
    const schedule = this.settings.lrSchedule;
    if (schedule?.name === "plateau") {
      if (this.s.plateauBest === undefined || better(value, this.s.plateauBest)) [this.s.plateauBest, this.s.sincePlateauBest] = [value, 0];
      else if (++this.s.sincePlateauBest >= schedule.patience) {
        this.s.scale *= schedule.factor;
        this.s.sincePlateauBest = 0;
        verdict.lrChanged = `${this.monitored} has not improved for ${schedule.patience} epoch${schedule.patience === 1 ? "" : "s"}: lr ×${schedule.factor}, now ${(this.settings.optimizer.lr * this.s.scale).toPrecision(3)}`;
      }
    }
    return verdict;
  }

  get best(): CourseState["best"] {
    return this.s.best;
  }

  state(): CourseState {
    return { ...this.s, ...(this.s.best ? { best: { ...this.s.best } } : {}) };
  }

  /** The monitored number: the validation loss or the first metric of the monitored kind, else the training loss. */
  private value(trainLoss: number, valid: Evaluation | undefined): number {
    const monitor = this.settings.monitor;
    if (!valid) return trainLoss;
    if (monitor === "loss") return valid.loss;
    return valid.metrics.find((m) => m.kind === monitor)?.value ?? NaN;
  }
}

/**
 * Why these settings cannot be followed with the data given, or undefined: early stopping or a
 * plateau on a metric needs validation data that has that metric.
 */
export function courseProblem(settings: TrainSettings, valid: Evaluation | "none" | "some", metricKinds: string[]): string | undefined {
  if (settings.monitor !== "loss" && valid === "none")
    return `early_stop … on ${settings.monitor} watches the validation ${settings.monitor}: pass --valid FILE`;
  if (settings.monitor !== "loss" && !metricKinds.includes(settings.monitor))
    return `early_stop … on ${settings.monitor}: this model's losses give ${metricKinds.join(" and ") || "no metric"}, not ${settings.monitor}`;
  return undefined;
}

const formatValue = (x: number | undefined, monitor: string) =>
  x === undefined ? "none" : monitor === "accuracy" ? `${(100 * x).toFixed(2)}%` : x.toPrecision(4);
