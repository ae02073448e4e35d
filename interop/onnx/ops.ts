// Each IR op in ONNX: one to a few ONNX nodes, on values of any rank (elementwise ops broadcast;
// feature ops work on the last axis). The table names every op: a new op in the IR fails to
// compile here until it is given a translation or a reason it has none.
import type { Node } from "../../compiler/ir/nodes.ts";
import type { Op } from "../../compiler/ir/ops.ts";
import { attr, type OnnxGraph } from "./graph.ts";
import { DataType, type Attribute } from "./onnx-proto.ts";
import { OnnxExportUnsupported, type Rank, type Val } from "./values.ts";
import type { Weights } from "./weights.ts";

/** Where an op is written: the main graph or a Scan's body, and how to raise a value's rank there. */
export interface OpContext {
  g: OnnxGraph;
  expand(v: Val, rank: Rank): Val;
  weights: Weights;
}

/** What a translation is given besides the node and its arguments' values. */
interface Out {
  ctx: OpContext;
  /** The node's value: its rank (the highest of its arguments') and feature shape by default. */
  val(name: string, rank?: Rank, feature?: number[]): Val;
  /** One ONNX op on the arguments as they are. */
  simple(opType: string, attributes?: Attribute[]): Val;
}

type Translation = (node: Node, args: Val[], out: Out) => Val;

/** Leaves are values from elsewhere (the block exporter reads them); the others are not predictions' ops. */
const leaf = "leaf";
const notPredicted = { refused: true } as const;

/** Φ(x) = (1 + erf(x/√2)) / 2. */
const normalCdf = (g: OnnxGraph, x: string) =>
  g.op("Mul", [g.op("Add", [g.op("Erf", [g.op("Mul", [x, g.scalar(Math.SQRT1_2)])]), g.scalar(1)]), g.scalar(0.5)], [], "normal_cdf");

const translations: Record<Op, Translation | typeof leaf | typeof notPredicted> = {
  param: leaf,
  const: leaf,
  data: leaf,
  read: leaf,
  value: leaf,
  add: (_n, _a, o) => o.simple("Add"),
  sub: (_n, _a, o) => o.simple("Sub"),
  mul: (_n, _a, o) => o.simple("Mul"),
  div: (_n, _a, o) => o.simple("Div"),
  neg: (_n, _a, o) => o.simple("Neg"),
  sigmoid: (_n, _a, o) => o.simple("Sigmoid"),
  tanh: (_n, _a, o) => o.simple("Tanh"),
  relu: (_n, _a, o) => o.simple("Relu"),
  exp: (_n, _a, o) => o.simple("Exp"),
  log: (_n, _a, o) => o.simple("Log"),
  softplus: (_n, _a, o) => o.simple("Softplus"),
  // opset 17 has no Gelu (it came in 20): x·Φ(x) with Φ from Erf
  gelu: (_n, [x], { ctx: { g }, val }) => val(g.op("Mul", [x.name, normalCdf(g, x.name)], [], "gelu")),
  normal_cdf: (_n, [x], { ctx: { g }, val }) => val(normalCdf(g, x.name)),
  elu: (node, _a, o) => o.simple("Elu", [attr.float("alpha", node.attrs.alpha!)]),
  leaky_relu: (node, _a, o) => o.simple("LeakyRelu", [attr.float("alpha", node.attrs.alpha!)]),
  hard_sigmoid: (_n, _a, o) => o.simple("HardSigmoid", [attr.float("alpha", 0.2), attr.float("beta", 0.5)]),
  silu: (_n, [x], { ctx: { g }, val }) => val(g.op("Mul", [x.name, g.op("Sigmoid", [x.name])], [], "silu")),
  abs: (_n, _a, o) => o.simple("Abs"),
  sqrt: (_n, _a, o) => o.simple("Sqrt"),
  square: (_n, [x], { ctx: { g }, val }) => val(g.op("Mul", [x.name, x.name], [], "square")),
  max: (_n, _a, o) => o.simple("Max"),
  min: (_n, _a, o) => o.simple("Min"),
  step: (_n, [x], { ctx: { g }, val }) => val(g.op("Cast", [g.op("Greater", [x.name, g.scalar(0)])], [attr.int("to", DataType.FLOAT)], "step")),
  // dropout is the identity outside training, and an export predicts: ONNX's Identity
  dropout: (_n, _a, o) => o.simple("Identity"),
  locked_dropout: (_n, _a, o) => o.simple("Identity"),
  softmax: (_n, _a, o) => o.simple("Softmax", [attr.int("axis", -1)]),
  log_softmax: (_n, _a, o) => o.simple("LogSoftmax", [attr.int("axis", -1)]),
  sum: (_n, [x], { ctx: { g }, val }) => val(g.op("ReduceSum", [x.name, g.ints([-1])], [attr.int("keepdims", 1)], "sum"), undefined, [1]),
  broadcast: (node, [x], { ctx: { g }, val }) => val(g.op("Expand", [x.name, g.ints([node.attrs.size!])], [], "broadcast")),
  concat: (node, args, { ctx, val }) => {
    const r = Math.max(1, ...args.map((a) => a.rank)) as Rank;
    const parts = args.map((a) => ctx.expand(a, r));
    return val(ctx.g.op("Concat", parts.map((p) => p.name), [attr.int("axis", -1)], "concat"), r, [node.shape[0]]);
  },
  slice: (node, [x], { ctx: { g }, val }) => val(g.op("Slice", [x.name, g.ints([node.attrs.from!]), g.ints([node.attrs.to!]), g.ints([-1])], [], "slice")),
  onehot: (node, [ids], { ctx: { g }, val }) => {
    const size = node.attrs.size!;
    const classes = g.constant("int64", [size], Array.from({ length: size }, (_, i) => i), `range_${size}`);
    const hot = g.op("Equal", [g.op("Unsqueeze", [ids.name, g.ints([-1])]), classes]);
    return val(g.op("Cast", [hot], [attr.int("to", DataType.FLOAT)], "onehot"), Math.max(1, ids.rank) as Rank, [size]);
  },
  matvec: (node, [w, x], { ctx: { g, weights }, val }) => {
    if (w.rank !== 0) throw new OnnxExportUnsupported("the ONNX export needs the matrix of `@` to be shared by the batch");
    // W[from:to] @ x (a stacked weight's rows): those rows of a param as an initializer of their own, else a Slice
    const { from, to } = node.attrs;
    const rows = (m: string) => (from === undefined ? m : g.op("Slice", [m, g.ints([from]), g.ints([to!]), g.ints([0])], [], "rows"));
    const wt =
      w.param ? (from === undefined ? weights.initializer(w.param, "transposed") : weights.transposedRows(w.param, from, to!))
      : g.op("Transpose", [rows(w.name)]);
    return val(g.op("MatMul", [x.name, wt], [], "matvec"), x.rank, [node.shape[0]]);
  },
  gather: (node, [w, ids], { ctx: { g, weights }, val }) => {
    const param = w.param;
    if (!param) throw new OnnxExportUnsupported("the ONNX export needs an embedding's table to be a param");
    const V = weights.shape(param)[1];
    // ids outside [0, V) (no token, or out of range) read the table's zero row, as rnnc gives zeros.
    const index = g.op("Min", [g.op("Max", [ids.name, g.int(-1)]), g.int(V)]);
    return val(g.op("Gather", [weights.initializer(param, "lookup"), index], [attr.int("axis", 0)], "embedding"), Math.max(1, ids.rank) as Rank, [node.shape[0]]);
  },
  // the losses themselves: the export gives their predictions, activated (io.ts)
  cross_entropy: notPredicted,
  binary_cross_entropy: notPredicted,
  mse: notPredicted,
  // the backward pass, which the export leaves out
  batch_sum: notPredicted,
  pad: notPredicted,
  matvec_t: notPredicted,
  outer: notPredicted,
  scatter: notPredicted,
  primal: notPredicted,
  seed: notPredicted,
  adjoint: notPredicted,
  accumulate: notPredicted,
};

/** Why the export cannot compute `op`, if it cannot. */
export function refusal(op: Op): string | undefined {
  return translations[op] === notPredicted ? `the ONNX export does not handle the IR op ${op}` : undefined;
}

/** One computing op on its arguments' values. */
export function translateOp(ctx: OpContext, node: Node, args: Val[]): Val {
  const translate = translations[node.op];
  if (typeof translate !== "function") throw new OnnxExportUnsupported(refusal(node.op) ?? `internal: the leaf ${node.op} reached translateOp`);
  for (const a of args) if (a.ids && node.op !== "onehot" && node.op !== "gather") throw new OnnxExportUnsupported(`the ONNX export cannot use token ids in ${node.op}`);
  const rank = Math.max(0, ...args.map((a) => a.rank)) as Rank;
  const feature = rank === 0 ? [...node.shape] : node.shape.length > 0 ? [...node.shape] : [1];
  const val = (name: string, r: Rank = rank, f = feature): Val => ({ name, rank: r, ids: false, feature: f });
  const simple = (opType: string, attributes: Attribute[] = []) => val(ctx.g.op(opType, args.map((a) => a.name), attributes, node.op));
  return translate(node, args, { ctx, val, simple });
}
