// One layer's parameters between rnnc's layout and tf.layers' (both ways). The maps are
// permutations, transpositions and sign flips, so the same functions carry gradients too: the
// gradient of a tfjs weight, read back with `fromTfjs`, is the gradient of the rnnc param.
//
// rnnc (compiler/prelude.rnn) multiplies W @ concat(x, h): one matrix [rows = outputs, cols =
// inputs then state]. tf.layers computes x·kernel + h·recurrentKernel: kernel [input, units ×
// gates] and recurrentKernel [units, units × gates], gates side by side along the columns.
//
//   dense      W [O, I], b [O]                  kernel [I, O] = Wᵀ, bias [O]
//   embedding  W [E, V]                         embeddings [V + 1, E]: row 0 is padding (the
//                                               mask, `maskZero`), row id + 1 is column id of W
//   rnn        W [H, I+H], b [H]                kernel [I, H], recurrentKernel [H, H], bias [H]
//   rnn_relu   the same, activation relu
//   lstm       W [4H, I+H], b [4H], rows in     kernel [I, 4H], recurrentKernel [H, 4H], bias
//              gate order i, f, o, g            [4H], columns in gate order i, f, c (= g), o
//   gru        Wz, Wr, W [H, I+H]; bz, br, b;   kernel [I, 3H], recurrentKernel [H, 3H], bias
//              h' = (1-z)*h + z*hc              [3H], gates z, r, h; h' = z*h + (1-z)*hh
//   lstm_hard_sigmoid, gru_hard_sigmoid: as lstm and gru (recurrentActivation hardSigmoid)
//
// The GRU's update gate is the other way round in Keras and tfjs: their z keeps the old state,
// rnnc's z takes the new candidate. sigmoid(-a) = 1 - sigmoid(a), so tfjs's z equals 1 - rnnc's
// z exactly when its z weights and bias are rnnc's negated: the z columns carry -Wz and -bz.
// hard_sigmoid is as symmetric: clip(0.5 - 0.2a, 0, 1) = 1 - clip(0.2a + 0.5, 0, 1).
// The reset gate is applied before the recurrent product in both (`resetAfter: false`, the only
// form tfjs 4 has): hh = tanh(x·Wx + (r*h)·Wh + b), rnnc's tanh(W @ concat(x, r*h) + b).
import type { FloatArray } from "../../runtime/types.ts";
import { TfjsError } from "./errors.ts";

/** The prelude definitions that have a tf.layers counterpart, by their rnnc name. */
export type LayerKind = "dense" | "embedding" | "rnn" | "rnn_relu" | "lstm" | "gru" | "lstm_hard_sigmoid" | "gru_hard_sigmoid";
export const layerKinds: readonly LayerKind[] = ["dense", "embedding", "rnn", "rnn_relu", "lstm", "gru", "lstm_hard_sigmoid", "gru_hard_sigmoid"];

export interface Weight {
  shape: number[];
  values: FloatArray;
}

/** rnnc's params of one layer, by their name inside the layer: `W`, `b`, `Wz`... */
export type LayerParams = Record<string, Weight>;

/** The tfjs weights of an rnnc layer, in the order `layer.getWeights()` lists them. */
export function toTfjs(kind: LayerKind, params: LayerParams): Weight[] {
  switch (kind) {
    case "dense": {
      const [O, I] = shapeOf(params, "W", 2);
      return [{ shape: [I, O], values: transpose(params.W.values, O, I) }, vector(params, "b", O)];
    }
    case "embedding": {
      const [E, V] = shapeOf(params, "W", 2);
      const out = new Float32Array((V + 1) * E); // row 0 stays zero: the padding id
      for (let e = 0; e < E; e++) for (let v = 0; v < V; v++) out[(v + 1) * E + e] = params.W.values[e * V + v];
      return [{ shape: [V + 1, E], values: out }];
    }
    case "rnn":
    case "rnn_relu": {
      const [H, IH] = shapeOf(params, "W", 2);
      return recurrent([{ W: params.W.values, row: 0, sign: 1 }], H, IH - H, [vector(params, "b", H).values]);
    }
    case "lstm":
    case "lstm_hard_sigmoid": {
      const [H4, IH] = shapeOf(params, "W", 2);
      const H = H4 / 4;
      const b = vector(params, "b", H4).values;
      // tfjs's gate q (i, f, c, o) is rnnc's gate lstmGates[q] (rnnc: i = 0, f = 1, o = 2, g = 3).
      const blocks = lstmGates.map((g) => ({ W: params.W.values, row: g * H, sign: 1 }));
      return recurrent(blocks, H, IH - H, lstmGates.map((g) => b.subarray(g * H, (g + 1) * H)));
    }
    case "gru":
    case "gru_hard_sigmoid": {
      const [H, IH] = shapeOf(params, "Wz", 2);
      for (const name of ["Wr", "W"]) shapeOf(params, name, 2, [H, IH]);
      const biases = ["bz", "br", "b"].map((name) => vector(params, name, H).values);
      const blocks = [
        { W: params.Wz.values, row: 0, sign: -1 }, // z: negated (see the top of this file)
        { W: params.Wr.values, row: 0, sign: 1 },
        { W: params.W.values, row: 0, sign: 1 },
      ];
      return recurrent(blocks, H, IH - H, [negate(biases[0]), biases[1], biases[2]]);
    }
  }
}

/** rnnc's params of a layer from its tfjs weights (as `toTfjs` lists them). */
export function fromTfjs(kind: LayerKind, weights: Weight[]): Record<string, Float32Array> {
  switch (kind) {
    case "dense": {
      const [I, O] = weightShape(weights, 0, 2, "kernel");
      weightShape(weights, 1, 1, "bias", [O]);
      return { W: transpose(weights[0].values, I, O), b: Float32Array.from(weights[1].values) };
    }
    case "embedding": {
      const [V1, E] = weightShape(weights, 0, 2, "embeddings");
      const V = V1 - 1;
      const W = new Float32Array(E * V);
      for (let e = 0; e < E; e++) for (let v = 0; v < V; v++) W[e * V + v] = weights[0].values[(v + 1) * E + e];
      return { W };
    }
    case "rnn":
    case "rnn_relu": {
      const { H, I, kernel, recurrentKernel, bias } = recurrentWeights(weights, 1);
      const W = new Float32Array(H * (I + H));
      unblock(W, 0, 1, kernel, recurrentKernel, 0, H, I, 1);
      return { W, b: Float32Array.from(bias) };
    }
    case "lstm":
    case "lstm_hard_sigmoid": {
      const { H, I, kernel, recurrentKernel, bias } = recurrentWeights(weights, 4);
      const W = new Float32Array(4 * H * (I + H));
      const b = new Float32Array(4 * H);
      lstmGates.forEach((g, q) => {
        unblock(W, g * H, 1, kernel, recurrentKernel, q, H, I, 4);
        b.set(bias.subarray(q * H, (q + 1) * H), g * H);
      });
      return { W, b };
    }
    case "gru":
    case "gru_hard_sigmoid": {
      const { H, I, kernel, recurrentKernel, bias } = recurrentWeights(weights, 3);
      const [Wz, Wr, W] = [-1, 1, 1].map((sign, q) => {
        const out = new Float32Array(H * (I + H));
        unblock(out, 0, sign, kernel, recurrentKernel, q, H, I, 3);
        return out;
      });
      const [bz, br, b] = [0, 1, 2].map((q) => Float32Array.from(bias.subarray(q * H, (q + 1) * H)));
      return { Wz, Wr, W, bz: negate(bz), br, b };
    }
  }
}

/** tfjs's LSTM gates i, f, c, o are rnnc's gates 0 (i), 1 (f), 3 (g), 2 (o). */
const lstmGates = [0, 1, 3, 2] as const;

/**
 * kernel [I, H·G], recurrentKernel [H, H·G], bias [H·G] from G blocks of rows of rnnc matrices
 * [·, I + H] (block q: rows row..row+H of W, times sign) and G bias pieces.
 */
function recurrent(blocks: { W: FloatArray; row: number; sign: number }[], H: number, I: number, biases: FloatArray[]): Weight[] {
  const G = blocks.length;
  const kernel = new Float32Array(I * H * G);
  const recurrentKernel = new Float32Array(H * H * G);
  const bias = new Float32Array(H * G);
  blocks.forEach(({ W, row, sign }, q) => {
    for (let j = 0; j < H; j++) {
      const from = (row + j) * (I + H);
      for (let k = 0; k < I; k++) kernel[k * H * G + q * H + j] = sign * W[from + k];
      for (let k = 0; k < H; k++) recurrentKernel[k * H * G + q * H + j] = sign * W[from + I + k];
      bias[q * H + j] = biases[q][j];
    }
  });
  return [
    { shape: [I, H * G], values: kernel },
    { shape: [H, H * G], values: recurrentKernel },
    { shape: [H * G], values: bias },
  ];
}

/** Writes gate q of tfjs's kernels (G gates) into rows row..row+H of an rnnc matrix W [·, I + H]. */
function unblock(W: Float32Array, row: number, sign: number, kernel: FloatArray, recurrentKernel: FloatArray, q: number, H: number, I: number, G: number): void {
  for (let j = 0; j < H; j++) {
    const to = (row + j) * (I + H);
    for (let k = 0; k < I; k++) W[to + k] = sign * kernel[k * H * G + q * H + j];
    for (let k = 0; k < H; k++) W[to + I + k] = sign * recurrentKernel[k * H * G + q * H + j];
  }
}

function recurrentWeights(weights: Weight[], G: number) {
  const [I, HG] = weightShape(weights, 0, 2, "kernel");
  const H = HG / G;
  if (!Number.isInteger(H)) throw new TfjsError(`the kernel has ${HG} columns, not a multiple of ${G} gates`);
  weightShape(weights, 1, 2, "recurrent kernel", [H, HG]);
  weightShape(weights, 2, 1, "bias", [HG]);
  return { H, I, kernel: weights[0].values, recurrentKernel: weights[1].values, bias: weights[2].values };
}

function transpose(values: FloatArray, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = values[i * cols + j];
  return out;
}

const negate = (values: FloatArray) => Float32Array.from(values, (x) => -x);

function shapeOf(params: LayerParams, name: string, rank: number, expected?: number[]): number[] {
  const p = Object.hasOwn(params, name) ? params[name] : undefined;
  if (!p) throw new TfjsError(`no parameter ${name}`);
  if (p.shape.length !== rank || (expected && p.shape.some((d, i) => d !== expected[i])))
    throw new TfjsError(`parameter ${name} has shape [${p.shape.join(", ")}], expected ${expected ? `[${expected.join(", ")}]` : `rank ${rank}`}`);
  return p.shape;
}

function vector(params: LayerParams, name: string, n: number): Weight {
  shapeOf(params, name, 1, [n]);
  return { shape: [n], values: Float32Array.from(params[name].values) };
}

function weightShape(weights: Weight[], i: number, rank: number, what: string, expected?: number[]): number[] {
  const w = weights[i];
  if (!w) throw new TfjsError(`no ${what} (weight ${i + 1} of ${weights.length})`);
  if (w.shape.length !== rank || (expected && w.shape.some((d, k) => d !== expected[k])))
    throw new TfjsError(`the ${what} has shape [${w.shape.join(", ")}], expected ${expected ? `[${expected.join(", ")}]` : `rank ${rank}`}`);
  return w.shape;
}
