// Every program of LANGUAGE.md checks, and the checker reads each one's structure right:
// loop directions, states and their inits, axes, autoregressive targets, parameter counts.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkSource, preludeDefinitions } from "../../compiler/index.ts";
import type { CheckedModel } from "../../compiler/2-check/checked.ts";
import { formatSize } from "../../compiler/2-check/sizes.ts";

function checkExample(name: string): CheckedModel {
  const source = readFileSync(`examples/${name}.rnn`, "utf8");
  const result = checkSource(source, `examples/${name}.rnn`);
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  expect(result.models).toHaveLength(1);
  return result.models[0];
}

/** Each loop as `direction axis: equations' first targets (states)`, for compact comparison. */
const loops = (m: CheckedModel) =>
  m.loops.map(
    (g) =>
      `${g.direction}${g.axis ? " " + g.axis : ""}: ${g.equations.map((e) => e.targets.map((t) => t.name.text).join("+")).join(", ")}` +
      (g.states.length ? ` (${g.states.map((s) => s.name + (s.init ? "=init" : "")).join(", ")})` : ""),
  );
const params = (m: CheckedModel) => Object.fromEntries(m.layers.map((l) => [l.name, formatSize(l.paramCount)]));

describe("the examples of LANGUAGE.md", () => {
  it("the prelude checks", () => {
    expect(preludeDefinitions().map((c) => c.name)).toEqual(["rnn", "rnn_relu", "lstm", "gru", "gru_reset_after", "dense", "embedding", "lstm_hard_sigmoid", "gru_hard_sigmoid"]);
  });

  it("parity: a forward GRU read at its last step", () => {
    const m = checkExample("parity");
    expect(loops(m)).toEqual(["forward t: h (h)"]);
    expect(params(m)).toEqual({ cell: String(3 * 16 * 18 + 3 * 16), head: String(16 * 2 + 2) });
    expect(m.data.find((d) => d.name === "bits")!.axis).toBe("t");
    expect(formatSize(m.sizeConstraints.get("classes(even)")!)).toBe("2");
    expect(m.losses.map((l) => [l.kind, l.target, l.axis])).toEqual([["cross_entropy", "even", undefined]]);
    expect(m.train).toMatchObject({ optimizer: { name: "adam", lr: 0.01 }, batch: 32, epochs: 40, clipNorm: 5, seed: 1 });
  });

  it("tagger: forward and backward LSTMs, stacked, with a skip connection", () => {
    const m = checkExample("tagger");
    expect(loops(m)).toEqual([
      "map t: e",
      "forward t: f+fc (f, fc)",
      "backward t: b+bc (b, bc)",
      "map t: x2",
      "forward t: g+gc (g, gc)",
      "backward t: k+kc (k, kc)",
    ]);
    const lstm = (i: number, h: number) => String(4 * h * (i + h) + 4 * h);
    expect(params(m)).toEqual({
      emb: "64*vocab(words)",
      f1: lstm(64, 128),
      b1: lstm(64, 128),
      f2: lstm(256, 128),
      b2: lstm(256, 128),
      out: "257*classes(tags)",
    });
    expect(m.losses[0]).toMatchObject({ target: "tags", axis: "t", reduction: "sum_over_steps" });
  });

  it("names: an autoregressive target, generation from nothing", () => {
    const m = checkExample("names");
    expect(loops(m)).toEqual(["forward t: h+c (h, c)"]);
    expect(m.data).toMatchObject([{ name: "name", role: "target", axis: "t", autoregressive: true }]);
  });

  it("gender: names.rnn's emb and cell, name for name and shape for shape (what --init-from copies), a head of its own", () => {
    const [gender, names] = [checkExample("gender"), checkExample("names")];
    const shapes = (m: CheckedModel, layer: string) => m.layers.find((l) => l.name === layer)!.params.map((p) => `${p.name} [${p.shape.map(formatSize).join(", ")}]`);
    for (const layer of ["emb", "cell"]) expect(shapes(gender, layer)).toEqual(shapes(names, layer));
    expect(shapes(gender, "out")).toEqual(["W [classes(sex), 128]", "b [classes(sex)]"]);
    expect(gender.layers.some((l) => l.name === "head")).toBe(false);
    expect(loops(gender)).toEqual(["forward t: h+c (h, c)"]);
  });

  it("caption: the first state set from a vector", () => {
    const m = checkExample("caption");
    expect(loops(m)).toEqual(["forward t: h (h=init)"]);
    expect(m.data.find((d) => d.name === "words")!.autoregressive).toBe(true);
    expect(m.data.find((d) => d.name === "image")!.axis).toBeUndefined();
  });

  it("g2p: two time axes, the decoder starting from the encoder's last state", () => {
    const m = checkExample("g2p");
    expect(loops(m)).toEqual(["forward s: e+ec (e, ec)", "forward t: d+dc (d=init, dc=init)"]);
    expect(m.data.map((d) => [d.name, d.axis, d.autoregressive])).toEqual([
      ["spelling", "s", false],
      ["phones", "t", true],
    ]);
  });

  it("co2: regression with truncated BPTT", () => {
    const m = checkExample("co2");
    expect(loops(m)).toEqual(["forward t: h (h)"]);
    expect(m.train.bptt).toBe(64);
    expect(m.losses[0]).toMatchObject({ kind: "mse", target: "next", axis: "t" });
  });

  it("spam: a GRU each way, max-pooled over time by a recurrence, binary cross-entropy", () => expect(loops(checkExample("spam"))).toEqual(["map t: e", "forward t: f (f)", "backward t: b (b)", "map t: x", "forward t: m (m)"]));
  it("moby: two stacked LSTMs over an autoregressive target, truncated BPTT", () => expect(checkExample("moby").train.bptt).toBe(64));
});
