// The IR's primitive operations, one entry each: what kind of op it is, how many arguments it
// takes, and how the language spells it (if it does). Every value is per example (the batch is
// implicit) except params and constants, which are shared. A few leaf ops bring values into a
// step's graph (params, data, stored sequences and values) and a few sink ops take adjoints out.
//
// An op's other concerns are exhaustive tables keyed by Op, each in the phase it belongs to —
// its meaning (ir/op-semantics.ts), its shape rule (ir/validate.ts), its derivative
// (4-differentiate/vjp-rules.ts), its TypeScript (6-emit/code-for-op.ts), its ONNX lowering —
// so a new entry here makes `tsc` name every one still missing. The checker and the lowering
// read the language's functions and operators off this table (`spellings` below).

export type OpKind = "leaf" | "elementwise" | "feature" | "product" | "loss" | "sink";

/** How a user writes an op: a function (`sigmoid(x)`), an operator (`a + b`), other syntax, or not at all. */
export type Spelling =
  | { function: string; argument: "any" | "vector" | "its own rule" } // `vector`: the features of one vector (softmax)
  | { function: string; argument: "any, and a number" } // elu(x, 1.0): the number, written out, is attrs.alpha
  | { function: string; argument: "two, as +" } // max(a, b): elementwise, a scalar operand broadcasts
  | { loss: string }
  | { operator: "+" | "-" | "*" | "/" | "@" | "unary -" }
  | { syntax: string }
  | "not in the language";

export interface OpInfo {
  kind: OpKind;
  arity: number | "any";
  spelling: Spelling;
  /** What it computes, in a few words: for --dump-ir readers and for whoever adds the next op. */
  does: string;
}

export const ops = {
  // leaves: where a step's inputs come from
  param: { kind: "leaf", arity: 0, spelling: "not in the language", does: "a learned weight: attrs.name" },
  const: { kind: "leaf", arity: 0, spelling: { syntax: "a number: 0.5" }, does: "a number: attrs.value" },
  data: { kind: "leaf", arity: 0, spelling: { syntax: "an input or target: x[t]" }, does: "an input or target at a time index: attrs.name, attrs.index" },
  read: { kind: "leaf", arity: 0, spelling: { syntax: "a sequence's step: h[t-1]" }, does: "a stored sequence at a time index: attrs.name, attrs.index" },
  value: { kind: "leaf", arity: 0, spelling: { syntax: "a value computed once: z" }, does: "a per-example value computed once: attrs.name" },
  // elementwise; a scalar operand broadcasts
  add: { kind: "elementwise", arity: 2, spelling: { operator: "+" }, does: "a + b" },
  sub: { kind: "elementwise", arity: 2, spelling: { operator: "-" }, does: "a - b" },
  mul: { kind: "elementwise", arity: 2, spelling: { operator: "*" }, does: "a * b" },
  div: { kind: "elementwise", arity: 2, spelling: { operator: "/" }, does: "a / b" },
  neg: { kind: "elementwise", arity: 1, spelling: { operator: "unary -" }, does: "-a" },
  sigmoid: { kind: "elementwise", arity: 1, spelling: { function: "sigmoid", argument: "any" }, does: "1 / (1 + e^-x)" },
  tanh: { kind: "elementwise", arity: 1, spelling: { function: "tanh", argument: "any" }, does: "tanh x" },
  relu: { kind: "elementwise", arity: 1, spelling: { function: "relu", argument: "any" }, does: "max(x, 0)" },
  step: { kind: "elementwise", arity: 1, spelling: "not in the language", does: "1 where x > 0, else 0 (relu's derivative)" },
  exp: { kind: "elementwise", arity: 1, spelling: { function: "exp", argument: "any" }, does: "e^x" },
  log: { kind: "elementwise", arity: 1, spelling: { function: "log", argument: "any" }, does: "ln x" },
  softplus: { kind: "elementwise", arity: 1, spelling: { function: "softplus", argument: "any" }, does: "ln(1 + e^x), a smooth relu" },
  gelu: { kind: "elementwise", arity: 1, spelling: { function: "gelu", argument: "any" }, does: "x·Φ(x), Φ the standard normal CDF (the exact form, not tanh's)" },
  normal_cdf: { kind: "elementwise", arity: 1, spelling: "not in the language", does: "Φ(x), the standard normal CDF (in gelu's derivative)" },
  elu: { kind: "elementwise", arity: 1, spelling: { function: "elu", argument: "any, and a number" }, does: "x where x > 0, else attrs.alpha·(e^x - 1)" },
  leaky_relu: { kind: "elementwise", arity: 1, spelling: { function: "leaky_relu", argument: "any, and a number" }, does: "x where x > 0, else attrs.alpha·x" },
  hard_sigmoid: { kind: "elementwise", arity: 1, spelling: { function: "hard_sigmoid", argument: "any" }, does: "clip(0.2x + 0.5, 0, 1), TensorFlow.js's hardSigmoid" },
  silu: { kind: "elementwise", arity: 1, spelling: { function: "silu", argument: "any" }, does: "x·σ(x) (swish)" },
  abs: { kind: "elementwise", arity: 1, spelling: { function: "abs", argument: "any" }, does: "|x|" },
  sqrt: { kind: "elementwise", arity: 1, spelling: { function: "sqrt", argument: "any" }, does: "√x" },
  square: { kind: "elementwise", arity: 1, spelling: { function: "square", argument: "any" }, does: "x²" },
  max: { kind: "elementwise", arity: 2, spelling: { function: "max", argument: "two, as +" }, does: "the larger of a and b" },
  min: { kind: "elementwise", arity: 2, spelling: { function: "min", argument: "two, as +" }, does: "the smaller of a and b" },
  // dropout while training (a batch with `training`), the identity otherwise; per example whatever it reads (ir/dropout.ts)
  dropout: { kind: "elementwise", arity: 1, spelling: { function: "dropout", argument: "its own rule" }, does: "x · mask / (1 - attrs.rate), a mask per example and step: attrs.site" },
  locked_dropout: { kind: "elementwise", arity: 1, spelling: { function: "locked_dropout", argument: "its own rule" }, does: "x · mask / (1 - attrs.rate), one mask per example for every step: attrs.site" },
  // over the feature axis
  softmax: { kind: "feature", arity: 1, spelling: { function: "softmax", argument: "vector" }, does: "e^x / Σ e^x over the features" },
  log_softmax: { kind: "feature", arity: 1, spelling: { function: "log_softmax", argument: "vector" }, does: "x - log Σ e^x over the features" },
  sum: { kind: "feature", arity: 1, spelling: "not in the language", does: "[n] → []: the sum of the features" },
  broadcast: { kind: "feature", arity: 1, spelling: "not in the language", does: "[] → [n]: attrs.size copies" },
  batch_sum: { kind: "feature", arity: 1, spelling: "not in the language", does: "Σ over the batch → one shared value: a shared operand's gradient" },
  concat: { kind: "feature", arity: "any", spelling: { function: "concat", argument: "its own rule" }, does: "the vectors one after another" },
  slice: { kind: "feature", arity: 1, spelling: { syntax: "a[i:j]" }, does: "features attrs.from to attrs.to" },
  pad: { kind: "feature", arity: 1, spelling: "not in the language", does: "[to - from] → [size], zeros elsewhere: slice's transpose" },
  onehot: { kind: "feature", arity: 1, spelling: { function: "onehot", argument: "its own rule" }, does: "an id → [attrs.size], 1 at the id" },
  // products
  matvec: { kind: "product", arity: 2, spelling: { operator: "@" }, does: "W [m, n] @ x [n] → [m]; rows attrs.from to attrs.to of W only, when given (W[0:2*H] @ x)" },
  matvec_t: { kind: "product", arity: 2, spelling: "not in the language", does: "Wᵀ [n, m] @ g [m] → [n]; rows attrs.from to attrs.to of W only, when given" },
  outer: { kind: "product", arity: 2, spelling: "not in the language", does: "Σ_batch g ⊗ x → [m, n]: a weight's gradient; with attrs.from, to, size: rows from to `to` of [size, n], zeros elsewhere" },
  gather: { kind: "product", arity: 2, spelling: "not in the language", does: "column ids of W [m, V] → [m]: an embedding, W @ onehot(ids)" },
  scatter: { kind: "product", arity: 2, spelling: "not in the language", does: "Σ_batch g into columns ids → [m, V]: gather's transpose" },
  // losses, per example, fused with their softmax or sigmoid for stability
  cross_entropy: { kind: "loss", arity: 2, spelling: { loss: "cross_entropy" }, does: "logits [K], an id → []" },
  binary_cross_entropy: { kind: "loss", arity: 2, spelling: { loss: "binary_cross_entropy" }, does: "logits [n], targets [n] → []" },
  mse: { kind: "loss", arity: 2, spelling: { loss: "mse" }, does: "predictions [n], targets [n] → []: the mean squared difference" },
  // backward-only leaves and sinks
  primal: { kind: "leaf", arity: 0, spelling: "not in the language", does: "the forward value of a node at this step: attrs.node" },
  seed: { kind: "leaf", arity: 0, spelling: "not in the language", does: "a loss term's weight at this step (1/B where the step is valid, else 0): attrs.loss" },
  adjoint: { kind: "leaf", arity: 0, spelling: "not in the language", does: "the accumulated adjoint of a stored sequence at this step, or of a value" },
  accumulate: { kind: "sink", arity: 1, spelling: "not in the language", does: "adds its argument into a param's gradient or a sequence's or value's adjoint" },
} as const satisfies Record<string, OpInfo>;

export type Op = keyof typeof ops;
export const allOps = Object.keys(ops) as Op[];
export const opKinds = Object.fromEntries(allOps.map((op) => [op, ops[op].kind])) as Record<Op, OpKind>;

/** An op's spelling, typed as the union (the table's literal types are narrower). */
export const spellingOf = (op: Op): Spelling => ops[op].spelling;

/** The language's functions of one tensor or vector that keep its shape: name → op. */
export const shapeKeepingFunctions = new Map(
  allOps.flatMap((op) => {
    const s = spellingOf(op);
    return typeof s === "object" && "function" in s && (s.argument === "any" || s.argument === "vector") ? [[s.function, { op, vector: s.argument === "vector" }] as const] : [];
  }),
);

/** The ops the language spells as functions taking `argument`. */
type SpelledWith<A extends string> = { [K in Op]: (typeof ops)[K]["spelling"] extends { argument: A } ? K : never }[Op];
export type NumberArgumentOp = SpelledWith<"any, and a number">;
export type PairOp = SpelledWith<"two, as +">;

/** The language's functions of a tensor and a number written out (`elu(x, 1.0)`, the number in attrs.alpha): name → op. */
export const numberArgumentFunctions = new Map(
  allOps.flatMap((op) => {
    const s = spellingOf(op);
    return typeof s === "object" && "function" in s && s.argument === "any, and a number" ? [[s.function, op as NumberArgumentOp] as const] : [];
  }),
);

/** The language's elementwise functions of two operands, broadcast as `+` (`max(a, b)`): name → op. */
export const pairFunctions = new Map(
  allOps.flatMap((op) => {
    const s = spellingOf(op);
    return typeof s === "object" && "function" in s && s.argument === "two, as +" ? [[s.function, op as PairOp] as const] : [];
  }),
);

/** The language's functions with a typing rule of their own (concat, onehot): name → op. */
export const ownRuleFunctions = new Map(
  allOps.flatMap((op) => {
    const s = spellingOf(op);
    return typeof s === "object" && "function" in s && s.argument === "its own rule" ? [[s.function, op] as const] : [];
  }),
);

/** The losses a model may write: name → op. */
export const lossOps = new Map(
  allOps.flatMap((op) => {
    const s = spellingOf(op);
    return typeof s === "object" && "loss" in s ? [[s.loss, op] as const] : [];
  }),
);
