// The IR's rules, checked: every argument comes before its use, every op gets the number and
// shapes of arguments it is defined for, every name a leaf or sink uses exists. A lowering or
// differentiation bug shows up here, named, instead of as a wrong number far downstream.
import type { Block, DifferentiatedProgram, Node, Program } from "./nodes.ts";
import type { Op } from "./ops.ts";

type Rule = (node: Node, args: Node[]) => string | undefined;

const size = (n: Node) => n.shape.reduce((a, b) => a * b, 1);
const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const arity = (n: number, then?: Rule): Rule => (node, args) =>
  args.length !== n ? `takes ${n} argument${n === 1 ? "" : "s"}, has ${args.length}` : then?.(node, args);
const elementwise: Rule = (node, args) => {
  const bad = args.find((a) => !(same(a.shape, node.shape) || a.shape.length === 0));
  return bad ? `an operand of shape [${bad.shape}] for a result of shape [${node.shape}]` : undefined;
};
const keepsShape = arity(1, (node, [x]) => (same(node.shape, x.shape) ? undefined : `changes shape [${x.shape}] to [${node.shape}]`));
const isId: Rule = (_node, args) => (args[args.length - 1].shape.length === 0 ? undefined : "its ids must be scalars");
const leaf = arity(0);

const rules: Record<Op, Rule> = {
  param: leaf,
  const: leaf,
  data: leaf,
  read: leaf,
  value: leaf,
  primal: leaf,
  seed: leaf,
  adjoint: leaf,
  accumulate: arity(1),
  add: arity(2, elementwise),
  sub: arity(2, elementwise),
  mul: arity(2, elementwise),
  div: arity(2, elementwise),
  neg: keepsShape,
  sigmoid: keepsShape,
  tanh: keepsShape,
  relu: keepsShape,
  step: keepsShape,
  exp: keepsShape,
  log: keepsShape,
  softmax: keepsShape,
  log_softmax: keepsShape,
  sum: arity(1, (node) => (node.shape.length === 0 ? undefined : "sums to a scalar")),
  broadcast: arity(1, (node, [x]) => (x.shape.length === 0 && node.shape[0] === node.attrs.size ? undefined : "broadcasts a scalar to attrs.size")),
  batch_sum: arity(1, (node, [x]) => (same(node.shape, x.shape) && !node.batched ? undefined : "sums over the batch, keeping the shape")),
  concat: (node, args) => (args.reduce((s, a) => s + size(a), 0) === node.shape[0] ? undefined : "its size is not the sum of its parts"),
  slice: arity(1, (node, [x]) => {
    const { from = -1, to = -1 } = node.attrs;
    return 0 <= from && from < to && to <= x.shape[0] && node.shape[0] === to - from ? undefined : `slice [${from}:${to}] of [${x.shape}]`;
  }),
  pad: arity(1, (node, [x]) => {
    const { from = -1, to = -1, size: n = -1 } = node.attrs;
    return 0 <= from && to - from === x.shape[0] && to <= n && node.shape[0] === n ? undefined : `pad [${from}:${to}] of ${n}`;
  }),
  onehot: arity(1, (node, args) => isId(node, args) ?? (node.shape[0] === node.attrs.size ? undefined : "size differs from attrs.size")),
  matvec: arity(2, (node, [w, x]) => (w.shape.length === 2 && w.shape[1] === x.shape[0] && node.shape[0] === w.shape[0] ? undefined : `[${w.shape}] @ [${x.shape}]`)),
  matvec_t: arity(2, (node, [w, g]) => (w.shape.length === 2 && w.shape[0] === g.shape[0] && node.shape[0] === w.shape[1] ? undefined : `[${w.shape}]ᵀ @ [${g.shape}]`)),
  outer: arity(2, (node, [g, x]) => (same(node.shape, [g.shape[0], x.shape[0]]) && !node.batched ? undefined : `[${g.shape}] ⊗ [${x.shape}]`)),
  gather: arity(2, (node, args) => isId(node, args) ?? (node.shape[0] === args[0].shape[0] ? undefined : "rows differ")),
  scatter: arity(2, (node, args) => isId(node, args) ?? (node.shape[0] === args[0].shape[0] && !node.batched ? undefined : "rows differ")),
  cross_entropy: arity(2, (node, args) => isId(node, args) ?? (node.shape.length === 0 ? undefined : "a loss is a scalar per example")),
  binary_cross_entropy: arity(2, (node, [z, y]) => (same(z.shape, y.shape) && node.shape.length === 0 ? undefined : "logits and targets differ")),
  mse: arity(2, (node, [p, y]) => (same(p.shape, y.shape) && node.shape.length === 0 ? undefined : "predictions and targets differ")),
};

/** Leaves that are one value per example, and ops that sum over the batch into one shared value. */
const perExampleLeaves = new Set<Op>(["data", "read", "value", "seed", "adjoint"]);
const batchSums = new Set<Op>(["batch_sum", "outer", "scatter"]);

/**
 * Whether a node is shared follows from its arguments (nodes.ts): per example when any argument
 * is, except a sum over the batch, which is shared. The emitter and the interpreter rely on it.
 */
function sharing(node: Node, args: Node[]): string | undefined {
  if (node.op === "primal" || node.op === "accumulate") return undefined;
  const expected = args.length === 0 ? perExampleLeaves.has(node.op) : !batchSums.has(node.op) && args.some((a) => a.batched);
  if (node.batched !== expected) return node.batched ? "per example, but computed from shared values only" : "shared, but computed from per-example values";
  if (node.op === "outer" && args[0].batched !== args[1].batched) return "one operand per example and the other shared";
  return undefined;
}

/** Every problem in the program, as `block: %id op: what`; empty when it is well formed. */
export function validate(program: Program | DifferentiatedProgram): string[] {
  const problems: string[] = [];
  const names = {
    param: new Set(program.params.map((p) => p.name)),
    data: new Set(program.data.map((d) => d.name)),
    sequence: new Set(program.sequences.map((s) => s.name)),
    value: new Set(program.values.map((v) => v.name)),
  };
  const check = (block: Block, where: string) =>
    block.nodes.forEach((node, id) => {
      const say = (what: string) => problems.push(`${where}: %${id} ${node.op}: ${what}`);
      if (node.args.some((a) => a < 0 || a >= id)) return say("an argument that does not come before it");
      const args = node.args.map((a) => block.nodes[a]);
      const problem = rules[node.op](node, args) ?? sharing(node, args);
      if (problem) say(problem);
      const name = node.attrs.name;
      const kind =
        node.op === "param" || node.attrs.into === "param" ? "param"
        : node.op === "data" ? "data"
        : node.op === "read" || node.attrs.into === "sequence" ? "sequence"
        : node.op === "value" || node.attrs.into === "value" ? "value"
        : undefined;
      if (kind && (name === undefined || !names[kind].has(name))) say(`no ${kind} named ${name}`);
    });
  program.blocks.forEach((b, i) => check(b, `block ${i} (${b.comment})`));
  if ("backward" in program) program.backward.forEach((b, i) => check(b, `backward block ${i} (${b.comment})`));
  return problems;
}
