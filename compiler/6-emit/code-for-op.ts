// The TypeScript for one node at one step, for every op: the same definitions as the
// reference interpreter (ir/op-semantics.ts), with the sizes written in. A node writes its step
// value into its buffer `out`: B rows of `n` numbers, or one row when it is shared. It loops
// over B rows when it or anything it reads is per example (rowsOf), and reads a shared
// argument's one row for every example (rowAt).
import type { Attrs, Node } from "../ir/nodes.ts";
import type { Op, ops } from "../ir/ops.ts";
import type { Kernels } from "./kernels/index.ts";
import { blockedProduct } from "./products.ts";

export interface NodeContext {
  node: Node;
  out: string; // the node's buffer
  n: number; // its size per example
  arg: (i: number) => string; // an argument's buffer (a param's array, a constant's literal)
  argNode: (i: number) => Node;
  /** Add into `out` (a param's gradient) instead of overwriting it: a gradient's last step. */
  accumulate?: boolean;
  /** Leaves and sinks: where data, sequences, values, adjoints and gradients live. */
  leaf: LeafCode;
  /** The WebAssembly kernels, when the module has them: products go to them. */
  kernels?: Kernels;
  /** Arg i's transposed copy, kept in the kernels' memory when it is a param; undefined if not. */
  transposed?: (i: number) => string | undefined;
  /** Arg i's value at (b, i) as an expression, when it is computed inline (fused into this node). */
  inlined?: (i: number) => string | undefined;
}

export interface LeafCode {
  data(node: Node, out: string, n: number): string;
  read(node: Node, out: string, n: number): string;
  value(node: Node, out: string, n: number): string;
  primal(node: Node, out: string, n: number): string;
  seed(node: Node, out: string): string;
  adjoint(node: Node, out: string, n: number): string;
  accumulate(node: Node, x: string, xNode: Node): string;
}

const size = (node: Node) => node.shape.reduce((a, b) => a * b, 1);

/** The rows a node's code loops over: "B" when it or any argument is per example, else "1". */
export const rowsOf = (node: Node, args: Node[]): string => (node.batched || args.some((a) => a.batched) ? "B" : "1");
const rows = (c: NodeContext) => rowsOf(c.node, c.node.args.map((_, k) => c.argNode(k)));

/** The loop over a node's rows; a shared node's one row is row 0. */
const eachRow = (c: NodeContext) => (rows(c) === "B" ? "for (let b = 0; b < B; b++) " : "for (const b of [0]) ");

/** Where example b's row of argument k (m values a row) starts: a shared argument has one row. */
const rowAt = (c: NodeContext, k: number, m: number) => (!c.argNode(k).batched ? "0" : m === 1 ? "b" : `b * ${m}`);

/** `a + b` for offsets, without the `0 +` of a shared row. */
const plus = (a: string, b: string | number) => (a === "0" ? `${b}` : `${b}` === "0" ? a : `${a} + ${b}`);

/** Node `a` (in array `array`) read by an elementwise op of size n at example b, feature i: broadcast where it is a scalar or shared. */
export function operandAt(a: Node, array: string, n: number): string {
  if (a.op === "const") return `(${a.attrs.value})`;
  const scalar = size(a) === 1 && n > 1;
  if (a.batched) return scalar ? `${array}[b]` : `${array}[b * ${n} + i]`;
  return scalar ? `${array}[0]` : `${array}[i]`;
}

const operand = (c: NodeContext, k: number) => c.inlined?.(k) ?? operandAt(c.argNode(k), c.arg(k), c.n);

type Operands = (k: number) => string;

/** The ops ops.ts calls elementwise: each has an expression below and no other code. */
export type ElementwiseOp = { [K in Op]: (typeof ops)[K]["kind"] extends "elementwise" ? K : never }[Op];

/** Each elementwise op's value at (b, i) from its operands' values there: written once, used alone or fused. */
export const elementwiseExpressions: Record<ElementwiseOp, (x: Operands, attrs: Attrs) => string> = {
  add: (x: Operands) => `${x(0)} + ${x(1)}`,
  sub: (x: Operands) => `${x(0)} - ${x(1)}`,
  mul: (x: Operands) => `${x(0)} * ${x(1)}`,
  div: (x: Operands) => `${x(0)} / ${x(1)}`,
  neg: (x: Operands) => `-${x(0)}`,
  sigmoid: (x: Operands) => `1 / (1 + Math.exp(-${x(0)}))`,
  tanh: (x: Operands) => `Math.tanh(${x(0)})`,
  relu: (x: Operands) => `Math.max(${x(0)}, 0)`,
  step: (x: Operands) => `(${x(0)} > 0 ? 1 : 0)`,
  exp: (x: Operands) => `Math.exp(${x(0)})`,
  log: (x: Operands) => `Math.log(${x(0)})`,
  softplus: (x: Operands) => `(Math.max(${x(0)}, 0) + Math.log1p(Math.exp(-Math.abs(${x(0)}))))`, // no overflow for large x
  // dropoutMask(site, example, step, feature, rate): the module's own (dropout-code.ts), 1 unless training
  dropout: (x: Operands, { site, rate }) => `${x(0)} * dropoutMask(${site}, FIRST_EXAMPLE + b, t, i, ${rate})`,
  locked_dropout: (x: Operands, { site, rate }) => `${x(0)} * dropoutMask(${site}, FIRST_EXAMPLE + b, -1, i, ${rate})`, // -1: every step
  gelu: (x: Operands) => `${x(0)} * normalCdf(${x(0)})`, // normalCdf: the module's own (helpers.ts), when it uses one
  normal_cdf: (x: Operands) => `normalCdf(${x(0)})`,
  elu: (x: Operands, { alpha }) => `(${x(0)} > 0 ? ${x(0)} : (${alpha}) * Math.expm1(${x(0)}))`,
  leaky_relu: (x: Operands, { alpha }) => `(${x(0)} > 0 ? ${x(0)} : (${alpha}) * ${x(0)})`,
  hard_sigmoid: (x: Operands) => `Math.min(Math.max(0.2 * ${x(0)} + 0.5, 0), 1)`,
  silu: (x: Operands) => `${x(0)} / (1 + Math.exp(-${x(0)}))`,
  abs: (x: Operands) => `Math.abs(${x(0)})`,
  sqrt: (x: Operands) => `Math.sqrt(${x(0)})`,
  square: (x: Operands) => `${x(0)} * ${x(0)}`,
  max: (x: Operands) => `Math.max(${x(0)}, ${x(1)})`,
  min: (x: Operands) => `Math.min(${x(0)}, ${x(1)})`,
};

export const isElementwise = (op: Op): op is ElementwiseOp => Object.hasOwn(elementwiseExpressions, op);

/** out[b, i] = the op's expression, over the batch (one row if the node is shared). */
function elementwise(op: ElementwiseOp) {
  return (c: NodeContext) =>
    `${eachRow(c)}for (let i = 0; i < ${c.n}; i++) ${c.out}[b * ${c.n} + i] = ${elementwiseExpressions[op]((k) => operand(c, k), c.node.attrs)};`;
}

/**
 * The generated code's log-sum-exp and softmax, written once each: `lse` of x[row + i], i < n,
 * with the max subtracted first (no overflow); softmax into y[out + i] with one exp an entry
 * (the sum of the exps divides them: softmax runs every step of a backward pass).
 */
const maxCode = (x: string, row: string, n: number) => `let max = -Infinity; for (let i = 0; i < ${n}; i++) max = Math.max(max, ${x}[${row} + i]); `;
export const logSumExpCode = (x: string, row: string, n: number) =>
  `${maxCode(x, row, n)}let sum = 0; for (let i = 0; i < ${n}; i++) sum += Math.exp(${x}[${row} + i] - max); const lse = max + Math.log(sum);`;
export const softmaxCode = (x: string, row: string, y: string, out: string, n: number) =>
  `${maxCode(x, row, n)}let sum = 0; for (let i = 0; i < ${n}; i++) sum += (${y}[${out} + i] = Math.exp(${x}[${row} + i] - max)); ` +
  `for (let i = 0; i < ${n}; i++) ${y}[${out} + i] /= sum;`;

/** Sums over the batch start from zero, unless they add straight into a gradient. */
const zero = (c: NodeContext) => (c.accumulate ? "" : `${c.out}.fill(0); `);

/** A loop over each row of the first argument (m values a row): `row` is its offset, `o` the output's. */
const perRow = (c: NodeContext, m: number, body: string) =>
  `${eachRow(c)}{ const row = ${rowAt(c, 0, m)}${body.includes("[o + i]") ? `, o = b * ${c.n}` : ""}; ${body} }`;

/** Every elementwise op's code: its expression over the batch. */
const elementwiseCode = Object.fromEntries(Object.keys(elementwiseExpressions).map((op) => [op, elementwise(op as ElementwiseOp)])) as Record<ElementwiseOp, (c: NodeContext) => string>;

export const codeForOp: Record<Op, (c: NodeContext) => string> = {
  ...elementwiseCode,
  param: () => "", // read in place
  const: (c) => `${c.out}[0] = ${c.node.attrs.value};`, // inlined as a literal, unless something needs it in a buffer
  data: (c) => c.leaf.data(c.node, c.out, c.n),
  read: (c) => c.leaf.read(c.node, c.out, c.n),
  value: (c) => c.leaf.value(c.node, c.out, c.n),
  primal: (c) => c.leaf.primal(c.node, c.out, c.n),
  seed: (c) => c.leaf.seed(c.node, c.out),
  adjoint: (c) => c.leaf.adjoint(c.node, c.out, c.n),
  accumulate: (c) => c.leaf.accumulate(c.node, c.arg(0), c.argNode(0)),

  softmax: (c) => perRow(c, c.n, softmaxCode(c.arg(0), "row", c.out, "o", c.n)),
  log_softmax: (c) => perRow(c, c.n, `${logSumExpCode(c.arg(0), "row", c.n)} for (let i = 0; i < ${c.n}; i++) ${c.out}[o + i] = ${c.arg(0)}[row + i] - lse;`),
  sum: (c) => {
    const m = size(c.argNode(0));
    return perRow(c, m, `let s = 0; for (let i = 0; i < ${m}; i++) s += ${c.arg(0)}[row + i]; ${c.out}[b] = s;`);
  },
  broadcast: (c) => `${eachRow(c)}${c.out}.fill(${c.arg(0)}[${rowAt(c, 0, 1)}], b * ${c.n}, (b + 1) * ${c.n});`,
  batch_sum: (c) =>
    `${zero(c)}${eachRow(c)}for (let i = 0; i < ${c.n}; i++) ${c.out}[i] += ${c.arg(0)}[${plus(rowAt(c, 0, c.n), "i")}];`,
  concat: (c) => {
    let at = 0;
    const copies = c.node.args.map((_, k) => {
      const m = size(c.argNode(k));
      const from = rowAt(c, k, m);
      const copy = `${c.out}.set(${c.arg(k)}.subarray(${from}, ${plus(from, m)}), ${plus(`b * ${c.n}`, at)});`;
      at += m;
      return copy;
    });
    return `${eachRow(c)}{ ${copies.join(" ")} }`;
  },
  slice: (c) => {
    const row = rowAt(c, 0, size(c.argNode(0)));
    const { from, to } = c.node.attrs;
    return `${eachRow(c)}${c.out}.set(${c.arg(0)}.subarray(${plus(row, from!)}, ${plus(row, to!)}), b * ${c.n});`;
  },
  pad: (c) => {
    const m = size(c.argNode(0));
    const row = rowAt(c, 0, m);
    return `${c.out}.fill(0, 0, ${rows(c)} * ${c.n}); ${eachRow(c)}${c.out}.set(${c.arg(0)}.subarray(${row}, ${plus(row, m)}), ${plus(`b * ${c.n}`, c.node.attrs.from!)});`;
  },
  onehot: (c) =>
    `${c.out}.fill(0, 0, ${rows(c)} * ${c.n}); ${eachRow(c)}{ const id = ${c.arg(0)}[${rowAt(c, 0, 1)}]; if (id >= 0 && id < ${c.n}) ${c.out}[b * ${c.n} + id] = 1; }`,

  // The products read their matrix W [M, n] in place, in rows r0 to r0 + m (all M of them, or
  // a stacked weight's rows W[from:to]: an offset, no copy), and an outer product adds into
  // those rows of the gradient. out[b, r] = Σ_j W[r0 + r, j] x[b, j]; the kernel reads Wᵀ by rows.
  matvec: (c) => {
    const [M, n] = c.argNode(0).shape, m = c.n, r0 = c.node.attrs.from ?? 0;
    const wT = c.kernels && c.transposed?.(0);
    if (c.kernels && wT) return c.kernels.product({ Q: m, cQ: M, K: n, aP: n, aK: 1, add: false }, rows(c), `${n}`, c.arg(1), wT, c.out, { c: r0 });
    return blockedProduct({
      P: rows(c), Q: `${m}`, K: `${n}`, A: c.arg(1), C: c.arg(0), OUT: c.out, add: false,
      a: (b, j) => `(${b}) * ${n} + ${j}`, c: (r, j) => `(${r}) * ${n} + ${plus(j, r0 * n)}`, out: (b, r) => `(${b}) * ${m} + ${r}`,
    });
  },
  // out[b, j] = Σ_r W[r0 + r, j] g[b, r]
  matvec_t: (c) => {
    const n = c.argNode(0).shape[1], m = c.argNode(1).shape[0], r0 = c.node.attrs.from ?? 0;
    if (c.kernels) return c.kernels.product({ Q: n, K: m, aP: m, aK: 1, add: false }, rows(c), `${m}`, c.arg(1), c.arg(0), c.out, { c: r0 * n });
    return blockedProduct({
      P: rows(c), Q: `${n}`, K: `${m}`, A: c.arg(1), C: c.arg(0), OUT: c.out, add: false,
      a: (b, r) => `(${b}) * ${m} + ${r}`, c: (j, r) => `${r} * ${n} + ${plus(j, r0 * n)}`, out: (b, j) => `(${b}) * ${n} + ${j}`,
    });
  },
  // out[r0 + r, j] (+)= Σ_b g[b, r] x[b, j]; a buffer of its own is 0 outside those rows
  outer: (c) => {
    const n = c.node.shape[1], m = c.argNode(0).shape[0], r0 = c.node.attrs.from ?? 0;
    const clear = m < c.node.shape[0] ? zero(c) : "";
    if (c.kernels) return clear + c.kernels.product({ Q: n, aP: 1, aK: m, add: !!c.accumulate }, `${m}`, rows(c), c.arg(0), c.arg(1), c.out, { out: r0 * n });
    return clear + blockedProduct({
      P: `${m}`, Q: `${n}`, K: rows(c), A: c.arg(0), C: c.arg(1), OUT: c.out, add: !!c.accumulate,
      a: (r, b) => `${b} * ${m} + ${r}`, c: (j, b) => `${b} * ${n} + ${j}`, out: (r, j) => `(${r}) * ${n} + ${plus(j, r0 * n)}`,
    });
  },
  gather: (c) => {
    const [m, v] = c.argNode(0).shape;
    return `${c.out}.fill(0, 0, ${rows(c)} * ${m}); ${eachRow(c)}{ const id = ${c.arg(1)}[${rowAt(c, 1, 1)}]; if (id >= 0 && id < ${v}) for (let r = 0; r < ${m}; r++) ${c.out}[b * ${m} + r] = ${c.arg(0)}[r * ${v} + id]; }`;
  },
  scatter: (c) => {
    const [m, v] = c.node.shape;
    return `${zero(c)}${eachRow(c)}{ const id = ${c.arg(1)}[${rowAt(c, 1, 1)}]; if (id >= 0 && id < ${v}) for (let r = 0; r < ${m}; r++) ${c.out}[r * ${v} + id] += ${c.arg(0)}[${plus(rowAt(c, 0, m), "r")}]; }`;
  },

  cross_entropy: (c) => {
    const k = size(c.argNode(0));
    return perRow(c, k, `const id = ${c.arg(1)}[${rowAt(c, 1, 1)}]; if (id < 0 || id >= ${k}) { ${c.out}[b] = 0; continue; } ` +
      `${logSumExpCode(c.arg(0), "row", k)} ${c.out}[b] = lse - ${c.arg(0)}[row + id];`);
  },
  binary_cross_entropy: (c) => {
    const k = size(c.argNode(0));
    return perRow(c, k, `let s = 0; for (let i = 0; i < ${k}; i++) { const z = ${c.arg(0)}[row + i]; ` +
      `s += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - ${c.arg(1)}[${plus(rowAt(c, 1, k), "i")}] * z; } ${c.out}[b] = s;`);
  },
  mse: (c) => {
    const k = size(c.argNode(0));
    return perRow(c, k, `let s = 0; for (let i = 0; i < ${k}; i++) { const d = ${c.arg(0)}[row + i] - ${c.arg(1)}[${plus(rowAt(c, 1, k), "i")}]; s += d * d; } ${c.out}[b] = s / ${k};`);
  },
};
