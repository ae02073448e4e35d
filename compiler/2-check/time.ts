// Time indices and loop directions. The equations of a model form a graph: an edge for
// every value an equation reads, labelled with how far back or ahead it reads. Its strongly
// connected components are the recurrences: one that reads earlier steps of itself runs
// forward in time, one that reads later steps runs backward; reading the same step of
// itself is a cycle no order of computation can break.
import type * as ast from "../1-parse/ast.ts";
import { diagnostic, type Diagnostic } from "../diagnostics.ts";
import { axisNames } from "./builtins.ts";
import type { Axis, LoopGroup, TimeIndex } from "./checked.ts";

/** `t`, `t-1`, `s+2`, `first`, `last`; undefined for anything else (`t*2`, `h`, `3`). */
export function parseTimeIndex(e: ast.Expr): TimeIndex | undefined {
  if (e.kind === "paren") return parseTimeIndex(e.inner);
  if (e.kind === "ref" && !e.primed) {
    if (axisNames.has(e.name)) return { kind: "step", axis: e.name as Axis, offset: 0 };
    if (e.name === "first" || e.name === "last") return { kind: e.name };
  }
  if (e.kind === "binary" && (e.op === "+" || e.op === "-")) {
    const base = parseTimeIndex(e.left);
    const k = e.right.kind === "paren" ? e.right.inner : e.right;
    if (base?.kind === "step" && base.offset === 0 && k.kind === "number" && Number.isInteger(k.value))
      return { ...base, offset: e.op === "+" ? k.value : -k.value };
  }
  return undefined;
}

export const formatTimeIndex = (i: TimeIndex) =>
  i.kind !== "step" ? i.kind : i.offset === 0 ? i.axis : `${i.axis}${i.offset > 0 ? "+" : "-"}${Math.abs(i.offset)}`;

/** How one equation reads a value: at a step relative to its own (`offset`), or whole. */
export type Read = { offset: number } | "whole";

export interface EquationNode {
  equation: ast.Equation;
  axis?: Axis;
  label: string; // `h[t]` or `z`, for messages
}

export interface Edge {
  from: number; // the reading equation
  to: number; // the equation defining what is read
  read: Read;
  name: string; // the value read
  at: ast.Node; // where it is read
  text: string; // the read as written: `h[last]`
}

/**
 * Groups equations into loops in execution order, or reports why they cannot be ordered.
 * `inits` maps a value to its `init` declaration.
 */
export function groupLoops(
  nodes: EquationNode[],
  edges: Edge[],
  inits: Map<string, ast.InitDecl>,
  report: (d: Diagnostic) => void,
): LoopGroup[] {
  const groups: LoopGroup[] = [];
  const defines = (i: number) => nodes[i].equation.targets.map((t) => t.name.text);
  for (const component of stronglyConnected(nodes.length, edges)) {
    const members = new Set(component);
    const inside = edges.filter((e) => members.has(e.from) && members.has(e.to));
    const axis = nodes[component[0]].axis;
    const whole = inside.find((e) => e.read === "whole");
    if (whole) {
      report(diagnostic("wholeSequenceCycle", whole.at.span, defines(whole.from)[0], whole.text));
      continue;
    }
    const sameStep = inside.filter((e) => typeof e.read === "object" && e.read.offset === 0);
    const cycle = findCycle(component, sameStep);
    if (cycle) {
      const chain = [...cycle, cycle[0]].map((i) => nodes[i].label).join(" → ");
      const edge = sameStep.find((e) => e.from === cycle[0] && e.to === cycle[1 % cycle.length])!;
      report(diagnostic("selfDependency", edge.at.span, chain));
      continue;
    }
    const offsets = inside.map((e) => (e.read as { offset: number }).offset).filter((k) => k !== 0);
    if (offsets.some((k) => k < 0) && offsets.some((k) => k > 0)) {
      const edge = inside.find((e) => (e.read as { offset: number }).offset > 0)!;
      report(diagnostic("mixedDirections", edge.at.span, edge.name));
      continue;
    }
    const depth = new Map<string, number>();
    for (const e of inside) {
      const k = Math.abs((e.read as { offset: number }).offset);
      if (k > 0) depth.set(e.name, Math.max(k, depth.get(e.name) ?? 0));
    }
    const direction = offsets.length === 0 ? (axis ? "map" : "once") : offsets[0] < 0 ? "forward" : "backward";
    groups.push({
      direction,
      ...(axis ? { axis } : {}),
      equations: topologicalOrder(component, sameStep).map((i) => nodes[i].equation),
      states: [...depth].map(([name, d]) => ({ name, depth: d, ...(inits.has(name) ? { init: inits.get(name) } : {}) })),
    });
  }
  return groups;
}

/** Tarjan's algorithm; components come out with what they read before them. */
function stronglyConnected(count: number, edges: Edge[]): number[][] {
  const out: number[][] = Array.from({ length: count }, () => []);
  for (const e of edges) out[e.from].push(e.to);
  const index = new Array<number>(count).fill(-1);
  const low = new Array<number>(count).fill(0);
  const onStack = new Array<boolean>(count).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let next = 0;
  // Iterative, so that a model with thousands of equations cannot overflow the call stack.
  for (let root = 0; root < count; root++) {
    if (index[root] >= 0) continue;
    const work: [number, number][] = [[root, 0]];
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [v, i] = frame;
      if (i === 0) {
        index[v] = low[v] = next++;
        stack.push(v);
        onStack[v] = true;
      }
      if (i < out[v].length) {
        frame[1]++;
        const w = out[v][i];
        if (index[w] < 0) work.push([w, 0]);
        else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      work.pop();
      if (work.length > 0) low[work[work.length - 1][0]] = Math.min(low[work[work.length - 1][0]], low[v]);
      if (low[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = false;
          component.push(w);
        } while (w !== v);
        components.push(component.sort((a, b) => a - b));
      }
    }
  }
  return components;
}

/** A cycle among `members` along `edges`, as the list of its nodes, or undefined. */
function findCycle(members: number[], edges: Edge[]): number[] | undefined {
  const state = new Map<number, "open" | "done">();
  const path: number[] = [];
  const visit = (v: number): number[] | undefined => {
    state.set(v, "open");
    path.push(v);
    for (const e of edges) {
      if (e.from !== v) continue;
      if (state.get(e.to) === "open") return path.slice(path.indexOf(e.to));
      if (!state.has(e.to)) {
        const found = visit(e.to);
        if (found) return found;
      }
    }
    path.pop();
    state.set(v, "done");
    return undefined;
  };
  for (const m of members) if (!state.has(m)) {
    const found = visit(m);
    if (found) return found;
  }
  return undefined;
}

/** Members ordered so that each comes after what it reads at the same step. */
function topologicalOrder(members: number[], sameStep: Edge[]): number[] {
  const order: number[] = [];
  const seen = new Set<number>();
  const visit = (v: number) => {
    if (seen.has(v)) return;
    seen.add(v);
    for (const e of sameStep) if (e.from === v) visit(e.to);
    order.push(v);
  };
  for (const m of members) visit(m);
  return order;
}
