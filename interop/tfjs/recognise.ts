// Which checked models are tf.layers models, and which layers: the one place that decides.
//
// A model maps onto tfjs layers when every loss's prediction is built, step by step, from
//   - an input sequence of ids through `embedding` or `onehot`, or of vectors (Keras' Masking(0));
//     an autoregressive target read at t-1 is an input too (its shifted copy, `name@input`);
//   - recurrences that are one prelude cell stepping its own states, `h[t] = cell(x[t], h[t-1])`
//     (forward: its steps h[t] or its last state h[last]; backward, `b[t+1]`: its b[first], or
//     its steps paired with a forward one over the same input as concat(f[t], b[t]), and
//     concat(f[last], b[first]) — tfjs's Bidirectional);
//   - `dense` layers, concat, `+`, and tanh, relu, sigmoid, softmax;
// on one time axis, with every recurrence starting from zeros. Anything else (a user's cell, an
// `init`, an encoder–decoder's second axis, gru_reset_after, `*`) is a problem, and the model's
// every problem is listed at once in one TfjsError.
import type * as ast from "../../compiler/1-parse/ast.ts";
import type { CheckedModel, DataItem, LayerInstance, LoopGroup, TimeIndex } from "../../compiler/2-check/checked.ts";
import { numeric, substitute, type Size } from "../../compiler/2-check/sizes.ts";
import type { DataSizes } from "../../compiler/3-lower/index.ts";
import { PRELUDE_FILE } from "../../compiler/index.ts";
import { TfjsError } from "./errors.ts";
import type { Activation, Cell, GraphInput, GraphNode, GraphOutput, LayerGraph, LayerWeights, Ref } from "./graph.ts";
import { layerKinds, type LayerKind } from "./weights.ts";

const cells: readonly string[] = ["lstm", "gru", "rnn", "rnn_relu"];
const activations: readonly string[] = ["tanh", "relu", "sigmoid", "softmax"];

/** The tf.layers graph of `model` with its data-bound sizes, or a TfjsError listing why not. */
export function recognise(model: CheckedModel, source: string, dataSizes: DataSizes): LayerGraph {
  return new Recogniser(model, source, dataSizes).run();
}

/** A recurrence `(h[t], c[t]) = cell(x[t], h[t-1], c[t-1])`, or why it is not one. */
interface Recurrence {
  states: string[];
  layer: LayerInstance;
  cell: Cell;
  backward: boolean;
  input: ast.Expr;
  problem?: string;
  /** How it has been exported so far: on its own (a node), or as a half of a Bidirectional. */
  node?: number;
  paired?: boolean;
}

class Recogniser {
  private readonly problems: string[] = [];
  private readonly nodes: GraphNode[] = [];
  private readonly inputs: GraphInput[] = [];
  private readonly inputRefs = new Map<string, Ref>();
  private readonly valueRefs = new Map<string, Ref | undefined>();
  private readonly memo = new Map<string, number>();
  private readonly recurrences = new Map<string, Recurrence>();
  private readonly bindings: Map<string, Size>;

  constructor(
    private readonly model: CheckedModel,
    private readonly source: string,
    dataSizes: DataSizes,
  ) {
    this.bindings = new Map([...model.sizeConstraints]);
    for (const [key, n] of dataSizes) this.bindings.set(key, new Map([["", n]]));
    for (const group of model.loops) if (group.direction === "forward" || group.direction === "backward") this.recurrence(group);
  }

  run(): LayerGraph {
    const { model } = this;
    const axes = new Set([...model.data.map((d) => d.axis), ...model.values.map((v) => v.axis)].filter((a) => a !== undefined));
    if (axes.size > 1) this.problem(`it runs over two time axes (${[...axes].join(" and ")}), an encoder and a decoder: a tfjs layers model has one`);
    for (const v of model.values) if (v.init) this.problem(`${this.text(v.init)}: tfjs's recurrent layers start from zeros (a computed first state is not part of a layers model)`);

    const outputs: GraphOutput[] = [];
    for (const loss of model.losses) {
      const from = this.expression(loss.prediction);
      if (!from) continue;
      if (this.isIds(from)) {
        this.problem(`${this.text(loss.prediction)}: the prediction is ids, not numbers`);
        continue;
      }
      outputs.push({ target: loss.target, loss: loss.kind, from, sequence: this.isSequence(from), size: this.sizeOf(from) });
    }
    const weights = this.layerWeights();
    if (this.problems.length > 0) {
      const list = [...new Set(this.problems)].map((p) => `  - ${p}`).join("\n");
      throw new TfjsError(`${model.name} does not map onto TensorFlow.js layers:\n${list}`);
    }
    this.foldOutputActivations(outputs);
    return { model: model.name, inputs: this.inputs, nodes: this.nodes, outputs, weights };
  }

  // ---- expressions -----------------------------------------------------------------------

  /** The tensor an expression computes (per step or per example); undefined after a problem. */
  private expression(e: ast.Expr): Ref | undefined {
    switch (e.kind) {
      case "paren":
        return this.expression(e.inner);
      case "index":
        return this.read(e);
      case "ref": {
        const item = this.data(e.name);
        if (item) return item.role === "input" ? this.input(item.name, item) : this.unsupported(e, "a target read as an input");
        if (this.model.values.some((v) => v.name === e.name)) return this.value(e.name);
        return this.unsupported(e, "a number of the model's: tfjs layers take only tensors");
      }
      case "call":
        return this.call(e);
      case "binary": {
        if (e.op !== "+") return this.unsupported(e, `\`${e.op}\` of two tensors: only + (tfjs's Add) and concat have tfjs layers`);
        const from = this.operands([e.left, e.right], e);
        if (!from) return undefined;
        if (from.some((r) => this.sizeOf(r) !== this.sizeOf(from[0])))
          return this.unsupported(e, "a sum of tensors of different sizes (tfjs's Add does not broadcast)");
        return this.node({ op: "add", from, sequence: this.isSequence(from[0]), size: this.sizeOf(from[0]) });
      }
      case "unary":
        return this.unsupported(e, "a negation: it has no tfjs layer");
      case "number":
      case "string":
        return this.unsupported(e, "a constant: tfjs layers take only tensors");
    }
  }

  /** `x[t]`, `name[t-1]`, `h[t]`, `h[last]`, `b[first]`, `e[t]`. */
  private read(e: ast.Index): Ref | undefined {
    const target = e.target.kind === "paren" ? e.target.inner : e.target;
    const time = this.model.timeIndices.get(e);
    if (target.kind !== "ref" || !time) return this.unsupported(e, "not a read of a sequence");
    const item = this.data(target.name);
    const at = (kind: TimeIndex["kind"], offset = 0) => time.kind === kind && (time.kind !== "step" || time.offset === offset);
    if (item) {
      if (item.role === "input" && at("step")) return this.input(item.name, item);
      if (item.role === "target" && item.autoregressive && at("step", -1)) return this.input(`${item.name}@input`, item);
      return this.unsupported(e, `one step of ${item.name}: tfjs layers read whole sequences, step by step`);
    }
    const recurrence = this.recurrences.get(target.name);
    if (recurrence) return this.recurrent(recurrence, target.name, time, e);
    if (at("step")) return this.value(target.name);
    return this.unsupported(e, `one step of ${target.name}: tfjs layers compute whole sequences, step by step`);
  }

  private call(e: ast.Call): Ref | undefined {
    const name = e.callee.text;
    const layer = this.model.layers.find((l) => l.name === name);
    if (!layer) return this.builtin(e);
    const kind = this.kindOf(layer);
    if (!kind) return undefined;
    if (cells.includes(kind)) return this.unsupported(e, `the cell ${name} called inside an expression: a tfjs recurrent layer runs over a whole sequence (h[t] = ${name}(x[t], h[t-1]))`);
    const from = this.expression(e.args[0].value);
    if (!from) return undefined;
    const sequence = this.isSequence(from);
    if (kind === "embedding") {
      const input = this.idsInput(from);
      if (!input?.sequence) return this.unsupported(e, "an embedding of ids that are not an input sequence");
      const vocab = this.size(layer, "V");
      if (input.size > vocab) return this.unsupported(e, `an embedding of ${vocab} rows reading ${input.field}, whose ids go up to ${input.size - 1}: tfjs has no row for the others`);
      return this.node({ op: "embedding", layer: name, from, vocab, sequence, size: this.size(layer, "E") });
    }
    if (this.isIds(from)) return this.unsupported(e, "ids used as numbers");
    return this.node({ op: "dense", layer: name, from, activation: "linear", sequence, size: this.size(layer, "O") });
  }

  private builtin(e: ast.Call): Ref | undefined {
    const name = e.callee.text;
    if (name === "concat") {
      const pair = this.bidirectional(e);
      if (pair) return pair;
      const from = this.operands(e.args.map((a) => a.value), e);
      if (!from) return undefined;
      return this.node({ op: "concat", from, sequence: this.isSequence(from[0]), size: from.reduce((s, r) => s + this.sizeOf(r), 0) });
    }
    if (name === "onehot") {
      const from = this.expression(e.args[0].value);
      if (!from) return undefined;
      const input = this.idsInput(from);
      if (!input?.sequence) return this.unsupported(e, "a onehot of ids that are not an input sequence");
      const type = this.model.types.get(e);
      const size = type?.kind === "tensor" && type.shape.length === 1 ? this.number(type.shape[0]) : undefined;
      if (size === undefined) return this.unsupported(e, "a onehot of unknown size");
      return this.node({ op: "onehot", from, vocab: input.size, sequence: true, size });
    }
    if (activations.includes(name)) {
      const from = this.expression(e.args[0].value);
      if (!from) return undefined;
      if (this.isIds(from)) return this.unsupported(e, "ids used as numbers");
      return this.node({ op: "activation", activation: name as Activation, from, sequence: this.isSequence(from), size: this.sizeOf(from) });
    }
    return this.unsupported(e, `${name}: it has no tfjs layer here (the layers are the prelude's dense, embedding, lstm, gru, rnn and rnn_relu; the functions concat, onehot, tanh, relu, sigmoid and softmax)`);
  }

  /** Operands of concat or +: numbers, all per step or all per example. */
  private operands(es: ast.Expr[], at: ast.Expr): Ref[] | undefined {
    const refs = es.map((x) => this.expression(x));
    if (refs.some((r) => !r)) return undefined;
    const from = refs as Ref[];
    if (from.some((r) => this.isIds(r))) return this.unsupported(at, "ids used as numbers");
    if (from.some((r) => this.isSequence(r) !== this.isSequence(from[0])))
      return this.unsupported(at, "per-step values mixed with per-example ones: tfjs's merge layers take tensors of one rank");
    return from;
  }

  // ---- recurrences -------------------------------------------------------------------------

  private recurrence(group: LoopGroup): void {
    const [eq] = group.equations;
    const value = eq.value.kind === "paren" ? eq.value.inner : eq.value;
    const states = eq.targets.map((t) => t.name.text);
    const layer = value.kind === "call" ? this.model.layers.find((l) => l.name === value.callee.text) : undefined;
    const offset = group.direction === "forward" ? -1 : 1;
    const stepsItself =
      group.equations.length === 1 &&
      value.kind === "call" &&
      value.args.length === states.length + 1 &&
      states.every((s, k) => {
        const arg = value.args[k + 1].value;
        const time = arg.kind === "index" ? this.model.timeIndices.get(arg) : undefined;
        const target = arg.kind === "index" && (arg.target.kind === "paren" ? arg.target.inner : arg.target);
        return target && target.kind === "ref" && target.name === s && time?.kind === "step" && time.offset === offset;
      });
    const names = group.equations.flatMap((e) => e.targets.map((t) => t.name.text));
    const kind = layer ? this.kindOf(layer, false) : undefined;
    const problem =
      !stepsItself || !layer ? `${names.join(", ")}: a recurrence that is not one cell stepping its own states (h[t] = cell(x[t], h[t${offset < 0 ? "-" : "+"}1])): no tfjs layer computes it`
      : !kind || !cells.includes(kind) ? (this.kindProblem(layer) ?? `${layer.name} = ${layer.cell.name}(…) is not a cell`)
      : undefined;
    const recurrence: Recurrence = {
      states,
      layer: layer!,
      cell: kind as Cell,
      backward: group.direction === "backward",
      input: value.kind === "call" ? value.args[0]?.value : value,
      ...(problem ? { problem } : {}),
    };
    for (const name of names) this.recurrences.set(name, recurrence);
  }

  /** A read of a recurrence's state on its own: h[t] or h[last] (forward), b[first] (backward). */
  private recurrent(r: Recurrence, name: string, time: TimeIndex, e: ast.Index): Ref | undefined {
    if (r.problem) return this.problem(r.problem);
    if (name !== r.states[0])
      return this.unsupported(e, `${name} is ${r.layer.name}'s memory cell: tfjs's ${r.cell.toUpperCase()} layer gives only its output ${r.states[0]}`);
    const step = time.kind === "step" && time.offset === 0;
    const final = r.backward ? time.kind === "first" : time.kind === "last";
    if (r.backward && step)
      return this.unsupported(e, `the backward recurrence ${name} read at each step outside concat(f[t], ${name}[t]): tfjs gives a backward layer's steps in reverse order; pair it, second, with a forward recurrence of the same cell and size over the same input (a tfjs Bidirectional)`);
    if (!step && !final) return this.unsupported(e, `${this.text(e)}: a recurrence's state is exported at each step or at its end (${r.backward ? `${name}[first]` : `${name}[last]`})`);
    if (r.paired) return this.unsupported(e, `${name} is also one half of a bidirectional pair: a tfjs layer is exported once`);
    if (r.node === undefined) {
      const from = this.sequenceInput(r);
      if (!from) return undefined;
      r.node = this.nodes.length;
      this.nodes.push({ op: "recurrent", cell: r.cell, layer: r.layer.name, from, backward: r.backward, sequences: false, final: false, sequence: true, size: this.size(r.layer, "H") });
    }
    const node = this.nodes[r.node] as Extract<GraphNode, { op: "recurrent" }>;
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
    if (e.args.length !== 2) return undefined;
    const [f, b] = e.args.map((a) => {
      const x = a.value.kind === "paren" ? a.value.inner : a.value;
      const target = x.kind === "index" ? (x.target.kind === "paren" ? x.target.inner : x.target) : undefined;
      const time = x.kind === "index" ? this.model.timeIndices.get(x) : undefined;
      const r = target?.kind === "ref" ? this.recurrences.get(target.name) : undefined;
      return r && !r.problem && target?.kind === "ref" && target.name === r.states[0] && time ? { r, time } : undefined;
    });
    if (!f || !b || f.r.backward || !b.r.backward) return undefined;
    const step = (t: TimeIndex) => t.kind === "step" && t.offset === 0;
    const sequences = step(f.time) && step(b.time);
    if (!sequences && !(f.time.kind === "last" && b.time.kind === "first")) return undefined;
    const key = `bidirectional ${f.r.layer.name} ${b.r.layer.name} ${sequences}`;
    const known = this.memo.get(key);
    if (known !== undefined) return { node: known };
    const alike = f.r.cell === b.r.cell && this.size(f.r.layer, "H") === this.size(b.r.layer, "H");
    if (!alike || f.r.node !== undefined || b.r.node !== undefined || f.r.paired || b.r.paired) return undefined;
    const from = this.sequenceInput(f.r);
    const fromB = this.sequenceInput(b.r);
    if (!from || !fromB || from.node !== fromB.node || from.final !== fromB.final) return undefined;
    f.r.paired = b.r.paired = true;
    const size = 2 * this.size(f.r.layer, "H");
    return this.node({ op: "bidirectional", cell: f.r.cell, forward: f.r.layer.name, backward: b.r.layer.name, from, sequences, sequence: sequences, size }, key);
  }

  /** A recurrence's input, per step. */
  private sequenceInput(r: Recurrence): Ref | undefined {
    const from = this.expression(r.input);
    if (!from) return undefined;
    if (this.isIds(from)) return this.unsupported(r.input, `${r.layer.name} reads ids as numbers`);
    if (!this.isSequence(from)) return this.unsupported(r.input, `${r.layer.name} reads the same value at every step: tfjs's recurrent layers read a sequence`);
    return from;
  }

  // ---- inputs, values, layers ----------------------------------------------------------------

  private data(name: string): DataItem | undefined {
    return this.model.data.find((d) => d.name === name);
  }

  /** The tfjs input carrying a field (with Masking after a vector sequence). */
  private input(field: string, item: DataItem): Ref | undefined {
    const known = this.inputRefs.get(field);
    if (known) return known;
    const element = item.type.element;
    const ids = element.kind !== "tensor";
    const size = this.number(element.kind === "tensor" ? element.shape[0] : element.kind === "token" ? element.vocab : element.kind === "class" ? element.classes : undefined);
    if (size === undefined || (element.kind === "tensor" && element.shape.length !== 1)) return this.problem(`${field}: its size is not known`);
    if (ids && !item.type.sequence) return this.problem(`${field}: a single id per example has no tfjs layer here (an Embedding reads sequences)`);
    const layerNames = new Set(this.model.layers.map((l) => l.name));
    let name = field.replace(/[^A-Za-z0-9_.-]/g, "_");
    while (layerNames.has(name) || this.inputs.some((i) => i.name === name)) name += "_input";
    const input = this.inputs.push({ name, field, kind: ids ? "ids" : "vectors", size, sequence: item.type.sequence }) - 1;
    let ref: Ref = { node: this.node({ op: "input", input, sequence: item.type.sequence, size }).node };
    if (!ids && item.type.sequence) ref = this.node({ op: "masking", from: ref, sequence: true, size });
    this.inputRefs.set(field, ref);
    return ref;
  }

  /** A value of the model that is not a recurrence, computed by its equation. */
  private value(name: string): Ref | undefined {
    if (this.valueRefs.has(name)) return this.valueRefs.get(name);
    const value = this.model.values.find((v) => v.name === name)!;
    this.valueRefs.set(name, undefined); // a cycle would be a recurrence; this only guards
    const ref = value.equation.tuple ? this.unsupported(value.equation.value, "a cell's states computed once") : this.expression(value.equation.value);
    this.valueRefs.set(name, ref);
    return ref;
  }

  /** The prelude definition a layer instantiates, if it has a tfjs counterpart (else reported). */
  private kindOf(layer: LayerInstance, report = true): LayerKind | undefined {
    const problem = this.kindProblem(layer);
    if (problem) {
      if (report) this.problem(problem);
      return undefined;
    }
    return layer.cell.name as LayerKind;
  }

  private kindProblem(layer: LayerInstance): string | undefined {
    const def = layer.cell;
    const what = `layer ${layer.name} = ${def.name}(…)`;
    if (def.file !== PRELUDE_FILE) return `${what}: ${def.name} is defined in the model's file; tfjs has layers only for the prelude's ${layerKinds.join(", ")}`;
    if (def.name === "gru_reset_after") return `${what}: tfjs's GRU has only the reset-before form (resetAfter: true throws in tfjs 4); use gru`;
    if (!(layerKinds as readonly string[]).includes(def.name)) return `${what}: ${def.name} has no tfjs layer`;
    return undefined;
  }

  /** Every rnnc layer with the tfjs layer that holds its weights; a layer not exported is a problem. */
  private layerWeights(): LayerWeights[] {
    const byLayer = new Map<string, LayerWeights>();
    const taken = new Set([...this.model.layers.map((l) => l.name), ...this.inputs.map((i) => i.name)]);
    for (const node of this.nodes) {
      if (node.op === "embedding" || node.op === "dense" || node.op === "recurrent") {
        const kind = node.op === "recurrent" ? node.cell : node.op;
        byLayer.set(node.layer, { layer: node.layer, kind, tfjs: node.layer });
      } else if (node.op === "bidirectional") {
        let name = `${node.forward}_${node.backward}`;
        while (taken.has(name)) name += "_";
        taken.add(name);
        byLayer.set(node.forward, { layer: node.forward, kind: node.cell, tfjs: name, half: "forward" });
        byLayer.set(node.backward, { layer: node.backward, kind: node.cell, tfjs: name, half: "backward" });
      }
    }
    const recurrentLayers = this.nodes.flatMap((n) => (n.op === "recurrent" ? [n.layer] : n.op === "bidirectional" ? [n.forward, n.backward] : []));
    for (const name of new Set(recurrentLayers.filter((l, i) => recurrentLayers.indexOf(l) !== i)))
      this.problem(`the cell ${name} steps more than one recurrence: a tfjs recurrent layer runs once`);
    if (this.problems.length === 0)
      for (const layer of this.model.layers) if (!byLayer.has(layer.name)) this.problem(`layer ${layer.name} does not feed any loss's prediction, so a tfjs model of the predictions would leave it out`);
    return this.model.layers.flatMap((l) => byLayer.get(l.name) ?? []);
  }

  /**
   * The probabilities the losses imply (softmax for cross_entropy, sigmoid for binary), as the
   * activation of the last dense layer when it computes nothing else, else as a layer of its own.
   */
  private foldOutputActivations(outputs: GraphOutput[]): void {
    const uses = new Map<number, number>();
    const denseUses = new Map<string, number>();
    const refs = [...this.nodes.flatMap((n) => ("from" in n ? (Array.isArray(n.from) ? n.from : [n.from]) : [])), ...outputs.map((o) => o.from)];
    for (const r of refs) uses.set(r.node, (uses.get(r.node) ?? 0) + 1);
    for (const n of this.nodes) if (n.op === "dense") denseUses.set(n.layer, (denseUses.get(n.layer) ?? 0) + 1);
    for (const output of outputs) {
      const activation: Activation = output.loss === "cross_entropy" ? "softmax" : output.loss === "binary_cross_entropy" ? "sigmoid" : "linear";
      if (activation === "linear") continue;
      const node = this.nodes[output.from.node];
      if (node.op === "dense" && uses.get(output.from.node) === 1 && denseUses.get(node.layer) === 1) node.activation = activation;
      else output.from = this.node({ op: "activation", activation, from: output.from, sequence: output.sequence, size: output.size });
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** Adds a node, or finds the same one (the same layer over the same tensor) already added. */
  private node(node: GraphNode, key = JSON.stringify(node)): Ref {
    const known = this.memo.get(key);
    if (known !== undefined) return { node: known };
    this.memo.set(key, this.nodes.length);
    this.nodes.push(node);
    return { node: this.nodes.length - 1 };
  }

  private isSequence(r: Ref): boolean {
    return !r.final && this.nodes[r.node].sequence;
  }

  private sizeOf(r: Ref): number {
    return this.nodes[r.node].size;
  }

  private idsInput(r: Ref): GraphInput | undefined {
    const node = this.nodes[r.node];
    return node.op === "input" && this.inputs[node.input].kind === "ids" ? this.inputs[node.input] : undefined;
  }

  private isIds(r: Ref): boolean {
    return this.idsInput(r) !== undefined;
  }

  private size(layer: LayerInstance, param: string): number {
    return this.number(layer.sizes.get(param)) ?? 0;
  }

  private number(s: Size | undefined): number | undefined {
    return s && numeric(substitute(s, this.bindings));
  }

  private text(node: ast.Node): string {
    return this.source.slice(node.span.start, node.span.end).replace(/\s+/g, " ").trim();
  }

  private problem(message: string): undefined {
    this.problems.push(message);
    return undefined;
  }

  private unsupported(e: ast.Node, why: string): undefined {
    return this.problem(`${this.text(e)}: ${why}`);
  }
}
