// Gradient flow through time as a heatmap: one row per epoch, one cell per step t, coloured by
// log10 of the mean |∂L/∂h_t|. Backpropagation through time multiplies the gradient by the
// recurrence's Jacobian once per step, so it tends to shrink (vanish) or grow (explode)
// geometrically towards the early steps: on a log scale that is a steady slide of colour along
// each row, which a table of numbers hides. One rect per cell, so the picture is exact at any
// zoom and each cell can carry its value as a tooltip.
import { formatNumber, heatColor, integerScale } from "./scale.ts";
import { esc, svgOpen } from "./svg.ts";

export interface Heatmap {
  title: string;
  /** One row per epoch, top to bottom: the norm at each step (null or absent: none recorded). */
  rows: readonly { epoch: number; norms: readonly (number | null)[] }[];
  /** The colour scale's ends, in log10 of the norm: shared by the heatmaps of a state across runs, so that they compare. */
  range: readonly [number, number];
}

/** Cells without a colour: no example reaches the step, or the norm was 0, or not finite (JSON writes Infinity and NaN as null). */
const MISSING = "#d0d0d0";
const LEFT = 62;
const TOP = 44; // the title, then the colour scale's name above it
const BOTTOM = 46;
const BAR_W = 14; // the colour bar
const TITLE_CHAR_W = 7.6; // a 13px bold character, on average: room for the title
/** Beyond this many cells the tooltips are left out: they would double the page's size for little. */
const MAX_TOOLTIPS = 5000;

/** The finite log10 norms of some rows: what a shared colour range is taken over. */
export const logNorms = (rows: Heatmap["rows"]) => rows.flatMap((r) => r.norms.filter((v): v is number => typeof v === "number" && v > 0 && Number.isFinite(v)).map(Math.log10));

export function heatmap(h: Heatmap): string {
  const steps = Math.max(1, ...h.rows.map((r) => r.norms.length));
  const epochs = Math.max(1, h.rows.length);
  const plotW = Math.min(640, Math.max(360, steps * 14));
  const plotH = Math.min(480, Math.max(120, epochs * 14));
  const cellW = plotW / steps;
  const cellH = plotH / epochs;
  const [lo, hi] = h.range[0] < h.range[1] ? h.range : [h.range[0] - 0.5, h.range[0] + 0.5];
  const fraction = (norm: number) => (Math.log10(norm) - lo) / (hi - lo);
  const barX = LEFT + plotW + 24;
  const width = Math.round(Math.max(barX + BAR_W + 64, LEFT + TITLE_CHAR_W * h.title.length + 8));
  const height = TOP + plotH + BOTTOM;
  const tooltips = epochs * steps <= MAX_TOOLTIPS;
  let missing = false;

  const out: string[] = [svgOpen(width, height, h.title), `<text class="title" x="${LEFT}" y="18">${esc(h.title)}</text>`];
  out.push(`<g class="cells" shape-rendering="crispEdges">`);
  h.rows.forEach((row, r) => {
    row.norms.forEach((norm, t) => {
      const ok = typeof norm === "number" && norm > 0 && Number.isFinite(norm);
      missing ||= !ok;
      const fill = ok ? heatColor(fraction(norm)) : MISSING;
      const rect = `<rect class="cell" x="${(LEFT + t * cellW).toFixed(2)}" y="${(TOP + r * cellH).toFixed(2)}" width="${cellW.toFixed(2)}" height="${cellH.toFixed(2)}" fill="${fill}"`;
      out.push(tooltips ? `${rect}><title>epoch ${row.epoch}, step ${t + 1}: ${ok ? formatNumber(norm) : norm === 0 ? "0" : norm === null ? "not finite" : "none"}</title></rect>` : `${rect}/>`);
    });
  });
  out.push(`</g>`, `<rect class="frame" x="${LEFT}" y="${TOP}" width="${plotW}" height="${plotH}"/>`);

  // Axes: steps along x (cell centres), epochs down y.
  const x = integerScale(steps, LEFT, LEFT + plotW, true);
  for (const t of x.ticks) out.push(`<text class="tick" x="${x.at(t).toFixed(1)}" y="${TOP + plotH + 17}" text-anchor="middle">${t}</text>`);
  const y = integerScale(epochs, TOP, TOP + plotH, true);
  for (const r of y.ticks) out.push(`<text class="tick" x="${LEFT - 6}" y="${y.at(r).toFixed(1)}" text-anchor="end" dominant-baseline="middle">${h.rows[r - 1]?.epoch ?? r}</text>`);
  out.push(`<text class="axis" x="${LEFT + plotW / 2}" y="${TOP + plotH + BOTTOM - 8}" text-anchor="middle">step t</text>`);
  out.push(`<text class="axis" transform="translate(16 ${TOP + plotH / 2}) rotate(-90)" text-anchor="middle">epoch</text>`);

  out.push(colourBar(lo, hi, barX, plotH), missing ? missingKey(barX, TOP + plotH + 20) : "", `</svg>`);
  return out.join("\n");
}

/** The colour scale, bottom (small norms) to top (large), labelled with the norms at round powers of ten. */
function colourBar(lo: number, hi: number, left: number, plotH: number): string {
  const bands = 32;
  const out = [`<g class="colour-scale"><title>|∂L/∂h_t|, log scale</title>`];
  for (let i = 0; i < bands; i++) {
    const y = TOP + plotH - ((i + 1) * plotH) / bands;
    out.push(`<rect x="${left}" y="${y.toFixed(2)}" width="${BAR_W}" height="${(plotH / bands + 0.5).toFixed(2)}" fill="${heatColor((i + 0.5) / bands)}"/>`);
  }
  out.push(`<rect class="frame" x="${left}" y="${TOP}" width="${BAR_W}" height="${plotH}"/>`);
  const at = (v: number) => TOP + plotH - ((v - lo) / (hi - lo)) * plotH;
  // Whole decades when there are some (at most about eight), else the two ends.
  const first = Math.ceil(lo - 1e-9);
  const last = Math.floor(hi + 1e-9);
  const every = Math.max(1, Math.ceil((last - first + 1) / 8));
  const labels: number[] = [];
  for (let k = first; k <= last; k += every) labels.push(k);
  if (labels.length < 2) labels.splice(0, labels.length, lo, hi);
  for (const v of labels) {
    out.push(`<line x1="${left + BAR_W}" x2="${left + BAR_W + 4}" y1="${at(v).toFixed(1)}" y2="${at(v).toFixed(1)}" class="tickmark"/>`);
    out.push(`<text class="tick scale-label" x="${left + BAR_W + 7}" y="${at(v).toFixed(1)}" dominant-baseline="middle">${formatNumber(10 ** v)}</text>`);
  }
  out.push(`<text class="axis" x="${left - 6}" y="${TOP - 10}">|∂L/∂h|</text>`, `</g>`);
  return out.join("\n");
}

const missingKey = (left: number, y: number) =>
  `<g class="missing-key"><rect x="${left}" y="${y - 9}" width="${BAR_W}" height="10" fill="${MISSING}"/><text class="tick" x="${left + BAR_W + 5}" y="${y}">none</text></g>`;
