// The IR's primitive operations. Every value is per example (the batch is implicit) except
// params and constants, which are shared. A few leaf ops bring values into a step's graph
// (params, data, stored sequences and values) and a few sink ops take adjoints out of it.
// Every per-op table in the compiler is a Record<Op, ...>, so a new op is named everywhere.

export type Op =
  // leaves: where a step's inputs come from
  | "param" // a learned weight: attrs.name
  | "const" // a number: attrs.value
  | "data" // an input or target at a time index: attrs.name, attrs.index
  | "read" // a stored sequence at a time index: attrs.name, attrs.index
  | "value" // a per-example value computed once: attrs.name
  // elementwise; a scalar operand broadcasts
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "neg"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "step" // 1 where x > 0, else 0 (relu's derivative)
  | "exp"
  | "log"
  // over the feature axis
  | "softmax"
  | "log_softmax"
  | "sum" // [n] → []
  | "broadcast" // [] → [n]: attrs.size
  | "batch_sum" // Σ over the batch → one shared value: a shared operand's gradient
  | "concat"
  | "slice" // attrs.from, attrs.to
  | "pad" // [to - from] → [size], zeros elsewhere: slice's transpose
  | "onehot" // ids → [size]
  // products
  | "matvec" // W [m, n] @ x [n] → [m]
  | "matvec_t" // Wᵀ [n, m] @ g [m] → [n]
  | "outer" // Σ_batch g ⊗ x → [m, n]: a weight's gradient
  | "gather" // column ids of W [m, V] → [m]: an embedding, W @ onehot(ids)
  | "scatter" // Σ_batch g into columns ids → [m, V]: gather's transpose
  // losses, per example, fused with their softmax or sigmoid for stability
  | "cross_entropy" // logits [K], ids → []
  | "binary_cross_entropy" // logits [n], targets [n] → []
  | "mse" // predictions [n], targets [n] → []
  // backward-only leaves and sinks
  | "primal" // the forward value of a node at this step: attrs.node
  | "seed" // a loss term's weight at this step (1/B where the step is valid, else 0): attrs.loss
  | "adjoint" // the accumulated adjoint of a stored sequence at this step, or of a value
  | "accumulate"; // adds its argument into a param's gradient or a sequence's or value's adjoint

export type OpKind = "leaf" | "elementwise" | "feature" | "product" | "loss" | "sink";

export const opKinds: Record<Op, OpKind> = {
  param: "leaf",
  const: "leaf",
  data: "leaf",
  read: "leaf",
  value: "leaf",
  add: "elementwise",
  sub: "elementwise",
  mul: "elementwise",
  div: "elementwise",
  neg: "elementwise",
  sigmoid: "elementwise",
  tanh: "elementwise",
  relu: "elementwise",
  step: "elementwise",
  exp: "elementwise",
  log: "elementwise",
  softmax: "feature",
  log_softmax: "feature",
  sum: "feature",
  broadcast: "feature",
  batch_sum: "feature",
  concat: "feature",
  slice: "feature",
  pad: "feature",
  onehot: "feature",
  matvec: "product",
  matvec_t: "product",
  outer: "product",
  gather: "product",
  scatter: "product",
  cross_entropy: "loss",
  binary_cross_entropy: "loss",
  mse: "loss",
  primal: "leaf",
  seed: "leaf",
  adjoint: "leaf",
  accumulate: "sink",
};

export const allOps = Object.keys(opKinds) as Op[];
