// Rows of a matrix in a product, `R[0:2*H] @ h` (issue 13): the programs the batch-size sweep
// (sweep.test.ts) runs through the interpreter, central differences and the emitted modules,
// and the stacked-weight GRU other tests share.
import type { SweepProgram } from "./sweep-programs.ts";

/**
 * A GRU as ONNX and PyTorch keep its weights: the gates' rows stacked in one matrix each, in
 * ONNX's order z, r, n, the reset gate applied after the recurrent product. It computes what the
 * prelude's gru_reset_after computes with the same params (W its Wx, R its Wh, bw, br its bx, bh).
 */
export const stackedGru = `
cell stacked_gru(I, H) {
  input x: [I]
  state h: [H]
  param W: [3*H, I] init glorot
  param R: [3*H, H] init glorot
  param bw: [3*H] init zeros
  param br: [3*H] init zeros
  zr = sigmoid(W[0:2*H] @ x + R[0:2*H] @ h + bw[0:2*H] + br[0:2*H])
  z = zr[0:H]
  r = zr[H:2*H]
  n = tanh(W[2*H:3*H] @ x + bw[2*H:3*H] + r * (R[2*H:3*H] @ h + br[2*H:3*H]))
  h' = (1 - z) * n + z * h
}`;

/** Every way the rows of a matrix reach a product, each meeting what else the matrix does. */
const mixed = `
cell mixed(I, H) {
  input x: [I]
  input o: [3]
  state u: [H]
  param R: [3*H, H] init glorot
  param W: [2*H, I] init glorot
  param E: [2*H, 3] init glorot
  u' = tanh((R @ u)[0:H] + R[0:2*H][H:2*H] @ u + (W[H:2*H]) @ x + (W[0:2*H] @ x)[H:2*H] + (2 * W)[0:H] @ x + (E @ o)[0:H] + E[H:2*H] @ o)
}
layer head(I, O) {
  input x: [I]
  param P: [2*O, I] init glorot
  return P[O:2*O] @ x
}`;

export const matrixRowPrograms: SweepProgram[] = [
  {
    name: "matrix_rows",
    cases: [
      "W[0:2*H] @ x, R[2*H:3*H] @ h: a stacked-weight GRU",
      "R @ u and R[0:2*H][H:2*H] @ u: a matrix whole and its rows of rows",
      "(W[H:2*H]) @ x in parentheses, and W[0:2*H] @ x of all its rows",
      "(2 * W)[0:H] @ x: rows of a computed shared matrix",
      "E @ o (a lookup) beside E[H:2*H] @ o of a one-hot",
      "P[O:2*O] @ z in a block run once",
    ],
    source: `${stackedGru}${mixed}
model matrix_rows {
  dims { H = 2 }
  input  x: seq<vec(2)>
  input  k: seq<token>
  input  img: vec(2)
  target y: seq<vec(1)>
  layer g = stacked_gru(2, H)
  layer m = mixed(2, H)
  layer p = head(2, H)
  layer out = dense(2*H, 1)
  init h = tanh(p(img))
  h[t] = g(x[t], h[t-1])
  u[t] = m(x[t], onehot(k[t], 3), u[t-1])
  loss mse(out(concat(h[t], u[t])), y[t])
}`,
    dataSizes: { "vocab(k)": 3 },
    axes: ["t"],
  },
  {
    name: "matrix_rows_wide",
    cases: ["a stacked-weight GRU of 6 units over 9 inputs: rows at offsets the kernels' blocks of 4 and 8 do not divide"],
    source: `${stackedGru}
model matrix_rows_wide {
  dims { H = 6 }
  input  x: seq<vec(9)>
  target y: seq<vec(1)>
  layer g = stacked_gru(9, H)
  layer out = dense(H, 1)
  h[t] = g(x[t], h[t-1])
  loss mse(out(h[t]), y[t])
}`,
    axes: ["t"],
  },
];
