// From timed runs to the figures of the table: medians, rates, GFLOP/s, share of the kernel
// peak, and how many times faster each rnnc engine is than each tfjs engine.
import { median } from "./stats.ts";
import type { RateKind, Workload } from "./workloads.ts";

/** What the parent collected from one engine's process for one workload. */
export interface EngineMeasurement {
  engine: string;
  /** The timed runs, in the order they ran (alternating with the other engines'). */
  runs: { units: number; ms: number }[];
  maxRssMB: number;
  notes: string[];
  /** The check value (loss, tokens generated…) after warm-up and after the last run, and how many units ran in all. */
  checks: { warm: number; last: number; units: number };
  error?: string;
}

export interface Row {
  workload: string;
  engine: string;
  /** Median over the runs of each run's time per unit (a training step, a prediction, a generation). */
  msPerUnit: number;
  tokensPerSecond: number;
  sequencesPerSecond: number;
  usPerToken: number;
  gflops: number;
  /** gflops ÷ the kernel peak. */
  peakShare: number;
  maxRssMB: number;
  rate: { value: number; unit: RateKind };
  /** rnnc engines: other engine → its time per unit ÷ this one's (above 1: this one is faster). */
  speedup: Record<string, number>;
  runs: number;
  unitsPerRun: number;
  error?: string;
}

export const isTfjs = (engine: string): boolean => engine.startsWith("tfjs-");

export function summarize(w: Workload, m: EngineMeasurement, peakGflops: number): Row {
  const msPerUnit = median(m.runs.map((r) => r.ms / r.units));
  const seconds = msPerUnit / 1000;
  const tokensPerSecond = w.unit.tokens / seconds;
  const sequencesPerSecond = w.unit.sequences / seconds;
  const usPerToken = (1000 * msPerUnit) / w.unit.tokens;
  const gflops = w.unit.flops / seconds / 1e9;
  const value = w.rate === "tokens/s" ? tokensPerSecond : w.rate === "sequences/s" ? sequencesPerSecond : usPerToken;
  return {
    workload: w.id,
    engine: m.engine,
    msPerUnit,
    tokensPerSecond,
    sequencesPerSecond,
    usPerToken,
    gflops,
    peakShare: gflops / peakGflops,
    maxRssMB: m.maxRssMB,
    rate: { value, unit: w.rate },
    speedup: {},
    runs: m.runs.length,
    unitsPerRun: m.runs.length > 0 ? median(m.runs.map((r) => r.units)) : 0,
    ...(m.error ? { error: m.error } : {}),
  };
}

/** Fills each rnnc row's speed-up over every tfjs row of the same workload. */
export function compare(rows: Row[]): Row[] {
  for (const row of rows) {
    if (isTfjs(row.engine) || row.error) continue;
    for (const other of rows)
      if (other.workload === row.workload && isTfjs(other.engine) && !other.error) row.speedup[other.engine] = other.msPerUnit / row.msPerUnit;
  }
  return rows;
}

const group = (x: number, digits = 0) => x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Three significant figures, at least. */
function figure(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a >= 100 ? group(x) : a >= 10 ? group(x, 1) : a >= 1 ? group(x, 2) : group(x, 3);
}

export function formatRate(rate: Row["rate"]): string {
  const unit = rate.unit === "sequences/s" ? "seq/s" : rate.unit;
  return `${figure(rate.value)} ${unit}`;
}

/** The table, in Markdown (it goes into bench/README.md as printed). */
export function formatTable(rows: readonly Row[], tfjsEngines: readonly string[]): string {
  const header = ["workload", "engine", "rate", "ms/step", "GFLOP/s", "% of peak", "peak RSS", ...tfjsEngines.map((e) => `rnnc ÷ ${e}`)];
  const lines = [header, header.map((h, i) => (i < 2 ? "---" : "---:"))];
  for (const r of rows) {
    if (r.error) {
      lines.push([r.workload, r.engine, `failed: ${r.error.split("\n")[0].slice(0, 80)}`, "", "", "", "", ...tfjsEngines.map(() => "")]);
      continue;
    }
    lines.push([
      r.workload,
      r.engine,
      formatRate(r.rate),
      figure(r.msPerUnit),
      figure(r.gflops),
      `${(100 * r.peakShare).toFixed(1)}%`,
      `${group(r.maxRssMB)} MB`,
      ...tfjsEngines.map((e) => (r.speedup[e] === undefined ? "" : `${r.speedup[e].toFixed(2)}×`)),
    ]);
  }
  return lines.map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}
