// Checks a `cell` or `layer` definition once, with its size parameters as symbols: every
// shape inside it is then known for any sizes a model later binds.
import type * as ast from "../1-parse/ast.ts";
import { closest, diagnostic, positionOf, type Diagnostic } from "../diagnostics.ts";
import { builtinFunctionNames, initializers } from "./builtins.ts";
import type { CheckedCell, CheckedParam } from "./checked.ts";
import { evaluateSize, textOf, typeOf, type Scope } from "./expressions.ts";
import { symbol, type Size } from "./sizes.ts";
import { compatible, formatType, tensor, unknown, type ValueType } from "./types.ts";

type Declared = { what: "an input" | "a state" | "a param" | "a size"; type: ValueType; node: ast.Node };

export function checkCell(def: ast.CellDef, file: string, source: string, report: (d: Diagnostic) => void): CheckedCell {
  const declared = new Map<string, Declared>();
  const lineOf = (node: ast.Node) => positionOf(source, node.span.start).line;
  /** Declares a name; returns it (without a `'` written by mistake, which is reported). */
  const declare = (name: ast.Name, entry: Declared): string => {
    const text = name.text.endsWith("'") ? name.text.slice(0, -1) : name.text;
    if (text !== name.text) report(diagnostic("primedDeclaration", name.span, name.text));
    const previous = declared.get(text);
    if (previous) report(diagnostic("duplicate", name.span, text, lineOf(previous.node)));
    else declared.set(text, entry);
    return text;
  };

  for (const p of def.params) declare(p, { what: "a size", type: tensor([]), node: p });
  const sizeOf = (e: ast.Expr): Size | undefined =>
    evaluateSize(e, source, report, (r) => {
      const name = r.kind === "ref" ? r.name : r.callee.text;
      if (r.kind === "ref" && declared.get(name)?.what === "a size") return symbol(name);
      if (r.kind === "ref" && !declared.has(name))
        report(diagnostic("unknownName", r.span, name, closest(name, def.params.map((p) => p.text))));
      else report(diagnostic("notASize", r.span, textOf(source, r)));
      return undefined;
    });

  const cell: CheckedCell = {
    kind: def.kind,
    name: def.name.text,
    file,
    source,
    def,
    sizeParams: def.params.map((p) => p.text),
    inputs: [],
    states: [],
    params: [],
    equations: [],
    types: new Map(),
  };

  // Declarations first, wherever they stand: equations may use a param declared below them.
  const equations: ast.Equation[] = [];
  const returns: ast.Return[] = [];
  for (const stmt of def.body) {
    if (stmt.kind === "input" || stmt.kind === "state") {
      for (const v of stmt.vars) {
        const type = declaredType(v.type, stmt.kind === "input", sizeOf, source, report);
        const name = declare(v.name, { what: stmt.kind === "input" ? "an input" : "a state", type, node: v.name });
        (stmt.kind === "input" ? cell.inputs : cell.states).push({ name, type });
      }
    } else if (stmt.kind === "param") {
      const type = declaredType(stmt.type, false, sizeOf, source, report);
      const name = declare(stmt.name, { what: "a param", type, node: stmt.name });
      const shape = type.kind === "tensor" ? type.shape : [];
      const init = initializer(stmt, report);
      // lstm_bias sets the second quarter (the forget gate) to 1: it needs a vector of 4 equal parts.
      if (init.name === "lstm_bias" && type.kind === "tensor" && (shape.length !== 1 || !divisibleBy4(shape[0])))
        report(diagnostic("initializerShape", stmt.init!.span, "lstm_bias", formatType(type), "a vector of size 4*H"));
      cell.params.push({ name, shape, init, decl: stmt });
    } else if (stmt.kind === "return") returns.push(stmt);
    else equations.push(stmt);
  }

  // Each local (and each state's next value h') is defined by one equation.
  const definitions = new Map<string, ast.Equation>();
  for (const eq of equations) {
    if (eq.tuple) report(diagnostic("tupleNotCell", eq.value.span, textOf(source, eq.value)));
    for (const target of eq.targets) {
      const name = target.name.text;
      if (target.index) report(diagnostic("timeIndexInCell", target.span, textOf(source, target)));
      if (target.primed) {
        if (declared.get(name)?.what !== "a state") report(diagnostic("primedNotState", target.name.span, name));
      } else if (declared.has(name)) report(diagnostic("assignToDeclared", target.name.span, name, declared.get(name)!.what));
      const key = target.primed ? `${name}'` : name;
      const previous = definitions.get(key);
      if (previous) report(diagnostic("duplicate", target.span, key, lineOf(previous)));
      else definitions.set(key, eq);
    }
  }

  // Locals are typed on demand, so equations may come in any order; a cycle is reported.
  const localTypes = new Map<string, ValueType>();
  const typing: string[] = [];
  const typeEquation = (eq: ast.Equation) => {
    const type = typeOf(eq.value, scope);
    for (const target of eq.targets) localTypes.set(target.primed ? `${target.name.text}'` : target.name.text, type);
    if (!cell.equations.includes(eq)) cell.equations.push(eq);
  };
  const localType = (key: string, at: ast.Node): ValueType => {
    const known = localTypes.get(key);
    if (known) return known;
    if (typing.includes(key)) {
      const chain = [...typing.slice(typing.indexOf(key)), key].join(" → ");
      report(diagnostic("selfDependency", at.span, chain));
      return unknown;
    }
    typing.push(key);
    typeEquation(definitions.get(key)!);
    typing.pop();
    return localTypes.get(key) ?? unknown;
  };

  const scope: Scope = {
    source,
    report,
    types: cell.types,
    ref(r) {
      const key = r.primed ? `${r.name}'` : r.name;
      if (definitions.has(key)) return localType(key, r);
      if (r.primed) {
        const isState = declared.get(r.name)?.what === "a state";
        report(isState ? diagnostic("cellNoUpdate", r.span, cell.name, r.name) : diagnostic("primedNotState", r.span, r.name));
        return unknown;
      }
      const d = declared.get(r.name);
      if (d) return d.what === "a size" ? tensor([]) : d.type;
      report(diagnostic("unknownName", r.span, r.name, closest(r.name, [...declared.keys(), ...definitions.keys()])));
      return unknown;
    },
    index(e) {
      report(diagnostic("timeIndexInCell", e.span, textOf(source, e)));
      return unknown;
    },
    call(c) {
      report(diagnostic("unknownFunction", c.callee.span, c.callee.text, closest(c.callee.text, builtinFunctionNames)));
      for (const a of c.args) typeOf(a.value, scope);
      return undefined;
    },
    size: sizeOf,
    callables: () => builtinFunctionNames,
  };

  for (const eq of equations) if (!cell.equations.includes(eq)) {
    typing.push(...eq.targets.map((t) => (t.primed ? `${t.name.text}'` : t.name.text)));
    typeEquation(eq);
    typing.length = 0;
  }

  for (const state of cell.states) {
    const next = localTypes.get(`${state.name}'`);
    const eq = definitions.get(`${state.name}'`);
    if (!eq) {
      if (def.kind === "cell") report(diagnostic("cellNoUpdate", def.name.span, cell.name, state.name));
    } else if (next && !compatible(state.type, next))
      report(diagnostic("stateUpdateType", eq.targets[0].span, state.name, formatType(state.type), formatType(next)));
  }

  if (def.kind === "cell") {
    if (cell.states.length === 0) report(diagnostic("cellNoState", def.name.span, cell.name));
    for (const r of returns) report(diagnostic("cellReturn", r.span));
  } else {
    const firstState = def.body.find((s) => s.kind === "state");
    if (firstState) report(diagnostic("layerState", firstState.span, cell.name));
    if (returns.length === 0) report(diagnostic("layerNoReturn", def.name.span, cell.name));
    for (const r of returns.slice(1)) report(diagnostic("secondReturn", r.span));
    if (returns[0]) {
      cell.result = returns[0].value;
      cell.resultType = typeOf(returns[0].value, scope);
    }
  }
  return cell;
}

const divisibleBy4 = (s: Size) => [...s.values()].every((c) => c % 4 === 0);

/** `[H]` → a tensor; `token` or `token(V)` → a token id (inputs only). */
function declaredType(
  t: ast.TypeExpr,
  isInput: boolean,
  sizeOf: (e: ast.Expr) => Size | undefined,
  source: string,
  report: (d: Diagnostic) => void,
): ValueType {
  if (t.kind === "shape") {
    const dims = t.dims.map(sizeOf);
    return dims.every((d) => d) ? tensor(dims as Size[]) : unknown;
  }
  if (isInput && t.name.text === "token" && !t.element && t.args.length <= 1) {
    if (t.args.length === 0) return { kind: "token" };
    const vocab = sizeOf(t.args[0]);
    return vocab ? { kind: "token", vocab } : unknown;
  }
  report(diagnostic("badCellType", t.span, textOf(source, t)));
  return unknown;
}

function initializer(p: ast.ParamDecl, report: (d: Diagnostic) => void): CheckedParam["init"] {
  if (!p.init) return { name: "glorot", args: [] };
  const name = p.init.kind === "ref" ? p.init.name : p.init.callee.text;
  const args = p.init.kind === "call" ? p.init.args : [];
  const span = p.init.kind === "ref" ? p.init.span : p.init.callee.span;
  if (!(name in initializers)) {
    report(diagnostic("unknownInitializer", span, name, closest(name, Object.keys(initializers))));
    return { name: "glorot", args: [] };
  }
  const numbers = args.map((a) => (a.value.kind === "number" ? a.value.value : NaN));
  if (args.length !== initializers[name] || numbers.some((n) => !Number.isFinite(n))) {
    report(diagnostic("initializerArgs", p.init.span, name, initializers[name]));
    return { name, args: [] };
  }
  return { name, args: numbers };
}
