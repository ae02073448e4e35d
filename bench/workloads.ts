// The workloads of issue 5: what each engine runs, its sizes, and what one unit of work (a
// training step, a prediction, a generation) counts in tokens, sequences and FLOPs.
import { classifierTrainFlopsPerSequence, lmForwardFlopsPerToken, lmTrainFlopsPerToken, type Cell } from "./flops.ts";

export type WorkloadKind = "train-lm" | "train-classify" | "infer" | "generate";
export type RateKind = "tokens/s" | "sequences/s" | "µs/token";

export interface Workload {
  id: string; // A128, B128, C, D, E
  title: string;
  kind: WorkloadKind;
  cell: Cell;
  /** The rnnc model, a file of bench/. */
  rnnFile: string;
  /** The size the data binds (vocab(text), vocab(words)). */
  vocabKey: string;
  V: number; // vocabulary
  E: number; // embedding
  H: number; // hidden
  T: number; // steps per sequence
  B: number; // batch
  classes: number; // train-classify only (0 otherwise)
  /** Generation: tokens per unit, and the sampling temperature. */
  generate?: { tokens: number; temperature: number };
  /** One unit of work: a training step, one prediction of a sequence, one generation. */
  unit: { tokens: number; sequences: number; flops: number; what: string };
  rate: RateKind;
}

function lm(id: string, cell: Cell, H: number): Workload {
  const V = 64, E = 32, T = 32, B = 32;
  return {
    id,
    title: `${cell.toUpperCase()} LM, H=${H}, training (V=${V}, E=${E}, T=${T}, B=${B}, Adam, full BPTT)`,
    kind: "train-lm",
    cell,
    rnnFile: cell === "lstm" ? "lm-lstm.rnn" : "lm-gru.rnn",
    vocabKey: "vocab(text)",
    V, E, H, T, B,
    classes: 0,
    unit: { tokens: B * T, sequences: B, flops: B * T * lmTrainFlopsPerToken(cell, V, E, H), what: "training step" },
    rate: "tokens/s",
  };
}

export const WORKLOADS: Workload[] = [
  lm("A64", "lstm", 64),
  lm("A128", "lstm", 128),
  lm("A256", "lstm", 256),
  lm("B128", "gru", 128),
  (() => {
    const V = 1000, E = 64, H = 128, T = 64, B = 32, classes = 2;
    return {
      id: "C",
      title: `many-to-one LSTM classifier, training (V=${V}, E=${E}, H=${H}, T=${T}, B=${B}, ${classes} classes)`,
      kind: "train-classify",
      cell: "lstm",
      rnnFile: "classify.rnn",
      vocabKey: "vocab(words)",
      V, E, H, T, B, classes,
      unit: { tokens: B * T, sequences: B, flops: B * classifierTrainFlopsPerSequence("lstm", T, E, H, classes), what: "training step" },
      rate: "sequences/s",
    } satisfies Workload;
  })(),
  (() => {
    const base = lm("D", "lstm", 128);
    return {
      ...base,
      title: `inference of A128, batch 1: probabilities of all ${base.T} steps of a sequence, per token`,
      kind: "infer",
      B: 1,
      unit: { tokens: base.T, sequences: 1, flops: base.T * lmForwardFlopsPerToken("lstm", base.V, base.E, base.H), what: `prediction of 1×${base.T}` },
      rate: "µs/token",
    } satisfies Workload;
  })(),
  (() => {
    const base = lm("E", "lstm", 128);
    const tokens = 1000, temperature = 0.8;
    return {
      ...base,
      title: `generation with A128: ${tokens.toLocaleString("en-US")} tokens, one at a time, sampled at temperature ${temperature}`,
      kind: "generate",
      B: 1,
      generate: { tokens, temperature },
      unit: { tokens, sequences: 1, flops: tokens * lmForwardFlopsPerToken("lstm", base.V, base.E, base.H), what: `${tokens}-token generation` },
      rate: "tokens/s",
    } satisfies Workload;
  })(),
];

export function workloadNamed(id: string): Workload | undefined {
  return WORKLOADS.find((w) => w.id.toLowerCase() === id.toLowerCase());
}
