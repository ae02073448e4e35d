// The arithmetic of the report's pictures: where a value lands on an axis (linear or log), which
// round values to label, how to write a number in few characters, and the colours. Pure
// functions, no SVG: svg.ts draws with them.

/** A value → pixel map for one axis, with the values worth labelling. */
export interface Scale {
  readonly log: boolean;
  /** The pixel of a value; for a log scale, of a positive value (callers drop the others). */
  at(value: number): number;
  readonly ticks: readonly number[];
}

/** A loss falling from 10 to 0.01 is a straight line only on a log axis; within two decades a linear one reads better. */
export const LOG_DECADES = 2;

/** Whether values are best drawn on a log axis: all positive, spanning more than LOG_DECADES decades. */
export function wantsLog(values: readonly number[]): boolean {
  if (values.length === 0 || values.some((v) => !(v > 0))) return false;
  return Math.log10(Math.max(...values) / Math.min(...values)) > LOG_DECADES;
}

/**
 * An axis over `values`, from pixel `from` (the smallest value) to `to`. A linear domain is
 * widened to round ticks, so that the curve fills the plot between labelled lines; a single
 * value gets room around it.
 */
export function scale(values: readonly number[], from: number, to: number, log = false): Scale {
  const finite = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (log) {
    const lo = Math.floor(Math.log10(Math.min(...finite)));
    let hi = Math.ceil(Math.log10(Math.max(...finite)));
    if (hi === lo) hi++;
    const every = Math.ceil((hi - lo + 1) / 8); // at most about 8 labels
    const ticks = [];
    for (let k = lo; k <= hi; k += every) ticks.push(10 ** k);
    return { log, ticks, at: (v) => from + ((Math.log10(v) - lo) / (hi - lo)) * (to - from) };
  }
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep((hi - lo) / 5);
  lo = Math.floor(lo / step + 1e-9) * step;
  hi = Math.ceil(hi / step - 1e-9) * step;
  const ticks = [];
  for (let k = 0; lo + k * step <= hi + step * 1e-9; k++) ticks.push(roundTo(lo + k * step, step));
  return { log, ticks, at: (v) => from + ((v - lo) / (hi - lo)) * (to - from) };
}

/** An axis of whole numbers 1..n (epochs, steps): labels on round numbers, never between two. */
export function integerScale(n: number, from: number, to: number, centred = false): Scale {
  // Centred: cell i spans [i-1, i] and its label sits in its middle (the heatmap); else point i sits at i.
  const lo = centred ? 0 : n > 1 ? 1 : 0.5;
  const hi = centred ? n : n > 1 ? n : 1.5;
  const step = Math.max(1, niceStep((hi - lo) / 6));
  const ticks = [];
  for (let i = step; i <= n; i += step) ticks.push(i);
  if (step >= 5 || ticks.length === 0) ticks.unshift(1); // the first epoch, when it is not crowded by the second label
  const at = (v: number) => from + (((centred ? v - 0.5 : v) - lo) / (hi - lo)) * (to - from);
  return { log: false, ticks, at };
}

/** 1, 2 or 5 times a power of ten, at least `rough`. */
function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const m = rough / power;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
}

/** 0.30000000000000004 → 0.3: a tick is a multiple of its step, written as one. */
const roundTo = (v: number, step: number) => Number(v.toFixed(Math.max(0, -Math.floor(Math.log10(step)) + 1)));

/** A number in a few characters: 0.0123, 14.26, 1.5e-5, 2e+6 → 2e6. */
export function formatNumber(v: number): string {
  if (v === 0) return "0";
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(a === 10 ** Math.round(Math.log10(a)) ? 0 : 1).replace("e+", "e");
  return String(Number(v.toPrecision(4)));
}

/** A fraction as a percentage: 0.256 → 25.6%. */
export const formatPercent = (v: number) => `${Number((100 * v).toPrecision(v > 0.999 && v < 1 ? 4 : 3))}%`;

/** The runs' colours, in order: distinct in hue and on a white page (Tableau 10). */
const PALETTE = ["#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac"];
export const runColor = (i: number) => PALETTE[i % PALETTE.length];

/** Viridis at eleven stops: dark for small, yellow for large, readable in grey and by the colour-blind. */
const VIRIDIS = ["#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c", "#22a884", "#44bf70", "#7ad151", "#bddf26", "#fde725"];

/** The colour of a fraction 0..1 of the way along the colour scale. */
export function heatColor(fraction: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(f));
  const [a, b] = [rgb(VIRIDIS[i]), rgb(VIRIDIS[i + 1])];
  return "#" + a.map((c, k) => Math.round(c + (b[k] - c) * (f - i)).toString(16).padStart(2, "0")).join("");
}

const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
