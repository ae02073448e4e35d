// Programs beyond LANGUAGE.md's examples that must check, and what the checker makes of them.
import { describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/index.ts";
import { formatSize } from "../../compiler/2-check/sizes.ts";

function checked(source: string, overrides?: Map<string, number>) {
  const result = checkSource(source, "test.rnn", overrides ? { overrides } : {});
  expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  return result;
}

describe("the checker accepts", () => {
  it("a user's own cell and layer, used exactly like the prelude's", () => {
    const { models, cells } = checked(`
cell mgu(I, H) {                 // minimal gated unit: one gate
  input x: [I]
  state h: [H]
  param Wf: [H, I + H] init glorot
  param W: [H, I + H] init orthogonal
  param bf: [H] init ones
  param b: [H] init zeros
  f = sigmoid(Wf @ concat(x, h) + bf)
  h' = (1 - f) * h + f * tanh(W @ concat(x, f * h) + b)
}
layer scaled(I, O) {
  input x: [I]
  param W: [O, I] init normal(0.02)
  return 2 * (W @ x)
}
model m {
  dims { H = 8 }
  input x: seq<vec(3)>
  target y: seq<vec(1)>
  layer c = mgu(3, H)
  layer o = scaled(H, 1)
  h[t] = c(x[t], h[t-1])
  loss mse(o(h[t]), y[t])
}`);
    expect(cells.map((c) => c.name)).toEqual(["mgu", "scaled"]);
    expect(models[0].layers.map((l) => [l.name, formatSize(l.paramCount)])).toEqual([
      ["c", String(2 * 8 * 11 + 2 * 8)],
      ["o", "8"],
    ]);
    expect(models[0].loops.map((g) => g.direction)).toEqual(["forward"]);
  });

  it("a recurrence written without a cell, its size inferred from what it adds", () => {
    const { models } = checked(`
model m {
  dims { E = 4 }
  input x: seq<token>
  target y: class
  layer emb = embedding(vocab(x), E)
  layer out = dense(E, classes(y))
  h[t] = tanh(h[t-1] + emb(x[t]))
  loss cross_entropy(out(h[last]), y)
}`);
    expect(models[0].values.find((v) => v.name === "h")!.type).toMatchObject({ kind: "tensor", shape: [new Map([["", 4]])] });
    expect(models[0].loops[0].states).toEqual([{ name: "h", depth: 1 }]);
  });

  it("a recurrence two steps deep, several losses, a mean over tokens", () => {
    const { models } = checked(`
model m {
  dims { H = 8 }
  input x: seq<token>
  target tags: seq<class>
  target y: class
  layer c = rnn(2, H)
  layer head = dense(H, classes(tags))
  layer cls = dense(H, 3)
  h[t] = c(onehot(x[t], 2), h[t-2])
  loss cross_entropy(head(h[t]), tags[t]) mean over tokens
  loss cross_entropy(cls(h[last]), y)
}`);
    const m = models[0];
    expect(m.loops[0].states).toEqual([{ name: "h", depth: 2 }]);
    expect(m.losses.map((l) => [l.target, l.axis, l.reduction])).toEqual([
      ["tags", "t", "mean_over_tokens"],
      ["y", undefined, "sum_over_steps"],
    ]);
    expect(formatSize(m.sizeConstraints.get("classes(y)")!)).toBe("3");
  });

  it("statements split over lines and joined by semicolons", () => {
    checked(`model m { dims { H = 8,
                       E = 4 }; input x: seq<token>; target y: class
  layer emb = embedding(vocab(x),
                        E)
  layer c = gru(E, H); layer o = dense(H, classes(y))
  h[t] = c(emb(x[t]),
           h[t-1])
  loss cross_entropy(o(h[last]), y)
  train { optimizer sgd(lr: 0.1, momentum: 0.9) batch 4 epochs 2 weight_decay 1e-4 seed 3 freeze emb c }
}`);
  });

  it("--set overrides of dims and settings", () => {
    const source = `model m {
  dims { H = 16, G = 2 * H }
  input x: seq<token>
  target y: class
  layer c = gru(2, G)
  layer o = dense(G, 2)
  h[t] = c(onehot(x[t], 2), h[t-1])
  loss cross_entropy(o(h[last]), y)
}`;
    const m = checked(source, new Map([["H", 4], ["epochs", 3], ["lr", 0.5]])).models[0];
    expect(m.dims.get("G")).toBe(8);
    expect(m.layers[0].sizes.get("H")).toEqual(new Map([["", 8]]));
    expect(m.train.epochs).toBe(3);
    expect(m.train.optimizer.lr).toBe(0.5);
  });

  it("a file of definitions and no model", () => {
    const { models, cells } = checked("cell id(H) {\n  state h: [H]\n  h' = h\n}\n");
    expect(models).toEqual([]);
    expect(cells).toHaveLength(1);
  });
});
