// A block as TypeScript: its loop over time (or one pass), each node's code in order, then
// what the step keeps for the backward pass, stores as sequences or values, and adds to the loss.
import type { Block, Node, Program, TimeIndex } from "../ir/nodes.ts";
import { codeForOp, elementwiseExpressions, operandAt, type ElementwiseOp, type LeafCode } from "./code-for-op.ts";
import type { BlockPlan } from "../5-plan/index.ts";
import type { Kernels } from "./kernels/index.ts";
import type { Names } from "./names.ts";
import { comment } from "./names.ts";
import { blockedProduct } from "./products.ts";

const size = (node: Node) => node.shape.reduce((a, b) => a * b, 1);

/** The step of example b that an index reads, as an expression. */
function stepOf(index: TimeIndex | undefined, lengths: string): string {
  if (!index) return "0";
  if (index.kind !== "step") return index.kind === "first" ? "0" : `${lengths}[b] - 1`;
  return index.offset === 0 ? "t" : `t ${index.offset > 0 ? "+" : "-"} ${Math.abs(index.offset)}`;
}

function leafCode(program: Program, names: Names, block: Block, forwardBlock: number | undefined): LeafCode {
  const lengthsOf = (axis: string | undefined) => (axis ? `L_${axis}` : "ONES");
  const rowCopy = (out: string, n: number, source: string, at: string) => `${out}.set(${source}.subarray(${at} * ${n}, (${at} + 1) * ${n}), b * ${n});`;
  /** Truncated BPTT: before a window's first step, a carried name is read from the carry ([B][steps][n]). */
  const fromCarry = (name: string, out: string, n: number) => {
    const carry = program.carries.find((c) => c.name === name);
    return carry ? `if (u < 0) ${rowCopy(out, n, names.carry(name), `((b + 1) * ${carry.steps} + u)`)} else ` : "";
  };
  return {
    data(node, out, n) {
      const info = program.data.find((d) => d.name === node.attrs.name)!;
      const field = names.data(info.name);
      if (!info.sequence) return `${out}.set(${field}.subarray(0, B * ${n}));`;
      const L = lengthsOf(info.axis);
      const missing = info.kind === "ids" ? `${out}[b] = -1;` : `${out}.fill(0, b * ${n}, (b + 1) * ${n});`;
      return `for (let b = 0; b < B; b++) { const u = ${stepOf(node.attrs.index, L)}; if (u >= 0 && u < ${L}[b]) ${rowCopy(out, n, field, "(u * B + b)")} else ${fromCarry(info.name, out, n)}${missing} }`;
    },
    read(node, out, n) {
      const info = program.sequences.find((s) => s.name === node.attrs.name)!;
      const L = lengthsOf(info.axis);
      const before = info.direction === "backward" ? `u >= ${L}[b]` : "u < 0";
      const init = info.init ? `if (${before}) ${rowCopy(out, n, names.value(info.init), "b")} else ` : "";
      return `for (let b = 0; b < B; b++) { const u = ${stepOf(node.attrs.index, L)}; if (u >= 0 && u < ${L}[b]) ${rowCopy(out, n, names.sequence(info.name), "(u * B + b)")} else ${fromCarry(info.name, out, n)}${init}${out}.fill(0, b * ${n}, (b + 1) * ${n}); }`;
    },
    value: (node, out, n) => `${out}.set(${names.value(node.attrs.name!)}.subarray(0, B * ${n}));`,
    // A tape holds every example's row, a shared value's too: a shared primal takes the first.
    primal: (node, out, n) => `${out}.set(${names.tape(forwardBlock!, node.attrs.node!)}.subarray(t * B * ${n}, ${node.batched ? `(t + 1) * B * ${n}` : `t * B * ${n} + ${n}`}));`,
    seed: (node, out) => `for (let b = 0; b < B; b++) ${out}[b] = t < ${lengthsOf(block.axis)}[b] ? W${node.attrs.loss} : 0;`,
    adjoint(node, out, n) {
      if (node.attrs.into === "value") return `${out}.set(${names.valueAdjoint(node.attrs.name!)}.subarray(0, B * ${n}));`;
      return `${out}.set(${names.sequenceAdjoint(node.attrs.name!)}.subarray(t * B * ${n}, (t + 1) * B * ${n}));`;
    },
    accumulate(node, x, xNode) {
      const n = size(xNode);
      const name = node.attrs.name!;
      if (node.attrs.into === "param") return `{ const g = ${names.grad(name)}; for (let i = 0; i < ${n}; i++) g[i] += ${x}[i]; }`;
      if (node.attrs.into === "value") return `{ const d = ${names.valueAdjoint(name)}; for (let i = 0; i < B * ${n}; i++) d[i] += ${x}[i]; }`;
      const info = program.sequences.find((s) => s.name === name)!;
      const L = lengthsOf(info.axis);
      const before = info.direction === "backward" ? `u >= ${L}[b]` : "u < 0";
      const toInit = info.init
        ? ` else if (${before}) { const d = ${names.valueAdjoint(info.init)}; for (let i = 0; i < ${n}; i++) d[b * ${n} + i] += ${x}[b * ${n} + i]; }`
        : "";
      return `{ const d = ${names.sequenceAdjoint(name)}; for (let b = 0; b < B; b++) { const u = ${stepOf(node.attrs.index, L)}; if (u >= 0 && u < ${L}[b]) { for (let i = 0; i < ${n}; i++) d[(u * B + b) * ${n} + i] += ${x}[b * ${n} + i]; }${toInit} } }`;
    },
  };
}

/** A module with WebAssembly kernels: every buffer lives in their memory, and products call them. */
export interface Fast {
  kernels: Kernels;
  /** A param's transposed copy (registered as needed): the name of its view. */
  transposed(param: string): string;
}

/**
 * The code of a block: a small function per node (V8 optimizes small functions; one huge one
 * would stay interpreted) and the loop that calls them. `buffer(id)` names each node's step
 * buffer; `kept` are the nodes whose values the backward pass reads, copied to the tape each step.
 */
export function blockCode(
  program: Program,
  names: Names,
  block: Block,
  plan: BlockPlan, // what to compute and how (5-plan)
  buffer: (id: number) => string,
  forwardIndex: number | undefined, // a forward block's own index, to name its tape
  primalOf: number | undefined, // a backward block: the forward block it reads
  stepName: string, // the function that runs one step of the block
  fast?: Fast, // WebAssembly kernels for the products
): { functions: string; loop: string; buffers: [string, string, number][] } {
  const leaf = leafCode(program, names, block, primalOf);
  const functions: string[] = [];
  const title = comment(block.kind === "loop" ? `${block.comment} (${block.direction} over ${block.axis})` : block.comment);
  const T = block.kind === "loop" ? `T_${block.axis}` : "1";
  const L = block.axis ? `L_${block.axis}` : "ONES";
  const lines: string[] = [title, `function ${stepName}(t: number): number {`, "  let loss = 0;"];
  const { live, fused, materialized, kept } = plan;
  const direct = new Map([...plan.direct].map(([id, param]) => [id, names.grad(param)]));
  const deferred = new Map(
    [...plan.deferred].map(([id, { m, n, from }]) => [id, { g: names.unique(`${buffer(block.nodes[id].args[0])}_all_steps`), x: names.tape(primalOf!, block.nodes[block.nodes[id].args[1]].attrs.node!), m, n, from }]),
  );
  const flows = block.flows ?? [];
  /** The array holding a node's step value: its buffer, or a param's own array. */
  const source = (id: number) => (block.nodes[id].op === "param" ? names.param(block.nodes[id].attrs.name!) : buffer(id));
  block.nodes.forEach((node, id) => {
    if (!live.has(id) || fused.has(id) || (node.op === "accumulate" && direct.has(node.args[0])) || (node.op === "const" && !materialized.has(id))) return;
    const later = deferred.get(id);
    if (later) {
      lines.push(`  ${later.g}.set(${buffer(node.args[0])}.subarray(0, B * ${later.m}), t * B * ${later.m});`);
      return;
    }
    // The step function reads its buffers into locals first: V8 keeps locals in registers,
    // where module variables would be loaded from the module's context at every use.
    const locals: string[] = [`const out = ${direct.get(id) ?? buffer(id)};`];
    const local = (argId: number) => {
      const a = block.nodes[argId];
      if (a.op === "const" && !materialized.has(argId)) return `(${a.attrs.value})`;
      const name = `a${argId}`;
      if (!locals.some((l) => l.startsWith(`const ${name} `))) locals.push(`const ${name} = ${source(argId)};`);
      return name;
    };
    // A fused node's value at (b, i), from its own operands (fused ones in turn): n is the consumer's size, which is its own.
    const inline = (memberId: number, n: number): string => {
      const member = block.nodes[memberId];
      if (member.op === "slice") return `${local(member.args[0])}[b * ${size(block.nodes[member.args[0]])} + ${member.attrs.from} + i]`;
      const x = (k: number) => (fused.has(member.args[k]) ? inline(member.args[k], n) : operandAt(block.nodes[member.args[k]], local(member.args[k]), n));
      return `(${elementwiseExpressions[member.op as ElementwiseOp](x, member.attrs)})`;
    };
    const code = codeForOp[node.op]({
      node,
      out: "out",
      accumulate: direct.has(id),
      n: size(node),
      arg: (i) => local(node.args[i]),
      inlined: (i) => (fused.has(node.args[i]) ? inline(node.args[i], size(node)) : undefined),
      argNode: (i) => block.nodes[node.args[i]],
      leaf,
      kernels: fast?.kernels,
      transposed: (i) => {
        const a = block.nodes[node.args[i]];
        return fast && a.op === "param" ? fast.transposed(a.attrs.name!) : undefined;
      },
    });
    if (!code) return;
    const name = names.unique(node.op === "accumulate" ? `add_${buffer(node.args[0])}_to_${node.attrs.into === "param" ? names.grad(node.attrs.name!) : node.attrs.name!}` : `compute_${buffer(id)}`);
    const body = `${(node.op === "accumulate" ? locals.slice(1) : locals).join(" ")}\n  ${code}`;
    functions.push(`function ${name}(t: number): void {\n  ${comment(describe(block, id))}\n  ${body}\n}`);
    lines.push(`  ${name}(t);`);
  });
  // Tapes, sequences and values hold a row per example: a shared value is written to each.
  const copyRows = (id: number, target: string, step: string) => {
    const n = size(block.nodes[id]);
    return block.nodes[id].batched
      ? `  ${target}.set(${source(id)}.subarray(0, B * ${n}), ${step} * B * ${n});`
      : `  for (let b = 0; b < B; b++) ${target}.set(${source(id)}.subarray(0, ${n}), ${step === "0" ? "b" : `(${step} * B + b)`} * ${n});`;
  };
  if (forwardIndex !== undefined) for (const id of kept) lines.push(copyRows(id, names.tape(forwardIndex, id), "t"));
  for (const store of block.stores)
    lines.push(block.kind === "loop" ? copyRows(store.node, names.sequence(store.name), "t") : copyRows(store.node, names.value(store.name), "0"));
  // ∂L/∂h_t of each state, kept only while gradientFlow() asks for it.
  for (const flow of flows) lines.push(`  if (FLOW) ${copyRows(flow.node, names.flow(flow.name), "t").trim()}`);
  for (const term of block.losses)
    lines.push(`  for (let b = 0; b < B; b++) if (t < ${L}[b]) loss += W${term.loss} * ${buffer(term.node)}[b];`);
  lines.push("  return loss;", "}");
  const order = block.direction === "backward" ? `${T} - 1 - k` : "k";
  let loop = `${title}\nfor (let k = 0; k < ${T}; k++) loss += ${stepName}(${order});`;
  if (deferred.size > 0 && fast) {
    // The kernel reads g by columns and x by rows, as they lie on the tapes: no transposes.
    const products = [...deferred].map(([id, d]) =>
      fast.kernels.product({ Q: d.n, aP: 1, aK: d.m, add: true }, `${d.m}`, `${T} * B`, d.g, d.x, direct.get(id)!, { out: d.from * d.n }),
    );
    functions.push(`function ${stepName}_gradients(): void {\n  ${comment("the weight gradients of every step, in one product each")}\n  ${products.join("\n  ")}\n}`);
    loop += `\n${stepName}_gradients();`;
  } else if (deferred.size > 0) {
    // Both operands are transposed first, so that the long sums over T·B run along memory.
    const transpose = (from: string, to: string, width: number) =>
      `for (let u = 0; u < K; u++) for (let i = 0; i < ${width}; i++) ${to}[i * K + u] = ${from}[u * ${width} + i];`;
    const products = [...deferred].map(([id, d]) =>
      [
        `{ const K = ${T} * B;`,
        transpose(d.g, `${d.g}T`, d.m),
        transpose(d.x, `${d.g}X`, d.n),
        blockedProduct({
          P: `${d.m}`, Q: `${d.n}`, K: "K", A: `${d.g}T`, C: `${d.g}X`, OUT: direct.get(id)!, add: true,
          a: (r, u) => `(${r}) * K + ${u}`, c: (j, u) => `(${j}) * K + ${u}`, out: (r, j) => `(${r}${d.from ? ` + ${d.from}` : ""}) * ${d.n} + ${j}`, // a stacked weight's rows from d.from
        }),
        "}",
      ].join("\n  "),
    );
    functions.push(`function ${stepName}_gradients(): void {\n  ${comment("the weight gradients of every step, in one product each")}\n  ${products.join("\n  ")}\n}`);
    loop += `\n${stepName}_gradients();`;
  }
  const buffers: [string, string, number][] = [
    ...[...materialized].map((id): [string, string, number] => [buffer(id), "1", 1]),
    ...[...deferred.values()].flatMap((d): [string, string, number][] =>
      fast ? [[d.g, `${T} * B`, d.m]] : [[d.g, `${T} * B`, d.m], [`${d.g}T`, `${T} * B`, d.m], [`${d.g}X`, `${T} * B`, d.n]],
    ),
  ];
  return { functions: [...functions, lines.join("\n")].join("\n"), loop, buffers };
}

/** What a node's code computes, for its comment: the equation it comes from, or what it reads, or its op. */
function describe(block: Block, id: number): string {
  const node = block.nodes[id];
  const origin = block.origins?.[id];
  if (origin) return origin;
  const { name, index, from, to, size: n } = node.attrs;
  const at = !index ? "" : index.kind !== "step" ? `[${index.kind}]` : `[${index.axis}${index.offset === 0 ? "" : index.offset > 0 ? `+${index.offset}` : index.offset}]`;
  switch (node.op) {
    case "data":
    case "read":
      return `${name}${at}`;
    case "primal":
      return "the forward value at this step, from the tape";
    case "accumulate":
      return `add into ${node.attrs.into === "param" ? "the gradient" : "the adjoint"} of ${name}${at}`;
    case "slice":
      return `[${from}:${to}]`;
    case "pad":
      return `pad [${from}:${to}] of ${n}`;
    default:
      return from === undefined ? node.op : `${node.op} over rows [${from}:${to}]${n === undefined ? "" : ` of ${n}`}`; // a product over a stacked weight's rows
  }
}
