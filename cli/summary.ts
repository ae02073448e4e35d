// `rnnc check`'s account of a model: what it reads, what it predicts, its layers with their
// parameter counts, and each equation with the loop that computes it.
import type { CheckedModel, LoopGroup, LrSchedule } from "../compiler/2-check/checked.ts";
import { add, constant, formatShape, formatSize, substitute, type Size } from "../compiler/2-check/sizes.ts";
import { formatDataType } from "../compiler/2-check/types.ts";

export function summarize(model: CheckedModel, source: string): string {
  const text = (node: { span: { start: number; end: number } }) =>
    source.slice(node.span.start, node.span.end).replace(/\s+/g, " ").trim();
  const bound = (s: Size) => formatSize(substitute(s, model.sizeConstraints));
  const out: string[] = [`model ${model.name}`];
  const section = (title: string, rows: string[][]) => {
    if (rows.length === 0) return;
    out.push(`  ${title}`);
    out.push(...table(rows).map((line) => `    ${line}`));
  };

  const dataRows = (role: "input" | "target") =>
    model.data
      .filter((d) => d.role === role)
      .map((d) => [
        d.name,
        formatDataType(d.type),
        [d.axis ? `along ${d.axis}` : "", d.autoregressive ? "autoregressive (read at t-1, predicted at t)" : "", sizeNote(d, model)]
          .filter(Boolean)
          .join(", "),
      ]);
  section("inputs", dataRows("input"));
  section("targets", dataRows("target"));

  let total: Size = constant(0);
  const layerRows = model.layers.map((l) => {
    total = add(total, l.paramCount);
    const sizes = l.cell.sizeParams.map((p) => bound(l.sizes.get(p)!)).join(", ");
    return [l.name, `${l.cell.kind} ${l.cell.name}(${sizes})`, `${bound(l.paramCount)} parameters`];
  });
  if (layerRows.length > 0) layerRows.push(["", "total", `${bound(total)} parameters`]);
  section("layers", layerRows);

  const inits = new Map(model.values.filter((v) => v.init).map((v) => [v.name, text(v.init!.value)]));
  section(
    "equations",
    model.loops.flatMap((g) => g.equations.map((eq, i) => [text(eq), i === 0 ? describeLoop(g, inits, model.train.bptt !== undefined) : "  〃"])),
  );
  section(
    "losses",
    model.losses.map((l) => [
      text(l.decl.value),
      l.axis
        ? `summed over ${l.axis}, ${l.reduction === "mean_over_tokens" ? "averaged over tokens" : "averaged over examples"}`
        : "one per example, averaged over examples",
    ]),
  );
  section(
    "outputs",
    model.outputs.map((o) => [
      `output ${text(o.decl.target)}`,
      `${o.axis ? `one per step of ${o.axis}` : "one per example"}, ${o.type.kind === "tensor" && o.type.shape.length === 1 ? formatShape(o.type.shape.map((s) => substitute(s, model.sizeConstraints))) : "a number"}${o.over ? `: the probability of each of ${o.over}` : ""}`,
    ]),
  );

  const t = model.train;
  const o = t.optimizer;
  const optimizer = o.name === "adam" ? `adam(lr: ${o.lr}, beta1: ${o.beta1}, beta2: ${o.beta2}, eps: ${o.eps})` : `sgd(lr: ${o.lr}, momentum: ${o.momentum})`;
  const settings = [
    `optimizer ${optimizer}`,
    `batch ${t.batch}`,
    `epochs ${t.epochs}`,
    t.clipNorm !== undefined ? `clip_norm ${t.clipNorm}` : "no clipping",
    t.weightDecay ? `weight_decay ${t.weightDecay}` : "",
    t.bptt !== undefined ? `bptt ${t.bptt}` : "",
    `seed ${t.seed}`,
    t.freeze.length ? `freeze ${t.freeze.join(" ")}` : "",
    t.earlyStop ? `early_stop patience ${t.earlyStop.patience}${t.monitor === "loss" ? "" : ` on ${t.monitor}`}` : "",
    t.lrSchedule ? `lr_schedule ${formatSchedule(t.lrSchedule)}` : "",
    t.warmup ? `warmup ${t.warmup}` : "",
  ];
  out.push(`  train`, `    ${settings.filter(Boolean).join("  ")}`);
  return out.join("\n");
}

function sizeNote(d: CheckedModel["data"][number], model: CheckedModel): string {
  const key = d.type.element.kind === "token" ? `vocab(${d.name})` : d.type.element.kind === "class" ? `classes(${d.name})` : undefined;
  if (!key) return "";
  const fixed = model.sizeConstraints.get(key);
  return fixed ? `${key} = ${formatSize(fixed)}, checked against the data` : `${key} from the data`;
}

function describeLoop(g: LoopGroup, inits: Map<string, string>, bptt: boolean): string {
  // Under bptt a window starts from where the window before it ended (the first from zeros).
  const start = (name: string) => inits.get(name) ?? (bptt && g.axis === "t" ? "the window before (zeros at first)" : "zeros");
  const states = g.states
    .map((s) => `${s.name}${s.depth > 1 ? ` (${s.depth} steps)` : ""} from ${start(s.name)}`)
    .join(", ");
  switch (g.direction) {
    case "forward":
      return `loop forward over ${g.axis}; state ${states}`;
    case "backward":
      return `loop backward over ${g.axis}; state ${states}`;
    case "map":
      return `each step of ${g.axis}, no recurrence`;
    case "once":
      return "once per example";
  }
}

/** Left-aligned columns. */
function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join("   ").trimEnd());
}

export const formatSchedule = (s: LrSchedule) =>
  s.name === "cosine" ? "cosine" : s.name === "step" ? `step(every: ${s.every}, factor: ${s.factor})` : `plateau(patience: ${s.patience}, factor: ${s.factor})`;
