// An IR program and its trained params → an ONNX model that computes what rnnc's `predict`
// computes: for each loss, the probabilities (cross_entropy), the sigmoids (binary_cross_entropy)
// or the values (mse) of its prediction, at each valid step (0 on padding) or per example.
//
// The graph works on whole sequences, time-major as rnnc's batches are:
//   inputs   each input field: ids int64 [T, B] or vectors float [T, B, n] (per example: [B],
//            [B, n]); and `lengths_t` (`lengths_s`), int64 [B], the valid steps of each example
//   outputs  one per loss, named after its target: [T, B, K] on an axis, else [B, K]
// T is dynamic: the first input's length on the axis (or the longest example, when no input is
// on it). Each value computed per step becomes a [T, B, n] tensor; `x[t+k]` is the sequence
// shifted by k, with rnnc's value where it runs off an example's ends (the state's init, zeros,
// or no token); `h[last]` gathers each example's last valid step.
//
// Recurrences: a recurrence that is a prelude cell (recognize.ts) becomes ONNX's LSTM, GRU or RNN
// operator with `sequence_lens`, so each example's sequence, backward ones included, starts and
// ends at its own length. Any other recurrence (a user's cell, or several states computed
// together) becomes a Scan whose body is the step's equations; the state carried to the next
// step is the new value where the step is valid, else what rnnc reads past an example's end.
// A prelude cell whose inside is read elsewhere (an LSTM's c at any step but its last) is a Scan
// too: ONNX's operators give h at every step, but c only at the end.
//
// Not exported: the backward pass; generation (the model gives each step's distribution given
// the previous tokens: sample from it step by step); states carried between windows (`bptt`):
// every sequence starts from zeros (or its `init`), as `predict` does without a carry.
import type { Axis, Block, Node, Program, SequenceInfo, TimeIndex } from "../../compiler/ir/nodes.ts";
import { attr, floatTensor, OnnxGraph } from "./graph.ts";
import { nativeLayout } from "./native.ts";
import { DataType, encodeModel, type Dim, type ValueInfoProto } from "./onnx-proto.ts";
import { recognizeCell, type RecognizedCell } from "./recognize.ts";

export const OPSET = 17;
export const IR_VERSION = 8;

/** Trained params by name (`enc.W`): values, or { shape, values } as a checkpoint has them; in a Map or a record. */
type ParamValue = ArrayLike<number> | { values: ArrayLike<number> };
export type ParamValues = ReadonlyMap<string, ParamValue> | Readonly<Record<string, ParamValue>>;

export interface OnnxExportOptions {
  /** ONNX's LSTM/GRU/RNN operators for recognised prelude cells (default true); false: every recurrence a Scan. */
  nativeCells?: boolean;
  /** Stored in the model's metadata_props, e.g. { vocabularies: JSON.stringify(...) }. */
  metadata?: Record<string, string>;
  /** The model's doc_string. */
  docString?: string;
  /** The model's producer_version (its producer_name is "rnnc"). */
  producerVersion?: string;
}

export interface OnnxTensorInfo {
  name: string; // in the ONNX graph
  type: "int64" | "float32";
  shape: Dim[];
  /** What it holds, in words. */
  description: string;
  /** An input's rnnc batch field (`words`, `name@input`), or an output's loss target. */
  field?: string;
  /** A lengths input's axis. */
  axis?: Axis;
}

export interface OnnxExport {
  bytes: Uint8Array;
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
  /** Each recurrence exported, and how: "LSTM", "GRU", "RNN" (ONNX's operator) or "Scan". */
  recurrences: { sequences: string[]; as: "LSTM" | "GRU" | "RNN" | "Scan"; cell?: string }[];
}

/** The bytes of an .onnx file for `program` with `params`. */
export function exportOnnx(program: Program, params: ParamValues, options: OnnxExportOptions = {}): Uint8Array {
  return exportOnnxWithReport(program, params, options).bytes;
}

/** exportOnnx, with the graph's inputs and outputs and how each recurrence was exported. */
export function exportOnnxWithReport(program: Program, params: ParamValues, options: OnnxExportOptions = {}): OnnxExport {
  return new Exporter(program, params, options).run();
}

type Rank = 0 | 1 | 2;

/**
 * A value of the ONNX graph standing for an IR node's value: shared by the batch (rank 0, the
 * node's own shape), per example (rank 1: [B, ...feature]) or per step ([T, B, ...feature]).
 * Float vectors keep a feature axis even for scalars ([.., 1]); ids (int64) have none.
 */
interface Val {
  name: string;
  rank: Rank;
  ids: boolean;
  feature: number[];
  /** A param's value, as is: its initializer is made only if `name` is asked for. */
  param?: string;
}

const dimName: Record<Axis, string> = { t: "T", s: "S" };
const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** What the export cannot express (thrown with a message saying what). */
class Unsupported extends Error {
  override name = "OnnxExportUnsupported";
}

class Exporter {
  readonly g = new OnnxGraph();
  private readonly blocks: BlockExporter[] = [];
  readonly sequences = new Map<string, SequenceEntry>();
  readonly values = new Map<string, () => Val>();
  readonly data = new Map<string, Val>();
  readonly lengthInputs = new Map<Axis, string>();
  private readonly memo = new Map<string, string>();
  readonly recurrences: OnnxExport["recurrences"] = [];
  /** Needed nodes of each block, and every needed read of each sequence. */
  readonly needed: Set<number>[];
  readonly reads = new Map<string, { block: number; node: number }[]>();
  private readonly inputs: OnnxTensorInfo[] = [];
  private readonly outputs: OnnxTensorInfo[] = [];

  constructor(
    readonly program: Program,
    private readonly params: ParamValues,
    readonly options: OnnxExportOptions,
  ) {
    this.needed = this.neededNodes();
  }

  run(): OnnxExport {
    const { program, g } = this;
    // Names the user sees first, so that internal names never take them.
    const usedData = new Set<string>();
    const axes = new Set<Axis>();
    program.blocks.forEach((block, b) => {
      if (this.needed[b].size > 0 && block.axis) axes.add(block.axis);
      for (const id of this.needed[b]) {
        const node = block.nodes[id];
        if (node.op === "data") usedData.add(node.attrs.name!);
        if (node.op === "read") axes.add(program.sequences.find((s) => s.name === node.attrs.name)!.axis);
      }
    });
    for (const d of program.data) {
      if (!usedData.has(d.name)) continue;
      if (d.sequence && d.axis) axes.add(d.axis);
      const name = g.fresh(d.name); // `name@input` → name_input
      const feature = d.kind === "ids" ? [] : [d.size];
      const shape: Dim[] = [...(d.sequence ? [dimName[d.axis!]] : []), "B", ...feature];
      const type = d.kind === "ids" ? DataType.INT64 : DataType.FLOAT;
      g.input({ name, elemType: type, shape });
      this.data.set(d.name, { name, rank: d.sequence ? 2 : 1, ids: d.kind === "ids", feature });
      const what = d.kind === "ids" ? `ids < ${d.size}` : `vectors of ${d.size}`;
      this.inputs.push({ name, field: d.name, type: d.kind === "ids" ? "int64" : "float32", shape, description: `rnnc field ${d.name}: ${d.sequence ? `a sequence over ${d.axis} of ` : ""}${what}` });
    }
    for (const axis of [...axes].sort()) {
      const name = g.fresh(`lengths_${axis}`);
      g.input({ name, elemType: DataType.INT64, shape: ["B"] });
      this.lengthInputs.set(axis, name);
      this.inputs.push({ name, axis, type: "int64", shape: ["B"], description: `the valid steps of each example on ${axis}` });
    }
    const outputNames = program.losses.map((loss) => g.fresh(loss.target));

    program.blocks.forEach((block, b) => this.blocks.push(new BlockExporter(this, block, b)));

    program.blocks.forEach((block, b) => {
      for (const term of block.losses) {
        const loss = program.losses[term.loss];
        const prediction = block.nodes[term.node].args[0];
        const site = this.blocks[b];
        const value = site.expand(site.outer(prediction), block.kind === "loop" ? 2 : 1);
        const activated =
          loss.kind === "cross_entropy" ? g.op("Softmax", [value.name], [attr.int("axis", -1)])
          : loss.kind === "binary_cross_entropy" ? g.op("Sigmoid", [value.name])
          : value.name;
        const name = outputNames[term.loss];
        if (block.kind === "loop") g.node("Where", [this.axis(block.axis!).mask3, activated, g.scalar(0)], [], [name]);
        else g.node("Identity", [activated], [], [name]);
        const shape: Dim[] = [...(block.kind === "loop" ? [dimName[block.axis!]] : []), "B", ...value.feature];
        g.output({ name, elemType: DataType.FLOAT, shape });
        const what = loss.kind === "cross_entropy" ? "probabilities" : loss.kind === "binary_cross_entropy" ? "probabilities (sigmoid)" : "values";
        this.outputs.push({ name, field: loss.target, type: "float32", shape, description: `${what} for ${loss.target}${block.kind === "loop" ? " at each step (0 past each example's length)" : ""}` });
      }
    });

    const bytes = encodeModel({
      irVersion: IR_VERSION,
      opsetImports: [{ domain: "", version: OPSET }],
      producerName: "rnnc",
      producerVersion: this.options.producerVersion ?? "",
      ...(this.options.docString ? { docString: this.options.docString } : {}),
      graph: g.toProto(program.model),
      ...(this.options.metadata ? { metadata: this.options.metadata } : {}),
    });
    return { bytes, inputs: this.inputs, outputs: this.outputs, recurrences: this.recurrences };
  }

  /** The nodes each block must compute for the predictions, following reads to their stores. */
  private neededNodes(): Set<number>[] {
    const { program } = this;
    const needed = program.blocks.map(() => new Set<number>());
    const producer = new Map<string, { block: number; node: number }>();
    program.blocks.forEach((block, b) => {
      for (const s of block.stores) producer.set(s.name, { block: b, node: s.node });
    });
    const work: [number, number][] = [];
    program.blocks.forEach((block, b) => {
      for (const term of block.losses) work.push([b, block.nodes[term.node].args[0]]);
    });
    while (work.length > 0) {
      const [b, id] = work.pop()!;
      if (needed[b].has(id)) continue;
      needed[b].add(id);
      const node = program.blocks[b].nodes[id];
      for (const a of node.args) work.push([b, a]);
      if (node.op === "read" || node.op === "value") {
        const name = node.attrs.name!;
        if (node.op === "read") (this.reads.get(name) ?? this.reads.set(name, []).get(name)!).push({ block: b, node: id });
        const init = node.op === "read" ? program.sequences.find((q) => q.name === name)?.init : undefined; // read past an end
        for (const from of [producer.get(name), init && producer.get(init)]) if (from) work.push([from.block, from.node]);
      }
      if (!["param", "const", "data", "read", "value"].includes(node.op) && !computing.has(node.op))
        throw new Unsupported(`the ONNX export does not handle the IR op ${node.op}`);
    }
    return needed;
  }

  // --- shapes, lengths and masks --------------------------------------------------------------

  private cached(key: string, make: () => string): string {
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const name = make();
    this.memo.set(key, name);
    return name;
  }

  /** B as a [1] tensor and as a scalar, and the examples' indices 0..B-1: each made when first used. */
  batch(): { readonly B1: string; readonly B0: string; readonly range: string } {
    const { g } = this;
    const B1 = () =>
      this.cached("B1", () => {
        const seq = [...this.data.values()].find((d) => d.rank === 2);
        const other = [...this.data.values()][0];
        if (seq) return g.op("Shape", [seq.name], [attr.int("start", 1), attr.int("end", 2)], "B");
        if (other) return g.op("Shape", [other.name], [attr.int("start", 0), attr.int("end", 1)], "B");
        const lengths = [...this.lengthInputs.values()][0];
        if (!lengths) throw new Unsupported("the model has no input: the batch size is unknown");
        return g.op("Shape", [lengths], [], "B");
      });
    const B0 = () => this.cached("B0", () => g.op("Squeeze", [B1(), g.ints([0])], [], "B_scalar"));
    const ex = this;
    return {
      get B1() {
        return B1();
      },
      get B0() {
        return B0();
      },
      get range() {
        return ex.cached("Brange", () => g.op("Range", [g.int(0), B0(), g.int(1)], [], "examples"));
      },
    };
  }

  /** What an axis's computation needs: T, the steps, the lengths and the valid-step masks (each made when first used). */
  axis(axis: Axis) {
    const { g } = this;
    const lengths = this.lengthInputs.get(axis);
    if (!lengths) throw new Error(`no lengths input for axis ${axis}`);
    const T1 = () =>
      this.cached(`T1${axis}`, () => {
        const input = this.program.data.find((d) => d.sequence && d.axis === axis && this.data.has(d.name));
        if (input) return g.op("Shape", [this.data.get(input.name)!.name], [attr.int("start", 0), attr.int("end", 1)], dimName[axis]);
        return g.op("ReduceMax", [lengths], [attr.ints("axes", [0]), attr.int("keepdims", 1)], dimName[axis]);
      });
    const steps = () =>
      this.cached(`steps${axis}`, () => g.op("Range", [g.int(0), g.op("Squeeze", [T1(), g.ints([0])], [], `${dimName[axis]}_scalar`), g.int(1)], [], `steps_${axis}`));
    const valid = () =>
      this.cached(`valid${axis}`, () => g.op("Less", [g.op("Unsqueeze", [steps(), g.ints([1])]), g.op("Unsqueeze", [lengths, g.ints([0])])], [], `valid_${axis}`));
    const ex = this;
    return {
      lengths,
      /** T as a [1] tensor. */
      get T1() {
        return T1();
      },
      /** T - 1, [1]. */
      get last() {
        return ex.cached(`Tm1${axis}`, () => g.op("Sub", [T1(), g.ints([1])], [], `${dimName[axis]}_minus_1`));
      },
      /** 0..T-1. */
      get steps() {
        return steps();
      },
      /** [T, B] bool: t < lengths[b]. */
      get valid() {
        return valid();
      },
      /** [T, B, 1] bool. */
      get mask3() {
        return ex.cached(`mask3${axis}`, () => g.op("Unsqueeze", [valid(), g.ints([2])], [], `valid_${axis}_3d`));
      },
    };
  }

  /** For `x[t+k]`: the clamped step ([T]), where t+k is a valid step ([T, B] bool), and where it is before the start ([T]). */
  shift(axis: Axis, k: number) {
    const { g } = this;
    const a = this.axis(axis);
    const tag = `${axis}_${k < 0 ? "m" : "p"}${Math.abs(k)}`;
    const u = () => this.cached(`u${axis}${k}`, () => g.op("Add", [a.steps, g.int(k)], [], `steps_${tag}`));
    const ex = this;
    return {
      get index() {
        return ex.cached(`ix${axis}${k}`, () => g.op("Min", [g.op("Max", [u(), g.int(0)]), a.last], [], `index_${tag}`));
      },
      get valid() {
        return ex.cached(`vs${axis}${k}`, () => {
          const inside = g.op("Less", [g.op("Unsqueeze", [u(), g.ints([1])]), g.op("Unsqueeze", [a.lengths, g.ints([0])])]);
          const started = g.op("Unsqueeze", [g.op("GreaterOrEqual", [u(), g.int(0)]), g.ints([1])]);
          return g.op("And", [started, inside], [], `valid_${tag}`);
        });
      },
      get before() {
        return ex.cached(`bf${axis}${k}`, () => g.op("Less", [u(), g.int(0)], [], `before_${tag}`));
      },
    };
  }

  /** Zeros [B, n]. */
  zeros(n: number): Val {
    const { g } = this;
    const name = this.cached(`zeros${n}`, () =>
      g.op("ConstantOfShape", [g.op("Concat", [this.batch().B1, g.ints([n])], [attr.int("axis", 0)])], [attr.tensor("value", floatTensor("", [1], [0]))], `zeros_${n}`),
    );
    return { name, rank: 1, ids: false, feature: [n] };
  }

  // --- weights ------------------------------------------------------------------------------

  param(name: string): Float32Array {
    const info = this.program.params.find((p) => p.name === name);
    const given: ParamValue | undefined = this.params instanceof Map ? this.params.get(name) : Object.hasOwn(this.params, name) ? (this.params as Record<string, ParamValue>)[name] : undefined;
    const values = given === undefined || ArrayBuffer.isView(given) || Array.isArray(given) ? (given as ArrayLike<number> | undefined) : (given as { values: ArrayLike<number> }).values;
    if (!info || !values) throw new Error(`no value for the param ${name}`);
    if (values.length !== product(info.shape)) throw new Error(`the param ${name} has ${values.length} values, its shape [${info.shape}] needs ${product(info.shape)}`);
    return Float32Array.from(values);
  }

  /** A param as an initializer, in a layout: as is, transposed (for x·Wᵀ), or as a lookup table. */
  weight(name: string, layout: "as is" | "transposed" | "lookup"): string {
    return this.cached(`w:${layout}:${name}`, () => {
      const shape = this.program.params.find((p) => p.name === name)!.shape;
      const values = this.param(name);
      if (layout === "as is") return this.g.initializer(floatTensor(this.g.fresh(name), shape, values));
      const [m, n] = shape;
      const t = new Float32Array(n * m + (layout === "lookup" ? m : 0)); // a lookup table has a zero row for ids out of range
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = values[i * n + j];
      const suffix = layout === "lookup" ? "_lookup" : "_T";
      return this.g.initializer(floatTensor(this.g.fresh(name + suffix), [n + (layout === "lookup" ? 1 : 0), m], t));
    });
  }

  seqInfo(name: string): SequenceInfo {
    return this.program.sequences.find((s) => s.name === name)!;
  }

  value(name: string): Val {
    const make = this.values.get(name);
    if (!make) throw new Error(`the value ${name} is not computed by any block`);
    const v = make();
    this.values.set(name, () => v);
    return v;
  }

  /** What a read past the start (`before`) or the end of a sequence gives: its init on its init's side, else zeros. */
  fallback(info: SequenceInfo, side: "before" | "after"): Val | undefined {
    const initSide = info.direction === "backward" ? "after" : "before";
    return info.init && side === initSide ? this.value(info.init) : undefined;
  }
}

/** How a sequence is read: its [T, B, n] values, or (after ONNX's own operators) its final state. */
interface SequenceEntry {
  full(): Val;
  /** The value at the end the recurrence finishes at: [last] (forward) or [first] (backward). */
  final(): Val | undefined;
  finalIndex?: "first" | "last";
}

/** The ops translated from the IR, one to a few ONNX nodes each. */
const computing = new Set(["add", "sub", "mul", "div", "neg", "sigmoid", "tanh", "relu", "step", "exp", "log", "softmax", "log_softmax", "sum", "broadcast", "concat", "slice", "onehot", "matvec", "gather"]);

interface Context {
  g: OnnxGraph;
  expand(v: Val, rank: Rank): Val;
}

/** One IR op on ONNX values of any rank: elementwise ops broadcast; feature ops work on the last axis. */
function compute(ctx: Context, ex: Exporter, node: Node, args: Val[]): Val {
  const { g } = ctx;
  const rank = Math.max(0, ...args.map((a) => a.rank)) as Rank;
  const feature = rank === 0 ? [...node.shape] : node.shape.length > 0 ? [...node.shape] : [1];
  const val = (name: string, r: Rank = rank, f = feature): Val => ({ name, rank: r, ids: false, feature: f });
  const simple = (op: string, attributes = [] as ReturnType<typeof attr.int>[]) => val(g.op(op, args.map((a) => a.name), attributes, node.op));
  for (const a of args) if (a.ids && node.op !== "onehot" && node.op !== "gather") throw new Unsupported(`the ONNX export cannot use token ids in ${node.op}`);
  switch (node.op) {
    case "add":
      return simple("Add");
    case "sub":
      return simple("Sub");
    case "mul":
      return simple("Mul");
    case "div":
      return simple("Div");
    case "neg":
      return simple("Neg");
    case "sigmoid":
      return simple("Sigmoid");
    case "tanh":
      return simple("Tanh");
    case "relu":
      return simple("Relu");
    case "exp":
      return simple("Exp");
    case "log":
      return simple("Log");
    case "step":
      return val(g.op("Cast", [g.op("Greater", [args[0].name, g.scalar(0)])], [attr.int("to", DataType.FLOAT)], "step"));
    case "softmax":
      return simple("Softmax", [attr.int("axis", -1)]);
    case "log_softmax":
      return simple("LogSoftmax", [attr.int("axis", -1)]);
    case "sum":
      return val(g.op("ReduceSum", [args[0].name, g.ints([-1])], [attr.int("keepdims", 1)], "sum"), rank, [1]);
    case "broadcast":
      return val(g.op("Expand", [args[0].name, g.ints([node.attrs.size!])], [], "broadcast"));
    case "concat": {
      const r = Math.max(1, rank) as Rank;
      const parts = args.map((a) => ctx.expand(a, r));
      return val(g.op("Concat", parts.map((p) => p.name), [attr.int("axis", -1)], "concat"), r, [node.shape[0]]);
    }
    case "slice":
      return val(g.op("Slice", [args[0].name, g.ints([node.attrs.from!]), g.ints([node.attrs.to!]), g.ints([-1])], [], "slice"));
    case "onehot": {
      const ids = args[0];
      const size = node.attrs.size!;
      const classes = g.constant("int64", [size], Array.from({ length: size }, (_, i) => i), `range_${size}`);
      const hot = g.op("Equal", [g.op("Unsqueeze", [ids.name, g.ints([-1])]), classes]);
      return val(g.op("Cast", [hot], [attr.int("to", DataType.FLOAT)], "onehot"), Math.max(1, ids.rank) as Rank, [size]);
    }
    case "matvec": {
      const [w, x] = args;
      if (w.rank !== 0) throw new Unsupported("the ONNX export needs the matrix of `@` to be shared by the batch");
      const wt = w.param ? ex.weight(w.param, "transposed") : g.op("Transpose", [w.name]);
      return val(g.op("MatMul", [x.name, wt], [], "matvec"), x.rank, [node.shape[0]]);
    }
    case "gather": {
      const [w, ids] = args;
      const param = w.param;
      if (!param) throw new Unsupported("the ONNX export needs an embedding's table to be a param");
      const V = ex.program.params.find((p) => p.name === param)!.shape[1];
      // ids outside [0, V) (no token, or out of range) read the table's zero row, as rnnc gives zeros.
      const index = g.op("Min", [g.op("Max", [ids.name, g.int(-1)]), g.int(V)]);
      return val(g.op("Gather", [ex.weight(param, "lookup"), index], [attr.int("axis", 0)], "embedding"), Math.max(1, ids.rank) as Rank, [node.shape[0]]);
    }
    default:
      throw new Unsupported(`the ONNX export does not handle the IR op ${node.op}`);
  }
}

/** A recurrence's states computed together: a strongly connected group of states. */
interface Stage {
  states: string[]; // in the block's store order
  recurrent: boolean; // a cycle (else a value computed after others: no loop of its own)
  body: Set<number>; // the nodes each step computes (the updates and what they need, in this stage)
  outputs: number[]; // body nodes used outside the body: the scan's per-step outputs
  done?: Map<number, Val>; // after the stage is exported: outer values of its outputs
}

class BlockExporter {
  private readonly g: OnnxGraph;
  private readonly outerMemo = new Map<number, Val>();
  private readonly needed: Set<number>;
  private readonly consumers = new Map<number, number[]>();
  private readonly stages: Stage[] = [];
  private readonly stageOf: number[] = []; // per node: the latest stage whose states it depends on, or -1
  private readonly stageOfState = new Map<string, number>();
  private readonly deps: Set<string>[] = [];
  /** Sequences computed by ONNX's operators: their values at every step (h), and at the end (made when read). */
  private readonly overrides = new Map<string, { full?: Val; final: () => Val }>();

  constructor(
    private readonly ex: Exporter,
    private readonly block: Block,
    private readonly index: number,
  ) {
    this.g = ex.g;
    this.needed = ex.needed[index];
    for (const id of [...this.needed].sort((a, b) => a - b)) for (const a of block.nodes[id].args) (this.consumers.get(a) ?? this.consumers.set(a, []).get(a)!).push(id);
    if (block.kind === "loop") this.analyseStages();
    for (const { name, node } of block.stores) {
      if (block.kind === "once") ex.values.set(name, () => this.expand(this.outer(node), 1));
      else {
        const info = ex.seqInfo(name);
        ex.sequences.set(name, {
          full: () => {
            this.runStageOf(name);
            const o = this.overrides.get(name);
            if (o && !o.full) throw new Error(`internal: ${name} is computed by ONNX's operator, which gives only its final value`);
            return o?.full ?? this.expand(this.outer(node), 2);
          },
          final: () => {
            this.runStageOf(name);
            return this.overrides.get(name)?.final();
          },
          finalIndex: info.direction === "backward" ? "first" : "last",
        });
      }
    }
  }

  private get axis(): Axis {
    return this.block.axis!;
  }

  /** Rank `rank` by broadcasting ([n] or [B, n] → [T, B, n]), in the main graph or a loop's body. */
  expand(v: Val, rank: Rank, g = this.g): Val {
    if (v.rank >= rank) return v;
    const featureRank = v.ids ? 0 : Math.max(1, v.feature.length);
    const ones = new Array<number>(featureRank).fill(1);
    const { B1 } = this.ex.batch();
    const parts = rank === 2 ? [this.ex.axis(this.axis).T1, B1] : [B1];
    const shape = g.op("Concat", [...parts, ...(ones.length ? [g.ints(ones)] : [])], [attr.int("axis", 0)], "shape");
    const feature = v.ids ? [] : v.feature.length === 0 ? [1] : v.feature;
    return { name: g.op("Expand", [v.name, shape], [], "expand"), rank, ids: v.ids, feature };
  }

  // --- outside any loop: whole sequences --------------------------------------------------------

  outer(id: number): Val {
    const known = this.outerMemo.get(id);
    if (known) return known;
    const node = this.block.nodes[id];
    let v: Val;
    const stage = this.stageOf[id] ?? -1;
    if (node.op !== "read" && stage >= 0 && this.stages[stage].body.has(id)) {
      this.runStage(stage);
      v = this.stages[stage].done!.get(id) ?? fail(`internal: node ${id} of ${this.block.comment} is not an output of its loop`);
    } else v = this.leafOrCompute(id, (a) => this.outer(a), { g: this.g, expand: (x, r) => this.expand(x, r) });
    this.outerMemo.set(id, v);
    return v;
  }

  private leafOrCompute(id: number, arg: (a: number) => Val, ctx: Context): Val {
    const node = this.block.nodes[id];
    const ex = this.ex;
    switch (node.op) {
      case "param": {
        const param = node.attrs.name!;
        return {
          get name() {
            return ex.weight(param, "as is");
          },
          rank: 0,
          ids: false,
          feature: [...node.shape],
          param,
        };
      }
      case "const":
        return { name: this.g.scalar(node.attrs.value!), rank: 0, ids: false, feature: [] };
      case "value":
        return ex.value(node.attrs.name!);
      case "data":
        return this.readData(node);
      case "read":
        return this.readSequence(node);
      default:
        return compute(ctx, ex, node, node.args.map(arg));
    }
  }

  private readData(node: Node): Val {
    const info = this.ex.program.data.find((d) => d.name === node.attrs.name)!;
    const field = this.ex.data.get(info.name)!;
    if (!info.sequence) return field;
    return this.atIndex(field, info.axis!, node.attrs.index, () => undefined, info.kind === "ids");
  }

  private readSequence(node: Node): Val {
    const name = node.attrs.name!;
    const info = this.ex.seqInfo(name);
    const entry = this.ex.sequences.get(name)!;
    const index = node.attrs.index;
    if (index && index.kind !== "step" && index.kind === entry.finalIndex) {
      const final = entry.final();
      if (final) return final;
    }
    return this.atIndex(entry.full(), info.axis, index, (side) => this.ex.fallback(info, side), false);
  }

  /** A whole sequence (rank 2) read at a time index: shifted, or gathered at each example's first or last step. */
  private atIndex(seq: Val, axis: Axis, index: TimeIndex | undefined, fallback: (side: "before" | "after") => Val | undefined, ids: boolean): Val {
    const { g, ex } = this;
    const empty = () => (ids ? g.int(-1) : g.scalar(0)); // no token, or zeros
    const fb = (side: "before" | "after") => fallback(side)?.name ?? empty();
    const unsqueezeLast = (x: string) => (ids ? x : g.op("Unsqueeze", [x, g.ints([-1])]));
    if (!index || (index.kind === "step" && index.offset === 0)) return seq;
    if (index.kind === "step") {
      if (index.axis !== axis || this.block.axis !== axis) throw new Unsupported(`the ONNX export cannot read a sequence over ${axis} at a step of another axis`);
      const s = ex.shift(axis, index.offset);
      const shifted = g.op("Gather", [seq.name, s.index], [attr.int("axis", 0)], "shifted");
      const before = fallback("before"), after = fallback("after");
      let other: string;
      if (!before && !after) other = empty();
      else {
        const early = g.op("Unsqueeze", [s.before, g.ints(ids ? [1] : [1, 2])]);
        other = g.op("Where", [early, fb("before"), fb("after")]);
      }
      return { ...seq, name: g.op("Where", [unsqueezeLast(s.valid), shifted, other], [], "read") };
    }
    // first or last: one step per example
    const a = ex.axis(axis);
    const { B0, range } = ex.batch();
    const step = index.kind === "first" ? g.int(0) : g.op("Sub", [a.lengths, g.int(1)]);
    const clamped = g.op("Min", [g.op("Max", [step, g.int(0)]), a.last]);
    const flatIndex = g.op("Add", [g.op("Mul", [clamped, B0]), range]);
    const flat = g.op("Reshape", [seq.name, g.ints([-1, ...(ids ? [] : seq.feature)])]);
    const gathered = g.op("Gather", [flat, flatIndex], [attr.int("axis", 0)], index.kind);
    const some = unsqueezeLast(g.op("Greater", [a.lengths, g.int(0)]));
    // with no valid step, `first` is past the end and `last` before the start
    const name = g.op("Where", [some, gathered, fb(index.kind === "first" ? "after" : "before")], [], `at_${index.kind}`);
    return { name, rank: 1, ids, feature: seq.feature };
  }

  // --- recurrences -----------------------------------------------------------------------------

  private analyseStages() {
    const { block } = this;
    const stored = new Map(block.stores.map((s) => [s.name, s.node]));
    const ids = [...this.needed].sort((a, b) => a - b);
    for (const id of ids) {
      const node = block.nodes[id];
      const deps = new Set<string>();
      if (node.op === "read" && stored.has(node.attrs.name!)) deps.add(node.attrs.name!);
      for (const a of node.args) for (const d of this.deps[a] ?? []) deps.add(d);
      this.deps[id] = deps;
    }
    // states: stored here and read here; their dependency graph, in strongly connected groups
    const states = block.stores.map((s) => s.name).filter((name, i, all) => all.indexOf(name) === i && this.needed.has(stored.get(name)!) && ids.some((id) => block.nodes[id].op === "read" && block.nodes[id].attrs.name === name));
    const edges = new Map(states.map((s) => [s, [...(this.deps[stored.get(s)!] ?? [])].filter((d) => states.includes(d))]));
    for (const group of stronglyConnected(states, edges)) {
      const members = states.filter((s) => group.includes(s));
      const recurrent = members.length > 1 || edges.get(members[0])!.includes(members[0]);
      const stage: Stage = { states: members, recurrent, body: new Set(), outputs: [] };
      for (const s of members) this.stageOfState.set(s, this.stages.length);
      this.stages.push(stage);
    }
    for (const id of ids) this.stageOf[id] = Math.max(-1, ...[...this.deps[id]].map((s) => this.stageOfState.get(s) ?? -1));
    this.stages.forEach((stage, k) => {
      if (!stage.recurrent) return;
      const work = stage.states.map((s) => stored.get(s)!);
      while (work.length > 0) {
        const id = work.pop()!;
        if (stage.body.has(id) || this.stageOf[id] !== k) continue;
        stage.body.add(id);
        work.push(...block.nodes[id].args);
      }
      const predictions = new Set(block.losses.map((l) => block.nodes[l.node].args[0]));
      const storedNeeded = new Set(block.stores.filter((s) => this.ex.reads.has(s.name)).map((s) => s.node));
      for (const id of stage.body) {
        if (block.nodes[id].op === "read") continue;
        const outside = (this.consumers.get(id) ?? []).some((c) => !stage.body.has(c));
        if (outside || predictions.has(id) || storedNeeded.has(id)) stage.outputs.push(id);
      }
    });
  }

  private runStageOf(name: string) {
    const k = this.stageOfState.get(name);
    if (k !== undefined) this.runStage(k);
  }

  private runStage(k: number) {
    const stage = this.stages[k];
    if (stage.done || !stage.recurrent) return;
    stage.done = new Map();
    const cell = this.ex.options.nativeCells === false ? undefined : this.nativeCell(k);
    if (cell) this.exportNative(stage, cell);
    else this.exportScan(stage);
  }

  /** The stage's prelude cell, if ONNX's operator can compute everything the program reads of it. */
  private nativeCell(k: number): RecognizedCell | undefined {
    const stage = this.stages[k];
    const { block } = this;
    const cell = recognizeCell(this.ex.program, block, stage.states, (id) => [...(this.deps[id] ?? [])].some((s) => stage.states.includes(s)));
    if (!cell) return undefined;
    const updates = new Map(block.stores.map((s) => [s.node, s.name]));
    const predictions = new Set(block.losses.map((l) => block.nodes[l.node].args[0]));
    const h = cell.states.h;
    for (const id of cell.internal) {
      if (!this.needed.has(id)) continue;
      if (updates.get(id) === h) continue; // h at every step: ONNX's Y
      // anything else the cell computes must not be used outside it (ONNX gives only Y, Y_h, Y_c)
      if ((this.consumers.get(id) ?? []).some((c) => !cell.internal.has(c)) || predictions.has(id)) return undefined;
    }
    for (const id of cell.stateReads) if ((this.consumers.get(id) ?? []).some((c) => !cell.internal.has(c)) && block.nodes[id].attrs.name !== h) return undefined;
    // a state other than h (the LSTM's c) may be read elsewhere only at its final step
    const finalIndex = block.direction === "backward" ? "first" : "last";
    for (const [role, name] of Object.entries(cell.states)) {
      if (role === "h") continue;
      for (const r of this.ex.reads.get(name) ?? []) {
        if (r.block === this.index && cell.stateReads.has(r.node)) continue;
        if (this.ex.program.blocks[r.block].nodes[r.node].attrs.index?.kind !== finalIndex) return undefined;
      }
    }
    return cell;
  }

  private exportNative(stage: Stage, cell: RecognizedCell) {
    const { g, ex, block } = this;
    const layout = nativeLayout(cell, (name) => ex.param(name));
    const H = cell.hidden;
    const name = (suffix: string) => g.fresh(`${cell.states.h}_${layout.op}_${suffix}`);
    const W = g.initializer(floatTensor(name("W"), [1, layout.gates * H, cell.inputSize], layout.W));
    const R = g.initializer(floatTensor(name("R"), [1, layout.gates * H, H], layout.R));
    const B = g.initializer(floatTensor(name("B"), [1, 2 * layout.gates * H], layout.B));
    const x = this.expand(this.outer(cell.input), 2);
    const lengths = g.op("Cast", [ex.axis(this.axis).lengths], [attr.int("to", DataType.INT32)], `lengths_${this.axis}_int32`);
    const initial = (role: string) => {
      const info = ex.seqInfo(cell.states[role]);
      return info.init ? g.op("Unsqueeze", [this.expand(ex.value(info.init), 1).name, g.ints([0])], [], `${cell.states[role]}_initial`) : "";
    };
    const inputs = [x.name, W, R, B, lengths, initial("h"), ...(layout.op === "LSTM" ? [initial("c")] : [])];
    while (inputs[inputs.length - 1] === "") inputs.pop();
    const outputs = g.node(
      layout.op,
      inputs,
      [attr.int("hidden_size", H), attr.string("direction", block.direction === "backward" ? "reverse" : "forward"), ...layout.attributes],
      layout.op === "LSTM" ? 3 : 2,
      `${cell.states.h}_${layout.op}`,
    );
    const full: Val = { name: g.op("Squeeze", [outputs[0], g.ints([1])], [], cell.states.h), rank: 2, ids: false, feature: [H] };
    const final = (o: string, role: string) => {
      let made: Val | undefined;
      return () => (made ??= { name: g.op("Squeeze", [o, g.ints([0])], [], `${cell.states[role]}_final`), rank: 1, ids: false, feature: [H] });
    };
    this.overrides.set(cell.states.h, { full, final: final(outputs[1], "h") });
    if (layout.op === "LSTM") this.overrides.set(cell.states.c, { final: final(outputs[2], "c") });
    const hUpdate = block.stores.find((s) => s.name === cell.states.h)!.node;
    for (const id of stage.outputs) if (id === hUpdate) stage.done!.set(id, full);
    ex.recurrences.push({ sequences: stage.states, as: layout.op, cell: cell.kind });
  }

  /** A Scan over the axis: the body is the step's equations, the carried state each state's last steps. */
  private exportScan(stage: Stage) {
    const { g, ex, block } = this;
    const body = g.subgraph();
    const backward = block.direction === "backward";
    const a = ex.axis(this.axis);

    // the carried states: each state's values at the steps before this one (after, going backward)
    const depth = new Map<string, number>(stage.states.map((s) => [s, 0]));
    for (const id of stage.body) {
      const node = block.nodes[id];
      if (node.op !== "read" || !depth.has(node.attrs.name!)) continue;
      const index = node.attrs.index;
      if (!index || index.kind !== "step" || (backward ? index.offset <= 0 : index.offset >= 0))
        throw new Unsupported(`the ONNX export cannot read ${node.attrs.name} at that step inside its own recurrence`);
      depth.set(node.attrs.name!, Math.max(depth.get(node.attrs.name!)!, Math.abs(index.offset)));
    }
    const sizeOf = (s: string) => ex.seqInfo(s).size;
    const carried: { state: string; j: number; input: string }[] = [];
    for (const s of stage.states)
      for (let j = 1; j <= depth.get(s)!; j++) {
        const input = body.fresh(`${s}_${backward ? "next" : "prev"}${j}`);
        body.input({ name: input, elemType: DataType.FLOAT, shape: ["B", sizeOf(s)] });
        carried.push({ state: s, j, input });
      }
    const scanInputs: { outer: string; inner: ValueInfoProto }[] = [];
    const mask = body.fresh("valid");
    scanInputs.push({ outer: a.mask3, inner: { name: mask, elemType: DataType.BOOL, shape: ["B", 1] } });

    const memo = new Map<number, Val>();
    const ctx: Context = {
      g: body,
      expand: (v, rank) => {
        if (rank === 2) throw new Error("internal: a whole sequence inside a step");
        return this.expand(v, rank, body);
      },
    };
    const inner = (id: number): Val => {
      const known = memo.get(id);
      if (known) return known;
      const node = block.nodes[id];
      let v: Val;
      if (node.op === "read" && depth.has(node.attrs.name!)) {
        const j = Math.abs((node.attrs.index as { offset: number }).offset);
        const c = carried.find((x) => x.state === node.attrs.name && x.j === j)!;
        v = { name: c.input, rank: 1, ids: false, feature: [sizeOf(c.state)] };
      } else if (stage.body.has(id) && node.op !== "read") {
        v = this.leafOrCompute(id, inner, ctx);
      } else {
        const o = this.outer(id);
        if (o.rank < 2) v = o; // shared, or per example: read from the enclosing graph
        else {
          const name = body.fresh(`${o.name}_step`);
          scanInputs.push({ outer: o.name, inner: { name, elemType: o.ids ? DataType.INT64 : DataType.FLOAT, shape: ["B", ...(o.ids ? [] : o.feature)] } });
          v = { ...o, name, rank: 1 };
        }
      }
      memo.set(id, v);
      return v;
    };

    // each state's new value where the step is valid; else what a read past the end gives
    const stored = new Map(block.stores.map((s) => [s.name, s.node]));
    const initials: string[] = [];
    for (const c of carried) {
      const info = ex.seqInfo(c.state);
      const init = info.init ? this.expand(ex.value(info.init), 1) : ex.zeros(info.size);
      initials.push(init.name);
      let next: string;
      if (c.j === 1) {
        const value = this.expand(inner(stored.get(c.state)!), 1, body);
        const past = backward ? init.name : body.scalar(0);
        next = body.op("Where", [mask, value.name, past], [], `${c.state}_carried`);
      } else next = body.op("Identity", [carried.find((x) => x.state === c.state && x.j === c.j - 1)!.input], [], `${c.state}_carried${c.j}`);
      body.output({ name: next, elemType: DataType.FLOAT, shape: ["B", info.size] });
    }
    const perStep = stage.outputs.map((id) => {
      const v = this.expand(inner(id), 1, body);
      const name = body.op("Identity", [v.name], [], `${block.stores.find((s) => s.node === id)?.name ?? "step"}_out`);
      body.output({ name, elemType: DataType.FLOAT, shape: ["B", ...v.feature] });
      return { id, feature: v.feature, name };
    });
    body.inputs.push(...scanInputs.map((x) => x.inner));

    const direction = backward ? 1 : 0;
    const outputs = g.node(
      "Scan",
      [...initials, ...scanInputs.map((x) => x.outer)],
      [
        attr.graph("body", body.toProto(`${stage.states.join("_")}_step`)),
        attr.int("num_scan_inputs", scanInputs.length),
        attr.ints("scan_input_directions", scanInputs.map(() => direction)),
        ...(perStep.length ? [attr.ints("scan_output_directions", perStep.map(() => direction))] : []),
      ],
      carried.length + perStep.length,
      `${stage.states.join("_")}_scan`,
    );
    perStep.forEach((p, i) => stage.done!.set(p.id, { name: outputs[carried.length + i], rank: 2, ids: false, feature: p.feature }));
    ex.recurrences.push({ sequences: stage.states, as: "Scan" });
  }
}

function fail(message: string): never {
  throw new Error(message);
}

/** Tarjan's algorithm; groups come out dependencies first (a group after every group it reaches). */
function stronglyConnected(nodes: string[], edges: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      groups.push(group);
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return groups;
}

export { Unsupported as OnnxExportUnsupported };
