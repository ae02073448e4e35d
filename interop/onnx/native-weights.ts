// A recognised prelude cell's params, laid out as ONNX's LSTM, GRU and RNN operators take them
// (onnx.ai/onnx/operators: LSTM, GRU, RNN; one direction, so the leading dimension is 1). The
// params come in the prelude cell's own order (the recogniser's mapping puts a user's gates
// back in it):
//
//   W [1, gates·H, I]   the input weights, gate blocks in ONNX's order
//   R [1, gates·H, H]   the recurrent weights, same order
//   B [1, 2·gates·H]    input biases then recurrent biases
//
//   LSTM  gates i, o, f, c      rnnc's lstm: one W [4H, I+H] on concat(x, h), gates i, f, o, g
//   GRU   gates z, r, h         rnnc's gru is reset-before (linear_before_reset = 0) and keeps the
//                               old state where z is 0 — ONNX keeps it where z is 1 — so its z
//                               rows and bias are negated: sigmoid(-a) = 1 - sigmoid(a)
//                               gru_reset_after is ONNX's linear_before_reset = 1, as it is
//   RNN   one gate              activations Tanh (rnn) or Relu (rnn_relu)
//
// lstm_hard_sigmoid and gru_hard_sigmoid are laid out as lstm and gru, with their gates'
// activation HardSigmoid (alpha 0.2, beta 0.5: rnnc's hard_sigmoid): activations [HardSigmoid,
// Tanh, Tanh] (LSTM) or [HardSigmoid, Tanh] (GRU). activation_alpha and activation_beta hold one
// value each: ONNX Runtime reads them in order for the activations that take them, and Tanh takes
// none. The GRU's negated z holds here too: clip(0.5 - 0.2a, 0, 1) = 1 - clip(0.2a + 0.5, 0, 1).
import type { CellKind, RecognisedCell } from "../recognise/index.ts";
import { attr } from "./graph.ts";
import type { Attribute } from "./onnx-proto.ts";

/** ONNX's operator for each recognised cell. */
export const nativeOps: Record<CellKind, "LSTM" | "GRU" | "RNN"> = {
  lstm: "LSTM",
  gru: "GRU",
  gru_reset_after: "GRU",
  rnn: "RNN",
  rnn_relu: "RNN",
  lstm_hard_sigmoid: "LSTM",
  gru_hard_sigmoid: "GRU",
};

export interface NativeLayout {
  op: "LSTM" | "GRU" | "RNN";
  gates: number;
  W: Float32Array;
  R: Float32Array;
  B: Float32Array;
  attributes: Attribute[]; // besides hidden_size and direction
}

/** Rows [from, from + H) and columns [c0, c1) of a row-major matrix with `cols` columns, times `sign`. */
function block(m: ArrayLike<number>, cols: number, from: number, H: number, c0: number, c1: number, sign = 1): number[] {
  const out: number[] = [];
  for (let r = from; r < from + H; r++) for (let c = c0; c < c1; c++) out.push(sign * m[r * cols + c]);
  return out;
}

const slice = (v: ArrayLike<number>, from: number, to: number, sign = 1) => Array.from({ length: to - from }, (_, i) => sign * v[from + i]);

/** `p(role)`: the cell's param in that role (`W`, `bz`), in the prelude cell's row order. */
export function nativeLayout(cell: RecognisedCell, p: (role: string) => Float32Array): NativeLayout {
  const { hidden: H, inputSize: I } = cell;
  const op = nativeOps[cell.kind];
  const pack = (gates: number, w: number[], r: number[], b: number[], attributes: Attribute[]): NativeLayout => ({
    op,
    gates,
    W: Float32Array.from(w),
    R: Float32Array.from(r),
    B: Float32Array.from([...b, ...new Array<number>(gates * H).fill(0)].slice(0, 2 * gates * H)),
    attributes,
  });
  switch (cell.kind) {
    case "lstm":
    case "lstm_hard_sigmoid": {
      const W = p("W"), b = p("b");
      const order = [0, 2, 1, 3]; // ONNX i, o, f, c ← rnnc's i, f, o, g
      return pack(
        4,
        order.flatMap((g) => block(W, I + H, g * H, H, 0, I)),
        order.flatMap((g) => block(W, I + H, g * H, H, I, I + H)),
        order.flatMap((g) => slice(b, g * H, (g + 1) * H)),
        cell.kind === "lstm" ? [] : hardSigmoidGates(["HardSigmoid", "Tanh", "Tanh"]),
      );
    }
    case "gru":
    case "gru_hard_sigmoid": {
      const gates: [string, string, number][] = [["Wz", "bz", -1], ["Wr", "br", 1], ["W", "b", 1]];
      return pack(
        3,
        gates.flatMap(([w, , s]) => block(p(w), I + H, 0, H, 0, I, s)),
        gates.flatMap(([w, , s]) => block(p(w), I + H, 0, H, I, I + H, s)),
        gates.flatMap(([, b, s]) => slice(p(b), 0, H, s)),
        [attr.int("linear_before_reset", 0), ...(cell.kind === "gru" ? [] : hardSigmoidGates(["HardSigmoid", "Tanh"]))],
      );
    }
    case "gru_reset_after":
      return pack(3, [...p("Wx")], [...p("Wh")], [...p("bx"), ...p("bh")], [attr.int("linear_before_reset", 1)]);
    case "rnn":
    case "rnn_relu": {
      const W = p("W");
      return pack(1, block(W, I + H, 0, H, 0, I), block(W, I + H, 0, H, I, I + H), slice(p("b"), 0, H), [
        attr.strings("activations", [cell.kind === "rnn" ? "Tanh" : "Relu"]),
      ]);
    }
  }
}

/** The operator's activations, the gates' HardSigmoid first with rnnc's hard_sigmoid's slope and offset. */
const hardSigmoidGates = (activations: string[]): Attribute[] => [
  attr.strings("activations", activations),
  { name: "activation_alpha", kind: "floats", value: [0.2] },
  { name: "activation_beta", kind: "floats", value: [0.5] },
];
