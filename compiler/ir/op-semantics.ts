// The definition of every computing op, in float64: what each one computes from its arguments'
// values for a batch of `B` rows. The reference interpreter (interpret.ts) runs blocks of them;
// the emitted code (6-emit/code-for-op.ts) and the kernels are tested against these.
import type { Node } from "./nodes.ts";
import type { Op } from "./ops.ts";
import { dropoutMask, NONE, stepKey, type Training } from "./dropout.ts";
import { normalCdf } from "./normal-cdf.ts";

const sizeOf = (n: Node) => n.shape.reduce((a, b) => a * b, 1);

/** What an op may read of its step besides its arguments: only dropout does (its masks' key, step and first example). */
export interface StepInfo {
  t: number;
  training?: Training;
}

export type Evaluate = (node: Node, args: Float64Array[], B: number, argNodes: Node[], step?: StepInfo) => Float64Array;

/**
 * dropout (locked: one mask for every step): x · mask, each entry of the mask 0 or 1/(1 - rate)
 * by dropoutMask, for example `offset + b`; x itself when the batch is not training.
 */
function dropout(locked: boolean): Evaluate {
  return (node, [x], _B, _argNodes, step) => {
    const training = step?.training;
    if (!training) return x.slice();
    const n = sizeOf(node), { site = 0, rate = 0 } = node.attrs;
    const key = stepKey(training), first = training.offset ?? 0;
    const out = new Float64Array(x.length);
    for (let b = 0; b < x.length / n; b++)
      for (let i = 0; i < n; i++) out[b * n + i] = x[b * n + i] * dropoutMask(key, site, first + b, locked ? NONE : step.t, i, rate);
    return out;
  };
}

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
/** The compiler's log-sum-exp and softmax, written once (the runtime has its own: runtime/sampling.ts). */
export const logSumExp = (row: ArrayLike<number>, from = 0, to = row.length) => {
  let max = -Infinity;
  for (let i = from; i < to; i++) max = Math.max(max, row[i]);
  let sum = 0;
  for (let i = from; i < to; i++) sum += Math.exp(row[i] - max);
  return max + Math.log(sum);
};

export function softmax(row: ArrayLike<number>, out: Float64Array): void {
  const lse = logSumExp(row);
  for (let i = 0; i < row.length; i++) out[i] = Math.exp(row[i] - lse);
}

/** The definition of every computing op. Leaves and sinks are handled by the block runner. */
export const evaluate: Record<Exclude<Op, "param" | "const" | "data" | "read" | "value" | "primal" | "seed" | "adjoint" | "accumulate">, Evaluate> = {
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
  softplus: unary(softplus),
  gelu: unary((a) => a * normalCdf(a)),
  normal_cdf: unary(normalCdf),
  elu: (node, [x]) => x.map((a) => (a > 0 ? a : node.attrs.alpha! * Math.expm1(a))),
  leaky_relu: (node, [x]) => x.map((a) => (a > 0 ? a : node.attrs.alpha! * a)),
  hard_sigmoid: unary((a) => Math.min(Math.max(0.2 * a + 0.5, 0), 1)),
  silu: unary((a) => a / (1 + Math.exp(-a))),
  abs: unary(Math.abs),
  sqrt: unary(Math.sqrt),
  square: unary((a) => a * a),
  max: binary(Math.max),
  min: binary(Math.min),
  dropout: dropout(false),
  locked_dropout: dropout(true),
  softmax: perExample((row, out) => softmax(row, out)),
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
  // The products' matrix rows: from `r0` (attrs.from, else 0), `m` of them (node.shape, g's shape).
  matvec: (node, [w, x], B, [nw]) => {
    const [m, n] = [node.shape[0], nw.shape[1]], r0 = node.attrs.from ?? 0;
    const out = new Float64Array(B * m);
    for (let b = 0; b < B; b++)
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += w[(r0 + i) * n + j] * x[b * n + j];
        out[b * m + i] = s;
      }
    return out;
  },
  matvec_t: (node, [w, g], B, [nw, ng]) => {
    const [m, n] = [ng.shape[0], nw.shape[1]], r0 = node.attrs.from ?? 0;
    const out = new Float64Array(B * n);
    for (let b = 0; b < B; b++)
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[b * n + j] += w[(r0 + i) * n + j] * g[b * m + i];
    return out;
  },
  outer: (node, [g, x], B, [ng]) => {
    const [m, n] = [ng.shape[0], node.shape[1]], r0 = node.attrs.from ?? 0;
    const out = new Float64Array(node.shape[0] * n); // rows outside from..to stay 0
    for (let b = 0; b < B; b++) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[(r0 + i) * n + j] += g[b * m + i] * x[b * n + j];
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
