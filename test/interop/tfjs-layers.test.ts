// Which models map onto tf.layers (interop/tfjs/layers/), and the words for those that do not.
// No tfjs here: only the layer graph found in the checked model.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkSource, differentiatedProgram } from "../../compiler/index.ts";
import type { LayerGraph } from "../../interop/tfjs/graph.ts";
import { layerGraph } from "../../interop/tfjs/layers/index.ts";

function graphOf(source: string, sizes: Record<string, number> = {}): LayerGraph {
  const checked = checkSource(source, "m.rnn");
  expect(checked.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const model = checked.models[0];
  const dataSizes = new Map(Object.entries(sizes));
  return layerGraph(model, source, differentiatedProgram(model, dataSizes), dataSizes);
}

/** The graph in one line a node each: `dense head <- 3 (softmax)`. */
function summary(g: LayerGraph): string[] {
  return g.nodes.map((n) => {
    const from = "from" in n ? ` <- ${(Array.isArray(n.from) ? n.from : [n.from]).map((r) => `${r.node}${r.final ? " final" : ""}`).join(", ")}` : "";
    switch (n.op) {
      case "input":
        return `input ${g.inputs[n.input].name}`;
      case "recurrent":
        return `${n.cell} ${n.layer}${n.backward ? " backward" : ""}${n.sequences ? " sequences" : ""}${n.final ? " final" : ""}${from}`;
      case "bidirectional":
        return `bidirectional ${n.cell} ${n.forward}+${n.backward}${n.sequences ? " sequences" : " final"}${from}`;
      case "dense":
        return `dense ${n.layer}${from} (${n.activation})`;
      case "embedding":
        return `embedding ${n.layer}${from}`;
      case "activation":
        return `${n.activation}${from}`;
      default:
        return `${n.op}${from}`;
    }
  });
}

const example = (name: string) => readFileSync(`examples/${name}.rnn`, "utf8");

describe("models that map onto tf.layers", () => {
  it("the tagger: two Bidirectional LSTMs, an Add for the skip connection, a softmax Dense", () => {
    const g = graphOf(example("tagger"), { "vocab(words)": 9, "classes(tags)": 4 });
    expect(summary(g)).toEqual(["input words", "embedding emb <- 0", "bidirectional lstm f1+b1 sequences <- 1", "bidirectional lstm f2+b2 sequences <- 2", "add <- 3, 2", "dense out <- 4 (softmax)"]);
    expect(g.weights.map((w) => `${w.layer}: ${w.tfjs}${w.half ? ` ${w.half}` : ""}`)).toEqual(["emb: emb", "f1: f1_b1 forward", "b1: f1_b1 backward", "f2: f2_b2 forward", "b2: f2_b2 backward", "out: out"]);
  });

  it("parity: a frozen onehot table, a GRU's last state; names: the shifted target as the input", () => {
    expect(summary(graphOf(example("parity"), { "vocab(bits)": 6 }))).toEqual(["input bits", "onehot <- 0", "gru cell final <- 1", "dense head <- 2 final (softmax)"]);
    const names = graphOf(example("names"), { "vocab(name)": 8 });
    expect(names.inputs).toEqual([{ name: "name_input", field: "name@input", kind: "ids", size: 8, sequence: true }]);
    expect(summary(names)).toEqual(["input name_input", "embedding emb <- 0", "lstm cell sequences <- 1", "dense head <- 2 (softmax)"]);
  });

  it("a layer read at every step and at its end is one layer with both; shared dense layers are applied twice; a dense used twice keeps its logits", () => {
    const g = graphOf(
      `model m {
        input x: seq<vec(2)>
        target a: seq<class>
        target y: class
        layer enc = gru(2, 3)
        layer head = dense(3, 2)
        h[t] = enc(x[t], h[t-1])
        loss cross_entropy(head(h[t]), a[t])
        loss cross_entropy(head(h[last]), y)
      }`,
      { "classes(a)": 2, "classes(y)": 2 },
    );
    expect(summary(g)).toEqual(["input x", "masking <- 0", "gru enc sequences final <- 1", "dense head <- 2 (linear)", "dense head <- 2 final (linear)", "softmax <- 3", "softmax <- 4"]);
  });
});

const userCells = `cell mylstm(In, Hid) {
  input x: [In]
  state hidden: [Hid], memory: [Hid]
  param M: [4*Hid, In + Hid] init glorot
  param k: [4*Hid] init lstm_bias
  a = M @ concat(x, hidden) + k
  i = sigmoid(a[0:Hid])
  f = sigmoid(a[Hid:2*Hid])
  o = sigmoid(a[2*Hid:3*Hid])
  g = tanh(a[3*Hid:4*Hid])
  memory' = f * memory + i * g
  hidden' = o * tanh(memory')
}
cell mygru(I, H) {
  input x: [I]
  state h: [H]
  param Wx: [3*H, I] init glorot
  param Wh: [3*H, H] init glorot
  param bx: [3*H] init zeros
  param bh: [3*H] init zeros
  a  = Wx @ x + bx
  u  = Wh @ h + bh
  z  = sigmoid(a[0:H] + u[0:H])
  r  = sigmoid(a[H:2*H] + u[H:2*H])
  n  = tanh(a[2*H:3*H] + r * u[2*H:3*H])
  h' = (1 - z) * n + z * h
}
`;

describe("cells are decided by their equations, not their names", () => {
  it("a user's cell with the prelude lstm's equations is a tfjs LSTM holding its params", () => {
    const g = graphOf(
      `${userCells}
      model m {
        input  x: seq<vec(2)>
        target y: seq<vec(3)>
        layer enc = mylstm(2, 3)
        (h[t], c[t]) = enc(x[t], h[t-1], c[t-1])
        loss mse(h[t], y[t])
      }`,
    );
    expect(summary(g)).toEqual(["input x", "masking <- 0", "lstm enc sequences <- 1"]);
    expect(g.weights).toEqual([{ layer: "enc", kind: "lstm", tfjs: "enc", params: { W: { name: "enc.M" }, b: { name: "enc.k" } } }]);
  });

  it("a user's gru_reset_after has no tfjs layer; a user's LSTM's memory is not its output", () => {
    let message = "no problem";
    try {
      graphOf(`${userCells}
        model m {
          input  x: seq<vec(2)>
          target y: seq<vec(3)>
          target z: seq<vec(3)>
          layer a = mygru(2, 3)
          layer b = mylstm(2, 3)
          g[t] = a(x[t], g[t-1])
          (h[t], c[t]) = b(x[t], h[t-1], c[t-1])
          loss mse(g[t] + h[t], y[t])
          loss mse(c[t], z[t])
        }`);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      "m does not map onto TensorFlow.js layers:\n" +
        "  - layer a = mygru(…): it computes gru_reset_after, and tfjs's GRU has only the reset-before form (resetAfter: true throws in tfjs 4); use gru\n" +
        "  - c[t]: c is b's memory cell: tfjs's LSTM layer gives only its output h",
    );
  });
});

describe("models that do not, with every reason", () => {
  const cases: [string, string, string[]][] = [
    ["caption: an init", example("caption").replace("vec(512)", "vec(3)").replace("dense(512, H)", "dense(3, H)"), ["init h = tanh(proj(image)): tfjs's recurrent layers start from zeros (a computed first state is not part of a layers model)"]],
    [
      "a backward recurrence read alone at each step; an LSTM's memory cell",
      `model m {
        input x: seq<vec(2)>
        target y: seq<vec(3)>
        target z: seq<vec(3)>
        layer fw = lstm(2, 3)
        layer bw = gru(2, 3)
        (h[t], c[t]) = fw(x[t], h[t-1], c[t-1])
        b[t] = bw(x[t], b[t+1])
        loss mse(b[t], y[t])
        loss mse(c[t], z[t])
      }`,
      [
        "b[t]: the backward recurrence b read at each step outside concat(f[t], b[t]): tfjs gives a backward layer's steps in reverse order; pair it, second, with a forward recurrence of the same cell and size over the same input (a tfjs Bidirectional)",
        "c[t]: c is fw's memory cell: tfjs's LSTM layer gives only its output h",
      ],
    ],
    [
      "a forward and a backward of different cells paired step by step",
      `model m {
        input x: seq<vec(2)>
        target y: seq<vec(6)>
        layer fw = lstm(2, 3)
        layer bw = gru(2, 3)
        (h[t], c[t]) = fw(x[t], h[t-1], c[t-1])
        b[t] = bw(x[t], b[t+1])
        loss mse(concat(h[t], b[t]), y[t])
      }`,
      ["b[t]: the backward recurrence b read at each step outside concat(f[t], b[t]): tfjs gives a backward layer's steps in reverse order; pair it, second, with a forward recurrence of the same cell and size over the same input (a tfjs Bidirectional)"],
    ],
    [
      "products, constants, one step of an input, a recurrence of two equations",
      `model m {
        input x: seq<vec(2)>
        target y: seq<vec(2)>
        target w: vec(2)
        target v: seq<vec(2)>
        layer d = dense(2, 2)
        layer cell = rnn(2, 2)
        a[t] = tanh(d(x[t]) + g[t-1])
        g[t] = cell(a[t], g[t-1])
        loss mse(d(x[t]) * d(x[t]), y[t])
        loss mse(d(x[last]), w)
        loss mse(g[t], v[t])
      }`,
      [
        "d(x[t]) * d(x[t]): `*` of two tensors: only + (tfjs's Add) and concat have tfjs layers",
        "x[last]: one step of x: tfjs layers read whole sequences, step by step",
        "a, g: a recurrence that is not one cell stepping its own states (h[t] = cell(x[t], h[t-1])): no tfjs layer computes it",
      ],
    ],
    [
      "an embedding smaller than the vocabulary",
      `model m {
        input x: seq<token>
        target y: class
        layer emb = embedding(5, 2)
        layer cell = rnn(2, 2)
        layer head = dense(2, 2)
        h[t] = cell(emb(x[t]), h[t-1])
        loss cross_entropy(head(h[last]), y)
      }`,
      ["emb(x[t]): an embedding of 5 rows reading x, whose ids go up to 8: tfjs has no row for the others"],
    ],
    [
      "elu with an alpha other than 1, leaky_relu of a sequence, abs",
      `model m {
        input x: seq<vec(2)>
        target y: seq<vec(2)>
        target w: seq<vec(2)>
        target v: seq<vec(2)>
        layer d = dense(2, 2)
        loss mse(elu(d(x[t]), 0.5), y[t])
        loss mse(leaky_relu(d(x[t]), 0.1), w[t])
        loss mse(abs(d(x[t])), v[t])
      }`,
      [
        "elu(d(x[t]), 0.5): elu with an alpha other than 1: tfjs's elu has alpha 1 only",
        "leaky_relu(d(x[t]), 0.1): leaky_relu of a sequence: tfjs's LeakyReLU layer does not pass a sequence's mask on (it has one for a value per example)",
        "abs(d(x[t])): abs: it has no tfjs layer here (the layers are the prelude's dense, embedding, lstm, gru, lstm_hard_sigmoid, gru_hard_sigmoid, rnn and rnn_relu; the functions concat, onehot, tanh, relu, sigmoid, softmax, softplus, gelu, silu, hard_sigmoid, elu(x, 1) and leaky_relu)",
      ],
    ],
  ];
  it.each(cases)("%s", (_, source, problems) => {
    let message = "no problem";
    try {
      graphOf(source, { "vocab(x)": 9, "vocab(words)": 5 });
    } catch (error) {
      message = (error as Error).message;
    }
    const name = /model (\w+)/.exec(source)![1];
    expect(message).toBe(`${name} does not map onto TensorFlow.js layers:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  });
});
