// The optimizers of `train { optimizer sgd(...) | adam(...) }`. Each updates parameters in place
// from their gradients, keeps its per-parameter state by parameter name (so a checkpoint can carry
// it), and allocates nothing inside `step` once every parameter has been seen.

import type { FloatArray } from "./types.ts";

export interface Param<A extends FloatArray = FloatArray> {
  name: string;
  values: A;
  grad: A;
  /** Weight decay applies: weights, not biases. */
  decay: boolean;
  /** Not updated (`freeze`): values and optimizer state stay as they are. */
  frozen: boolean;
}

export interface Optimizer {
  /**
   * One update. `weightDecay` is the L2 coefficient, added as weightDecay · value to the gradient
   * of every parameter with `decay`; `lr` overrides the configured rate for this step (schedules).
   * Gradients are read, never modified.
   */
  step(params: readonly Param[], weightDecay?: number, lr?: number): void;
  /** How many steps have been taken. */
  readonly steps: number;
  /** A copy of the state, for a checkpoint: plain data and typed arrays. */
  state(): OptimizerState;
  /** Continues from a state returned by `state()` (or decoded from a checkpoint). */
  load(state: unknown): void;
}

export type OptimizerState =
  | { kind: "sgd"; steps: number; velocity: Record<string, FloatArray> }
  | { kind: "adam"; steps: number; m: Record<string, FloatArray>; v: Record<string, FloatArray> };

/** Stochastic gradient descent with (heavy-ball) momentum, as PyTorch: v ← μ·v + g; w ← w − lr·v. */
export class Sgd implements Optimizer {
  readonly lr: number;
  readonly momentum: number;
  private count = 0;
  private velocity = new Map<string, FloatArray>();

  constructor({ lr, momentum = 0 }: { lr: number; momentum?: number }) {
    check("lr", lr, lr >= 0 && lr < Infinity);
    check("momentum", momentum, momentum >= 0 && momentum < 1);
    this.lr = lr;
    this.momentum = momentum;
  }

  get steps(): number {
    return this.count;
  }

  step(params: readonly Param[], weightDecay = 0, lr = this.lr): void {
    this.count++;
    const mu = this.momentum;
    for (const p of params) {
      if (p.frozen) continue;
      const { values, grad } = p;
      const decay = p.decay ? weightDecay : 0;
      if (mu === 0) {
        for (let i = 0; i < values.length; i++) values[i] -= lr * (grad[i] + decay * values[i]);
        continue;
      }
      const v = slot(this.velocity, p);
      for (let i = 0; i < values.length; i++) {
        const vi = mu * v[i] + grad[i] + decay * values[i];
        v[i] = vi;
        values[i] -= lr * vi;
      }
    }
  }

  state(): OptimizerState {
    return { kind: "sgd", steps: this.steps, velocity: copyOf(this.velocity) };
  }

  load(state: unknown): void {
    const s = stateOf(state, "sgd", ["velocity"]);
    this.count = s.steps;
    this.velocity = s.slots.velocity;
  }
}

/**
 * Adam (Kingma & Ba 2015) with bias correction, in PyTorch's form:
 * m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; w ← w − lr · (m / (1−β1^t)) / (sqrt(v / (1−β2^t)) + ε).
 * Weight decay is classic L2 (added to g), not AdamW's decoupled decay.
 */
export class Adam implements Optimizer {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  private count = 0;
  private m = new Map<string, FloatArray>();
  private v = new Map<string, FloatArray>();

  constructor({ lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 }: { lr: number; beta1?: number; beta2?: number; eps?: number }) {
    check("lr", lr, lr >= 0 && lr < Infinity);
    check("beta1", beta1, beta1 >= 0 && beta1 < 1);
    check("beta2", beta2, beta2 >= 0 && beta2 < 1);
    check("eps", eps, eps >= 0 && eps < Infinity);
    this.lr = lr;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
  }

  get steps(): number {
    return this.count;
  }

  step(params: readonly Param[], weightDecay = 0, lr = this.lr): void {
    const t = ++this.count;
    const { beta1, beta2, eps } = this;
    const correction1 = 1 - beta1 ** t;
    const correction2 = 1 - beta2 ** t;
    for (const p of params) {
      if (p.frozen) continue;
      const { values, grad } = p;
      const decay = p.decay ? weightDecay : 0;
      const m = slot(this.m, p);
      const v = slot(this.v, p);
      for (let i = 0; i < values.length; i++) {
        const g = grad[i] + decay * values[i];
        const mi = beta1 * m[i] + (1 - beta1) * g;
        const vi = beta2 * v[i] + (1 - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        values[i] -= (lr * (mi / correction1)) / (Math.sqrt(vi / correction2) + eps);
      }
    }
  }

  state(): OptimizerState {
    return { kind: "adam", steps: this.steps, m: copyOf(this.m), v: copyOf(this.v) };
  }

  load(state: unknown): void {
    const s = stateOf(state, "adam", ["m", "v"]);
    this.count = s.steps;
    this.m = s.slots.m;
    this.v = s.slots.v;
  }
}

function check(name: string, value: number, ok: boolean): void {
  if (!ok) throw new RangeError(`optimizer setting ${name} = ${value} is out of range`);
}

/**
 * The state array of `param` in `slots`, created (zeros) the first time the parameter is stepped.
 * A loaded array of another type or from plain numbers is converted once, here, to the type of
 * the values, so a resumed run computes exactly what an uninterrupted one would.
 */
function slot(slots: Map<string, FloatArray>, param: Param): FloatArray {
  const existing = slots.get(param.name);
  if (existing && existing.constructor === param.values.constructor && existing.length === param.values.length) return existing;
  if (existing && existing.length !== param.values.length) {
    throw new RangeError(`optimizer state for "${param.name}" has ${existing.length} values, the parameter ${param.values.length}`);
  }
  const fresh = param.values instanceof Float32Array ? new Float32Array(param.values.length) : new Float64Array(param.values.length);
  if (existing) fresh.set(existing);
  slots.set(param.name, fresh);
  return fresh;
}

function copyOf(slots: Map<string, FloatArray>): Record<string, FloatArray> {
  return Object.fromEntries([...slots].map(([name, array]) => [name, array.slice()]));
}

/** Validates a saved state of optimizer `kind` and copies its arrays (typed or plain) into maps. */
function stateOf<K extends string>(state: unknown, kind: string, keys: K[]): { steps: number; slots: Record<K, Map<string, FloatArray>> } {
  const fail = (why: string): never => {
    throw new Error(`cannot load ${kind} optimizer state: ${why}`);
  };
  if (typeof state !== "object" || state === null) return fail("not an object");
  const s = state as Record<string, unknown>;
  if (s.kind !== kind) return fail(`it is the state of "${String(s.kind)}"`);
  const steps = s.steps;
  if (typeof steps !== "number" || !Number.isSafeInteger(steps) || steps < 0) return fail(`steps is ${String(steps)}`);
  const slots = {} as Record<K, Map<string, FloatArray>>;
  for (const key of keys) {
    const entries = s[key];
    if (typeof entries !== "object" || entries === null) return fail(`${key} is missing`);
    const map = new Map<string, FloatArray>();
    for (const [name, array] of Object.entries(entries)) {
      if (array instanceof Float32Array || array instanceof Float64Array) map.set(name, array.slice());
      else if (Array.isArray(array) && array.every((x) => typeof x === "number")) map.set(name, Float64Array.from(array));
      else return fail(`${key}["${name}"] is not an array of numbers`);
    }
    slots[key] = map;
  }
  return { steps, slots };
}
