// The programs of the batch-size sweep (sweep.test.ts): every kind of slice and every kind of
// time index of the language, in small models. Each lists the cases it covers, so that a
// failure names them; several cases share a model to keep the number of distinct kernels
// (compiled once per model, about a second each) moderate.
//
// Shared values (params, and whatever is computed from params and constants alone) meet
// per-example values in many of them on purpose: that meeting is where the emitter and the
// interpreter once read a shared value as if it held one copy per example.

import { numberArgumentFunctions, pairFunctions, shapeKeepingFunctions } from "../../compiler/ir/ops.ts";
import { matrixRowPrograms } from "./sweep-matrix-rows.ts";

export interface SweepProgram {
  /** The model's name, also the generated module's. */
  name: string;
  /** The cases it covers, as a failure should name them. */
  cases: string[];
  source: string;
  /** Sizes bound from the data: `vocab(name)` → 5. */
  dataSizes?: Record<string, number>;
  /** The time axes whose lengths the sweep varies. */
  axes: ("t" | "s")[];
}

/** The usual regression scaffold: one vector per step in, one per step out. */
const seqRegression = (name: string, body: string, definitions = "", width = 1) => `${definitions}
model ${name} {
  dims { H = 2 }
  input  x: seq<vec(${width})>
  target y: seq<vec(1)>
${body}
}`;

/** A layer with no input returning its own param: a shared value at model level. */
const learned = `
layer learned(N) {
  param v: [N] init zeros
  return v
}`;

/**
 * Every function of the language, read off the IR's op table (ir/ops.ts), each applied to a
 * per-step value inside a recurrence: a new op with a spelling is swept (and gradient-checked)
 * here without anyone adding a case. Their inputs, 1 + a², are positive, for log's sake.
 */
function everyFunction(): SweepProgram {
  const functions = [...shapeKeepingFunctions.keys()];
  // elu(a, 0.3) and the like; max(a, h) and the like, of two per-step values
  const calls = [
    ...functions.map((f) => `${f}(1 + a * a)`),
    ...[...numberArgumentFunctions.keys()].map((f) => `${f}(a, 0.3)`),
    ...[...pairFunctions.keys()].map((f) => `${f}(a, h)`),
  ];
  const terms = calls.join(" + ");
  return {
    name: "every_function",
    cases: calls.map((f) => `${f} of a per-step value`),
    source: seqRegression(
      "every_function",
      `  layer cell = c(1, H)
  layer out = dense(H, 1)
  h[t] = cell(x[t], h[t-1])
  loss mse(out(h[t]), y[t])`,
      `
cell c(I, H) {
  input x: [I]
  state h: [H]
  param W: [H, I + H] init glorot
  param b: [H] init zeros
  a = W @ concat(x, h) + b
  h' = tanh(a + 0.1 * (${terms}))
}`,
    ),
    axes: ["t"],
  };
}

export const sweepPrograms: SweepProgram[] = [
  everyFunction(),
  ...matrixRowPrograms,
  {
    name: "activations",
    cases: ["gelu, silu, abs, square, elu, leaky_relu of values either side of 0", "hard_sigmoid(3 * a) on its slope and both flat parts", "max(b, h), min(h, b) of a param and a state", "max(a, 0.2), min(-0.1, a) against a number", "elu(a, -0.5), leaky_relu(a, 2)"],
    source: seqRegression(
      "activations",
      `  layer cell = c(1, H)
  layer out = dense(H, 1)
  h[t] = cell(x[t], h[t-1])
  loss mse(out(h[t]), y[t])`,
      `
cell c(I, H) {
  input x: [I]
  state h: [H]
  param W: [H, I + H] init glorot
  param b: [H] init zeros
  a = W @ concat(x, h) + b
  u = gelu(a) + silu(a) - abs(a) + 0.1 * square(a) + elu(a, 1.5) + leaky_relu(a, 0.05) + elu(a, -0.5) + leaky_relu(a, 2)
  v = hard_sigmoid(3 * a) + max(b, h) + min(h, b) + max(a, 0.2) + min(-0.1, a)
  h' = tanh(0.3 * u + v)
}`,
    ),
    axes: ["t"],
  },
  {
    name: "param_slices",
    cases: ["b[0:H] of a param in a cell", "b[H:2*H] of a param in a cell", "shared * shared slices added to per-example data"],
    source: seqRegression(
      "param_slices",
      `  layer cell = c(1, H)
  layer out = dense(H, 1)
  h[t] = cell(x[t], h[t-1])
  loss mse(out(h[t]), y[t])`,
      `
cell c(I, H) {
  input x: [I]
  state h: [H]
  param W: [H, I + H] init glorot
  param b: [2*H] init zeros
  h' = tanh(W @ concat(x, h) + b[0:H] + b[0:H] * b[H:2*H])
}`,
    ),
    axes: ["t"],
  },
  {
    name: "shared_slices",
    cases: ["(2 * b)[0:H]", "softmax(b)[1:H+1]", "log_softmax(b)[H:2*H]", "a slice of a slice of a param b[1:2*H][0:H]", "(V @ p)[H:2*H] of a shared product"],
    source: seqRegression(
      "shared_slices",
      `  layer cell = c(1, H)
  layer out = dense(H, 1)
  h[t] = cell(x[t], h[t-1])
  loss mse(out(h[t]), y[t])`,
      `
cell c(I, H) {
  input x: [I]
  state h: [H]
  param W: [H, I + H] init glorot
  param b: [2*H] init zeros
  param V: [2*H, H] init glorot
  param p: [H] init ones
  h' = tanh(W @ concat(x, h) + (2 * b)[0:H] + softmax(b)[1:H+1] - log_softmax(b)[H:2*H] + b[1:2*H][0:H] * (V @ p)[H:2*H])
}`,
    ),
    axes: ["t"],
  },
  {
    name: "shared_meets_batched",
    cases: ["concat(p, x) of a param and data", "U @ q with q a param vector", "softmax(q) * h", "log_softmax(q) added to per-example", "concat(param, state) at model level"],
    source: seqRegression(
      "shared_meets_batched",
      `  layer cell = c(1, H)
  layer extra = learned(H)
  layer out = dense(2*H, 1)
  h[t] = cell(x[t], h[t-1])
  loss mse(out(concat(extra(), h[t])), y[t])`,
      `${learned}
cell c(I, H) {
  input x: [I]
  state h: [H]
  param W: [H, 2*I + H] init glorot
  param p: [I] init ones
  param U: [H, H] init glorot
  param q: [H] init ones
  h' = tanh(W @ concat(p, x, h) + U @ q + softmax(q) * h + log_softmax(q))
}`,
    ),
    axes: ["t"],
  },
  {
    name: "learned_init",
    cases: ["init h = start() (a learned initial state)", "init c = tanh(start2()) (a shared expression as initial state)"],
    source: seqRegression(
      "learned_init",
      `  layer start = learned(H)
  layer start2 = learned(H)
  layer cell = lstm(1, H)
  layer out = dense(H, 1)
  init h = start()
  init c = tanh(start2())
  (h[t], c[t]) = cell(x[t], h[t-1], c[t-1])
  loss mse(out(h[t]), y[t])`,
      learned,
    ),
    axes: ["t"],
  },
  {
    name: "shared_prediction",
    cases: ["mse(bias(), y[t]): a shared per-step prediction", "mse(pair()[0:1], v): a slice of a shared once prediction", "cross_entropy(logits(), k): shared logits"],
    source: `${learned}
model shared_prediction {
  input  x: seq<vec(1)>
  target y: seq<vec(1)>
  target v: vec(1)
  target k: class
  layer bias = learned(1)
  layer pair = learned(2)
  layer logits = learned(3)
  layer cell = rnn(1, 2)
  layer out = dense(2, 1)
  h[t] = cell(x[t], h[t-1])
  loss mse(bias(), y[t])
  loss mse(out(h[t]), y[t])
  loss mse(pair()[0:1], v)
  loss cross_entropy(logits(), k)
}`,
    dataSizes: { "classes(k)": 3 },
    axes: ["t"],
  },
  {
    name: "batched_slices",
    cases: ["x[0:1] of a cell's input", "h[H:2*H], h[0:H] of a state in a cell", "x[t][1:3] of per-step data", "x[t][0:3][1:2] a slice of a slice", "img[1:3] of a vec input"],
    source: `
cell c(I, H) {
  input x: [I]
  state h: [2*H]
  param W: [2*H, 1 + 2*H] init glorot
  h' = tanh(W @ concat(x[0:1], h[H:2*H], h[0:H]))
}
model batched_slices {
  dims { H = 2 }
  input  x: seq<vec(3)>
  input  img: vec(3)
  target y: seq<vec(1)>
  layer cell = c(3, H)
  layer out = dense(2*H + 3, 1)
  h[t] = cell(x[t], h[t-1])
  loss mse(out(concat(h[t], x[t][1:3], x[t][0:3][1:2])) + img[1:3][0:1], y[t])
}`,
    axes: ["t"],
  },
  {
    name: "lstm_once_slices",
    cases: ["a[0:H] … a[3*H:4*H] of a per-step intermediate (lstm)", "z[0:H], z[H:2*H] of a once-per-example value as inits", "out(h[t])[0:1] a slice in a loss's prediction", "z[1:2] a once value's slice as a prediction"],
    source: `
model lstm_once_slices {
  dims { H = 2 }
  input  x: seq<vec(1)>
  input  img: vec(2)
  target y: seq<vec(1)>
  target v: vec(1)
  layer proj = dense(2, 2*H)
  layer cell = lstm(1, H)
  layer out = dense(H, 2)
  z = tanh(proj(img))
  init h = z[0:H]
  init c = z[H:2*H]
  (h[t], c[t]) = cell(x[t], h[t-1], c[t-1])
  loss mse(out(h[t])[0:1], y[t])
  loss mse(z[1:2], v)
}`,
    axes: ["t"],
  },
  {
    name: "deep_states",
    cases: ["h[t-2] as a cell's state", "g[t-1] and g[t-3] in one recurrence", "a loss reading concat(h[t], h[t-2])", "a loss reading g[t-3]"],
    source: seqRegression(
      "deep_states",
      `  layer cell = rnn(1, H)
  layer lin = dense(1, H)
  layer out = dense(2*H, 1)
  layer out2 = dense(H, 1)
  h[t] = cell(x[t], h[t-2])
  g[t] = tanh(0.5 * g[t-1] - 0.5 * g[t-3] + lin(x[t]))
  loss mse(out(concat(h[t], h[t-2])), y[t])
  loss mse(out2(g[t-3]), y[t])`,
    ),
    axes: ["t"],
  },
  {
    name: "data_offsets",
    cases: ["x[t-1]", "x[t-2]", "x[t+1] (past the end: zeros)"],
    source: seqRegression(
      "data_offsets",
      `  layer cell = rnn(6, H)
  layer out = dense(H, 1)
  h[t] = cell(concat(x[t-1], x[t-2], x[t+1]), h[t-1])
  loss mse(out(h[t]), y[t])`,
      "",
      2,
    ),
    axes: ["t"],
  },
  {
    name: "directions",
    cases: ["a backward recurrence b[t+1]", "a loss reading h[t+1] of a forward sequence", "a loss reading b[t-1] of a backward sequence"],
    source: seqRegression(
      "directions",
      `  layer fw = rnn(1, H)
  layer bw = gru(1, H)
  layer out = dense(3*H, 1)
  h[t] = fw(x[t], h[t-1])
  b[t] = bw(x[t], b[t+1])
  loss mse(out(concat(h[t+1], b[t], b[t-1])), y[t])`,
    ),
    axes: ["t"],
  },
  {
    name: "first_last",
    cases: ["x[first], x[last] of data", "h[first], h[last] of a forward state", "b[first], b[last] of a backward state", "init h from data (x[last])", "init b of a backward recurrence"],
    source: `
model first_last {
  dims { H = 2 }
  input  x: seq<vec(2)>
  target v: vec(1)
  layer fw = rnn(2, H)
  layer bw = rnn(2, H)
  layer lin = dense(2, H)
  layer out = dense(4*H + 4, 1)
  init h = tanh(lin(x[last]))
  init b = tanh(lin(x[first]))
  h[t] = fw(x[t], h[t-1])
  b[t] = bw(x[t], b[t+1])
  loss mse(out(concat(h[first], h[last], b[first], b[last], x[first], x[last])), v)
}`,
    axes: ["t"],
  },
  {
    name: "autoregressive",
    cases: ["name[t-1] of an autoregressive target", "name[t-2] of an autoregressive target"],
    source: `
model autoregressive {
  dims { E = 2, H = 3 }
  target name: seq<token>
  layer emb  = embedding(vocab(name), E)
  layer cell = rnn(2*E, H)
  layer head = dense(H, vocab(name))
  h[t] = cell(concat(emb(name[t-1]), emb(name[t-2])), h[t-1])
  loss cross_entropy(head(h[t]), name[t])
}`,
    dataSizes: { "vocab(name)": 5 },
    axes: ["t"],
  },
  {
    name: "two_axes",
    cases: ["an encoder over s", "init d = e[last] across axes", "init dc = ec[last] + e[first]", "a decoder over t reading phones[t-1]"],
    source: `
model two_axes {
  dims { E = 2, H = 2 }
  input  spelling: seq<token>
  target phones: seq<token>
  layer es = embedding(vocab(spelling), E)
  layer ep = embedding(vocab(phones), E)
  layer enc = lstm(E, H)
  layer dec = lstm(E, H)
  layer out = dense(H, vocab(phones))
  (e[s], ec[s]) = enc(es(spelling[s]), e[s-1], ec[s-1])
  init d = e[last]
  init dc = ec[last] + e[first]
  (d[t], dc[t]) = dec(ep(phones[t-1]), d[t-1], dc[t-1])
  loss cross_entropy(out(d[t]), phones[t])
}`,
    dataSizes: { "vocab(spelling)": 4, "vocab(phones)": 5 },
    axes: ["s", "t"],
  },
  {
    name: "map_reads",
    cases: ["a map z[t] = tanh(lin(x[t]) + start()) over t", "z[t-1] read by a recurrence", "z[t+1] read by a loss"],
    source: seqRegression(
      "map_reads",
      `  layer lin = dense(1, H)
  layer start = learned(H)
  layer cell = rnn(2*H, H)
  layer out = dense(2*H, 1)
  z[t] = tanh(lin(x[t]) + start())
  h[t] = cell(concat(z[t], z[t-1]), h[t-1])
  loss mse(out(concat(h[t], z[t+1])), y[t])`,
      learned,
    ),
    axes: ["t"],
  },
];
