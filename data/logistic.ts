// The spam baseline: bag-of-words logistic regression, in plain TypeScript (no ML dependency).
//
// A message is the SET of its words (binary features: present or not; counts would let a word
// repeated 40 times in one spam dominate), the same words the RNN reads (data/spam.ts: at most 128,
// rare ones "<unk>"). P(spam | x) = σ(w·x + b), fitted by minimising the mean log loss plus an L2
// penalty on w (not on b):
//
//   f(w, b) = (1/n) Σᵢ log(1 + exp(−sᵢ (w·xᵢ + b))) + (λ/2) ‖w‖²,   sᵢ = +1 for spam, −1 for ham.
//
// f is strictly convex, so there is one minimum and any method that converges finds it: L-BFGS
// (memory 10, backtracking line search) until the gradient's largest entry is below 1e-7, from zero.
// Deterministic. λ is chosen on the validation part (tuneLambda), never on the test part.

/** Each message as the sorted, distinct feature ids of its words (words outside `index` skipped). */
export function bagOfWords(messages: readonly { words: readonly string[] }[], index: ReadonlyMap<string, number>): Int32Array[] {
  return messages.map((m) => {
    const ids = new Set<number>();
    for (const word of m.words) {
      const id = index.get(word);
      if (id !== undefined) ids.add(id);
    }
    return Int32Array.from([...ids].sort((a, b) => a - b));
  });
}

/** Every word of the training messages, a feature each, in sorted order. */
export function featureIndex(messages: readonly { words: readonly string[] }[]): Map<string, number> {
  const words = [...new Set(messages.flatMap((m) => m.words))].sort();
  return new Map(words.map((word, i) => [word, i]));
}

export interface LogisticModel {
  weights: Float64Array;
  bias: number;
  lambda: number;
  /** L-BFGS iterations taken, and the objective at the end. */
  iterations: number;
  objective: number;
}

/** log(1 + eᶻ), without overflow. */
const softplus = (z: number) => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** The objective f and its gradient (into `grad`) at x = [w₀ … w_{d−1}, b]. */
function objective(rows: readonly Int32Array[], targets: readonly number[], lambda: number, x: Float64Array, grad: Float64Array): number {
  const d = x.length - 1, n = rows.length;
  grad.fill(0);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    let z = x[d]!;
    for (let k = 0; k < row.length; k++) z += x[row[k]!]!;
    const s = targets[i]! === 1 ? 1 : -1;
    loss += softplus(-s * z);
    const g = (sigmoid(z) - targets[i]!) / n; // ∂/∂z of the mean log loss
    for (let k = 0; k < row.length; k++) grad[row[k]!]! += g;
    grad[d]! += g;
  }
  let penalty = 0;
  for (let j = 0; j < d; j++) {
    penalty += x[j]! * x[j]!;
    grad[j]! += lambda * x[j]!;
  }
  return loss / Math.max(1, n) + (lambda / 2) * penalty;
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/**
 * Fits the model on `rows` (feature ids per message, `dims` features) and `targets` (1 spam, 0
 * ham) at penalty λ > 0.
 */
export function trainLogistic(rows: readonly Int32Array[], targets: readonly number[], dims: number, lambda: number, options: { maxIterations?: number; tolerance?: number } = {}): LogisticModel {
  if (!(lambda > 0)) throw new RangeError(`trainLogistic: λ must be above 0 (got ${lambda})`);
  if (rows.length !== targets.length) throw new RangeError(`trainLogistic: ${rows.length} rows for ${targets.length} targets`);
  const maxIterations = options.maxIterations ?? 1000, tolerance = options.tolerance ?? 1e-7, memory = 10;
  let x = new Float64Array(dims + 1), grad = new Float64Array(dims + 1);
  let f = objective(rows, targets, lambda, x, grad);
  const ss: Float64Array[] = [], ys: Float64Array[] = [];
  let iterations = 0;
  const direction = new Float64Array(dims + 1), alphas: number[] = [];
  while (iterations < maxIterations && grad.reduce((m, g) => Math.max(m, Math.abs(g)), 0) > tolerance) {
    iterations++;
    // The two-loop recursion: direction = −H·grad, H the L-BFGS inverse-Hessian estimate.
    direction.set(grad);
    for (let k = ss.length - 1; k >= 0; k--) {
      alphas[k] = dot(ss[k]!, direction) / dot(ys[k]!, ss[k]!);
      for (let i = 0; i < direction.length; i++) direction[i]! -= alphas[k]! * ys[k]![i]!;
    }
    const gamma = ss.length ? dot(ss.at(-1)!, ys.at(-1)!) / dot(ys.at(-1)!, ys.at(-1)!) : 1 / Math.max(1, Math.sqrt(dot(grad, grad)));
    for (let i = 0; i < direction.length; i++) direction[i]! *= gamma;
    for (let k = 0; k < ss.length; k++) {
      const beta = dot(ys[k]!, direction) / dot(ys[k]!, ss[k]!);
      for (let i = 0; i < direction.length; i++) direction[i]! += (alphas[k]! - beta) * ss[k]![i]!;
    }
    for (let i = 0; i < direction.length; i++) direction[i] = -direction[i]!;
    let slope = dot(grad, direction);
    if (!(slope < 0)) { // not a descent direction (numerically): restart from steepest descent
      ss.length = ys.length = 0;
      for (let i = 0; i < direction.length; i++) direction[i] = -grad[i]!;
      slope = -dot(grad, grad);
    }
    // Backtracking until the Armijo condition f(x + t·d) ≤ f(x) + 1e-4·t·slope holds.
    let step = 1, next = new Float64Array(dims + 1), nextGrad = new Float64Array(dims + 1), nextF = Infinity;
    for (let tries = 0; tries < 50; tries++) {
      for (let i = 0; i < next.length; i++) next[i] = x[i]! + step * direction[i]!;
      nextF = objective(rows, targets, lambda, next, nextGrad);
      if (nextF <= f + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(nextF < f)) break; // no progress possible at float64 precision
    const s = next.map((v, i) => v - x[i]!), y = nextGrad.map((v, i) => v - grad[i]!);
    if (dot(s, y) > 1e-12) {
      ss.push(s);
      ys.push(y);
      if (ss.length > memory) { ss.shift(); ys.shift(); }
    }
    [x, grad, f] = [next, nextGrad, nextF];
  }
  return { weights: x.slice(0, dims), bias: x[dims]!, lambda, iterations, objective: f };
}

/** P(spam) for each message. */
export function predictLogistic(model: LogisticModel, rows: readonly Int32Array[]): number[] {
  return rows.map((row) => {
    let z = model.bias;
    for (let k = 0; k < row.length; k++) z += model.weights[row[k]!]!;
    return sigmoid(z);
  });
}

/** λ from 1e-5 to 1e-1, three a decade: the grid tuneLambda searches. */
export const LAMBDA_GRID = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1];

/**
 * The λ of `grid` whose model (fitted on train) has the best accuracy on valid; ties go to the
 * lower validation log loss. Returns that model, fitted on train alone.
 */
export function tuneLambda(train: { rows: Int32Array[]; targets: number[] }, valid: { rows: Int32Array[]; targets: number[] }, dims: number, grid: readonly number[] = LAMBDA_GRID): { model: LogisticModel; table: { lambda: number; accuracy: number; logLoss: number }[] } {
  let best: { model: LogisticModel; accuracy: number; logLoss: number } | undefined;
  const table: { lambda: number; accuracy: number; logLoss: number }[] = [];
  for (const lambda of grid) {
    const model = trainLogistic(train.rows, train.targets, dims, lambda);
    const p = predictLogistic(model, valid.rows);
    const accuracy = p.filter((q, i) => (q >= 0.5 ? 1 : 0) === valid.targets[i]).length / Math.max(1, p.length);
    const logLoss = -p.reduce((s, q, i) => s + Math.log(Math.max(1e-15, valid.targets[i] === 1 ? q : 1 - q)), 0) / Math.max(1, p.length);
    table.push({ lambda, accuracy, logLoss });
    if (!best || accuracy > best.accuracy || (accuracy === best.accuracy && logLoss < best.logLoss)) best = { model, accuracy, logLoss };
  }
  return { model: best!.model, table };
}
