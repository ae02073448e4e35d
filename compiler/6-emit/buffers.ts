// The buffers an emitted module allocates, in one list that both the module (module.ts: `ensure`
// and, with kernels, `layOut`) and the memory estimate (`memoryLayout`, `bytesFor`) read, so that
// what the CLI checks against --memory-limit before compiling is what the module will allocate.
import { plan, type BlockPlan, type Plan } from "../5-plan/index.ts";
import type { Block, DifferentiatedProgram, Node } from "../ir/nodes.ts";
import { Kernels } from "./kernels/index.ts";
import { blockCode, type Fast } from "./loops.ts";
import { Identifiers, namesFor, stepName, type Names } from "./names.ts";

const size = (node: Node) => node.shape.reduce((a, b) => a * b, 1);

/** A buffer: its name, its rows ("B": one per example, "1": shared, "T_t * B": a tape over axis t) and the numbers a row. */
export type Buffer = [name: string, rows: string, n: number];

/** A node's step value needs a buffer of its own unless it is not needed, inlined in its consumer, read in place (a param), a literal, or adds straight into a gradient. */
const hasBuffer = (node: Node, id: number, plan: BlockPlan) =>
  plan.live.has(id) && !plan.fused.has(id) && !plan.direct.has(id) && node.op !== "param" && node.op !== "const" && node.op !== "accumulate";

/** What emitting decides before it prints: names, the plan, the step functions and every buffer. */
export interface Prepared {
  names: Names;
  fast?: Fast;
  transposed: Set<string>;
  planned: Plan;
  kept: Set<number>[];
  axes: ("t" | "s")[];
  buffers: Buffer[];
  forward: ReturnType<typeof blockCode>[];
  backward: ReturnType<typeof blockCode>[];
}

export function prepare(p: DifferentiatedProgram, kernels: boolean): Prepared {
  const ids = new Identifiers();
  const names = namesFor(p, ids);
  const transposed = new Set<string>();
  const fast: Fast | undefined = kernels ? { kernels: new Kernels(), transposed: (name) => (transposed.add(name), names.transposed(name)) } : undefined;
  const stepNamer = (block: Block) => {
    const given = new Map<number, string>();
    const forward = block.primalOf === undefined ? undefined : p.blocks[block.primalOf];
    return (id: number) => given.get(id) ?? (given.set(id, ids.take(stepName(block, id, forward))), given.get(id)!);
  };
  const forwardNames = p.blocks.map(stepNamer);
  const backwardNames = p.backward.map(stepNamer);
  const planned = plan(p);
  const kept = planned.forward.map((b) => b.kept);
  const axes = [...new Set([...p.data, ...p.sequences].map((x) => x.axis).filter((a): a is "t" | "s" => !!a))];

  const buffers: Buffer[] = [];
  const stepBuffers = (block: Block, plan: BlockPlan, name: (id: number) => string) =>
    block.nodes.forEach((node, id) => {
      if (hasBuffer(node, id, plan)) buffers.push([name(id), node.batched ? "B" : "1", size(node)]);
    });
  p.blocks.forEach((block, i) => stepBuffers(block, planned.forward[i], forwardNames[i]));
  p.backward.forEach((block, i) => stepBuffers(block, planned.backward[i], backwardNames[i]));
  kept.forEach((ids, i) => {
    const block = p.blocks[i];
    for (const id of ids) buffers.push([names.tape(i, id), block.kind === "loop" ? `T_${block.axis} * B` : "B", size(block.nodes[id])]);
  });
  for (const s of p.sequences) {
    buffers.push([names.sequence(s.name), `T_${s.axis} * B`, s.size]);
    buffers.push([names.sequenceAdjoint(s.name), `T_${s.axis} * B`, s.size]);
  }
  for (const v of p.values) {
    buffers.push([names.value(v.name), "B", v.size]);
    buffers.push([names.valueAdjoint(v.name), "B", v.size]);
  }
  for (const c of p.carries) buffers.push([names.carry(c.name), "B", c.steps * c.width]);
  for (const block of p.backward) for (const f of block.flows ?? []) buffers.push([names.flow(f.name), `T_${block.axis} * B`, size(block.nodes[f.node])]);

  const forward = p.blocks.map((block, i) => blockCode(p, names, block, planned.forward[i], forwardNames[i], i, undefined, `forward${i}`, fast));
  const backward = p.backward.map((block, i) => blockCode(p, names, block, planned.backward[i], backwardNames[i], undefined, block.primalOf, `backward${i}`, fast));
  for (const b of [...forward, ...backward]) buffers.push(...b.buffers); // materialized constants, deferred products' operands
  return { names, ...(fast ? { fast } : {}), transposed, planned, kept, axes, buffers, forward, backward };
}

/** What a module's work memory is made of, in numbers (not bytes), for `bytesFor`. */
export interface MemoryLayout {
  /** 4 (float32) or 8 (float64). */
  bytes: number;
  kernels: boolean;
  /** Every param's numbers, together. */
  params: number;
  /** The transposed copies of params the kernels read (kernels only). */
  transposed: number;
  /** Each buffer's rows and numbers a row. */
  buffers: { rows: string; n: number }[];
  /** The batch's own fields: numbers a row, on an axis or not. */
  data: { axis?: "t" | "s"; sequence: boolean; width: number }[];
}

export function memoryLayout(p: DifferentiatedProgram, options: { dtype: "float32" | "float64"; kernels: boolean }): MemoryLayout {
  const kernels = options.kernels && options.dtype === "float32";
  const prepared = prepare(p, kernels);
  const elements = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  return {
    bytes: options.dtype === "float64" ? 8 : 4,
    kernels,
    params: p.params.reduce((sum, x) => sum + elements(x.shape), 0),
    transposed: p.params.filter((x) => prepared.transposed.has(x.name)).reduce((sum, x) => sum + elements(x.shape), 0),
    buffers: prepared.buffers.map(([, rows, n]) => ({ rows, n })),
    data: p.data.map((d) => ({ ...(d.axis ? { axis: d.axis } : {}), sequence: d.sequence, width: d.kind === "ids" ? 1 : d.size })),
  };
}

/** The rows of a buffer for a batch of B examples of T[axis] steps: "1", "B" or "T_t * B". */
export function rowsOf(rows: string, B: number, T: Partial<Record<"t" | "s", number>>): number {
  if (rows === "1") return 1;
  if (rows === "B") return B;
  const axis = /^T_(\w+) \* B$/.exec(rows)?.[1] as "t" | "s" | undefined;
  if (!axis) throw new Error(`a buffer of rows ${rows}`);
  return (T[axis] ?? 1) * B;
}

/** Bytes a kernels' memory lays each buffer on: 16-byte aligned (module.ts's `align`). */
const aligned = (n: number) => Math.ceil(n / 4) * 16;

/**
 * The bytes the module allocates for a batch of B examples of T steps: `work` (step buffers and
 * tapes: in the kernels' WebAssembly memory, with a copy of the params, their gradients and the
 * transposed copies, which `wasm` counts whole) and `data` (the batch's own fields).
 */
export function bytesFor(layout: MemoryLayout, B: number, T: Partial<Record<"t" | "s", number>>): { work: number; wasm: number; data: number } {
  const numbers = layout.buffers.map((b) => rowsOf(b.rows, B, T) * b.n);
  const work = numbers.reduce((sum, n) => sum + (layout.kernels ? aligned(n) : n * layout.bytes), 0);
  const wasm = layout.kernels ? 65536 + work + 2 * aligned(layout.params) + aligned(layout.transposed) : 0;
  const data = layout.data.reduce((sum, d) => sum + (d.sequence && d.axis ? (T[d.axis] ?? 1) : 1) * B * d.width * layout.bytes, 0);
  return { work, wasm, data };
}
