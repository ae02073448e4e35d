// What the fuzzer has found, kept: each program here once failed somewhere in the pipeline (or
// in the fuzzer's harness), and is checked by every run of test/robustness/fuzz.test.ts, which
// holds it to a clean refusal or to a model that type-checks and trains a step like the
// interpreter. A new failure found by `npm run fuzz` is added here with its seed, as found.

export interface Regression {
  name: string; // what went wrong, briefly
  seed: number; // the seed that found it (and that runs it: its data sizes and batch)
  source: string;
}

export const regressions: Regression[] = [
  {
    // bptt carries the last 10^20 steps of c: the harness allocated them. The checker now refuses an offset over 2^31 - 1.
    name: "a read 10^20 steps back under bptt",
    seed: 248,
    source: `model far_back {
  dims { H = 2 }
  input x0: seq<vec(1)>
  target y0: seq<class>
  layer rec = lstm(1, H)
  layer out = dense(H, 2)
  (h[t], c[t]) = rec(x0[t], h[t-1], c[t-99999999999999999999])
  loss cross_entropy(out(h[t]), y0[t])
  train { bptt 2 }
}
`,
  },
  {
    // The emitted module's begin(P, batch) read the field into `batch = batch.fields.get("batch")`: a wrong loss, and tsc errors.
    name: "a target named batch",
    seed: 102223,
    source: `model fuzz102223 {
  dims { E = 2, H = 3, G = 1, K = 2 }
  input x0: seq<vec(1)>
  input x1: seq<vec(1)>
  target batch: seq<vec(2)>
  layer rec0 = rnn_relu(1, 2*H)
  layer lin2 = dense(2*H, 2)
  layer lin4 = dense(1, 3)
  h1[t] = rec0(x0[t], h1[t-1])
  loss mse(lin2(h1[t]), batch[t])
  output o3[t] = softmax(lin4(x1[t]))
  train { optimizer adam(0.01, 0.8)  batch 5  weight_decay 1e-4  bptt 3 }
}
`,
  },
  {
    // Fields named as the module's own functions and locals: begin, forward0, backward1, outputValues, outputs, v0, s00, P4.
    name: "fields named as the emitted module's own functions",
    seed: 30,
    source: `model own_names {
  dims { H = 2 }
  input begin: seq<vec(2)>
  input forward0: seq<token>
  input v0: vec(2)
  target outputValues: seq<class>
  target backward1: vec(2)
  target outputs: class
  layer emb = embedding(vocab(forward0), H)
  layer rec = gru(2 + H, H)
  layer proj = dense(2, H)
  layer s00 = dense(H, classes(outputValues))
  layer P4 = dense(H, 2)
  layer u1 = dense(H, 3)
  init h = tanh(proj(v0))
  h[t] = rec(concat(begin[t], emb(forward0[t])), h[t-1])
  loss cross_entropy(s00(h[t]), outputValues[t])
  loss mse(P4(h[last]), backward1)
  loss cross_entropy(u1(h[last]), outputs)
  output predictions[t] = softmax(s00(h[t]))
}
`,
  },
  {
    // normal(1e400) is normal(Infinity): it was accepted, and written into the module as \`args: [null]\` (a tsc error).
    name: "an initializer of an infinite number",
    seed: 468,
    source: `cell c(I, H) {
  input x: [I]
  state h: [H]
  param W: [H, I + H] init normal(1e400)
  h' = tanh(W @ concat(x, h))
}
model m {
  input x: seq<vec(2)>
  target y: seq<vec(1)>
  layer rec = c(2, 3)
  layer out = dense(3, 1)
  h[t] = rec(x[t], h[t-1])
  loss mse(out(h[t]), y[t])
}
`,
  },
  {
    // The decoder written before the encoder: its init (d = e[last]) ran before e's loop, reading zeros, or in the
    // emitted module the last batch's e (predict and gradientFlow then differed from the interpreter).
    name: "an init that reads a loop written after it",
    seed: 304014,
    source: `model g2p {
  (d[t], dc[t]) = dec(ep(phones[t-1]), d[t-1], dc[t-1])
  input  spelling: seq<token>
  target phones: seq<token>
  layer es = embedding(vocab(spelling), E)
  layer ep = embedding(vocab(phones), E)
  layer enc = lstm(E, H)
  layer dec = lstm(E, H)
  layer out = dense(H, vocab(phones))
  (e[s], ec[s]) = enc(es(spelling[s]), e[s-1], ec[s-1])
  init d = e[last]
  init dc = ec[last]
  dims { E = 2, H = 4 }
  loss cross_entropy(out(d[t]), phones[t])
}
`,
  },
];
