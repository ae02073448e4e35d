// Malformed programs and the exact diagnostic each must give: where (the caret stands at
// the start of `at`), what (the message) and, where there is one, the hint. The first error
// by position is the one compared.
import { describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/index.ts";
import { formatDiagnostic } from "../../compiler/diagnostics.ts";
import { at, errors } from "../helpers.ts";

/** The parity model of LANGUAGE.md with its equations (and any extra lines) replaced. */
const parity = (body: string, extraDeclarations = "") => `model m {
  dims { H = 16 }
  input  bits: seq<token>
  target even: class
  layer cell = gru(2, H)
  layer head = dense(H, 2)
${extraDeclarations}
${body}
  train { optimizer adam(lr: 0.01)  batch 32 }
}
`;
const recurrence = "  h[t] = cell(onehot(bits[t], 2), h[t-1])";
const loss = "  loss cross_entropy(head(h[last]), even)";

/** A tagger: token sequence in, a class per step out, LSTMs both ways. */
const tagger = (body: string) => `model tagger {
  dims { E = 64, H = 128 }
  input  words: seq<token>
  target tags: seq<class>
  layer emb = embedding(vocab(words), E)
  layer enc = lstm(E, H)
  layer out = dense(H, classes(tags))
  e[t] = emb(words[t])
${body}
}
`;

/** A name generator: the target is read at t-1 and predicted at t. */
const names = (body: string) => `model names {
  dims { E = 32, H = 128 }
  target name: seq<token>
  layer emb  = embedding(vocab(name), E)
  layer cell = lstm(E, H)
  layer head = dense(H, vocab(name))
${body}
}
`;

const cell = (body: string) => `cell mine(I, H) {
  input x: [I]
  state h: [H]
${body}
}
`;

interface Case {
  name: string;
  source: string;
  at: string; // the caret stands at the first occurrence of this text (or the `nth`)
  nth?: number;
  message: string;
  hint?: string;
}

const cases: Case[] = [
  // ---- text that is not a program ---------------------------------------------------------
  { name: "empty file", source: "", at: "", message: "empty file: expected a `model`, `cell` or `layer` definition", hint: "start with `model NAME { ... }`" },
  { name: "only comments", source: "// nothing here\n/* nor here */\n", at: "//", message: "empty file: expected a `model`, `cell` or `layer` definition" },
  {
    name: "binary garbage",
    source: "\u007fELF\u0002\u0001\u0001\u0000\u0000\u0000",
    at: "\u0000",
    message: "this does not look like a .rnn file: it contains binary data",
    hint: "a .rnn file is text: models, cells and layers",
  },
  {
    name: "unterminated comment",
    source: parity(`${recurrence}\n  /* the loss comes here\n${loss}`),
    at: "/*",
    message: "unterminated comment: `/*` has no closing `*/`",
    hint: "close the comment with `*/`",
  },
  {
    name: "stray characters",
    source: parity(`${recurrence} $$\n${loss}`),
    at: "$$",
    message: "unexpected characters `$$`",
  },
  {
    name: "a parenthesis never closed",
    source: parity(`  h[t] = cell(onehot(bits[t], 2), h[t-1]\n${loss}`),
    at: "\n  loss",
    message: "expected `)` but found end of line",
  },
  {
    name: "a model without a name",
    source: "model {\n}\n",
    at: "{",
    message: "expected a name but found `{`",
  },

  // ---- names ------------------------------------------------------------------------------
  {
    name: "unknown value, with a suggestion",
    source: parity(`  h[t] = cell(onehot(bits[t], 2), hh[t-1])\n${loss}`),
    at: "hh[t-1]",
    message: "unknown name `hh`",
    hint: "did you mean `h`?",
  },
  {
    name: "unknown layer in a call",
    source: parity(`  h[t] = cel(onehot(bits[t], 2), h[t-1])\n${loss}`),
    at: "cel(",
    message: "unknown function or layer `cel`",
    hint: "did you mean `cell`?",
  },
  {
    name: "unknown cell definition",
    source: parity(`${recurrence}\n${loss}`).replace("gru(2, H)", "gruu(2, H)"),
    at: "gruu",
    message: "unknown cell or layer `gruu`",
    hint: "did you mean `gru`?",
  },
  {
    name: "duplicate layer",
    source: parity(`${recurrence}\n${loss}`, "  layer head = dense(H, 2)"),
    at: "head",
    nth: 2,
    message: "`head` is already defined",
    hint: "the first definition is on line 6",
  },
  {
    name: "duplicate equation",
    source: parity(`${recurrence}\n${recurrence}\n${loss}`),
    at: "h[t] =",
    nth: 2,
    message: "`h` is already defined",
    hint: "the first definition is on line 8",
  },
  {
    name: "loss on an undefined target",
    source: parity(`${recurrence}\n  loss cross_entropy(head(h[last]), evn)`),
    at: "evn",
    message: "unknown name `evn`",
    hint: "did you mean `even`?",
  },
  {
    name: "assigning an input",
    source: parity(`  bits[t] = cell(onehot(bits[t], 2), h[t-1])\n${loss}`),
    at: "bits[t] =",
    message: "`bits` is an input; it cannot be assigned",
  },
  {
    name: "a definition called as if it were a layer of the model",
    source: parity(`  h[t] = gru(onehot(bits[t], 2), h[t-1])\n${loss}`),
    at: "gru(onehot",
    message: "`gru` is a definition, not a layer of this model",
    hint: "instantiate it first: layer cell = gru(...)",
  },
  {
    name: "unknown initializer",
    source: cell("  param W: [H, I + H] init glorrot\n  h' = tanh(W @ concat(x, h))"),
    at: "glorrot",
    message: "unknown initializer `glorrot`",
    hint: "did you mean `glorot`?",
  },
  {
    name: "an lstm_bias that is not four gates",
    source: cell("  param b: [H] init lstm_bias\n  h' = tanh(b + h)"),
    at: "lstm_bias",
    message: "initializer `lstm_bias` needs a vector of size 4*H, but the param is [H]",
  },
  {
    name: "unknown type",
    source: parity(`${recurrence}\n${loss}`).replace("seq<token>", "sequence<token>"),
    at: "sequence",
    message: "unknown type `sequence`",
    hint: "did you mean `seq`?",
  },
  {
    name: "a type an input cannot have",
    source: parity(`${recurrence}\n${loss}`, "  input label: class"),
    at: "class",
    nth: 2,
    message: "`class` cannot be the type of an input",
    hint: "an input is seq<token>, seq<vec(N)> or vec(N)",
  },

  // ---- sizes and shapes ---------------------------------------------------------------------
  {
    name: "matrix–vector product with the wrong inner size, both shapes named",
    source: cell("  param W: [H, I] init glorot\n  h' = tanh(W @ concat(x, h))"),
    at: "W @",
    message: "`W @ concat(x, h)`: W is [H, I] but concat(x, h) is [H + I]",
    hint: "the columns of W must match the size of concat(x, h)",
  },
  {
    name: "elementwise shapes differ",
    source: tagger(
      "  (f[t], fc[t]) = enc(e[t], f[t-1], fc[t-1])\n  loss cross_entropy(out(f[t] + e[t]), tags[t])",
    ),
    at: "f[t] + e[t]",
    message: "`f[t] + e[t]`: f[t] is [128] but e[t] is [64]",
    hint: "elementwise operands have the same shape, or one of them is a scalar",
  },
  {
    name: "an argument of the wrong size for the cell",
    source: parity(`  h[t] = cell(onehot(bits[t], 3), h[t-1])\n${loss}`),
    at: "onehot(bits[t], 3)",
    message: "argument 1 of `cell` (x) must be [2], but `onehot(bits[t], 3)` is [3]",
  },
  {
    name: "a layer given the wrong number of sizes",
    source: parity(`${recurrence}\n${loss}`).replace("gru(2, H)", "gru(2)"),
    at: "gru(2)",
    message: "`gru` takes 2 sizes (I, H), but was given 1 size",
  },
  {
    name: "a size that comes to zero",
    source: parity(`${recurrence}\n${loss}`).replace("dense(H, 2)", "dense(H, H - 16)"),
    at: "H - 16",
    message: "`H - 16` is 0, but a size must be at least 1",
  },
  {
    name: "a dim that is not a whole number",
    source: parity(`${recurrence}\n${loss}`).replace("H = 16", "H = 0.5"),
    at: "0.5",
    message: "dim `H` must be a whole number of at least 1",
  },
  {
    name: "vocab() of something that is not a token sequence",
    source: parity(`${recurrence}\n${loss}`, "  layer emb = embedding(vocab(even), 8)"),
    at: "even), 8",
    message: "vocab(even): `even` is not a token sequence",
    hint: "vocab() names a token sequence",
  },
  {
    name: "a slice past the end of a vector",
    source: cell("  param W: [H, I + H] init glorot\n  a = W @ concat(x, h)\n  h' = tanh(a[0:2*H])"),
    at: "a[0:2*H]",
    message: "slice [0:2*H] is out of range: `a` has H entries",
  },
  {
    name: "a token used as a number",
    source: parity(`  h[t] = cell(bits[t] + 1, h[t-1])\n${loss}`),
    at: "bits[t] + 1",
    message: "`bits[t]` is a token id, not a vector",
    hint: "turn it into a vector with an embedding layer or onehot(bits[t], N)",
  },

  // ---- cells --------------------------------------------------------------------------------
  {
    name: "a cell that never updates its state",
    source: cell("  param W: [H, I + H] init glorot\n  y = tanh(W @ concat(x, h))"),
    at: "mine",
    message: "cell `mine` never sets `h'`: each state needs its next value",
    hint: "add `h' = ...`",
  },
  {
    name: "a cell with no state",
    source: "cell plain(I) {\n  input x: [I]\n  y = tanh(x)\n}\n",
    at: "plain",
    message: "cell `plain` has no state",
    hint: "a stateless layer is written `layer plain(...) { ... return ... }`",
  },
  {
    name: "a layer without return",
    source: "layer plain(I) {\n  input x: [I]\n  y = tanh(x)\n}\n",
    at: "plain",
    message: "layer `plain` has no `return`",
    hint: "end it with `return` and the layer's value",
  },
  {
    name: "a time index inside a cell",
    source: cell("  h' = tanh(x[t])"),
    at: "x[t]",
    message: "`x[t]` has a time index, but a cell is one step",
    hint: "inside a cell, a state `h` is its previous value and `h'` its next",
  },
  {
    name: "a next value for something that is not a state",
    source: cell("  h' = tanh(h)\n  x' = x"),
    at: "x' =",
    message: "`x'` is not the next value of a state",
    hint: "only states get a next value; `x` is not a state of this cell",
  },
  {
    name: "a state declared with a prime",
    source: "cell c(H) {\n  state h': [H]\n  h' = h\n}\n",
    at: "h':",
    message: "`h'` cannot be declared with a `'`",
    hint: "`'` marks a state's next value in a cell's equations; declare `h`",
  },
  {
    name: "a primed name in a model",
    source: parity(`  h' = cell(onehot(bits[t], 2), h[t-1])\n${loss}`),
    at: "h' =",
    message: "`h'` is a cell's next state, but this is not a cell",
    hint: "in a model, index the value by time: h[t]",
  },
  {
    name: "locals of a cell that depend on each other",
    source: cell("  a = tanh(b)\n  b = tanh(a)\n  h' = a"),
    at: "a)",
    message: "a depends on itself at the same step: a → b → a",
    hint: "a recurrence reads an earlier step, such as h[t-1]",
  },

  // ---- cell calls ---------------------------------------------------------------------------
  {
    name: "a cell call missing a state",
    source: tagger("  (f[t], fc[t]) = enc(e[t], f[t-1])\n  loss cross_entropy(out(f[t]), tags[t])"),
    at: "enc(e[t]",
    message: "`enc` is a cell with 1 input (x) and 2 states (h, c): it takes 3 arguments, but was given 2",
    hint: "a cell call passes each input, then each state's previous value: cell(x[t], h[t-1])",
  },
  {
    name: "more values assigned than the cell has states",
    source: tagger("  (f[t], fc[t], z[t]) = enc(e[t], f[t-1], fc[t-1])\n  loss cross_entropy(out(f[t]), tags[t])"),
    at: "(f[t], fc[t], z[t])",
    message: "`enc` returns 2 states (h, c), but 3 values are assigned",
    hint: "assign every state, in declaration order: (h[t], c[t]) = cell(...)",
  },
  {
    name: "a two-state cell inside an expression",
    source: tagger("  f[t] = enc(e[t], f[t-1], f[t-1])\n  loss cross_entropy(out(f[t]), tags[t])"),
    at: "enc(",
    message: "`enc` returns 2 states, so its call must be the whole right side of a tuple assignment",
  },

  // ---- time ---------------------------------------------------------------------------------
  {
    name: "a time index that cannot be computed",
    source: parity(`  h[t] = cell(onehot(bits[t*2], 2), h[t-1])\n${loss}`),
    at: "t*2",
    message: "`t*2` is not a time index that can be computed",
    hint: "write t, t-k, t+k (k a whole number), first or last; s likewise on a second axis",
  },
  {
    // Found by the fuzzer: the layer silently took the place of the function in every call.
    name: "a layer named like a built-in function",
    source: parity(`  h[t] = cell(onehot(bits[t], 2), h[t-1])\n${loss}`, "  layer tanh = dense(2, 2)"),
    at: "tanh",
    message: "a layer cannot be called `tanh`: that is a built-in function, and `tanh(...)` would call the layer instead",
    hint: "give the layer another name (tanh_layer)",
  },
  {
    // Found by the fuzzer: the offset reached the harness, which tried to keep 10^20 steps.
    name: "a time offset longer than any sequence",
    source: parity(`  h[t] = cell(onehot(bits[t], 2), h[t-99999999999999999999])\n${loss}`),
    at: "t-99999999999999999999",
    message: "`t-99999999999999999999` reaches further than any sequence can be long (2,147,483,647 steps)",
    hint: "a sequence is shorter than 2^31 steps; write a smaller k in t-k or t+k",
  },
  {
    name: "a value that depends on itself at the same step",
    source: parity(`  h[t] = cell(onehot(bits[t], 2), h[t])\n${loss}`),
    at: "h[t])",
    message: "h[t] depends on itself at the same step: h[t] → h[t]",
    hint: "a recurrence reads an earlier step, such as h[t-1]",
  },
  {
    name: "two values that depend on each other at the same step",
    source: parity(`  a[t] = tanh(b[t])\n  b[t] = cell(onehot(bits[t], 2), a[t])\n  h[t] = a[t]\n${loss}`),
    at: "b[t])",
    message: "a[t] depends on itself at the same step: a[t] → b[t] → a[t]",
  },
  {
    name: "a recurrence with no initial state whose size cannot be inferred",
    source: parity(`  g[t] = tanh(g[t-1])\n${recurrence}\n${loss}`),
    at: "g[t-1]",
    message: "`g[t-1]` reads g before its first step, but g has no initial state and its size cannot be inferred",
    hint: "give it one: init g = ...",
  },
  {
    name: "a recurrence that reads both earlier and later steps",
    source: parity(`  h[t] = cell(onehot(bits[t], 2), h[t-1] + h[t+1])\n${loss}`),
    at: "h[t+1]",
    message: "the recurrence of `h` reads both earlier and later steps of itself",
    hint: "a recurrence runs forward in time (t-k) or backward (t+k), not both",
  },
  {
    name: "a recurrence that reads its own last step",
    source: parity(`  h[t] = cell(onehot(bits[t], 2), h[last])\n${loss}`),
    at: "h[last]",
    message: "`h` depends on `h[last]`, which is only known once every step of h is computed",
  },
  {
    name: "the left side indexed by an earlier step",
    source: parity(`  h[t-1] = cell(onehot(bits[t], 2), h[t-1])\n${loss}`),
    at: "h[t-1] =",
    message: "`h[t-1]` cannot be defined: the left side is indexed by the step itself",
    hint: "write h[t] (or h[s] on a second time axis)",
  },
  {
    name: "a value of another axis read at a step",
    source: `model g2p {
  dims { E = 8, H = 16 }
  input  spelling: seq<token>
  target phones: seq<token>
  layer es = embedding(vocab(spelling), E)
  layer ep = embedding(vocab(phones), E)
  layer enc = gru(E, H)
  layer dec = gru(E, H)
  layer out = dense(H, vocab(phones))
  e[s] = enc(es(spelling[s]), e[s-1])
  d[t] = dec(ep(phones[t-1]), e[s])
  loss cross_entropy(out(d[t]), phones[t])
}
`,
    at: "e[s])",
    message: "`e[s]` reads the axis s, but this equation runs over t",
    hint: "a value on s is read here at first or last",
  },
  {
    name: "a sequence read without a step",
    source: parity(`${recurrence}\n  loss cross_entropy(head(h), even)`),
    at: "h)",
    message: "`h` is a sequence: read one of its steps",
    hint: "write h[t], h[t-1] or h[last]",
  },
  {
    name: "a time index on something that is not a sequence",
    source: parity(`${recurrence}\n  z = head(h[last])\n  loss cross_entropy(z[last], even)`),
    at: "z[last]",
    message: "`z` is not a sequence, so it has no time index",
  },
  {
    name: "init of a value that is no recurrence",
    source: parity(`${recurrence}\n  z = head(h[last])\n  init z = head(h[first])\n${loss}`),
    at: "z = head(h[first])",
    message: "`init z`: no step reads z before it is computed, so it has no initial value to set",
    hint: "init sets the state a recurrence starts from, such as h[-1] for h[t-1]",
  },
  {
    name: "init of the wrong size",
    source: parity(`${recurrence}\n  init h = onehot(bits[first], 2)\n${loss}`),
    at: "onehot(bits[first], 2)",
    message: "`init h` is [2], but h is [16]",
  },

  // ---- targets and losses ---------------------------------------------------------------------
  {
    name: "a target read at the step where it is predicted",
    source: names("  (h[t], c[t]) = cell(emb(name[t]), h[t-1], c[t-1])\n  loss cross_entropy(head(h[t]), name[t])"),
    at: "name[t]),",
    message: "`name[t]` reads the target name at the step where it is predicted: the model would see its answer",
    hint: "read the step before: name[t-1] (the target is then autoregressive)",
  },
  {
    name: "a class target read by the equations",
    source: parity(`${recurrence}\n  init h = onehot(even, 16)\n${loss}`),
    at: "even, 16",
    message: "target `even` is what the model predicts; its equations cannot read it",
    hint: "declare it an input if the model reads it",
  },
  {
    name: "unknown loss",
    source: parity(`${recurrence}\n  loss crossentropy(head(h[last]), even)`),
    at: "crossentropy",
    message: "unknown loss `crossentropy`",
    hint: "did you mean `cross_entropy`?",
  },
  {
    name: "a per-step prediction for a per-example target",
    source: parity(`${recurrence}\n  loss cross_entropy(head(h[t]), even)`),
    at: "head(h[t])",
    message: "`head(h[t])` changes at every step, but the target even is one per example",
    hint: "predict it from one step, such as h[last]",
  },
  {
    name: "binary cross-entropy of a class from two logits",
    source: parity(`${recurrence}\n  loss binary_cross_entropy(head(h[last]), even)`),
    at: "head(h[last])",
    message: "binary_cross_entropy: the prediction `head(h[last])` is [2], but binary_cross_entropy of a class takes one logit",
  },
  {
    name: "a model with no loss",
    source: parity(recurrence),
    at: "m {",
    message: "model `m` has no loss: there is nothing to train",
    hint: "add one, such as loss cross_entropy(head(h[last]), y)",
  },
  {
    name: "an unknown reduction",
    source: tagger("  (f[t], fc[t]) = enc(e[t], f[t-1], fc[t-1])\n  loss cross_entropy(out(f[t]), tags[t]) mean over steps"),
    at: "steps",
    message: "`mean over steps` is not a reduction",
    hint: "write `mean over tokens` (or nothing, to sum over steps and average over examples)",
  },

  // ---- train block ----------------------------------------------------------------------------
  {
    name: "unknown train setting",
    source: parity(`${recurrence}\n${loss}`).replace("batch 32", "batchsize 32"),
    at: "batchsize",
    message: "unknown train setting `batchsize`",
    hint: "did you mean `batch`?",
  },
  {
    name: "a batch of zero",
    source: parity(`${recurrence}\n${loss}`).replace("batch 32", "batch 0"),
    at: "batch 0",
    message: "`batch` takes a whole number of examples, at least 1",
  },
  {
    name: "unknown optimizer",
    source: parity(`${recurrence}\n${loss}`).replace("adam(", "adamw("),
    at: "adamw",
    message: "unknown optimizer `adamw`",
    hint: "did you mean `adam`?",
  },
  {
    name: "unknown optimizer argument",
    source: parity(`${recurrence}\n${loss}`).replace("lr: 0.01", "rate: 0.01"),
    at: "rate",
    message: "adam has no argument `rate`",
  },
  {
    name: "freezing a layer the model does not have",
    source: parity(`${recurrence}\n${loss}`).replace("batch 32", "batch 32  freeze heed"),
    at: "heed",
    message: "`freeze heed`: the model has no layer `heed`",
    hint: "did you mean `head`?",
  },
];

describe("malformed programs give exact diagnostics", () => {
  it("has at least 40 cases", () => expect(cases.length).toBeGreaterThanOrEqual(40));

  it.each(cases)("$name", ({ source, at: marker, nth, message, hint }) => {
    const [first] = errors(source);
    expect(first, "no error was reported").toBeDefined();
    expect({ line: first.line, column: first.column, message: first.message }).toEqual({ ...at(source, marker, nth), message });
    if (hint) expect(first.hint).toBe(hint);
  });
});

describe("the printer", () => {
  it("points at the start of a file that begins with a blank line", () => {
    const source = "\n// nothing but a comment\n";
    const result = checkSource(source, "blank.rnn");
    expect(formatDiagnostic(result.diagnostics[0], "blank.rnn", source)).toBe(
      "blank.rnn:1:1: error: empty file: expected a `model`, `cell` or `layer` definition\n  \n  ^\n  hint: start with `model NAME { ... }`",
    );
  });
});
