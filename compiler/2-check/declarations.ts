// A model's declarations: dims, inputs and targets, and layers (definitions with their
// sizes bound).
import type * as ast from "../1-parse/ast.ts";
import { closest, diagnostic, type Diagnostic } from "../diagnostics.ts";
import { grouped, MAX_SIZE, validDim } from "../limits.ts";
import type { CheckedCell, DataItem, LayerInstance } from "./checked.ts";
import { evaluateSize, textOf } from "./expressions.ts";
import { atLeast, constant, numeric, product, add, substitute, symbol, type Size } from "./sizes.ts";
import { tensor, type DataType } from "./types.ts";

export interface ModelContext {
  source: string;
  report: (d: Diagnostic) => void;
  dims: Map<string, number>;
  data: Map<string, DataItem>;
  /** Dims and layers whose declaration was refused (an error said why): uses of them say nothing more. */
  broken?: Set<string>;
}

/** Marks a dim or layer as refused (an error said why): its uses say nothing more. */
const refuse = (ctx: ModelContext, name: string) => (ctx.broken ??= new Set()).add(name);

/** A size in a model: numbers, dims, `vocab(x)`, `classes(y)` and arithmetic on them. */
export function modelSize(e: ast.Expr, ctx: ModelContext): Size | undefined {
  return evaluateSize(e, ctx.source, ctx.report, (r) => {
    if (r.kind === "ref") {
      const dim = ctx.dims.get(r.name);
      if (dim !== undefined) return constant(dim);
      if (ctx.broken?.has(r.name)) return undefined;
      if (!ctx.data.has(r.name)) ctx.report(diagnostic("unknownName", r.span, r.name, closest(r.name, ctx.dims.keys())));
      else ctx.report(diagnostic("notASize", r.span, r.name));
      return undefined;
    }
    const fn = r.callee.text;
    if (fn !== "vocab" && fn !== "classes") {
      ctx.report(diagnostic("notASize", r.span, textOf(ctx.source, r)));
      return undefined;
    }
    const arg = r.args.length === 1 && !r.args[0].name ? r.args[0].value : undefined;
    const wanted = fn === "vocab" ? "a token sequence" : "a class target";
    if (!arg || arg.kind !== "ref") {
      ctx.report(diagnostic("vocabArg", r.span, fn, textOf(ctx.source, r).replace(/^\w+\(|\)$/g, ""), wanted));
      return undefined;
    }
    const item = ctx.data.get(arg.name);
    if (!item) {
      ctx.report(diagnostic("unknownName", arg.span, arg.name, closest(arg.name, ctx.data.keys())));
      return undefined;
    }
    if (item.type.element.kind !== (fn === "vocab" ? "token" : "class")) {
      ctx.report(diagnostic("vocabArg", arg.span, fn, arg.name, wanted));
      return undefined;
    }
    return symbol(`${fn}(${arg.name})`);
  });
}

export function checkDims(block: ast.DimsBlock, ctx: ModelContext, overrides: Map<string, number>) {
  for (const entry of block.entries) {
    const name = entry.name.text;
    const override = overrides.get(name);
    const literal = entry.value.kind === "number" ? entry.value.value : undefined;
    if (override !== undefined && !validDim(override)) {
      ctx.report(diagnostic("dimOverride", entry.value.span, name, String(override), grouped(MAX_SIZE)));
      refuse(ctx, name);
      continue;
    }
    const size = override ?? literal ?? modelSize(entry.value, ctx); // undefined: an error has said why (`H = x`)
    const value = typeof size === "number" ? size : size && numeric(size);
    if (value === undefined || !Number.isInteger(value) || value < 1) {
      if (size !== undefined) ctx.report(diagnostic("dimNotWhole", entry.value.span, name));
      refuse(ctx, name); // declared but unusable: its uses say nothing more
    } else if (value > MAX_SIZE) {
      ctx.report(diagnostic("dimTooLarge", entry.value.span, name, grouped(value), grouped(MAX_SIZE)));
      refuse(ctx, name);
    }
    else ctx.dims.set(name, value);
  }
}

const inputTypes = "seq<token>, seq<vec(N)> or vec(N)";
const targetTypes = "class, seq<class>, seq<token>, vec(N) or seq<vec(N)>";

/** `seq<token>`, `class`, `vec(512)` → a DataType; undefined after reporting. */
export function dataType(decl: ast.DataDecl, ctx: ModelContext): DataType | undefined {
  const name = decl.name.text;
  const bad = () => {
    const allowed = decl.kind === "input" ? inputTypes : targetTypes;
    ctx.report(diagnostic("badDataType", decl.type.span, decl.kind, textOf(ctx.source, decl.type), allowed));
    return undefined;
  };
  const element = (t: ast.TypeExpr, sequence: boolean): DataType | undefined => {
    if (t.kind !== "named") return bad();
    const word = t.name.text;
    if (!["seq", "vec", "token", "class"].includes(word)) {
      ctx.report(diagnostic("unknownType", t.name.span, word, closest(word, ["seq", "vec", "token", "class"])));
      return undefined;
    }
    if (word === "seq" && !sequence && t.element && t.args.length === 0) return element(t.element, true);
    if (t.element) return bad();
    if (word === "vec" && t.args.length === 1) {
      const n = modelSize(t.args[0], ctx);
      return n ? { sequence, element: tensor([n]) } : undefined;
    }
    if (t.args.length > 0) return bad();
    if (word === "token") return { sequence, element: { kind: "token", vocab: symbol(`vocab(${name})`) } };
    if (word === "class") return { sequence, element: { kind: "class", classes: symbol(`classes(${name})`) } };
    return bad();
  };
  const type = element(decl.type, false);
  if (!type) return undefined;
  const allowedAsInput = type.element.kind === "tensor" || (type.sequence && type.element.kind === "token");
  if (decl.kind === "input" && !allowedAsInput) return bad();
  if (decl.kind === "target" && type.element.kind === "token" && !type.sequence) return bad();
  return type;
}

/** `layer enc = lstm(E, H)`: finds the definition and binds its sizes. */
export function instantiate(
  decl: ast.LayerDecl,
  definitions: Map<string, CheckedCell>,
  ctx: ModelContext,
  layerNames: Iterable<string>,
): LayerInstance | undefined {
  const defName = decl.def.callee.text;
  const cell = definitions.get(defName);
  if (!cell) {
    if ([...layerNames].includes(defName)) ctx.report(diagnostic("layerNotDefinition", decl.def.callee.span, defName));
    else ctx.report(diagnostic("unknownDefinition", decl.def.callee.span, defName, closest(defName, definitions.keys())));
    return undefined;
  }
  const args = decl.def.args;
  if (args.length !== cell.sizeParams.length) {
    const params = `${cell.sizeParams.length} size${cell.sizeParams.length === 1 ? "" : "s"} (${cell.sizeParams.join(", ")})`;
    ctx.report(diagnostic("definitionSizeCount", decl.def.span, defName, params, args.length));
    return undefined;
  }
  const sizes = new Map<string, Size>();
  for (const [i, arg] of args.entries()) {
    if (arg.name) {
      ctx.report(diagnostic("namedArgHere", arg.name.span, arg.name.text));
      return undefined;
    }
    const size = modelSize(arg.value, ctx);
    if (!size) {
      if (ctx.broken?.size) ctx.broken.add(decl.name.text); // perhaps made from a refused dim: say nothing more of it
      return undefined;
    }
    if (atLeast(size, constant(1)) === false) {
      ctx.report(diagnostic("sizeNotPositive", arg.value.span, textOf(ctx.source, arg.value), String(numeric(size) ?? "")));
      return undefined;
    }
    sizes.set(cell.sizeParams[i], size);
  }
  const params = cell.params.map((p) => ({ name: p.name, shape: p.shape.map((s) => substitute(s, sizes)), init: p.init }));
  for (const p of params)
    if (p.shape.some((s) => atLeast(s, constant(1)) === false)) {
      ctx.report(diagnostic("sizeNotPositive", decl.def.span, textOf(ctx.source, decl.def), `a parameter shaped [${p.shape.map((s) => numeric(s)).join(", ")}]`));
      return undefined;
    }
  for (const p of params) {
    const shape = p.shape.map((s) => numeric(s));
    const known = shape.filter((n): n is number => n !== undefined);
    const count = known.length === shape.length ? known.reduce((a, b) => a * b, 1) : undefined;
    if (count !== undefined && count > MAX_SIZE) {
      ctx.report(diagnostic("paramTooLarge", decl.def.span, textOf(ctx.source, decl.def), p.name, known.map(grouped).join(" × "), grouped(count), grouped(MAX_SIZE)));
      refuse(ctx, decl.name.text);
      return undefined;
    }
  }
  const paramCount = params.reduce((sum, p) => add(sum, product(p.shape)), constant(0));
  return { name: decl.name.text, decl, cell, sizes, params, paramCount };
}
