// Builds a block's graph one node at a time. Each node's shape comes from its op's shape rule
// (shapes.ts) and whether it holds a value per example from what it reads; leaves are given
// theirs. Lowering and differentiation both build graphs with it.
import type { Attrs, Node } from "./nodes.ts";
import { ops, type NumberArgumentOp, type Op, type PairOp } from "./ops.ts";
import { perExample, shapeRules } from "./shapes.ts";

/** Rows `from` to `to` (past the last) of a product's matrix. */
export interface Rows {
  from: number;
  to: number;
}

export class GraphBuilder {
  readonly nodes: Node[] = [];
  /** Names and origins for readers (Block.names, Block.origins): the first given stays, unless replaced on purpose. */
  readonly names: Record<number, string> = {};
  readonly origins: Record<number, string> = {};
  private readonly leaves = new Map<string, number>();
  private readonly known = new Map<string, number>();

  /** Gives a node a name from the model (a cell's `i`, a model's `h`); `replace` for the name the user chose at model level. */
  name(id: number, name: string, replace = false): void {
    if (replace || !(id in this.names)) this.names[id] = name;
  }

  /** Says which equation a node computes, and where it is written. */
  origin(id: number, text: string): void {
    if (!(id in this.origins)) this.origins[id] = text;
  }

  /** A computed node: its shape by its op's rule, per example when anything it reads is. */
  node(op: Op, args: number[], attrs: Attrs = {}): number {
    const rule = shapeRules[op];
    if (rule === "given") throw new Error(`${op} is a leaf: make it with leafNode`);
    const argNodes = args.map((a) => this.get(a));
    const shape = rule(argNodes, attrs);
    if (typeof shape === "string") throw new Error(`${op}: ${shape}`); // a lowering or differentiation bug
    return this.insert({ op, args, shape, batched: perExample(op, argNodes), attrs });
  }

  /** A leaf: where its value comes from decides its shape and whether it is per example. */
  leafNode(op: Op, shape: number[], batched: boolean, attrs: Attrs = {}): number {
    if (shapeRules[op] !== "given") throw new Error(`${op} is computed: make it with node`);
    return this.insert({ op, args: [], shape, batched, attrs });
  }

  /**
   * Adds a node, or returns the identical one already there: every op but `accumulate` is a
   * pure function of its arguments, so a GRU's two `concat(x, h)` are computed once.
   */
  private insert(node: Node): number {
    const key = node.op === "accumulate" ? undefined : JSON.stringify([node.op, node.args, node.shape, node.batched, node.attrs]);
    const existing = key === undefined ? undefined : this.known.get(key);
    if (existing !== undefined) return existing;
    this.nodes.push(node);
    if (key !== undefined) this.known.set(key, this.nodes.length - 1);
    return this.nodes.length - 1;
  }

  get(id: number): Node {
    return this.nodes[id];
  }

  /** A leaf read once per graph however often it is used (a param, a constant, a primal value). */
  leaf(key: string, make: () => number): number {
    const known = this.leaves.get(key);
    if (known !== undefined) return known;
    const id = make();
    this.leaves.set(key, id);
    return id;
  }

  param(name: string, shape: number[]): number {
    return this.leaf(`param:${name}`, () => this.leafNode("param", shape, false, { name }));
  }

  constant(value: number): number {
    return this.leaf(`const:${value}`, () => this.leafNode("const", [], false, { value }));
  }

  /** Elementwise on two operands; a scalar operand broadcasts to the other's shape. */
  binary(op: "add" | "sub" | "mul" | "div" | PairOp, a: number, b: number): number {
    return this.node(op, [a, b]);
  }

  /** An op of one argument that keeps its shape: `neg`, the activations, softmax (ops.ts). */
  unary(op: Op, a: number): number {
    const info = ops[op];
    if (info.arity !== 1 || (info.kind !== "elementwise" && info.kind !== "feature")) throw new Error(`${op} is not an op of one argument that keeps its shape`);
    return this.node(op, [a]);
  }

  /** An elementwise op of one argument and a number (elu, leaky_relu): the number is attrs.alpha. */
  withAlpha(op: NumberArgumentOp, a: number, alpha: number): number {
    return this.node(op, [a], { alpha });
  }

  add = (a: number, b: number) => this.binary("add", a, b);
  sub = (a: number, b: number) => this.binary("sub", a, b);
  mul = (a: number, b: number) => this.binary("mul", a, b);
  div = (a: number, b: number) => this.binary("div", a, b);

  sum(a: number): number {
    return this.node("sum", [a]);
  }

  batchSum(a: number): number {
    return this.node("batch_sum", [a]);
  }

  broadcast(a: number, size: number): number {
    return this.node("broadcast", [a], { size });
  }

  concat(parts: number[]): number {
    return this.node("concat", parts);
  }

  slice(a: number, from: number, to: number): number {
    return this.node("slice", [a], { from, to });
  }

  pad(a: number, from: number, to: number, size: number): number {
    return this.node("pad", [a], { from, to, size });
  }

  onehot(ids: number, size: number): number {
    return this.node("onehot", [ids], { size });
  }

  /**
   * W @ x, or W[from:to] @ x with `rows` (a stacked weight's rows, read in place); an
   * embedding's W @ onehot(ids) becomes a column lookup.
   */
  matvec(w: number, x: number, rows?: Rows): number {
    const range = this.rows(w, rows);
    const xNode = this.get(x);
    if (xNode.op === "onehot" && !range) return this.gather(w, xNode.args[0]);
    return this.node("matvec", [w, x], range ?? {});
  }

  matvecT(w: number, g: number, rows?: Rows): number {
    return this.node("matvec_t", [w, g], this.rows(w, rows) ?? {});
  }

  /** Σ_batch g ⊗ x; with `rows`, into those rows of a [size, n] matrix (W[from:to]'s gradient in W's). */
  outer(g: number, x: number, rows?: Rows & { size: number }): number {
    return this.node("outer", [g, x], rows && (rows.from !== 0 || rows.to !== rows.size) ? { from: rows.from, to: rows.to, size: rows.size } : {});
  }

  /** A row range of matrix `w`, or none when it is all of its rows: W[0:m] @ x is W @ x. */
  private rows(w: number, rows: Rows | undefined): Rows | undefined {
    return rows && (rows.from !== 0 || rows.to !== this.get(w).shape[0]) ? { from: rows.from, to: rows.to } : undefined;
  }

  scatter(g: number, ids: number, columns: number): number {
    return this.node("scatter", [g, ids], { size: columns });
  }

  gather(w: number, ids: number): number {
    return this.node("gather", [w, ids]);
  }

  loss(op: "cross_entropy" | "binary_cross_entropy" | "mse", prediction: number, target: number): number {
    return this.node(op, [prediction, target]);
  }
}
