// Parameter initializers, by the names the language uses (`param W: [H, I] init glorot`).
// Shapes are [rows, cols] for a weight used as W @ x: fan_out = rows, fan_in = cols.

import { householderQr } from "./qr.ts";
import type { Rng } from "./rng.ts";
import type { FloatArray } from "./types.ts";

export interface Init {
  name: string;
  args: number[];
}

type Initializer = (values: FloatArray, shape: readonly number[], args: readonly number[], rng: Rng) => void;

/** Name → how many arguments it takes and how it fills the values. */
const initializers: Record<string, { arity: number; fill: Initializer }> = {
  zeros: { arity: 0, fill: (values) => values.fill(0) },
  ones: { arity: 0, fill: (values) => values.fill(1) },

  // Glorot & Bengio 2010, uniform: U(-l, l) with l = sqrt(6 / (fan_in + fan_out)), which keeps
  // activations and gradients at about the same variance (2 / (fan_in + fan_out)) across layers.
  glorot: {
    arity: 0,
    fill: (values, shape, _args, rng) => {
      const { fanIn, fanOut } = fans(shape);
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < values.length; i++) values[i] = (2 * rng.next() - 1) * limit;
    },
  },

  // Saxe et al. 2014, as Keras does it: the Q of a Gaussian matrix's QR decomposition, its
  // columns' signs set by diag(R) so that Q is uniformly (Haar) distributed. A tall or square
  // weight gets orthonormal columns (WᵀW = I), a wide one orthonormal rows (WWᵀ = I).
  orthogonal: {
    arity: 0,
    fill: (values, shape, _args, rng) => {
      const { rows, cols } = asMatrix(shape);
      const m = Math.max(rows, cols);
      const n = Math.min(rows, cols);
      const gaussian = new Float64Array(m * n);
      for (let i = 0; i < gaussian.length; i++) gaussian[i] = rng.normal();
      const { q, rDiagonal } = householderQr(gaussian, m, n);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          const x = rDiagonal[j] < 0 ? -q[i * n + j] : q[i * n + j];
          // q is m×n: the weight itself when tall, its transpose when wide.
          values[rows >= cols ? i * cols + j : j * cols + i] = x;
        }
      }
    },
  },

  // The LSTM bias [i f o g], 4H long: a forget-gate bias of 1 lets the cell remember by default
  // early in training (Gers et al. 2000; Jozefowicz et al. 2015).
  lstm_bias: {
    arity: 0,
    fill: (values, shape) => {
      if (shape.length !== 1 || shape[0] % 4 !== 0) {
        throw new RangeError(`lstm_bias needs a 1-D shape [4*H], got [${shape.join(", ")}]`);
      }
      const h = shape[0] / 4;
      values.fill(0);
      values.fill(1, h, 2 * h);
    },
  },

  normal: {
    arity: 1,
    fill: (values, _shape, [std], rng) => {
      for (let i = 0; i < values.length; i++) values[i] = std * rng.normal();
    },
  },

  uniform: {
    arity: 1,
    fill: (values, _shape, [limit], rng) => {
      for (let i = 0; i < values.length; i++) values[i] = (2 * rng.next() - 1) * limit;
    },
  },
};

/**
 * Fills `values` (row-major, `shape`) by the initializer `init`, drawing from `rng`.
 * Names and arities are checked by the compiler; an unknown one here is a programming error.
 */
export function initialize(values: FloatArray, shape: readonly number[], init: Init, rng: Rng): void {
  const initializer = Object.hasOwn(initializers, init.name) ? initializers[init.name] : undefined;
  if (!initializer) throw new Error(`unknown initializer "${init.name}"`);
  if (init.args.length !== initializer.arity) {
    throw new Error(`initializer "${init.name}" takes ${initializer.arity} argument(s), got ${init.args.length}`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== values.length) throw new RangeError(`shape [${shape.join(", ")}] has ${size} values, the array ${values.length}`);
  initializer.fill(values, shape, init.args, rng);
}

/**
 * The matrix a shape stands for: [rows, cols] as is; higher ranks as [shape[0], product of the
 * rest]; a vector [n] as one row [1, n] (orthogonal makes it a random unit vector); a scalar [1, 1].
 */
function asMatrix(shape: readonly number[]): { rows: number; cols: number } {
  if (shape.length === 0) return { rows: 1, cols: 1 };
  const cols = shape.slice(1).reduce((a, b) => a * b, 1);
  return shape.length === 1 ? { rows: 1, cols: shape[0] } : { rows: shape[0], cols };
}

/**
 * Glorot's fans. A vector [n] (rarely glorot-initialized: biases default to zeros) counts as
 * fan_in = fan_out = n, so its limit is sqrt(3 / n) — the variance of an n×n weight.
 */
function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  const { rows, cols } = asMatrix(shape);
  return { fanIn: cols, fanOut: rows };
}
