// Builds a block's graph one node at a time, working out each node's shape and whether it
// holds one value per example. Lowering and differentiation both build graphs with it.
import type { Attrs, Node } from "./nodes.ts";
import type { Op } from "./ops.ts";

export class GraphBuilder {
  readonly nodes: Node[] = [];
  private readonly leaves = new Map<string, number>();
  private readonly known = new Map<string, number>();

  /**
   * Adds a node, or returns the identical one already there: every op but `accumulate` is a
   * pure function of its arguments, so a GRU's two `concat(x, h)` are computed once.
   */
  node(op: Op, args: number[], shape: number[], batched: boolean, attrs: Attrs = {}): number {
    const key = op === "accumulate" ? undefined : JSON.stringify([op, args, shape, batched, attrs]);
    const existing = key === undefined ? undefined : this.known.get(key);
    if (existing !== undefined) return existing;
    this.nodes.push({ op, args, shape, batched, attrs });
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
    return this.leaf(`param:${name}`, () => this.node("param", [], shape, false, { name }));
  }

  constant(value: number): number {
    return this.leaf(`const:${value}`, () => this.node("const", [], [], false, { value }));
  }

  /** Elementwise on two operands; a scalar operand broadcasts to the other's shape. */
  binary(op: "add" | "sub" | "mul" | "div", a: number, b: number): number {
    const [x, y] = [this.get(a), this.get(b)];
    return this.node(op, [a, b], x.shape.length > 0 ? x.shape : y.shape, x.batched || y.batched);
  }

  unary(op: "neg" | "sigmoid" | "tanh" | "relu" | "step" | "exp" | "log" | "softmax" | "log_softmax", a: number): number {
    const x = this.get(a);
    return this.node(op, [a], x.shape, x.batched);
  }

  add = (a: number, b: number) => this.binary("add", a, b);
  sub = (a: number, b: number) => this.binary("sub", a, b);
  mul = (a: number, b: number) => this.binary("mul", a, b);
  div = (a: number, b: number) => this.binary("div", a, b);

  sum(a: number): number {
    return this.node("sum", [a], [], this.get(a).batched);
  }

  batchSum(a: number): number {
    return this.node("batch_sum", [a], this.get(a).shape, false);
  }

  broadcast(a: number, size: number): number {
    return this.node("broadcast", [a], [size], this.get(a).batched, { size });
  }

  concat(parts: number[]): number {
    const size = parts.reduce((s, p) => s + (this.get(p).shape[0] ?? 1), 0);
    return this.node("concat", parts, [size], this.perExample(parts));
  }

  slice(a: number, from: number, to: number): number {
    return this.node("slice", [a], [to - from], this.get(a).batched, { from, to });
  }

  pad(a: number, from: number, to: number, size: number): number {
    return this.node("pad", [a], [size], this.get(a).batched, { from, to, size });
  }

  onehot(ids: number, size: number): number {
    return this.node("onehot", [ids], [size], this.perExample([ids]), { size });
  }

  /** W @ x; an embedding's W @ onehot(ids) becomes a column lookup. */
  matvec(w: number, x: number): number {
    const [m] = this.get(w).shape;
    const xNode = this.get(x);
    if (xNode.op === "onehot") return this.gather(w, xNode.args[0]);
    return this.node("matvec", [w, x], [m], this.perExample([x]));
  }

  matvecT(w: number, g: number): number {
    return this.node("matvec_t", [w, g], [this.get(w).shape[1]], this.perExample([g]));
  }

  outer(g: number, x: number): number {
    return this.node("outer", [g, x], [this.get(g).shape[0], this.get(x).shape[0]], false);
  }

  scatter(g: number, ids: number, columns: number): number {
    return this.node("scatter", [g, ids], [this.get(g).shape[0], columns], false);
  }

  gather(w: number, ids: number): number {
    return this.node("gather", [w, ids], [this.get(w).shape[0]], this.perExample([ids]));
  }

  loss(op: "cross_entropy" | "binary_cross_entropy" | "mse", prediction: number, target: number): number {
    return this.node(op, [prediction, target], [], this.perExample([prediction, target]));
  }

  /**
   * A value is per example when anything it is computed from is: one computed only from params
   * and constants (a slice of a bias, a learned initial state) is shared, one row for the batch.
   */
  private perExample(args: number[]): boolean {
    return args.some((a) => this.get(a).batched);
  }
}
