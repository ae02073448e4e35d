// Expressions → IR nodes. The same code lowers a model's equations and the body of a cell or
// layer inlined into them; what a name means is the one thing that differs.
import type * as ast from "../1-parse/ast.ts";
import type { Axis, CheckedModel, LayerInstance } from "../2-check/checked.ts";
import type { Size } from "../2-check/sizes.ts";
import { positionOf } from "../diagnostics.ts";
import type { GraphBuilder, Rows } from "../ir/builder.ts";
import type { Program } from "../ir/nodes.ts";
import { numberArgumentFunctions, pairFunctions, shapeKeepingFunctions } from "../ir/ops.ts";
import { numberLiteral } from "../2-check/expressions.ts";

export interface Scope {
  model: CheckedModel;
  program: Program;
  graph: GraphBuilder;
  axis: Axis | undefined;
  /** Values of the model computed earlier in this step (or block). */
  here: Map<string, number>;
  size: (s: Size, what: string) => number;
  /** A new dropout site: each dropout lowered gets its own number (and so its own masks), in the order lowered. */
  dropoutSite: () => number;
}

/** Inside an inlined cell or layer: its names, bound to nodes, and its sizes, bound to numbers. */
interface CellFrame {
  layer: LayerInstance;
  names: Map<string, number>; // inputs, states, locals, and next states as `h'`
}


export function lowerExpression(e: ast.Expr, scope: Scope, frame?: CellFrame): number {
  const g = scope.graph;
  const lower = (x: ast.Expr) => lowerExpression(x, scope, frame);
  switch (e.kind) {
    case "number":
      return g.constant(e.value);
    case "string":
      throw new Error("a string reached the lowering"); // the checker rejects strings in expressions
    case "paren":
      return lower(e.inner);
    case "unary":
      return g.unary("neg", lower(e.operand));
    case "binary": {
      if (e.op === "@") {
        const [w, rows] = productMatrix(e.left, scope, frame);
        return g.matvec(w, lower(e.right), rows);
      }
      const [a, b] = [lower(e.left), lower(e.right)];
      return g.binary(({ "+": "add", "-": "sub", "*": "mul", "/": "div" } as const)[e.op], a, b);
    }
    case "slice":
      return g.slice(lower(e.target), sizeValue(e.from, scope, frame), sizeValue(e.to, scope, frame));
    case "ref":
      return frame ? cellName(e, scope, frame) : modelName(e, scope);
    case "index":
      return timeIndexed(e, scope);
    case "call": {
      const name = e.callee.text;
      const args = e.args.map((a) => a.value);
      const unary = shapeKeepingFunctions.get(name);
      if (unary) return g.unary(unary.op, lower(args[0]));
      const withNumber = numberArgumentFunctions.get(name);
      if (withNumber) return g.withAlpha(withNumber, lower(args[0]), numberLiteral(args[1])!);
      const pair = pairFunctions.get(name);
      if (pair) return g.binary(pair, lower(args[0]), lower(args[1]));
      if (name === "concat") return g.concat(args.map(lower));
      if (name === "onehot") return g.onehot(lower(args[0]), sizeValue(args[1], scope, frame));
      if (name === "dropout" || name === "locked_dropout") return g.node(name, [lower(args[0])], { rate: numberLiteral(args[1])!, site: scope.dropoutSite() });
      if (name === "vocab" || name === "classes") return g.constant(sizeValue(e, scope, frame));
      const results = inlineCall(e, scope, frame);
      return results[0];
    }
  }
}

/**
 * The matrix of `@`, and the rows of it the product takes: `R[0:2*H] @ h` reads rows 0 to 2H
 * of R in place (stacked weights), `R[0:2*H][H:2*H]` rows H to 2H. A slice of a vector is a slice.
 */
function productMatrix(e: ast.Expr, scope: Scope, frame: CellFrame | undefined): [number, Rows | undefined] {
  if (e.kind === "paren") return productMatrix(e.inner, scope, frame);
  if (e.kind !== "slice") return [lowerExpression(e, scope, frame), undefined];
  const [w, rows] = productMatrix(e.target, scope, frame);
  const [from, to] = [sizeValue(e.from, scope, frame), sizeValue(e.to, scope, frame)];
  if (scope.graph.get(w).shape.length === 2) return [w, { from: (rows?.from ?? 0) + from, to: (rows?.from ?? 0) + to }];
  return [scope.graph.slice(w, from, to), undefined];
}

/** A call of a layer of the model: the cell's or layer's equations, inlined. */
export function inlineCall(call: ast.Call, scope: Scope, outer?: CellFrame): number[] {
  const layer = scope.model.layers.find((l) => l.name === call.callee.text)!;
  const cell = layer.cell;
  const args = call.args.map((a) => lowerExpression(a.value, scope, outer));
  const names = new Map<string, number>();
  [...cell.inputs, ...cell.states].forEach((v, i) => names.set(v.name, args[i]));
  const frame: CellFrame = { layer, names };
  for (const eq of cell.equations) {
    const value = lowerExpression(eq.value, scope, frame);
    for (const t of eq.targets) {
      const name = t.primed ? `${t.name.text}'` : t.name.text;
      names.set(name, value);
      scope.graph.name(value, `${layer.name}.${name}`);
    }
    scope.graph.origin(value, originOf(eq, cell.file, cell.source));
  }
  if (cell.kind === "layer") {
    const result = lowerExpression(cell.result!, scope, frame);
    scope.graph.name(result, layer.name);
    scope.graph.origin(result, originOf(cell.result!, cell.file, cell.source, "return "));
    return [result];
  }
  return cell.states.map((s) => names.get(`${s.name}'`)!);
}

/** `i = sigmoid(a[0:H])  prelude.rnn:51`: what a node computes, as written, and where. */
export function originOf(node: ast.Node, file: string, source: string, prefix = ""): string {
  const text = source.slice(node.span.start, node.span.end).replace(/\s+/g, " ").trim();
  return `${prefix}${text}  ${file.split(/[\\/]/).pop()}:${positionOf(source, node.span.start).line}`;
}

function cellName(r: ast.Ref, scope: Scope, frame: CellFrame): number {
  const key = r.primed ? `${r.name}'` : r.name;
  const bound = frame.names.get(key);
  if (bound !== undefined) return bound;
  const param = frame.layer.params.find((p) => p.name === r.name);
  if (param) {
    const name = `${frame.layer.name}.${param.name}`;
    return scope.graph.param(name, scope.program.params.find((p) => p.name === name)!.shape);
  }
  return scope.graph.constant(scope.size(frame.layer.sizes.get(r.name)!, r.name)); // a size used as a number
}

function modelName(r: ast.Ref, scope: Scope): number {
  const g = scope.graph;
  const dim = scope.model.dims.get(r.name);
  if (dim !== undefined) return g.constant(dim);
  const here = scope.here.get(r.name);
  if (here !== undefined) return here;
  const data = scope.program.data.find((d) => d.name === r.name);
  if (data) return g.leafNode("data", data.kind === "ids" ? [] : [data.size], true, { name: r.name });
  const value = scope.program.values.find((v) => v.name === r.name)!;
  return g.leafNode("value", [value.size], true, { name: r.name });
}

/** `x[t-1]`, `h[last]`: data, or a stored sequence, at a step relative to this one. */
function timeIndexed(e: ast.Index, scope: Scope): number {
  const g = scope.graph;
  const name = (e.target.kind === "paren" ? e.target.inner : e.target) as ast.Ref;
  const index = scope.model.timeIndices.get(e)!;
  const data = scope.program.data.find((d) => d.name === name.name);
  if (data) {
    if (data.shifted && index.kind === "step" && index.offset < 0) {
      const input = `${name.name}@input`;
      return g.leafNode("data", data.kind === "ids" ? [] : [data.size], true, { name: input, index: { ...index, offset: index.offset + 1 } });
    }
    return g.leafNode("data", data.kind === "ids" ? [] : [data.size], true, { name: name.name, index });
  }
  if (index.kind === "step" && index.offset === 0) {
    const here = scope.here.get(name.name);
    if (here !== undefined) return here;
  }
  const sequence = scope.program.sequences.find((s) => s.name === name.name)!;
  return g.leafNode("read", [sequence.size], true, { name: name.name, index });
}

/** A size expression's number: numbers, dims, a cell's size parameters, vocab(x), classes(y). */
function sizeValue(e: ast.Expr, scope: Scope, frame: CellFrame | undefined): number {
  const value = (x: ast.Expr): number => {
    switch (x.kind) {
      case "number":
        return x.value;
      case "paren":
        return value(x.inner);
      case "unary":
        return -value(x.operand);
      case "binary": {
        const [a, b] = [value(x.left), value(x.right)];
        return x.op === "+" ? a + b : x.op === "-" ? a - b : x.op === "*" ? a * b : a / b;
      }
      case "ref": {
        const bound = frame?.layer.sizes.get(x.name);
        if (bound) return scope.size(bound, x.name);
        return scope.model.dims.get(x.name)!;
      }
      case "call": {
        const arg = x.args[0].value as ast.Ref;
        return scope.size(new Map([[`${x.callee.text}(${arg.name})`, 1]]), `${x.callee.text}(${arg.name})`);
      }
      default:
        throw new Error(`not a size: ${x.kind}`);
    }
  };
  return value(e);
}

