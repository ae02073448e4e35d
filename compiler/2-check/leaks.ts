// A target the model also reads (autoregressive: `name[t-1]` in, `name[t]` predicted) must not
// reach the prediction of a step it belongs to, or of an earlier one. Reading `name[t]` itself is
// refused where it is written (targetLeak); the leaks found here are indirect: a recurrence run
// backward over such reads (`b[t] = cell(emb(name[t-1]), b[t+1])` carries name[t], name[t+1], …
// back to step t), a value read ahead (`h[t+1]`), a whole sequence (`h[last]`, an init from it).
//
// Each equation's reach is how many steps ahead of its own it has seen the target: the longest
// path over the read offsets (Bellman–Ford), without bound on a cycle that gains. A prediction
// whose reach is 0 or more has seen its answer.
import type * as ast from "../1-parse/ast.ts";
import { diagnostic, type Diagnostic } from "../diagnostics.ts";
import type { CheckedLoss, DataItem, ModelValue, TimeIndex } from "./checked.ts";
import { subexpressions, textOf } from "./expressions.ts";
import type { Edge, EquationNode } from "./time.ts";

export interface LeakContext {
  source: string;
  nodes: EquationNode[];
  edges: Edge[];
  values: Map<string, ModelValue & { defines: number }>; // defines: the index of its equation
  timeIndices: Map<ast.Expr, TimeIndex>;
  data: Map<string, DataItem>;
  losses: CheckedLoss[];
  report: (d: Diagnostic) => void;
}

export function checkTargetLeaks(c: LeakContext): void {
  for (const loss of c.losses) {
    const target = c.data.get(loss.target);
    if (!target?.autoregressive || !loss.axis) continue;
    const reach = reaches(c, loss.target);
    const leak = indexReads(loss.prediction, c.timeIndices).find(({ name, time }) => {
      const value = c.values.get(name);
      return value !== undefined && ahead(reach[value.defines], time) >= 0;
    });
    if (leak) c.report(diagnostic("targetLeakThrough", leak.at.span, loss.target, textOf(c.source, leak.at)));
  }
}

/** How far ahead of its step each equation has seen `target`: -Infinity for not at all. */
function reaches(c: LeakContext, target: string): number[] {
  const reach = c.nodes.map(({ equation }) =>
    Math.max(-Infinity, ...indexReads(equation.value, c.timeIndices).filter((r) => r.name === target).map((r) => ahead(0, r.time))),
  );
  const relax = () => {
    let changed = false;
    for (const edge of c.edges) {
      const through = edge.read === "whole" ? ahead(reach[edge.to], { kind: "last" }) : reach[edge.to] + edge.read.offset;
      if (through > reach[edge.from]) [reach[edge.from], changed] = [through, true];
    }
    return changed;
  };
  for (let round = 0; round < c.nodes.length && relax(); round++);
  // Still gaining after as many rounds as there are equations: a cycle that gains, without bound.
  const before = [...reach];
  if (relax()) {
    reach.forEach((r, i) => r !== before[i] && (reach[i] = Infinity));
    for (let round = 0; round < c.nodes.length && relax(); round++);
  }
  return reach;
}

/** A read at `time` of something that has seen the target `reach` steps ahead of its own step. */
const ahead = (reach: number, time: TimeIndex) => (reach === -Infinity ? -Infinity : time.kind === "step" ? reach + time.offset : Infinity);

/** The time-indexed reads of names in an expression (`h[t+1]`, `name[t-1]`, `e[last]`). */
function indexReads(e: ast.Expr, timeIndices: Map<ast.Expr, TimeIndex>): { name: string; time: TimeIndex; at: ast.Index }[] {
  return [...subexpressions(e)].flatMap((x) => {
    if (x.kind !== "index") return [];
    const target = x.target.kind === "paren" ? x.target.inner : x.target;
    const time = timeIndices.get(x);
    return target.kind === "ref" && time ? [{ name: target.name, time, at: x }] : [];
  });
}
