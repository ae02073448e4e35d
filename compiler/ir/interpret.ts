// A slow, plain reference interpreter of the IR, in float64: the living definition of every
// op, and the oracle that generated code and gradients are tested against.
import type { Axis, Block, DifferentiatedProgram, Node, Program, TimeIndex } from "./nodes.ts";
import { batchDenominators } from "../../runtime/batch.ts";
import type { Op } from "./ops.ts";

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

/** What a step's leaves read; everything else is the op table below. */
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

interface Adjoints {
  params: Params;
  sequences: Map<string, Float64Array>;
  values: Map<string, Float64Array>;
}

type Evaluate = (node: Node, args: Float64Array[], B: number, argNodes: Node[]) => Float64Array;

/** Elementwise on two operands, either of which may be a scalar (per example or shared). */
function binary(f: (a: number, b: number) => number): Evaluate {
  return (node, [x, y], B, [nx, ny]) => {
    const n = sizeOf(node);
    const out = new Float64Array(B * n);
    const sx = sizeOf(nx), sy = sizeOf(ny);
    for (let b = 0; b < B; b++)
      for (let i = 0; i < n; i++) {
        const a = x[(nx.batched ? b * sx : 0) + (sx === 1 ? 0 : i)];
        const c = y[(ny.batched ? b * sy : 0) + (sy === 1 ? 0 : i)];
        out[b * n + i] = f(a, c);
      }
    return node.batched ? out : out.subarray(0, n);
  };
}

function unary(f: (a: number) => number): Evaluate {
  return (_node, [x]) => x.map(f);
}

/** Applies `f` to each example's row. */
function perExample(f: (row: Float64Array, out: Float64Array) => void): Evaluate {
  return (node, args, B, argNodes) => {
    const n = sizeOf(node);
    const out = new Float64Array(B * n);
    const m = sizeOf(argNodes[0]);
    for (let b = 0; b < B; b++) f(args[0].subarray(b * m, (b + 1) * m), out.subarray(b * n, (b + 1) * n));
    return out;
  };
}

const sigmoid = (a: number) => 1 / (1 + Math.exp(-a));
const softplus = (a: number) => Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a)));
const logSumExp = (row: ArrayLike<number>, from = 0, to = row.length) => {
  let max = -Infinity;
  for (let i = from; i < to; i++) max = Math.max(max, row[i]);
  let sum = 0;
  for (let i = from; i < to; i++) sum += Math.exp(row[i] - max);
  return max + Math.log(sum);
};

/** The definition of every computing op. Leaves and sinks are handled by the block runner. */
const evaluate: Record<Exclude<Op, "param" | "const" | "data" | "read" | "value" | "primal" | "seed" | "adjoint" | "accumulate">, Evaluate> = {
  add: binary((a, b) => a + b),
  sub: binary((a, b) => a - b),
  mul: binary((a, b) => a * b),
  div: binary((a, b) => a / b),
  neg: unary((a) => -a),
  sigmoid: unary(sigmoid),
  tanh: unary(Math.tanh),
  relu: unary((a) => Math.max(a, 0)),
  step: unary((a) => (a > 0 ? 1 : 0)),
  exp: unary(Math.exp),
  log: unary(Math.log),
  softmax: perExample((row, out) => {
    const lse = logSumExp(row);
    for (let i = 0; i < row.length; i++) out[i] = Math.exp(row[i] - lse);
  }),
  log_softmax: perExample((row, out) => {
    const lse = logSumExp(row);
    for (let i = 0; i < row.length; i++) out[i] = row[i] - lse;
  }),
  sum: perExample((row, out) => {
    out[0] = row.reduce((a, b) => a + b, 0);
  }),
  broadcast: perExample((row, out) => out.fill(row[0])),
  batch_sum: (node, [x], B) => {
    const n = sizeOf(node);
    const out = new Float64Array(n);
    for (let b = 0; b < B; b++) for (let i = 0; i < n; i++) out[i] += x[b * n + i];
    return out;
  },
  concat: (node, args, B, argNodes) => {
    const n = sizeOf(node);
    const out = new Float64Array(B * n);
    for (let b = 0; b < B; b++) {
      let at = 0;
      args.forEach((x, k) => {
        const m = sizeOf(argNodes[k]);
        out.set(x.subarray(b * m, (b + 1) * m), b * n + at);
        at += m;
      });
    }
    return out;
  },
  slice: (node, [x], B, [nx]) => {
    const n = sizeOf(nx), { from = 0, to = 0 } = node.attrs;
    const out = new Float64Array(B * (to - from));
    for (let b = 0; b < B; b++) out.set(x.subarray(b * n + from, b * n + to), b * (to - from));
    return out;
  },
  pad: (node, [g], B) => {
    const n = node.attrs.size!, { from = 0, to = 0 } = node.attrs;
    const out = new Float64Array(B * n);
    for (let b = 0; b < B; b++) out.set(g.subarray(b * (to - from), (b + 1) * (to - from)), b * n + from);
    return out;
  },
  onehot: perExample((row, out) => {
    const id = row[0];
    if (id >= 0 && id < out.length) out[id] = 1; // an id out of range is all zeros (as tf.one_hot)
  }),
  matvec: (_node, [w, x], B, [nw]) => {
    const [m, n] = nw.shape;
    const out = new Float64Array(B * m);
    for (let b = 0; b < B; b++)
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += w[i * n + j] * x[b * n + j];
        out[b * m + i] = s;
      }
    return out;
  },
  matvec_t: (_node, [w, g], B, [nw]) => {
    const [m, n] = nw.shape;
    const out = new Float64Array(B * n);
    for (let b = 0; b < B; b++)
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[b * n + j] += w[i * n + j] * g[b * m + i];
    return out;
  },
  outer: (node, [g, x], B) => {
    const [m, n] = node.shape;
    const out = new Float64Array(m * n);
    for (let b = 0; b < B; b++) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] += g[b * m + i] * x[b * n + j];
    return out;
  },
  gather: (_node, [w, ids], B, [nw]) => {
    const [m, v] = nw.shape;
    const out = new Float64Array(B * m);
    for (let b = 0; b < B; b++) {
      const id = ids[b];
      if (id >= 0 && id < v) for (let i = 0; i < m; i++) out[b * m + i] = w[i * v + id];
    }
    return out;
  },
  scatter: (node, [g, ids], B) => {
    const [m, v] = node.shape;
    const out = new Float64Array(m * v);
    for (let b = 0; b < B; b++) {
      const id = ids[b];
      if (id >= 0 && id < v) for (let i = 0; i < m; i++) out[i * v + id] += g[b * m + i];
    }
    return out;
  },
  cross_entropy: (_node, [z, ids], B, [nz]) => {
    const k = sizeOf(nz);
    const out = new Float64Array(B);
    for (let b = 0; b < B; b++) {
      const id = ids[b];
      out[b] = id >= 0 && id < k ? logSumExp(z, b * k, (b + 1) * k) - z[b * k + id] : 0;
    }
    return out;
  },
  binary_cross_entropy: (_node, [z, y], B, [nz]) => {
    const n = sizeOf(nz);
    const out = new Float64Array(B);
    for (let b = 0; b < B; b++) for (let i = 0; i < n; i++) out[b] += softplus(z[b * n + i]) - y[b * n + i] * z[b * n + i];
    return out;
  },
  mse: (_node, [p, y], B, [np]) => {
    const n = sizeOf(np);
    const out = new Float64Array(B);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < n; i++) out[b] += (p[b * n + i] - y[b * n + i]) ** 2;
      out[b] /= n;
    }
    return out;
  },
};


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
        values[id] = evaluate[node.op](node, args.map((x, k) => rowsOf(x, argNodes[k])), rows, argNodes);
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
  const weights = batchDenominators(program.losses, batch).map((d) => 1 / d);
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
  }
  tape?.set(index, kept);
  return loss;
}

/** The forward pass: the loss, every stored sequence and value, and the kept values. */
export function forward(program: Program, params: Params, batch: Batch, keep = new Map<number, Set<number>>()): ForwardResult {
  const sequences = new Map(program.sequences.map((s) => [s.name, new Float64Array(maxLength(batch, s.axis) * batch.size * s.size)]));
  const values = new Map<string, Float64Array>();
  const tape = new Map<number, Map<number, Float64Array[]>>();
  const ctx = { program, batch, params, sequences, values, carries: carriesOf(program, batch), seeds: seedsFor(program, batch) };
  let loss = 0;
  program.blocks.forEach((block, i) => {
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
export function lossAndGradient(program: DifferentiatedProgram, params: Params, batch: Batch): { loss: number; grads: Params; forward: ForwardResult } {
  const result = forward(program, params, batch, program.kept);
  const adjoints: Adjoints = {
    params: new Map(program.params.map((p) => [p.name, new Float64Array(p.shape.reduce((a, b) => a * b, 1))])),
    sequences: new Map(program.sequences.map((s) => [s.name, new Float64Array(maxLength(batch, s.axis) * batch.size * s.size)])),
    values: new Map(program.values.map((v) => [v.name, new Float64Array(batch.size * v.size)])),
  };
  const ctx = { program, batch, params, sequences: result.sequences, values: result.values, carries: result.carries, adjoints, seeds: seedsFor(program, batch) };
  for (const block of program.backward) runBlock(block, -1, { ...ctx, tape: result.tape.get(block.primalOf!) ?? new Map() });
  return { loss: result.loss, grads: adjoints.params, forward: result };
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
