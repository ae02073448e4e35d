// What a run directory holds besides its checkpoints (runs/MODEL/N/, see run-dir.ts), as types:
// `metrics.jsonl` gets one EpochLine per epoch as the run goes, `settings.json` is written once
// at the start. `rnnc report` reads them back, for one run or several side by side.
import type { DataSource } from "./data-source.ts";

/** One line of metrics.jsonl: an epoch's numbers. */
export interface EpochLine {
  epoch: number; // from 1
  /** Optimizer updates so far (one per batch, or per window with bptt). */
  updates: number;
  /** Seconds since the run started (a resumed run continues its count). */
  seconds: number;
  /** The epoch's training loss: per example, as the model's losses define it, averaged over the epoch. */
  trainLoss: number;
  validLoss?: number;
  /** Validation metrics by name: `accuracy`, `rmse`, or `accuracy(tags)` when a model has several losses. */
  valid?: Record<string, number>;
  /** The learning rate of the epoch's last update. */
  lr: number;
  /** The global norm of the gradients (before clipping): mean and largest over the epoch's updates. */
  gradNorm: { mean: number; max: number };
  /**
   * Per recurrent state, at each step t, the mean over examples of |∂L/∂h_t| on a fixed probe
   * batch (the same examples every epoch): where it shrinks towards early steps, gradients vanish.
   */
  gradientFlow?: Record<string, number[]>;
  /** The best epoch so far by the monitored number (saved as best.ckpt). */
  best: boolean;
}

/** settings.json: how the run was started, resolved. */
export interface RunSettingsFile {
  model: string;
  /** The model file as given, and its text at the start (also copied as model.rnn). */
  modelFile: string;
  /** The command line, as typed (argv after `rnnc`). */
  command: string[];
  /** The train settings after the file, --set and the flags: optimizer, batch, epochs, schedule… */
  settings: Record<string, unknown>;
  overrides: Record<string, number>;
  /** What was read and how (cli/data-source.ts's DataSource: files, format, data set), so that --resume reads it again. */
  data: DataSource & { examples: number; validExamples?: number };
  parameters: number;
  /** `rnnc check`'s summary of the model. */
  summary: string;
  backend: string;
  threads: number;
  startedAt: string;
  /** What "best" means: the monitored number and whether lower is better. */
  monitor: { name: string; lowerIsBetter: boolean };
  /** `--init-from`: where the run's first parameters came from (absent for a run from scratch). */
  initFrom?: InitFromRecord;
}

/** What a run started with --init-from took from the other model's checkpoint. */
export interface InitFromRecord {
  /** --init-from as given, and the checkpoint file it named. */
  given: string;
  checkpoint: string;
  /** The checkpoint's model. */
  model: string;
  /** The parameters copied, and those initialized fresh (`layer.param`). */
  copied: string[];
  fresh: string[];
  /** The token and class fields whose vocabularies came from the checkpoint: this model's field → the checkpoint's. */
  vocabularies: Record<string, string>;
}
