// What truncated BPTT (`bptt K`) can train exactly. The batch is cut along t into windows of K
// steps, trained one after another; what a window reads at t-k before its first step is carried
// over from the windows before it (3-lower: Program.carries), so the windows together compute
// what the whole sequence computes. What cannot be carried is refused here, at the place that
// reads it: a later step (it lies in a window not yet computed), the first or last step of t
// (each window has its own), a loss outside t (counted once per window), an init of a recurrent
// state (it would start the first window only), a recurrence backward in time.
import type * as ast from "../1-parse/ast.ts";
import { diagnostic, type Diagnostic } from "../diagnostics.ts";
import type { CheckedLoss, DataItem, LoopGroup, ModelValue, TimeIndex, TrainSettings } from "./checked.ts";
import { textOf } from "./expressions.ts";

export interface BpttContext {
  decl: ast.ModelDecl;
  source: string;
  train: TrainSettings;
  loops: LoopGroup[];
  inits: Map<string, ast.InitDecl>;
  losses: CheckedLoss[];
  data: Map<string, DataItem>;
  values: Map<string, Pick<ModelValue, "axis">>;
  timeIndices: Map<ast.Expr, TimeIndex>;
  report: (d: Diagnostic) => void;
}

export function checkBptt(c: BpttContext): void {
  if (c.train.bptt === undefined) return;
  const setting = c.decl.body.flatMap((s) => (s.kind === "train" ? s.settings : [])).find((s) => s.name.text === "bptt");
  if (c.loops.some((g) => g.direction === "backward")) c.report(diagnostic("bpttNeedsForward", (setting ?? c.decl.name).span));
  const recurrent = new Set(c.loops.flatMap((g) => g.states.map((s) => s.name)));
  for (const [name, init] of c.inits) if (recurrent.has(name)) c.report(diagnostic("bpttWithInit", init.span, name));

  const axisOf = (name: string) => c.data.get(name)?.axis ?? c.values.get(name)?.axis;
  for (const [e, index] of c.timeIndices) {
    const target = (e as ast.Index).target;
    const name = target.kind === "ref" ? target.name : target.kind === "paren" && target.inner.kind === "ref" ? target.inner.name : undefined;
    if (name === undefined || axisOf(name) !== "t") continue;
    const text = textOf(c.source, e);
    if (index.kind === "step" && index.offset > 0) c.report(diagnostic("bpttReadsAhead", (e as ast.Index).index.span, text));
    if (index.kind === "first" || index.kind === "last") c.report(diagnostic("bpttFirstOrLast", (e as ast.Index).index.span, text, index.kind));
  }
  const alongT = [...c.data.values(), ...c.values.values()].some((x) => x.axis === "t");
  if (alongT) for (const loss of c.losses) if (loss.axis !== "t") c.report(diagnostic("bpttLossOutsideT", loss.decl.span, textOf(c.source, loss.decl.value)));
}
