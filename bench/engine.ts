// What every engine offers the benchmark: a session set up for one workload (model built,
// weights initialized, batches laid out as the engine wants them — none of it timed), whose
// `unit` does one unit of the workload's work: a training step (loss, gradients, Adam update),
// one prediction, or one generation.

export interface Session {
  /** How this engine runs the workload, where it differs from the others: shown under the table. */
  notes: string[];
  /** One unit of work. Returns a check value: the loss of a training step, the number of tokens generated… */
  unit(): number | Promise<number>;
}

/** The optimizer settings read from the .rnn file's train block, used by every engine. */
export interface AdamSettings {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/** Example-major ids (b·T + t) → time-major (t·B + b), as rnnc's batches are laid out. */
export function timeMajor(ids: Int32Array, B: number, T: number): Float32Array {
  const out = new Float32Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out[t * B + b] = ids[b * T + t];
  return out;
}
