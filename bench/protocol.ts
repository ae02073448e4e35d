// Messages between `npm run bench` (the parent) and its child processes, one per engine and
// workload (so that each engine's peak RSS is its own). The parent sends one request at a time
// and waits for the answer: only one engine computes at any moment.
import type { WorkloadData } from "./data.ts";
import type { RnncSetup } from "./engines/rnnc.ts";
import type { PeakResult } from "./peak.ts";
import type { Workload } from "./workloads.ts";

export type Request =
  | { type: "setup"; engine: string; workload: Workload; data: WorkloadData; rnnc: RnncSetup }
  /** Units until at least `minUnits` and `seconds` (or one unit past `slowSeconds`); then how many units make a run of `runSeconds`. */
  | { type: "warmup"; minUnits: number; seconds: number; slowSeconds: number; runSeconds: number }
  | { type: "run"; units: number }
  | { type: "peak"; n: number; runs: number; seconds: number }
  | { type: "finish" };

export type Reply =
  | { type: "ready"; notes: string[]; setupMs: number }
  | { type: "warm"; units: number; ms: number; msPerUnit: number; unitsPerRun: number; check: number }
  | { type: "ran"; units: number; ms: number; check: number }
  | { type: "peak"; result: PeakResult }
  /** The process's peak resident set (getrusage's ru_maxrss), over its whole life. */
  | { type: "finished"; maxRssMB: number }
  | { type: "error"; message: string };
