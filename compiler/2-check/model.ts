// Checks one model: declarations, equations, inits, losses and the train block, then the
// time structure: which equations form loops, in which direction, in which order.
import type * as ast from "../1-parse/ast.ts";
import { checkBptt } from "./bptt.ts";
import { builtinFunctionNames } from "./builtins.ts";
import { closest, diagnostic, positionOf, type Diagnostic } from "../diagnostics.ts";
import type { CheckedCell, CheckedLoss, CheckedModel, DataItem, LayerInstance, LoopGroup } from "./checked.ts";
import { checkDims, dataType, instantiate, type ModelContext } from "./declarations.ts";
import { subexpressions, textOf } from "./expressions.ts";
import { checkLoss } from "./losses.ts";
import { checkOutputs } from "./outputs.ts";
import { ModelScope } from "./model-scope.ts";
import type { Size } from "./sizes.ts";
import { checkTargetLeaks } from "./leaks.ts";
import { groupLoops, parseTimeIndex, type EquationNode } from "./time.ts";
import { checkTrain, overrideSetting } from "./train.ts";
import { compatible, formatDataType, formatType, unknown } from "./types.ts";

export interface ModelOptions {
  /** `--set H=64 --set epochs=2`: dims and train settings. */
  overrides?: Map<string, number>;
}

export function checkModel(
  decl: ast.ModelDecl,
  definitions: Map<string, CheckedCell>,
  file: string,
  source: string,
  report: (d: Diagnostic) => void,
  options: ModelOptions = {},
): CheckedModel {
  const ctx: ModelContext = { source, report, dims: new Map(), data: new Map() };
  const lineOf = (node: ast.Node) => positionOf(source, node.span.start).line;
  const declaredAt = new Map<string, ast.Node>();
  const declare = (name: ast.Name): boolean => {
    if (name.text.endsWith("'")) report(diagnostic("primedDeclaration", name.span, name.text));
    const previous = declaredAt.get(name.text);
    if (previous) report(diagnostic("duplicate", name.span, name.text, lineOf(previous)));
    else declaredAt.set(name.text, name);
    return !previous;
  };
  const statements = <K extends ast.ModelStatement["kind"]>(kind: K) =>
    decl.body.filter((s): s is Extract<ast.ModelStatement, { kind: K }> => s.kind === kind);

  // Declarations, in an order that lets each use the ones before: dims, data, layers.
  const overrides = options.overrides ?? new Map();
  for (const block of statements("dims")) {
    for (const entry of block.entries) declare(entry.name);
    checkDims(block, ctx, overrides);
  }
  const data: DataItem[] = [];
  for (const d of decl.body.filter((s): s is ast.DataDecl => s.kind === "input" || s.kind === "target")) {
    if (!declare(d.name)) continue;
    const type = dataType(d, ctx);
    const item: DataItem = { name: d.name.text, role: d.kind, type: type ?? { sequence: false, element: unknown }, autoregressive: false, decl: d };
    data.push(item);
    ctx.data.set(item.name, item);
  }
  const layers = new Map<string, LayerInstance>();
  const layerDecls = statements("layer");
  for (const l of layerDecls) {
    if (!declare(l.name)) continue;
    // A layer is called as a function is, and would win: `tanh(x)` would quietly be the layer.
    if (builtinFunctionNames.includes(l.name.text)) report(diagnostic("layerHidesFunction", l.name.span, l.name.text));
    const instance = instantiate(l, definitions, ctx, layerDecls.map((d) => d.name.text));
    if (instance) layers.set(instance.name, instance);
  }

  // Equations: each defines values, on a time axis (`h[t] = ...`) or not (`z = ...`).
  const nodes: EquationNode[] = [];
  const definedBy = new Map<string, number>();
  for (const eq of statements("equation")) {
    const i = nodes.length;
    const axes = eq.targets.map((target) => {
      if (target.primed) report(diagnostic("primedOutsideCell", target.name.span, target.name.text));
      if (!target.index) return undefined;
      const time = parseTimeIndex(target.index);
      if (time?.kind === "step" && time.offset === 0) return time.axis;
      report(diagnostic("lhsIndex", target.span, textOf(source, target)));
      return undefined;
    });
    const axis = axes.find((a) => a);
    if (axes.some((a) => a !== axis)) report(diagnostic("lhsIndex", eq.targets[axes.findIndex((a) => a !== axis)].span, textOf(source, eq)));
    nodes.push({ equation: eq, ...(axis ? { axis } : {}), label: eq.targets.map((t) => t.name.text + (axis ? `[${axis}]` : "")).join(", ") });
    for (const target of eq.targets) {
      const name = target.name.text;
      if (ctx.dims.has(name) || ctx.data.has(name) || layers.has(name)) {
        const what = ctx.dims.has(name) ? "a dim" : ctx.data.has(name) ? `an ${ctx.data.get(name)!.role}` : "a layer";
        report(diagnostic("assignToDeclared", target.name.span, name, what));
      } else if (definedBy.has(name)) report(diagnostic("duplicate", target.name.span, name, lineOf(nodes[definedBy.get(name)!].equation)));
      else definedBy.set(name, i);
    }
  }

  const inits = new Map<string, ast.InitDecl>();
  for (const init of statements("init")) {
    const name = init.name.text;
    if (inits.has(name)) report(diagnostic("initTwice", init.name.span, name));
    else if (!definedBy.has(name)) report(diagnostic("unknownName", init.name.span, name, closest(name, definedBy.keys())));
    else inits.set(name, init);
  }

  const allNames = () => [...declaredAt.keys(), ...definedBy.keys()];
  const scope = new ModelScope(ctx, nodes, layers, definitions, inits, allNames);
  for (const [name, i] of definedBy)
    scope.values.set(name, { name, ...(nodes[i].axis ? { axis: nodes[i].axis } : {}), type: unknown, equation: nodes[i].equation, defines: i, ...(inits.has(name) ? { init: inits.get(name) } : {}) });

  // Types, on demand: equations may stand in any order.
  nodes.forEach((_, i) => scope.ensureTyped(i));

  // A recurrence was typed before its own type was known. Type it again, now that the first
  // pass (or its init) says what its state is; a state with neither has no size at all.
  const retypeRecurrence = (group: LoopGroup) => {
    const indices = group.equations.map((eq) => nodes.findIndex((n) => n.equation === eq));
    if (group.states.length === 0 || indices.some((i) => scope.errorsIn.get(i))) return;
    for (const state of group.states) {
      if (scope.valueType(state.name).kind === "unknown" && !inits.has(state.name)) {
        const read = scope.edges.find((e) => e.name === state.name && typeof e.read === "object" && e.read.offset !== 0)!;
        report(diagnostic("noInitialState", read.at.span, state.name, read.text));
        return;
      }
    }
    const before = new Map(group.states.map((s) => [s.name, scope.valueType(s.name)]));
    indices.forEach((i) => scope.typeEquation(i));
    for (const [name, first] of before) {
      const again = scope.valueType(name);
      const read = scope.edges.find((e) => e.name === name && typeof e.read === "object" && e.read.offset !== 0)!;
      if (first.kind !== "unknown" && !compatible(first, again))
        report(diagnostic("recurrentTypeChanges", read.at.span, name, formatType(first), formatType(again)));
    }
  };
  const sizeConstraints = new Map<string, Size>();
  const losses = statements("loss")
    .map((l) => checkLoss(l, scope, sizeConstraints))
    .filter((l): l is CheckedLoss => l !== undefined);
  const outputs = checkOutputs(statements("output"), scope, lineOf);

  let loops = groupLoops(nodes, scope.edges, inits, report);
  for (const group of loops) retypeRecurrence(group);
  for (const [name, init] of inits) {
    const type = scope.typeAt(init.value, { init: name, loss: false });
    const value = scope.valueType(name);
    if (!compatible(value, type)) report(diagnostic("initType", init.value.span, name, formatType(value), formatType(type)));
  }
  // What the inits read is known now: ordered again, a recurrence comes after the loops its init
  // reads (`init d = e[last]` after e's loop, wherever the equations stand in the file).
  const ordered = groupLoops(nodes, scope.edges, inits, () => {});
  if (ordered.length === loops.length) loops = ordered.map((g) => loops.find((l) => l.equations[0] === g.equations[0]) ?? g);
  for (const value of scope.values.values()) value.type = scope.valueType(value.name);

  const recurrent = new Set(loops.flatMap((g) => g.states.map((s) => s.name)));
  for (const [name, init] of inits) if (!recurrent.has(name)) report(diagnostic("initNotRecurrent", init.name.span, name));

  for (const [name, at] of scope.earlierReads) {
    const item = ctx.data.get(name)!;
    item.autoregressive = true;
    // Its earlier steps are its tokens shifted by one (and, when generating, the tokens chosen).
    if (item.type.sequence && item.type.element.kind !== "token") report(diagnostic("autoregressiveNotTokens", at.span, textOf(source, at), name, formatDataType(item.type)));
    // A loss of it that failed its own check has said why; this is for a target no loss names.
    const predicted = losses.some((l) => l.target === name && l.axis) || statements("loss").some((l) => !losses.some((c) => c.decl === l) && mentions(l.value, name));
    if (!predicted) report(diagnostic("autoregressiveWithoutLoss", at.span, name));
  }
  checkTargetLeaks({ source, nodes, edges: scope.edges, values: scope.values, timeIndices: scope.timeIndices, data: ctx.data, losses, report });
  const modelLosses = statements("loss");
  if (modelLosses.length === 0) report(diagnostic("noLoss", decl.name.span, decl.name.text));
  for (const item of data) {
    const used = item.role === "target" ? modelLosses.some((l) => mentions(l.value, item.name)) : scope.read.has(item.name);
    if (!used) report({ ...diagnostic(item.role === "target" ? "unusedTarget" : "unusedData", item.decl.name.span, item.name), severity: "warning" });
  }

  const train = checkTrain(statements("train"), [...layers.keys()], report);
  for (const [name, value] of overrides) if (!ctx.dims.has(name)) overrideSetting(train, name, value);
  checkBptt({ decl, source, train, loops, inits, losses, data: ctx.data, values: scope.values, timeIndices: scope.timeIndices, report });

  return {
    name: decl.name.text,
    file,
    source,
    decl,
    dims: ctx.dims,
    data,
    layers: [...layers.values()],
    values: [...scope.values.values()].map(({ defines: _, ...value }) => value),
    loops,
    losses,
    outputs,
    train,
    sizeConstraints,
    types: scope.types,
    timeIndices: scope.timeIndices,
  };
}

/** Whether a name occurs in an expression. */
const mentions = (e: ast.Expr, name: string): boolean => [...subexpressions(e)].some((x) => x.kind === "ref" && x.name === name);
