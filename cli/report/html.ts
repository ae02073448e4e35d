// The report page: one self-contained HTML file (inline SVG and an inline style sheet; no
// script, no font, nothing fetched), so that it opens from disk, by mail or in a CI artifact
// viewer, and reads the same without JavaScript. Every text taken from a run's files goes
// through esc(): model names, paths and command lines are the user's, not markup.
import { bestEpoch, drawn, flowHeatmaps, gradNormChart, lossChart, lrChart, metricCharts, monitored, type Drawn } from "./charts.ts";
import { runLabels } from "./labels.ts";
import type { Run } from "./read.ts";
import { formatNumber, formatPercent } from "./scale.ts";
import { esc } from "./svg.ts";

/** The page for some runs, compared on the same charts. */
export function renderReport(runs: readonly Run[]): string {
  const ds = drawn(runs, runLabels(runs));
  const models = [...new Set(runs.map((r) => r.settings.model).filter((m): m is string => typeof m === "string"))];
  const title = `rnnc report: ${models.join(", ") || runs.map((r) => r.dir).join(", ")}`;
  const any = (has: (d: Drawn) => boolean) => ds.some(has);
  const metrics = metricCharts(ds);
  const flows = flowHeatmaps(ds);
  const validating = any((d) => d.run.settings.data?.valid !== undefined || d.run.epochs.some((e) => typeof e.validLoss === "number"));

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${esc(title)}</h1>
${runsTable(ds)}
<h2 id="loss">Loss</h2>
<p>Per example, averaged over each epoch. ${validating ? "Solid: training; dashed: validation. " : ""}A dotted line marks each run's best epoch, and a ring the number that made it best.</p>
${figure(lossChart(ds))}
<h2 id="metrics">Validation metrics</h2>
${metrics.length ? metrics.map((svg) => figure(svg)).join("\n") : `<p class="none">${validating ? "No validation metrics were recorded." : "No validation set (rnnc train --valid FILE adds one)."}</p>`}
<h2 id="lr">Learning rate</h2>
${any((d) => d.run.epochs.some((e) => typeof e.lr === "number")) ? figure(lrChart(ds)) : `<p class="none">No learning rate was recorded.</p>`}
<h2 id="gradients">Gradient norm</h2>
<p>The global norm of all gradients, before clipping: the mean over the epoch's updates (solid) and the largest (dashed). Spikes in the largest are what clipping is for.</p>
${any((d) => d.run.epochs.some((e) => e.gradNorm)) ? figure(gradNormChart(ds)) : `<p class="none">No gradient norms were recorded.</p>`}
<h2 id="flow">Gradient flow through time</h2>
<p>For each recurrent state, the mean over a fixed probe batch of |∂L/∂h<sub>t</sub>| at each step t (across), every epoch (down), coloured by its logarithm.
Backpropagation through time multiplies the gradient by the recurrence once per step: colours darkening steadily towards the early steps mean vanishing gradients
(the early steps learn little from the loss), brightening means exploding ones. A state's heatmaps share one colour scale, so runs compare.</p>
${flows.length ? `<div class="flows">\n${flows.map((f) => figure(f.svg, f.caption)).join("\n")}\n</div>` : `<p class="none">No gradient flow was recorded.</p>`}
<h2 id="runs">The runs</h2>
${ds.map(runDetails).join("\n")}
</body>
</html>
`;
}

const figure = (svg: string, caption = "") => `<figure>\n${svg}${caption ? `\n<figcaption>${esc(caption)}</figcaption>` : ""}\n</figure>`;

/** One row a run: how far it got, its best epoch and its latest numbers. */
function runsTable(ds: readonly Drawn[]): string {
  const head = ["run", "model", "epochs", "best epoch", "train loss", "valid loss", "valid metrics", "time", "started"];
  const rows = ds.map((d) => {
    const { run } = d;
    const last = run.epochs.at(-1);
    const planned = num(run.settings.settings?.epochs);
    const best = bestEpoch(run);
    const m = monitored(run);
    const bestValue = best && m ? (m.chart === "loss" ? best[m.field] : best.valid?.[m.key]) : undefined;
    // Named after what was read, which is the monitored number unless the files disagree.
    const bestName = m?.chart === "metric" ? `valid ${m.key}` : m?.field === "trainLoss" ? "train loss" : "valid loss";
    const bestText = best ? `${best.epoch}${typeof bestValue === "number" ? ` (${bestName} ${formatMetric(m?.chart === "metric" ? m.key : "loss", bestValue)})` : ""}` : "–";
    const metrics = Object.entries(last?.valid ?? {}).map(([k, v]) => `${k} ${typeof v === "number" ? formatMetric(k, v) : "–"}`);
    const cells = [
      `<span class="swatch" style="background:${d.color}"></span>${esc(d.label)}${run.notes.map((n) => `<br><small>${esc(n)}</small>`).join("")}`,
      esc(run.settings.model ?? "?"),
      esc(`${last?.epoch ?? 0}${planned !== undefined ? ` of ${planned}` : ""}`),
      esc(bestText),
      esc(numberOr(last?.trainLoss)),
      esc(numberOr(last?.validLoss)),
      esc(metrics.join(", ") || "–"),
      `<span class="nowrap">${esc(typeof last?.seconds === "number" ? duration(last.seconds) : "–")}</span>`,
      esc(typeof run.settings.startedAt === "string" ? when(run.settings.startedAt) : "–"),
    ];
    return `<tr>${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`;
  });
  return `<table class="runs">\n<tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr>\n${rows.join("\n")}\n</table>`;
}

/** A run's particulars: the command, its settings resolved, the model's summary. */
function runDetails(d: Drawn): string {
  const s = d.run.settings;
  const rows: [string, unknown][] = [
    ["model", s.model],
    ["model file", s.modelFile],
    ["training data", s.data ? `${s.data.train} (${s.data.examples} examples)` : undefined],
    ["validation data", s.data?.valid !== undefined ? `${s.data.valid}${s.data.validExamples !== undefined ? ` (${s.data.validExamples} examples)` : ""}` : s.data ? "none" : undefined],
    ["parameters", s.parameters],
    ["backend", s.backend !== undefined ? `${s.backend}${s.threads !== undefined ? `, ${s.threads} thread${s.threads === 1 ? "" : "s"}` : ""}` : undefined],
    ["best by", s.monitor ? `${s.monitor.name} (${s.monitor.lowerIsBetter ? "lower" : "higher"} is better)` : undefined],
    ["started", s.startedAt],
    ...Object.entries(s.settings ?? {}).map(([k, v]) => [k, settingText(v)] as [string, unknown]),
    ...(Object.keys(s.overrides ?? {}).length ? [["--set", Object.entries(s.overrides!).map(([k, v]) => `${k}=${v}`).join(" ")] as [string, unknown]] : []),
  ];
  const table = rows
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join("\n");
  return `<section class="run">
<h3><span class="swatch" style="background:${d.color}"></span>${esc(d.label)}</h3>
${Array.isArray(s.command) ? `<pre class="command">${esc(["rnnc", ...s.command.map(String).map(shellQuote)].join(" "))}</pre>` : ""}
<table class="settings">\n${table}\n</table>
${typeof s.summary === "string" && s.summary ? `<pre class="summary">${esc(s.summary)}</pre>` : ""}
</section>`;
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const numberOr = (v: unknown) => (typeof v === "number" ? formatNumber(v) : v === null ? "not finite" : "–");
const formatMetric = (key: string, v: number) => (key.startsWith("accuracy") ? formatPercent(v) : formatNumber(v));

/** A setting's value as text: `adam lr 0.003 beta1 0.9 …` for an object, `a b` for a list. */
function settingText(v: unknown): string {
  if (Array.isArray(v)) return v.length ? v.map(settingText).join(" ") : "none";
  if (typeof v === "object" && v !== null) return Object.entries(v).map(([k, inner]) => (k === "name" ? settingText(inner) : `${k} ${settingText(inner)}`)).join(" ");
  return String(v);
}

/** An argument as a shell would need it typed: quoted when it holds anything but plain characters. */
const shellQuote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

/** 2025-01-01T09:30:12.345Z → 2025-01-01 09:30 UTC: to the minute tells runs apart; the settings table has the rest. */
const when = (iso: string) => iso.replace(/^(\d{4}-\d\d-\d\d)T(\d\d:\d\d).*Z$/, "$1 $2 UTC");

/** 12.3 s, 4 min 05 s, 2 h 03 min. */
function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${String(Math.round(seconds % 60)).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

// Sizes in pixels match svg.ts's guesses (a 12px sans-serif). System fonts only: nothing to fetch.
const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; background: #fff; margin: 1.5em auto; max-width: 1100px; padding: 0 1em; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.8em; border-bottom: 1px solid #ddd; } h3 { font-size: 1em; }
p { max-width: 50em; } p.none { color: #777; font-style: italic; }
figure { margin: 0.8em 0; } .flows { display: flex; flex-wrap: wrap; column-gap: 2em; } .flows figure { max-width: 100%; } .flows figcaption { max-width: 36em; }
.nowrap { white-space: nowrap; } figcaption { color: #555; font-size: 0.9em; }
svg.chart { max-width: 100%; height: auto; display: block; font: 12px system-ui, -apple-system, "Segoe UI", sans-serif; }
svg .title { font-size: 13px; font-weight: 600; fill: #222; } svg .note { font-weight: normal; fill: #777; }
svg .tick { fill: #444; } svg .axis { fill: #222; } svg .empty { fill: #999; font-style: italic; }
svg .grid { stroke: #e8e8e8; } svg .tickmark { stroke: #999; } svg .frame { fill: none; stroke: #999; }
svg .legend text { fill: #222; } svg .legend line { stroke-width: 2; } svg .mark line { stroke-width: 1.2; }
table { border-collapse: collapse; margin: 0.5em 0; } th, td { text-align: left; vertical-align: top; padding: 0.2em 0.8em 0.2em 0; border-bottom: 1px solid #eee; }
table.runs td, table.runs th { padding-right: 1.2em; } table.settings th { font-weight: normal; color: #555; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.4em; border-radius: 2px; vertical-align: baseline; }
pre { background: #f6f6f6; padding: 0.6em 0.8em; overflow-x: auto; font-size: 12.5px; }
section.run { margin-bottom: 1.5em; }
`;
