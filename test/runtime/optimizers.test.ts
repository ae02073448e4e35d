// SGD and Adam: hand-computed steps, convergence, weight decay, freezing, exact resumption.
import { describe, expect, it } from "vitest";
import { Adam, Sgd, type Optimizer, type Param } from "../../runtime/optimizers.ts";

function param(name: string, values: number[], options: Partial<Param> = {}): Param<Float64Array> {
  return { name, values: Float64Array.from(values), grad: new Float64Array(values.length), decay: true, frozen: false, ...options } as Param<Float64Array>;
}

/** f(w) = w0² + 2·w1², minimum 0 at the origin; writes ∇f into the grad. */
function quadratic(p: Param): number {
  const [w0, w1] = p.values;
  p.grad[0] = 2 * w0;
  p.grad[1] = 4 * w1;
  return w0 * w0 + 2 * w1 * w1;
}

function minimise(optimizer: Optimizer, steps: number): number {
  const p = param("w", [1, -2]);
  for (let i = 0; i < steps; i++) {
    quadratic(p);
    optimizer.step([p]);
  }
  return quadratic(p);
}

describe("Sgd", () => {
  it("takes the steps of heavy-ball momentum, computed by hand", () => {
    // v ← 0.9 v + g; w ← w − 0.1 v, from w = (1, −2), g = (2 w0, 4 w1):
    // step 1: g = (2, −8), v = (2, −8), w = (0.8, −1.2)
    // step 2: g = (1.6, −4.8), v = (3.4, −12), w = (0.46, 0)
    // step 3: g = (0.92, 0), v = (3.98, −10.8), w = (0.062, 1.08)
    const sgd = new Sgd({ lr: 0.1, momentum: 0.9 });
    const p = param("w", [1, -2]);
    const expected = [[0.8, -1.2], [0.46, 0], [0.062, 1.08]];
    for (const w of expected) {
      quadratic(p);
      sgd.step([p]);
      expect(p.values[0]).toBeCloseTo(w[0], 14);
      expect(p.values[1]).toBeCloseTo(w[1], 14);
    }
    expect(sgd.steps).toBe(3);
  });

  it("minimises a quadratic, with and without momentum", () => {
    expect(minimise(new Sgd({ lr: 0.1 }), 100)).toBeLessThan(1e-12);
    expect(minimise(new Sgd({ lr: 0.05, momentum: 0.9 }), 300)).toBeLessThan(1e-8);
  });

  it("rejects settings out of range", () => {
    expect(() => new Sgd({ lr: -1 })).toThrow(/lr = -1/);
    expect(() => new Sgd({ lr: 0.1, momentum: 1 })).toThrow(/momentum = 1/);
  });
});

describe("Adam", () => {
  it("takes the bias-corrected steps of Kingma & Ba, computed by hand", () => {
    // lr 0.1, β1 0.9, β2 0.999, ε 1e-8, from w = (1, −2), g = (2 w0, 4 w1).
    // Step 1: m̂ = g, v̂ = g², so w ← w − 0.1·g / (|g| + ε) = (0.9000000005, −1.900000000125).
    // Step 2, w0: g = 1.8, m = 0.9·0.2 + 0.1·1.8 = 0.36, m̂ = 0.36 / 0.19;
    //   v = 0.999·0.004 + 0.001·3.24 = 0.007236, v̂ = 0.007236 / 0.001999; w0 ← w0 − 0.1·m̂ / (√v̂ + ε).
    const adam = new Adam({ lr: 0.1 });
    const p = param("w", [1, -2]);
    const expected = [
      [0.9000000005, -1.900000000125],
      [0.8004122286917928, -1.8001664858630053],
      [0.7015862729460303, -1.7006233916636408],
    ];
    for (const w of expected) {
      quadratic(p);
      adam.step([p]);
      expect(p.values[0]).toBeCloseTo(w[0], 13);
      expect(p.values[1]).toBeCloseTo(w[1], 13);
    }
    const w0AfterTwo = 0.9000000005 - (0.1 * (0.36 / 0.19)) / (Math.sqrt(0.007236 / (1 - 0.999 ** 2)) + 1e-8);
    expect(expected[1][0]).toBeCloseTo(w0AfterTwo, 9);
  });

  it("minimises a quadratic", () => {
    expect(minimise(new Adam({ lr: 0.05 }), 2000)).toBeLessThan(1e-6);
  });

  it("uses a per-step learning rate when given one", () => {
    const adam = new Adam({ lr: 0.1 });
    const p = param("w", [1, -2]);
    quadratic(p);
    adam.step([p], 0, 0.5);
    expect(p.values[0]).toBeCloseTo(0.5, 7); // first step: lr · sign(g)
  });
});

describe("both optimizers", () => {
  const optimizers = () => [new Sgd({ lr: 0.1 }), new Sgd({ lr: 0.1, momentum: 0.5 }), new Adam({ lr: 0.1 })];

  it("apply weight decay only to parameters with decay", () => {
    // With zero gradients, only the decay term moves a parameter: toward 0.
    for (const optimizer of optimizers()) {
      const weight = param("W", [2, -2], { decay: true });
      const bias = param("b", [2, -2], { decay: false });
      optimizer.step([weight, bias], 0.5);
      expect([...bias.values]).toEqual([2, -2]);
      expect(weight.values[0]).toBeLessThan(2);
      expect(weight.values[1]).toBeGreaterThan(-2);
    }
    const sgd = new Sgd({ lr: 0.1 });
    const weight = param("W", [2, -2]);
    sgd.step([weight], 0.5);
    expect([...weight.values]).toEqual([2 - 0.1 * 0.5 * 2, -2 + 0.1 * 0.5 * 2]); // w − lr·λ·w
  });

  it("leave frozen parameters and their state untouched", () => {
    for (const optimizer of optimizers()) {
      const frozen = param("emb", [1, 2], { frozen: true });
      const live = param("W", [1, 2]);
      frozen.grad.set([5, 5]);
      live.grad.set([5, 5]);
      optimizer.step([frozen, live], 0.1);
      optimizer.step([frozen, live], 0.1);
      expect([...frozen.values]).toEqual([1, 2]);
      expect(live.values[0]).toBeLessThan(1);
      expect(JSON.stringify(optimizer.state())).not.toContain('"emb"');
    }
  });

  it("resume bit-exactly from a saved state, in float32", () => {
    for (const make of [() => new Sgd({ lr: 0.05, momentum: 0.9 }), () => new Adam({ lr: 0.05 })]) {
      const grads = (p: Param, i: number) => p.grad.forEach((_, k) => (p.grad[k] = Math.sin(i + k) * (k + 1)));
      const run = (optimizer: Optimizer, p: Param, from: number, to: number) => {
        for (let i = from; i < to; i++) {
          grads(p, i);
          optimizer.step([p], 0.01);
        }
      };
      const straight = make();
      const p: Param = { name: "W", values: new Float32Array([0.3, -0.7, 1.1]), grad: new Float32Array(3), decay: true, frozen: false };
      run(straight, p, 0, 5);
      const saved = straight.state();
      const resumedValues = p.values.slice();
      run(straight, p, 5, 10);

      const resumed = make();
      resumed.load(saved);
      const q: Param = { name: "W", values: resumedValues, grad: new Float32Array(3), decay: true, frozen: false };
      run(resumed, q, 5, 10);
      expect(resumed.steps).toBe(10);
      expect([...q.values]).toEqual([...p.values]);
    }
  });

  it("refuse a state of the other kind or of the wrong size", () => {
    expect(() => new Adam({ lr: 0.1 }).load(new Sgd({ lr: 0.1 }).state())).toThrow(/adam optimizer state: it is the state of "sgd"/);
    const adam = new Adam({ lr: 0.1 });
    adam.load({ kind: "adam", steps: 3, m: { W: [0, 0, 0] }, v: { W: [0, 0, 0] } });
    expect(() => adam.step([param("W", [1, 2])])).toThrow(/"W" has 3 values, the parameter 2/);
  });
});
