// The tensor each expression of a model computes, as tf.layers applied to tensors: inputs (with
// Masking after a vector sequence), embeddings, onehot tables, recurrent layers and
// Bidirectionals, dense layers, concat, +, and the activations tfjs has (tanh, relu, sigmoid,
// softmax, softplus, gelu, silu as swish, hard_sigmoid, elu of alpha 1, leaky_relu). Whatever has no
// layer is a problem, quoted from the source with the reason; the walk goes on, so that every
// problem of the model is found at once.
import type * as ast from "../../../compiler/1-parse/ast.ts";
import type { DataItem, LayerInstance } from "../../../compiler/2-check/checked.ts";
import { numeric, substitute, type Size } from "../../../compiler/2-check/sizes.ts";
import { PRELUDE_FILE } from "../../../compiler/index.ts";
import { numberLiteral } from "../../../compiler/2-check/expressions.ts";
import type { TimeIndex } from "../../../compiler/ir/nodes.ts";
import type { ParamMapping } from "../../recognise/index.ts";
import type { Activation, GraphNode, Ref } from "../graph.ts";
import type { Draft } from "./draft.ts";
import type { Recurrence } from "./recurrences.ts";

/** The functions with a tfjs activation of the same meaning: rnnc's name → tfjs's (elu: only elu(x, 1), tfjs's one alpha). */
const activations: Record<string, Activation> = { tanh: "tanh", relu: "relu", sigmoid: "sigmoid", softmax: "softmax", softplus: "softplus", gelu: "gelu", silu: "swish", hard_sigmoid: "hardSigmoid", elu: "elu" };

export class ExpressionLayers {
  private readonly inputRefs = new Map<string, Ref>();
  private readonly valueRefs = new Map<string, Ref | undefined>();
  /** The params of each cell exported as a tfjs recurrent layer, by the rnnc layer holding them. */
  readonly cellParams = new Map<string, Record<string, ParamMapping>>();

  constructor(
    private readonly draft: Draft,
    private readonly recurrences: ReadonlyMap<string, Recurrence>,
    private readonly bindings: ReadonlyMap<string, Size>,
  ) {}

  /** The tensor an expression computes (per step or per example); undefined after a problem. */
  expression(e: ast.Expr): Ref | undefined {
    const d = this.draft;
    switch (e.kind) {
      case "paren":
        return this.expression(e.inner);
      case "index":
        return this.read(e);
      case "ref": {
        const item = this.data(e.name);
        if (item) return item.role === "input" ? this.input(item.name, item) : d.unsupported(e, "a target read as an input");
        if (d.model.values.some((v) => v.name === e.name)) return this.value(e.name);
        return d.unsupported(e, "a number of the model's: tfjs layers take only tensors");
      }
      case "call":
        return this.call(e);
      case "binary": {
        if (e.op !== "+") return d.unsupported(e, `\`${e.op}\` of two tensors: only + (tfjs's Add) and concat have tfjs layers`);
        const from = this.operands([e.left, e.right], e);
        if (!from) return undefined;
        if (from.some((r) => d.sizeOf(r) !== d.sizeOf(from[0]))) return d.unsupported(e, "a sum of tensors of different sizes (tfjs's Add does not broadcast)");
        return d.node({ op: "add", from, sequence: d.isSequence(from[0]), size: d.sizeOf(from[0]) });
      }
      case "unary":
        return d.unsupported(e, "a negation: it has no tfjs layer");
      case "number":
      case "string":
        return d.unsupported(e, "a constant: tfjs layers take only tensors");
    }
  }

  /** `x[t]`, `name[t-1]`, `h[t]`, `h[last]`, `b[first]`, `e[t]`. */
  private read(e: ast.Index): Ref | undefined {
    const d = this.draft;
    const target = e.target.kind === "paren" ? e.target.inner : e.target;
    const time = d.model.timeIndices.get(e);
    if (target.kind !== "ref" || !time) return d.unsupported(e, "not a read of a sequence");
    const item = this.data(target.name);
    const at = (kind: TimeIndex["kind"], offset = 0) => time.kind === kind && (time.kind !== "step" || time.offset === offset);
    if (item) {
      if (item.role === "input" && at("step")) return this.input(item.name, item);
      if (item.role === "target" && item.autoregressive && at("step", -1)) return this.input(`${item.name}@input`, item);
      return d.unsupported(e, `one step of ${item.name}: tfjs layers read whole sequences, step by step`);
    }
    const recurrence = this.recurrences.get(target.name);
    if (recurrence) return this.recurrent(recurrence, target.name, time, e);
    if (at("step")) return this.value(target.name);
    return d.unsupported(e, `one step of ${target.name}: tfjs layers compute whole sequences, step by step`);
  }

  private call(e: ast.Call): Ref | undefined {
    const d = this.draft;
    const name = e.callee.text;
    const layer = d.model.layers.find((l) => l.name === name);
    if (!layer) return this.builtin(e);
    if (layer.cell.kind === "cell") return d.unsupported(e, `the cell ${name} called inside an expression: a tfjs recurrent layer runs over a whole sequence (h[t] = ${name}(x[t], h[t-1]))`);
    const kind = this.layerKind(layer);
    if (!kind) return undefined;
    const from = this.expression(e.args[0].value);
    if (!from) return undefined;
    const sequence = d.isSequence(from);
    if (kind === "embedding") {
      const input = d.idsInput(from);
      if (!input?.sequence) return d.unsupported(e, "an embedding of ids that are not an input sequence");
      const vocab = this.size(layer, "V");
      if (input.size > vocab) return d.unsupported(e, `an embedding of ${vocab} rows reading ${input.field}, whose ids go up to ${input.size - 1}: tfjs has no row for the others`);
      return d.node({ op: "embedding", layer: name, from, vocab, sequence, size: this.size(layer, "E") });
    }
    if (d.isIds(from)) return d.unsupported(e, "ids used as numbers");
    return d.node({ op: "dense", layer: name, from, activation: "linear", sequence, size: this.size(layer, "O") });
  }

  private builtin(e: ast.Call): Ref | undefined {
    const d = this.draft;
    const name = e.callee.text;
    if (name === "concat") {
      const pair = this.bidirectional(e);
      if (pair) return pair;
      const from = this.operands(e.args.map((a) => a.value), e);
      if (!from) return undefined;
      return d.node({ op: "concat", from, sequence: d.isSequence(from[0]), size: from.reduce((s, r) => s + d.sizeOf(r), 0) });
    }
    if (name === "onehot") {
      const from = this.expression(e.args[0].value);
      if (!from) return undefined;
      const input = d.idsInput(from);
      if (!input?.sequence) return d.unsupported(e, "a onehot of ids that are not an input sequence");
      const type = d.model.types.get(e);
      const size = type?.kind === "tensor" && type.shape.length === 1 ? this.number(type.shape[0]) : undefined;
      if (size === undefined) return d.unsupported(e, "a onehot of unknown size");
      return d.node({ op: "onehot", from, vocab: input.size, sequence: true, size });
    }
    if (name === "dropout" || name === "locked_dropout") {
      const from = this.expression(e.args[0].value);
      if (!from) return undefined;
      if (d.isIds(from)) return d.unsupported(e, "ids used as numbers");
      const rate = numberLiteral(e.args[1].value)!; // the checker made sure
      return d.node({ op: "dropout", rate, locked: name === "locked_dropout", from, sequence: d.isSequence(from), size: d.sizeOf(from) });
    }
    if (Object.hasOwn(activations, name) || name === "leaky_relu") {
      const alpha = e.args.length === 2 ? numberLiteral(e.args[1].value) : undefined;
      if (name === "elu" && alpha !== 1) return d.unsupported(e, "elu with an alpha other than 1: tfjs's elu has alpha 1 only");
      const from = this.expression(e.args[0].value);
      if (!from) return undefined;
      if (d.isIds(from)) return d.unsupported(e, "ids used as numbers");
      const shape = { from, sequence: d.isSequence(from), size: d.sizeOf(from) };
      if (name === "leaky_relu" && shape.sequence) return d.unsupported(e, "leaky_relu of a sequence: tfjs's LeakyReLU layer does not pass a sequence's mask on (it has one for a value per example)");
      return d.node(name === "leaky_relu" ? { op: "leakyReLU", alpha: alpha!, ...shape } : { op: "activation", activation: activations[name], ...shape });
    }
    return d.unsupported(e, `${name}: it has no tfjs layer here (the layers are the prelude's dense, embedding, lstm, gru, lstm_hard_sigmoid, gru_hard_sigmoid, rnn and rnn_relu; the functions concat, onehot, tanh, relu, sigmoid, softmax, softplus, gelu, silu, hard_sigmoid, elu(x, 1) and leaky_relu)`);
  }

  /** Operands of concat or +: numbers, all per step or all per example. */
  private operands(es: ast.Expr[], at: ast.Expr): Ref[] | undefined {
    const d = this.draft;
    const refs = es.map((x) => this.expression(x));
    if (refs.some((r) => !r)) return undefined;
    const from = refs as Ref[];
    if (from.some((r) => d.isIds(r))) return d.unsupported(at, "ids used as numbers");
    if (from.some((r) => d.isSequence(r) !== d.isSequence(from[0]))) return d.unsupported(at, "per-step values mixed with per-example ones: tfjs's merge layers take tensors of one rank");
    return from;
  }

  // ---- recurrences ---------------------------------------------------------------------------

  /** A read of a recurrence's state on its own: h[t] or h[last] (forward), b[first] (backward). */
  private recurrent(r: Recurrence, name: string, time: TimeIndex, e: ast.Index): Ref | undefined {
    const d = this.draft;
    if (r.problem) return d.problem(r.problem);
    if (name !== r.output) return d.unsupported(e, `${name} is ${r.layer.name}'s memory cell: tfjs's ${r.cell.toUpperCase()} layer gives only its output ${r.output}`);
    const step = time.kind === "step" && time.offset === 0;
    const final = r.backward ? time.kind === "first" : time.kind === "last";
    if (r.backward && step)
      return d.unsupported(e, `the backward recurrence ${name} read at each step outside concat(f[t], ${name}[t]): tfjs gives a backward layer's steps in reverse order; pair it, second, with a forward recurrence of the same cell and size over the same input (a tfjs Bidirectional)`);
    if (!step && !final) return d.unsupported(e, `${d.text(e)}: a recurrence's state is exported at each step or at its end (${r.backward ? `${name}[first]` : `${name}[last]`})`);
    if (r.paired) return d.unsupported(e, `${name} is also one half of a bidirectional pair: a tfjs layer is exported once`);
    if (r.node === undefined) {
      const from = this.sequenceInput(r);
      if (!from) return undefined;
      r.node = d.nodes.length;
      d.nodes.push({ op: "recurrent", cell: r.cell, layer: r.layer.name, from, backward: r.backward, sequences: false, final: false, sequence: true, size: r.hidden });
      this.cellParams.set(r.layer.name, r.params);
    }
    const node = d.nodes[r.node] as Extract<GraphNode, { op: "recurrent" }>;
    if (step) node.sequences = true;
    else node.final = true;
    return step ? { node: r.node } : { node: r.node, final: true };
  }

  /**
   * concat(f[t], b[t]) or concat(f[last], b[first]) of a forward and a backward recurrence of
   * one cell kind and size over one input, neither read on its own: a tfjs Bidirectional.
   * Anything else is not a pair (undefined): a plain concat of what its parts are on their own.
   */
  private bidirectional(e: ast.Call): Ref | undefined {
    const d = this.draft;
    if (e.args.length !== 2) return undefined;
    const [f, b] = e.args.map((a) => {
      const x = a.value.kind === "paren" ? a.value.inner : a.value;
      const target = x.kind === "index" ? (x.target.kind === "paren" ? x.target.inner : x.target) : undefined;
      const time = x.kind === "index" ? d.model.timeIndices.get(x) : undefined;
      const r = target?.kind === "ref" ? this.recurrences.get(target.name) : undefined;
      return r && !r.problem && target?.kind === "ref" && target.name === r.output && time ? { r, time } : undefined;
    });
    if (!f || !b || f.r.backward || !b.r.backward) return undefined;
    const step = (t: TimeIndex) => t.kind === "step" && t.offset === 0;
    const sequences = step(f.time) && step(b.time);
    if (!sequences && !(f.time.kind === "last" && b.time.kind === "first")) return undefined;
    const key = `bidirectional ${f.r.layer.name} ${b.r.layer.name} ${sequences}`;
    const known = d.known(key);
    if (known !== undefined) return { node: known };
    const alike = f.r.cell === b.r.cell && f.r.hidden === b.r.hidden;
    if (!alike || f.r.node !== undefined || b.r.node !== undefined || f.r.paired || b.r.paired) return undefined;
    const from = this.sequenceInput(f.r);
    const fromB = this.sequenceInput(b.r);
    if (!from || !fromB || from.node !== fromB.node || from.final !== fromB.final) return undefined;
    f.r.paired = b.r.paired = true;
    for (const r of [f.r, b.r]) this.cellParams.set(r.layer.name, r.params);
    return d.node({ op: "bidirectional", cell: f.r.cell, forward: f.r.layer.name, backward: b.r.layer.name, from, sequences, sequence: sequences, size: 2 * f.r.hidden }, key);
  }

  /** A recurrence's input, per step. */
  private sequenceInput(r: Recurrence): Ref | undefined {
    const d = this.draft;
    const from = this.expression(r.input);
    if (!from) return undefined;
    if (d.isIds(from)) return d.unsupported(r.input, `${r.layer.name} reads ids as numbers`);
    if (!d.isSequence(from)) return d.unsupported(r.input, `${r.layer.name} reads the same value at every step: tfjs's recurrent layers read a sequence`);
    return from;
  }

  // ---- inputs, values, layers ----------------------------------------------------------------

  private data(name: string): DataItem | undefined {
    return this.draft.model.data.find((d) => d.name === name);
  }

  /** The tfjs input carrying a field (with Masking after a vector sequence). */
  private input(field: string, item: DataItem): Ref | undefined {
    const d = this.draft;
    const known = this.inputRefs.get(field);
    if (known) return known;
    const element = item.type.element;
    const ids = element.kind !== "tensor";
    const size = this.number(element.kind === "tensor" ? element.shape[0] : element.kind === "token" ? element.vocab : element.kind === "class" ? element.classes : undefined);
    if (size === undefined || (element.kind === "tensor" && element.shape.length !== 1)) return d.problem(`${field}: its size is not known`);
    if (ids && !item.type.sequence) return d.problem(`${field}: a single id per example has no tfjs layer here (an Embedding reads sequences)`);
    const layerNames = new Set(d.model.layers.map((l) => l.name));
    let name = field.replace(/[^A-Za-z0-9_.-]/g, "_");
    while (layerNames.has(name) || d.inputs.some((i) => i.name === name)) name += "_input";
    const input = d.inputs.push({ name, field, kind: ids ? "ids" : "vectors", size, sequence: item.type.sequence }) - 1;
    let ref: Ref = { node: d.node({ op: "input", input, sequence: item.type.sequence, size }).node };
    if (!ids && item.type.sequence) ref = d.node({ op: "masking", from: ref, sequence: true, size });
    this.inputRefs.set(field, ref);
    return ref;
  }

  /** A value of the model that is not a recurrence, computed by its equation. */
  private value(name: string): Ref | undefined {
    if (this.valueRefs.has(name)) return this.valueRefs.get(name);
    const value = this.draft.model.values.find((v) => v.name === name)!;
    this.valueRefs.set(name, undefined); // a cycle would be a recurrence; this only guards
    const ref = value.equation.tuple ? this.draft.unsupported(value.equation.value, "a cell's states computed once") : this.expression(value.equation.value);
    this.valueRefs.set(name, ref);
    return ref;
  }

  /** The prelude layer (dense, embedding) a layer instantiates; anything else is reported. */
  private layerKind(layer: LayerInstance): "dense" | "embedding" | undefined {
    const def = layer.cell;
    if (def.file === PRELUDE_FILE && (def.name === "dense" || def.name === "embedding")) return def.name;
    const why = def.file === PRELUDE_FILE ? `${def.name} has no tfjs layer` : `${def.name} is defined in the model's file; tfjs has layers only for the prelude's dense and embedding (and its cells, by their equations)`;
    return this.draft.problem(`layer ${layer.name} = ${def.name}(…): ${why}`);
  }

  private size(layer: LayerInstance, param: string): number {
    return this.number(layer.sizes.get(param)) ?? 0;
  }

  private number(s: Size | undefined): number | undefined {
    return s && numeric(substitute(s, this.bindings));
  }
}
