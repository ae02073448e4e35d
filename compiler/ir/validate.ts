// The IR's rules, checked: every argument comes before its use, every op gets the number and
// shapes of arguments it is defined for, every name a leaf or sink uses exists. A lowering or
// differentiation bug shows up here, named, instead of as a wrong number far downstream.
import type { Block, DifferentiatedProgram, Node, Program } from "./nodes.ts";
import { ops, type Op } from "./ops.ts";
import { perExample, shapeRules } from "./shapes.ts";

const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Leaves that are one value per example. */
const perExampleLeaves = new Set<Op>(["data", "read", "value", "seed", "adjoint"]);

/** What is wrong with a node by its op's entry in ops.ts (its arity) and its shape rule (shapes.ts). */
function shapeProblem(node: Node, args: Node[]): string | undefined {
  const arity = ops[node.op].arity;
  if (arity !== "any" && args.length !== arity) return `takes ${arity} argument${arity === 1 ? "" : "s"}, has ${args.length}`;
  const rule = shapeRules[node.op];
  if (rule === "given") return undefined;
  const shape = rule(args, node.attrs);
  if (typeof shape === "string") return shape;
  return same(shape, node.shape) ? undefined : `shape [${node.shape}], but its rule gives [${shape}]`;
}

/**
 * Whether a node is shared follows from its arguments (nodes.ts): per example when any argument
 * is, except a sum over the batch, which is shared. The emitter and the interpreter rely on it.
 */
function sharing(node: Node, args: Node[]): string | undefined {
  if (node.op === "primal" || node.op === "accumulate") return undefined;
  const expected = args.length === 0 ? perExampleLeaves.has(node.op) : perExample(node.op, args);
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
      const problem = shapeProblem(node, args) ?? sharing(node, args);
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
