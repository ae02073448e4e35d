// A slow, plain reference interpreter of the IR, in float64: it runs blocks of the ops that
// op-semantics.ts defines, step by step, and is the oracle that generated code and gradients
// are tested against.
import type { Axis, Block, DifferentiatedProgram, Node, Program, TimeIndex } from "./nodes.ts";
import { lossDenominators } from "./denominators.ts";
import { evaluate } from "./op-semantics.ts";
import type { Training } from "./dropout.ts";

/** One minibatch. Sequences are time-major: value (t, b, i) at (t * B + b) * size + i. */
export interface Batch {
  size: number; // B
  lengths: Partial<Record<Axis, Int32Array>>; // valid steps of each example on each axis
  /** Per field: ids (size 1) or vectors. An autoregressive target also has `NAME@input`. */
  fields: Map<string, Float64Array>;
  /** Truncated BPTT: per carried name (Program.carries), its last steps in the window before: [B][steps][width], oldest first. */
  carry?: Map<string, Float64Array>;
  /** Per loss, what its sum is divided by (runtime/model.ts's ModelBatch says when to pass it). */
  denominators?: number[];
  /** A training step: dropout is on, its masks from these (ir/dropout.ts); absent, dropout is the identity. */
  training?: Training;
}

export type Params = Map<string, Float64Array>;

export interface ForwardResult {
  loss: number;
  sequences: Map<string, Float64Array>; // [T][B][size]
  values: Map<string, Float64Array>; // [B][size]
  /** Per forward block, per kept node, per step: its value (for the backward pass). */
  tape: Map<number, Map<number, Float64Array[]>>;
  carries: Map<string, Float64Array>; // what this window read before its first step
}

const product = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const sizeOf = (n: Node) => product(n.shape);

/** What a step's leaves read; everything else is the op table (op-semantics.ts). */
interface StepContext {
  program: Program;
  batch: Batch;
  params: Params;
  t: number; // the step (0 in once blocks)
  axis?: Axis;
  sequences: Map<string, Float64Array>;
  values: Map<string, Float64Array>;
  tape?: Map<number, Float64Array[]>; // backward: the forward block's kept values
  carries: Map<string, Float64Array>; // truncated BPTT: per carried name, [B][steps][width]
  adjoints?: Adjoints;
  seeds: (loss: number, b: number) => number;
}

export interface Adjoints {
  params: Params;
  sequences: Map<string, Float64Array>;
  values: Map<string, Float64Array>;
  /** Per state of a loop, ∂L/∂h_t at every step ([T][B][size]): Block.flows. */
  flows: Map<string, Float64Array>;
}

/** Length of each example on an axis (every example has 1 step where there is no axis). */
function lengthsOn(batch: Batch, axis: Axis | undefined): Int32Array {
  return (axis && batch.lengths[axis]) || new Int32Array(batch.size).fill(1);
}

export const maxLength = (batch: Batch, axis: Axis | undefined) => Math.max(0, ...lengthsOn(batch, axis));

/** The step of example b that `index` reads at step t, or undefined past either end. */
function resolve(index: TimeIndex | undefined, t: number, length: number): number | "before" | "after" {
  const u = stepOf(index, t, length);
  return u < 0 ? "before" : u >= length ? "after" : u;
}

/** The step `index` reads at step t: negative before the first, `length` or more past the last. */
const stepOf = (index: TimeIndex | undefined, t: number, length: number) =>
  !index ? 0 : index.kind === "step" ? t + index.offset : index.kind === "first" ? 0 : length - 1;

/**
 * A data field's or stored sequence's value at the step a node reads. Before the first step:
 * the window before's carry (truncated BPTT), else the init, else nothing (zeros; no token, -1).
 */
function readLeaf(node: Node, ctx: StepContext): Float64Array {
  const { batch, program } = ctx;
  const B = batch.size;
  const n = sizeOf(node);
  const out = new Float64Array(B * n);
  const name = node.attrs.name!;
  if (node.op === "value") return ctx.values.get(name)!.slice();
  const data = node.op === "data" ? program.data.find((d) => d.name === name)! : undefined;
  const sequence = node.op === "read" ? program.sequences.find((s) => s.name === name)! : undefined;
  const steps = data ? batch.fields.get(name)! : ctx.sequences.get(name)!;
  const lengths = lengthsOn(batch, (data ?? sequence)!.axis);
  const carry = ctx.carries.get(name);
  const depth = program.carries.find((c) => c.name === name)?.steps ?? 0;
  for (let b = 0; b < B; b++) {
    const u = data && !data.sequence ? 0 : stepOf(node.attrs.index, ctx.t, lengths[b]);
    const row = (from: Float64Array, at: number) => out.set(from.subarray(at * n, (at + 1) * n), b * n);
    if (u >= 0 && u < lengths[b]) row(steps, u * B + b);
    else if (u < 0 && carry) row(carry, b * depth + depth + u);
    else if (sequence?.init && (sequence.direction === "backward" ? u >= lengths[b] : u < 0)) row(ctx.values.get(sequence.init)!, b);
    else if (data?.kind === "ids") out[b] = -1; // no token here
  }
  return out;
}

/** Runs one step of a block's graph: every node's value. */
function runStep(block: Block, ctx: StepContext): Float64Array[] {
  const B = ctx.batch.size;
  const lengths = lengthsOn(ctx.batch, ctx.axis);
  const values: Float64Array[] = [];
  block.nodes.forEach((node, id) => {
    const args = node.args.map((a) => values[a]);
    const argNodes = node.args.map((a) => block.nodes[a]);
    switch (node.op) {
      case "param":
        values[id] = ctx.params.get(node.attrs.name!)!;
        break;
      case "const":
        values[id] = Float64Array.of(node.attrs.value!);
        break;
      case "data":
      case "read":
      case "value":
        values[id] = readLeaf(node, ctx);
        break;
      case "primal":
        values[id] = ctx.tape!.get(node.attrs.node!)![ctx.t];
        break;
      case "seed": {
        values[id] = Float64Array.from({ length: B }, (_, b) => (ctx.t < lengths[b] ? ctx.seeds(node.attrs.loss!, b) : 0));
        break;
      }
      case "adjoint": {
        const n = sizeOf(node);
        const source = node.attrs.into === "value" ? ctx.adjoints!.values.get(node.attrs.name!)! : ctx.adjoints!.sequences.get(node.attrs.name!)!;
        values[id] = node.attrs.into === "value" ? source.slice() : source.slice(ctx.t * B * n, (ctx.t + 1) * B * n);
        break;
      }
      case "accumulate":
        accumulate(node, args[0], argNodes[0], ctx);
        values[id] = new Float64Array(0);
        break;
      default: {
        // Per example when the node or anything it reads is (a batch sum reads B rows and
        // makes one); a shared vector read for a batch is the same row for every example.
        const rows = node.batched || argNodes.some((a) => a.batched) ? B : 1;
        const rowsOf = (x: Float64Array, a: Node) => (rows > 1 && !a.batched && a.shape.length < 2 ? repeatRows(x, sizeOf(a), rows) : x);
        values[id] = evaluate[node.op](node, args.map((x, k) => rowsOf(x, argNodes[k])), rows, argNodes, { t: ctx.t, training: ctx.batch.training });
      }
    }
  });
  return values;
}

/** `rows` copies of a shared row: what a per-example reader of a shared value sees. */
function repeatRows(row: Float64Array, n: number, rows: number): Float64Array {
  const out = new Float64Array(rows * n);
  for (let b = 0; b < rows; b++) out.set(row.subarray(0, n), b * n);
  return out;
}

/** A step's value as one row per example, whether it was computed per example or shared. */
const forEveryExample = (value: Float64Array, node: Node, B: number) => (node.batched ? value : repeatRows(value, sizeOf(node), B));

function accumulate(node: Node, x: Float64Array, xNode: Node, ctx: StepContext) {
  const adj = ctx.adjoints!;
  const name = node.attrs.name!;
  const B = ctx.batch.size;
  const n = sizeOf(xNode);
  if (node.attrs.into === "param") {
    const grad = adj.params.get(name)!;
    for (let i = 0; i < grad.length; i++) grad[i] += x[i];
    return;
  }
  if (node.attrs.into === "value") {
    const target = adj.values.get(name)!;
    for (let i = 0; i < B * n; i++) target[i] += x[i];
    return;
  }
  const info = ctx.program.sequences.find((s) => s.name === name)!;
  const target = adj.sequences.get(name)!;
  const lengths = lengthsOn(ctx.batch, info.axis);
  const initSide = info.direction === "backward" ? "after" : "before";
  for (let b = 0; b < B; b++) {
    const u = resolve(node.attrs.index, ctx.t, lengths[b]);
    if (typeof u === "number") for (let i = 0; i < n; i++) target[(u * B + b) * n + i] += x[b * n + i];
    else if (u === initSide && info.init) {
      const initAdj = adj.values.get(info.init)!;
      for (let i = 0; i < n; i++) initAdj[b * n + i] += x[b * n + i];
    }
  }
}

/** The weight of a loss term at example b: 1/B, or 1/(valid tokens) for `mean over tokens`. */
function seedsFor(program: Program, batch: Batch) {
  const weights = lossDenominators(program.losses, batch).map((d) => 1 / d);
  return (loss: number, _b: number) => weights[loss];
}

/** Runs a block: once, or each step of its loop in its direction. */
function runBlock(block: Block, index: number, ctx: Omit<StepContext, "t" | "axis">, keep?: Set<number>, tape?: Map<number, Map<number, Float64Array[]>>) {
  const B = ctx.batch.size;
  const T = block.kind === "loop" ? maxLength(ctx.batch, block.axis) : 1;
  const lengths = lengthsOn(ctx.batch, block.axis);
  const kept = new Map<number, Float64Array[]>();
  let loss = 0;
  for (let k = 0; k < T; k++) {
    const t = block.direction === "backward" ? T - 1 - k : k;
    const step = runStep(block, { ...ctx, t, ...(block.axis ? { axis: block.axis } : {}) });
    for (const id of keep ?? []) (kept.get(id) ?? kept.set(id, []).get(id)!)[t] = step[id];
    for (const { name, node } of block.stores) {
      const stored = forEveryExample(step[node], block.nodes[node], B);
      if (block.kind === "loop") ctx.sequences.get(name)!.set(stored, t * B * sizeOf(block.nodes[node]));
      else ctx.values.set(name, stored);
    }
    for (const term of block.losses)
      for (let b = 0; b < B; b++) if (t < lengths[b]) loss += ctx.seeds(term.loss, b) * step[term.node][b];
    for (const { name, node } of block.flows ?? []) ctx.adjoints!.flows.get(name)!.set(step[node], t * B * sizeOf(block.nodes[node]));
  }
  tape?.set(index, kept);
  return loss;
}

/** The forward pass: the loss, every stored sequence and value, and the kept values. */
/**
 * Runs the forward blocks: for `losses` (a training step, evaluation, each loss's prediction) all
 * but the declared outputs' blocks; for `outputs`, all but the losses' (no target is read).
 */
export function forward(program: Program, params: Params, batch: Batch, keep = new Map<number, Set<number>>(), purpose: "losses" | "outputs" = "losses"): ForwardResult {
  const sequences = new Map(program.sequences.map((s) => [s.name, new Float64Array(maxLength(batch, s.axis) * batch.size * s.size)]));
  const values = new Map<string, Float64Array>();
  const tape = new Map<number, Map<number, Float64Array[]>>();
  const ctx = { program, batch, params, sequences, values, carries: carriesOf(program, batch), seeds: seedsFor(program, batch) };
  let loss = 0;
  program.blocks.forEach((block, i) => {
    if (purpose === "losses" ? block.outputs : block.losses.length > 0) return;
    loss += runBlock(block, i, ctx, keep.get(i), tape);
  });
  return { loss, sequences, values, tape, carries: ctx.carries };
}

/** The batch's carries; where there is none (the first window), what is read before a first step: zeros, or no token (-1). */
function carriesOf(program: Program, batch: Batch): Map<string, Float64Array> {
  return new Map(
    program.carries.map((c) => {
      const given = batch.carry?.get(c.name);
      const ids = program.data.some((d) => d.name === c.name && d.kind === "ids");
      return [c.name, given ? given.slice() : new Float64Array(batch.size * c.steps * c.width).fill(ids ? -1 : 0)];
    }),
  );
}

/** The loss and the gradient of every param, by running the backward blocks. */
export function lossAndGradient(program: DifferentiatedProgram, params: Params, batch: Batch): { loss: number; grads: Params; forward: ForwardResult; adjoints: Adjoints } {
  const result = forward(program, params, batch, program.kept);
  const adjoints: Adjoints = {
    params: new Map(program.params.map((p) => [p.name, new Float64Array(p.shape.reduce((a, b) => a * b, 1))])),
    sequences: new Map(program.sequences.map((s) => [s.name, new Float64Array(maxLength(batch, s.axis) * batch.size * s.size)])),
    values: new Map(program.values.map((v) => [v.name, new Float64Array(batch.size * v.size)])),
    flows: new Map(
      program.backward.flatMap((block) => (block.flows ?? []).map(({ name, node }) => [name, new Float64Array(maxLength(batch, block.axis) * batch.size * sizeOf(block.nodes[node]))] as const)),
    ),
  };
  const ctx = { program, batch, params, sequences: result.sequences, values: result.values, carries: result.carries, adjoints, seeds: seedsFor(program, batch) };
  for (const block of program.backward) runBlock(block, -1, { ...ctx, tape: result.tape.get(block.primalOf!) ?? new Map() });
  return { loss: result.loss, grads: adjoints.params, forward: result, adjoints };
}

/**
 * What the next window reads before its first step (truncated BPTT): per carried name and
 * example, its last `steps` steps, oldest first; an example with fewer steps in this window
 * keeps the older ones from this window's carry.
 */
export function finalStates(program: Program, batch: Batch, result: ForwardResult): Map<string, Float64Array> {
  const B = batch.size;
  const lengths = lengthsOn(batch, "t");
  return new Map(
    program.carries.map((c) => {
      const steps = c.of === "data" ? batch.fields.get(c.name)! : result.sequences.get(c.name)!;
      const before = result.carries.get(c.name)!;
      const w = c.width;
      const out = new Float64Array(B * c.steps * w);
      for (let b = 0; b < B; b++)
        for (let j = 0; j < c.steps; j++) {
          const u = lengths[b] - c.steps + j; // the step that becomes step j - steps of the next window
          const from = u >= 0 ? steps.subarray((u * B + b) * w, (u * B + b + 1) * w) : before.subarray((b * c.steps + c.steps + u) * w, (b * c.steps + c.steps + u + 1) * w);
          out.set(from, (b * c.steps + j) * w);
        }
      return [c.name, out];
    }),
  );
}

/** Per recurrent state, at each step, the mean over the examples running there of |∂L/∂h_t| (runtime/model.ts's gradientFlow). */
export function gradientFlow(program: Program, batch: Batch, adjoints: Adjoints): Map<string, Float64Array> {
  const B = batch.size;
  const flow = new Map<string, Float64Array>();
  for (const s of program.sequences) {
    const d = adjoints.flows.get(s.name);
    if (!s.direction || !d) continue;
    const lengths = lengthsOn(batch, s.axis);
    const norms = new Float64Array(maxLength(batch, s.axis));
    for (let t = 0; t < norms.length; t++) {
      let sum = 0, count = 0;
      for (let b = 0; b < B; b++) {
        if (t >= lengths[b]) continue;
        sum += Math.hypot(...d.subarray((t * B + b) * s.size, (t * B + b + 1) * s.size));
        count++;
      }
      norms[t] = count > 0 ? sum / count : 0;
    }
    flow.set(s.name, norms);
  }
  return flow;
}
