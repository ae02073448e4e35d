// Line charts over epochs, as inline SVG text: the report's loss, metric, learning-rate and
// gradient-norm curves. Everything is drawn here, labels and legend included, so that a chart
// reads the same on a page, in a screenshot or printed; nothing is fetched and no script runs.
// Elements carry a class (`series`, `mark`, `legend`) and series a `data-series` name, for
// whoever reads the SVG back (the tests do).
import { formatNumber, integerScale, scale, wantsLog } from "./scale.ts";

/** Text from files (names, paths, command lines) made inert in HTML and SVG, attributes included. */
export const esc = (text: unknown) =>
  String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** One curve: y at each epoch x (missing or non-finite values are left out). */
export interface Series {
  /** Who and what: `runs/names/3 valid loss`, for data-series and the tooltip. */
  label: string;
  color: string;
  dash?: boolean;
  points: readonly (readonly [number, number | undefined | null])[];
}

/** A marked point: the best epoch of a run (a dotted line across the plot, and a ring at y). */
export interface Mark {
  x: number;
  y?: number;
  color: string;
  label: string;
}

export interface LegendEntry {
  label: string;
  color: string;
  dash?: boolean;
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  /** The x axis runs over epochs 1..epochs. */
  epochs: number;
  series: readonly Series[];
  legend: readonly LegendEntry[];
  marks?: readonly Mark[];
  /** How y values are written (ticks, tooltips): percentages for accuracy. */
  format?: (v: number) => string;
  /** Log y; by default, when the values span more than two decades (scale.ts). */
  log?: boolean;
}

// The geometry, in pixels.
const PLOT_W = 520;
const PLOT_H = 220;
const LEFT = 70; // y tick labels and the y axis title
const TOP = 30; // the title
const BOTTOM = 46; // x tick labels and the x axis title
const CHAR_W = 6.6; // a 12px sans-serif character, on average: the legend's width is guessed from its text
/** Above this many points a curve is drawn without dots, which would blur into a thick line. */
const MAX_DOTS = 40;

export function lineChart(c: LineChart): string {
  const format = c.format ?? formatNumber;
  const curves = c.series.map((s) => ({ ...s, points: s.points.filter((p): p is [number, number] => typeof p[1] === "number" && Number.isFinite(p[1])) }));
  const all = curves.flatMap((s) => s.points.map((p) => p[1]));
  const log = c.log ?? wantsLog(all);
  const shown = curves.map((s) => ({ ...s, points: log ? s.points.filter((p) => p[1] > 0) : s.points }));
  const legendW = c.legend.length ? 40 + CHAR_W * Math.max(...c.legend.map((e) => e.label.length)) : 0;
  const width = Math.round(LEFT + PLOT_W + 16 + legendW);
  const height = Math.max(TOP + PLOT_H + BOTTOM, TOP + 16 + 18 * c.legend.length);
  const x = integerScale(Math.max(1, c.epochs), LEFT, LEFT + PLOT_W);
  const y = scale(all.length ? all : [0, 1], TOP + PLOT_H, TOP, log);
  const px = (v: number) => x.at(v).toFixed(1);
  const py = (v: number) => y.at(v).toFixed(1);

  const out: string[] = [svgOpen(width, height, c.title), `<text class="title" x="${LEFT}" y="18">${esc(c.title)}${log ? ' <tspan class="note">(log scale)</tspan>' : ""}</text>`];
  // Grid and ticks.
  for (const t of y.ticks) out.push(`<line class="grid" x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${py(t)}" y2="${py(t)}"/>`, `<text class="tick" x="${LEFT - 6}" y="${py(t)}" text-anchor="end" dominant-baseline="middle">${esc(format(t))}</text>`);
  for (const t of x.ticks) out.push(`<line class="tickmark" x1="${px(t)}" x2="${px(t)}" y1="${TOP + PLOT_H}" y2="${TOP + PLOT_H + 4}"/>`, `<text class="tick" x="${px(t)}" y="${TOP + PLOT_H + 17}" text-anchor="middle">${t}</text>`);
  out.push(`<rect class="frame" x="${LEFT}" y="${TOP}" width="${PLOT_W}" height="${PLOT_H}"/>`);
  out.push(`<text class="axis" x="${LEFT + PLOT_W / 2}" y="${TOP + PLOT_H + BOTTOM - 8}" text-anchor="middle">${esc(c.xLabel)}</text>`);
  out.push(`<text class="axis" transform="translate(16 ${TOP + PLOT_H / 2}) rotate(-90)" text-anchor="middle">${esc(c.yLabel)}</text>`);
  if (all.length === 0) out.push(`<text class="empty" x="${LEFT + PLOT_W / 2}" y="${TOP + PLOT_H / 2}" text-anchor="middle">no values yet</text>`);

  for (const m of c.marks ?? []) {
    out.push(`<g class="mark"><title>${esc(m.label)}</title><line x1="${px(m.x)}" x2="${px(m.x)}" y1="${TOP}" y2="${TOP + PLOT_H}" stroke="${m.color}" stroke-dasharray="2 3"/>`);
    if (m.y !== undefined && Number.isFinite(m.y) && (!log || m.y > 0)) out.push(`<circle cx="${px(m.x)}" cy="${py(m.y)}" r="6" fill="none" stroke="${m.color}" stroke-width="2"/>`);
    out.push(`</g>`);
  }
  for (const s of shown) {
    if (s.points.length === 0) continue;
    const style = `stroke="${s.color}"${s.dash ? ' stroke-dasharray="6 4"' : ""}`;
    out.push(`<g class="curve"><title>${esc(s.label)}</title>`);
    out.push(`<polyline class="series" data-series="${esc(s.label)}" fill="none" stroke-width="2" ${style} points="${s.points.map(([a, b]) => `${px(a)},${py(b)}`).join(" ")}"/>`);
    if (s.points.length <= MAX_DOTS)
      for (const [a, b] of s.points) out.push(`<circle class="dot" cx="${px(a)}" cy="${py(b)}" r="2.5" fill="${s.color}"><title>${esc(`${s.label}, epoch ${a}: ${format(b)}`)}</title></circle>`);
    out.push(`</g>`);
  }
  out.push(legend(c.legend, LEFT + PLOT_W + 16, TOP));
  out.push(`</svg>`);
  return out.join("\n");
}

/** The opening tag: sized in pixels (so it has a size before any style applies), scaling down on narrow screens. */
export const svgOpen = (width: number, height: number, label: string) =>
  `<svg class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(label)}">`;

/** A key, one entry a line: a short stretch of the entry's line, then its label. */
function legend(entries: readonly LegendEntry[], left: number, top: number): string {
  return [
    `<g class="legend">`,
    ...entries.map((e, i) => {
      const y = top + 8 + i * 18;
      return `<line x1="${left}" x2="${left + 28}" y1="${y}" y2="${y}" stroke="${e.color}"${e.dash ? ' stroke-dasharray="6 4"' : ""}/><text x="${left + 36}" y="${y}" dominant-baseline="middle">${esc(e.label)}</text>`;
    }),
    `</g>`,
  ].join("\n");
}
