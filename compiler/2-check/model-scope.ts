// What names, time indices and calls mean inside a model's equations, and the types of the
// values the equations define. Values are typed on demand, so equations may come in any
// order; every read is recorded as an edge for the loop analysis in time.ts.
import type * as ast from "../1-parse/ast.ts";
import { closest, diagnostic } from "../diagnostics.ts";
import { grouped, MAX_SIZE } from "../limits.ts";
import { builtinFunctionNames } from "./builtins.ts";
import type { Axis, CheckedCell, LayerInstance, ModelValue, TimeIndex } from "./checked.ts";
import { modelSize, type ModelContext } from "./declarations.ts";
import { textOf, typeOf, type Scope } from "./expressions.ts";
import { substitute, type Size } from "./sizes.ts";
import { parseTimeIndex, type Edge, type EquationNode } from "./time.ts";
import { compatible, formatType, unknown, type ValueType } from "./types.ts";

/** Where an expression being typed stands. */
interface Place {
  equation?: number; // the equation it belongs to (reads become edges from it)
  init?: string; // or the init of this value (reads become whole-sequence edges)
  axis?: Axis; // the step variable in scope
  loss: boolean; // in a loss, targets may be read at their own step
}

export class ModelScope implements Scope {
  readonly types = new Map<ast.Expr, ValueType>();
  readonly timeIndices = new Map<ast.Expr, TimeIndex>();
  readonly edges: Edge[] = [];
  /** Targets read at an earlier step: autoregressive. */
  readonly earlierReads = new Map<string, ast.Node>();
  /** Data items and values read anywhere, for "never read" warnings. */
  readonly read = new Set<string>();
  readonly values = new Map<string, ModelValue & { defines: number }>();
  private readonly valueTypes = new Map<string, ValueType>();
  private readonly typing = new Set<number>();
  private place: Place = { loss: false };

  constructor(
    readonly ctx: ModelContext,
    readonly nodes: EquationNode[],
    readonly layers: Map<string, LayerInstance>,
    readonly definitions: Map<string, CheckedCell>,
    readonly inits: Map<string, ast.InitDecl>,
    readonly names: () => string[],
  ) {}

  get source() {
    return this.ctx.source;
  }
  /** Errors reported while typing each equation (and what it read), to avoid cascades. */
  readonly errorsIn = new Map<number, number>();
  private reported = 0;
  report = (d: Parameters<ModelContext["report"]>[0]) => {
    this.reported++;
    this.ctx.report(d);
  };
  size = (e: ast.Expr) => modelSize(e, { ...this.ctx, report: this.report });
  callables = () => [...this.layers.keys(), ...builtinFunctionNames];

  /** Types `e` as it stands at `place`. */
  typeAt(e: ast.Expr, place: Place): ValueType {
    const saved = this.place;
    this.place = place;
    try {
      return typeOf(e, this);
    } finally {
      this.place = saved;
    }
  }

  /** Types an equation and the values it defines. */
  typeEquation(i: number): ValueType[] {
    const node = this.nodes[i];
    const eq = node.equation;
    this.typing.add(i);
    const errorsBefore = this.reported;
    const saved = this.place;
    this.place = { equation: i, ...(node.axis ? { axis: node.axis } : {}), loss: false };
    let results: ValueType[];
    try {
      results = eq.tuple ? this.tupleTypes(eq) : [typeOf(eq.value, this)];
    } finally {
      this.place = saved;
      this.typing.delete(i);
      this.errorsIn.set(i, (this.errorsIn.get(i) ?? 0) + this.reported - errorsBefore);
    }
    eq.targets.forEach((t, k) => {
      if (this.values.get(t.name.text)?.defines === i) this.valueTypes.set(t.name.text, results[k] ?? unknown);
    });
    return results;
  }

  private readonly typed = new Set<number>();
  ensureTyped(i: number) {
    if (this.typed.has(i)) return;
    this.typed.add(i);
    this.typeEquation(i);
  }

  private tupleTypes(eq: ast.Equation): ValueType[] {
    const rhs = eq.value;
    const instance = rhs.kind === "call" ? this.layers.get(rhs.callee.text) : undefined;
    if (rhs.kind !== "call" || instance?.cell.kind !== "cell") {
      this.report(diagnostic("tupleNotCell", rhs.span, textOf(this.source, rhs)));
      typeOf(rhs, this);
      return [];
    }
    const results = this.call(rhs) ?? [];
    if (results.length > 0 && results.length !== eq.targets.length) {
      const states = plural(instance.cell.states.length, "state", instance.cell.states.map((s) => s.name));
      this.report(diagnostic("tupleCount", eq.span, rhs.callee.text, states, eq.targets.length));
      return [];
    }
    return results;
  }

  valueType(name: string): ValueType {
    const value = this.values.get(name)!;
    if (this.typing.has(value.defines)) return this.earlyRead(name);
    const known = this.valueTypes.get(name);
    if (known) return known;
    this.ensureTyped(value.defines);
    return this.valueTypes.get(name) ?? unknown;
  }

  /**
   * A value read while its own equation is being typed: a recurrence. The first pass knows
   * nothing of it (unknown stays silent); the second knows the type the first pass found,
   * or, failing that, its init's.
   */
  private earlyRead(name: string): ValueType {
    const previous = this.valueTypes.get(name);
    if (previous && previous.kind !== "unknown") return previous;
    const init = this.inits.get(name);
    return init && previous ? this.typeAt(init.value, { init: name, loss: false }) : unknown;
  }

  ref(r: ast.Ref): ValueType {
    if (r.primed) {
      this.report(diagnostic("primedOutsideCell", r.span, r.name));
      return unknown;
    }
    if (this.ctx.dims.has(r.name)) return { kind: "tensor", shape: [] };
    const item = this.ctx.data.get(r.name);
    const value = this.values.get(r.name);
    if (item?.type.sequence || value?.axis) {
      this.report(diagnostic("sequenceWithoutIndex", r.span, r.name));
      return unknown;
    }
    if (item) {
      this.read.add(r.name);
      if (item.role === "target" && !this.place.loss) {
        this.report(diagnostic("targetAsInput", r.span, r.name));
        return unknown;
      }
      return item.type.element;
    }
    if (value) {
      this.addEdge(r.name, { offset: 0 }, r);
      return this.valueType(r.name);
    }
    if (this.layers.has(r.name)) this.report(diagnostic("notCallable", r.span, r.name, "a layer: call it, as " + r.name + "(x)"));
    else if (["t", "s", "first", "last"].includes(r.name)) this.report(diagnostic("axisNotHere", r.span, r.name));
    else this.report(diagnostic("unknownName", r.span, r.name, closest(r.name, this.names())));
    return unknown;
  }

  index(e: ast.Index): ValueType {
    const target = e.target.kind === "paren" ? e.target.inner : e.target;
    const time = parseTimeIndex(e.index);
    if (!time) {
      this.report(diagnostic("badTimeIndex", e.index.span, textOf(this.source, e.index)));
      return unknown;
    }
    if (time.kind === "step" && Math.abs(time.offset) > MAX_SIZE) {
      this.report(diagnostic("timeOffsetTooLarge", e.index.span, textOf(this.source, e.index), grouped(MAX_SIZE)));
      return unknown;
    }
    this.timeIndices.set(e, time);
    if (target.kind !== "ref" || target.primed) {
      this.report(diagnostic("notASequence", target.span, textOf(this.source, target)));
      return unknown;
    }
    const name = target.name;
    const item = this.ctx.data.get(name);
    const value = this.values.get(name);
    if (!item && !value) return this.ref(target); // reports the unknown name
    if (!(item?.type.sequence || value?.axis)) {
      this.report(diagnostic("notASequence", target.span, name));
      return unknown;
    }
    if (time.kind === "step") {
      if (this.place.axis !== time.axis) {
        if (this.place.axis) this.report(diagnostic("axisMismatch", e.span, textOf(this.source, e), time.axis, this.place.axis));
        else this.report(diagnostic("axisNotHere", e.index.span, time.axis));
        return unknown;
      }
      const axis = item ? item.axis : value!.axis;
      if (axis && axis !== time.axis) {
        this.report(diagnostic("dataAxisConflict", e.span, name, time.axis, axis));
        return unknown;
      }
      if (item) item.axis = time.axis;
    }
    this.read.add(name);
    if (item) {
      if (item.role === "target" && !this.place.loss) {
        if (time.kind !== "step" || time.offset >= 0) {
          this.report(diagnostic("targetLeak", e.span, name, textOf(this.source, e)));
          return unknown;
        }
        if (!this.earlierReads.has(name)) this.earlierReads.set(name, e);
      }
      return item.type.element;
    }
    this.addEdge(name, time.kind === "step" ? { offset: time.offset } : "whole", e);
    return this.valueType(name);
  }

  private addEdge(name: string, read: Edge["read"], at: ast.Node) {
    const to = this.values.get(name)!.defines;
    const text = textOf(this.source, at);
    if (this.place.equation !== undefined) this.edges.push({ from: this.place.equation, to, read, name, at, text });
    else if (this.place.init !== undefined) {
      const from = this.values.get(this.place.init)!.defines;
      this.edges.push({ from, to, read: "whole", name, at, text });
    }
  }

  call(c: ast.Call): ValueType[] | undefined {
    const name = c.callee.text;
    const instance = this.layers.get(name);
    if (!instance) {
      for (const a of c.args) typeOf(a.value, this);
      if (this.ctx.broken?.has(name)) {
        this.reported++; // its declaration's error says why; what reads it says nothing more
        return undefined;
      }
      if (this.definitions.has(name)) this.report(diagnostic("definitionNotLayer", c.callee.span, name, name === "dense" ? "head" : "cell"));
      else this.report(diagnostic("unknownFunction", c.callee.span, name, closest(name, this.callables())));
      return undefined;
    }
    const cell = instance.cell;
    const expected = [...cell.inputs, ...cell.states];
    const args = c.args;
    for (const a of args) if (a.name) this.report(diagnostic("namedArgHere", a.name.span, a.name.text));
    const types = args.map((a) => typeOf(a.value, this));
    if (args.length !== expected.length) {
      if (cell.kind === "cell") {
        const inputs = plural(cell.inputs.length, "input", cell.inputs.map((i) => i.name));
        const states = plural(cell.states.length, "state", cell.states.map((s) => s.name));
        this.report(diagnostic("cellArgCount", c.span, name, inputs, states, expected.length, args.length));
      } else {
        this.report(diagnostic("callArgCount", c.span, name, plural(expected.length, "argument", expected.map((e) => e.name)), args.length));
      }
      return undefined;
    }
    let ok = true;
    expected.forEach((param, i) => {
      const want = bind(param.type, instance.sizes);
      if (!compatible(want, types[i])) {
        const text = textOf(this.source, args[i].value);
        this.report(diagnostic("callArgType", args[i].value.span, name, i + 1, param.name, formatType(want), text, formatType(types[i])));
        ok = false;
      }
    });
    if (!ok) return cell.kind === "cell" ? cell.states.map(() => unknown) : [unknown];
    if (cell.kind === "layer") return [bind(cell.resultType ?? unknown, instance.sizes)];
    return cell.states.map((s) => bind(s.type, instance.sizes));
  }
}

/** A definition's type with its sizes bound: [4*H] → [512]. */
export function bind(type: ValueType, sizes: Map<string, Size>): ValueType {
  if (type.kind === "tensor") return { kind: "tensor", shape: type.shape.map((s) => substitute(s, sizes)) };
  if (type.kind === "token" && type.vocab) return { kind: "token", vocab: substitute(type.vocab, sizes) };
  return type;
}

/** "2 states (h, c)", "1 input (x)". */
export function plural(n: number, word: string, names: string[]): string {
  return `${n} ${word}${n === 1 ? "" : "s"}${names.length ? ` (${names.join(", ")})` : ""}`;
}
