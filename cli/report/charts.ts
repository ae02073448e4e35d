// From runs to pictures: which curves go on which chart, in which colour, with which legend and
// which best epoch marked. Each function returns the SVG of its charts, or nothing when no run
// has the numbers (the page then says why).
import { heatmap, logNorms } from "./heatmap.ts";
import type { EpochRecord, Run } from "./read.ts";
import { formatNumber, formatPercent, runColor } from "./scale.ts";
import { lineChart, type LegendEntry, type Mark, type Series } from "./svg.ts";

/** The runs as drawn: each with its label and colour. */
export interface Drawn {
  run: Run;
  label: string;
  color: string;
}

export const drawn = (runs: readonly Run[], labels: readonly string[]): Drawn[] => runs.map((run, i) => ({ run, label: labels[i], color: runColor(i) }));

const GREY = "#555";
const lastEpoch = (ds: readonly Drawn[]) => Math.max(1, ...ds.flatMap((d) => d.run.epochs.map((e) => e.epoch)));
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const curve = (d: Drawn, what: string, value: (e: EpochRecord) => unknown, dash = false): Series => ({
  label: `${d.label} ${what}`,
  color: d.color,
  dash,
  points: d.run.epochs.map((e) => [e.epoch, num(value(e))] as const),
});
const runKey = (ds: readonly Drawn[]): LegendEntry[] => ds.map((d) => ({ label: d.label, color: d.color }));

/** The best epoch of a run: the last one marked best (metrics.jsonl marks each new best). */
export const bestEpoch = (run: Run): EpochRecord | undefined => [...run.epochs].reverse().find((e) => e.best === true);

/** Where a run's monitored number is drawn: on the loss chart (which curve), or on a metric's. */
export function monitored(run: Run): { chart: "loss"; field: "trainLoss" | "validLoss" } | { chart: "metric"; key: string } | undefined {
  const name = run.settings.monitor?.name ?? "";
  const validating = run.epochs.some((e) => num(e.validLoss) !== undefined);
  if (/loss/.test(name) || name === "") return { chart: "loss", field: /train/.test(name) || !validating ? "trainLoss" : "validLoss" };
  const keys = Object.keys(run.epochs.at(-1)?.valid ?? {});
  const key = keys.find((k) => name.includes(k)) ?? keys.find((k) => name.includes(k.replace(/\(.*/, "")));
  return key ? { chart: "metric", key } : undefined;
}

/** The best epochs, as marks: a dotted line on every chart, a ring where the monitored number is drawn. */
function bestMarks(ds: readonly Drawn[], ringOn: (d: Drawn, best: EpochRecord) => number | undefined): Mark[] {
  return ds.flatMap((d) => {
    const best = bestEpoch(d.run);
    if (!best) return [];
    const what = d.run.settings.monitor?.name ?? "the monitored number";
    return [{ x: best.epoch, y: ringOn(d, best), color: d.color, label: `${d.label}: best epoch ${best.epoch} by ${what}` }];
  });
}

export function lossChart(ds: readonly Drawn[]): string {
  const validating = ds.some((d) => d.run.epochs.some((e) => num(e.validLoss) !== undefined));
  const series = ds.flatMap((d) => [curve(d, "train loss", (e) => e.trainLoss), ...(validating ? [curve(d, "valid loss", (e) => e.validLoss, true)] : [])]);
  const style: LegendEntry[] = validating ? [{ label: "train", color: GREY }, { label: "valid", color: GREY, dash: true }] : [];
  const marks = bestMarks(ds, (d, best) => {
    const m = monitored(d.run);
    return m?.chart === "loss" ? num(best[m.field]) : undefined;
  });
  return lineChart({ title: validating ? "Loss: training and validation" : "Training loss", xLabel: "epoch", yLabel: "loss", epochs: lastEpoch(ds), series, legend: [...runKey(ds), ...style], marks });
}

/** One chart per validation metric (`accuracy`, `rmse`, `accuracy(tags)`…), in the order first met. */
export function metricCharts(ds: readonly Drawn[]): string[] {
  const keys = [...new Set(ds.flatMap((d) => d.run.epochs.flatMap((e) => Object.keys(e.valid ?? {}))))];
  return keys.map((key) => {
    const having = ds.filter((d) => d.run.epochs.some((e) => num(e.valid?.[key]) !== undefined));
    const accuracy = key.startsWith("accuracy");
    const marks = bestMarks(having, (d, best) => {
      const m = monitored(d.run);
      return m?.chart === "metric" && m.key === key ? num(best.valid?.[key]) : undefined;
    });
    const name = accuracy ? key : key.replace(/^rmse/, "RMSE");
    return lineChart({
      title: `Validation ${name}`,
      xLabel: "epoch",
      yLabel: name,
      epochs: lastEpoch(ds),
      series: having.map((d) => curve(d, `valid ${key}`, (e) => e.valid?.[key])),
      legend: runKey(having),
      marks,
      format: accuracy ? formatPercent : formatNumber,
      log: accuracy ? false : undefined,
    });
  });
}

export function lrChart(ds: readonly Drawn[]): string {
  return lineChart({ title: "Learning rate (at each epoch's last update)", xLabel: "epoch", yLabel: "learning rate", epochs: lastEpoch(ds), series: ds.map((d) => curve(d, "lr", (e) => e.lr)), legend: runKey(ds) });
}

export function gradNormChart(ds: readonly Drawn[]): string {
  const series = ds.flatMap((d) => [curve(d, "gradient norm mean", (e) => e.gradNorm?.mean), curve(d, "gradient norm max", (e) => e.gradNorm?.max, true)]);
  const style: LegendEntry[] = [{ label: "mean", color: GREY }, { label: "max", color: GREY, dash: true }];
  return lineChart({ title: "Global gradient norm, before clipping", xLabel: "epoch", yLabel: "‖gradient‖", epochs: lastEpoch(ds), series, legend: [...runKey(ds), ...style] });
}

/** A heatmap per recurrent state per run, with a line on its extremes at the last epoch; the colour range is shared by a state's heatmaps. */
export function flowHeatmaps(ds: readonly Drawn[]): { svg: string; caption: string }[] {
  const states = (d: Drawn) => [...new Set(d.run.epochs.flatMap((e) => Object.keys(e.gradientFlow ?? {})))];
  const rowsOf = (d: Drawn, state: string) =>
    d.run.epochs.filter((e) => Array.isArray(e.gradientFlow?.[state])).map((e) => ({ epoch: e.epoch, norms: e.gradientFlow![state] as (number | null)[] }));
  const ranges = new Map<string, [number, number]>();
  for (const d of ds)
    for (const state of states(d)) {
      const logs = logNorms(rowsOf(d, state));
      if (logs.length === 0) continue;
      const [lo, hi] = ranges.get(state) ?? [Infinity, -Infinity];
      ranges.set(state, [Math.min(lo, ...logs), Math.max(hi, ...logs)]);
    }
  return ds.flatMap((d) =>
    states(d).map((state) => {
      const rows = rowsOf(d, state);
      return { svg: heatmap({ title: `${d.label}: state ${state}`, rows, range: ranges.get(state) ?? [0, 0] }), caption: extremes(rows.at(-1)) };
    }),
  );
}

/** `epoch 10: from 1.2e-6 at step 1 to 0.034 at step 40`: the spread a heatmap row shows in colour, in numbers. */
function extremes(row: { epoch: number; norms: readonly (number | null)[] } | undefined): string {
  const values = (row?.norms ?? []).map((v, t) => [v, t + 1] as const).filter((p): p is readonly [number, number] => typeof p[0] === "number" && p[0] > 0 && Number.isFinite(p[0]));
  if (!row || values.length === 0) return "";
  const low = values.reduce((a, b) => (b[0] < a[0] ? b : a));
  const high = values.reduce((a, b) => (b[0] > a[0] ? b : a));
  return `At epoch ${row.epoch}, |∂L/∂h_t| ranges from ${formatNumber(low[0])} (step ${low[1]}) to ${formatNumber(high[0])} (step ${high[1]}): a factor of ${formatNumber(high[0] / low[0])}.`;
}
