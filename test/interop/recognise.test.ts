// The recogniser (interop/recognise): which prelude cell each recurrence of a program computes,
// decided by the lowered IR and never by a name, with the mapping of the cell's params (its
// roles W, b, Wz, … onto the program's params, and their rows when the gates are in another
// order), or the reason it is none.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "../../compiler/1-parse/index.ts";
import { check } from "../../compiler/2-check/index.ts";
import { checkSource, differentiatedProgram, PRELUDE_FILE } from "../../compiler/index.ts";
import type { Program } from "../../compiler/ir/nodes.ts";
import { cellKinds, cellStates, recogniseCells, type CellKind, type Recurrence } from "../../interop/recognise/index.ts";
import { inProgramOrder, inReferenceOrder } from "../../interop/recognise/param-rows.ts";

function programOf(source: string, sizes: Record<string, number> = {}): Program {
  const checked = checkSource(source, "m.rnn");
  expect(checked.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  return differentiatedProgram(checked.models[0], new Map(Object.entries(sizes)));
}

/** A model running `layer` over x: `(h[t], c[t]) = cell(x[t], h[t∓1], c[t∓1])` for its states. */
const running = (layer: string, states: string[], backward = false) => {
  const step = backward ? "t+1" : "t-1";
  const targets = states.map((s) => `${s}[t]`).join(", ");
  return `model m {
    input  x: seq<vec(2)>
    target y: seq<vec(3)>
    layer cell = ${layer}
    ${states.length > 1 ? `(${targets})` : targets} = cell(x[t], ${states.map((s) => `${s}[${step}]`).join(", ")})
    loss mse(${states[0]}[t], y[t])
  }`;
};

/** The one recurrence of a program. */
function only(program: Program): Recurrence {
  const { recurrences } = recogniseCells(program);
  expect(recurrences).toHaveLength(1);
  return recurrences[0];
}

const preludeParams: Record<CellKind, string[]> = {
  lstm: ["W", "b"],
  gru: ["Wz", "Wr", "W", "bz", "br", "b"],
  gru_reset_after: ["Wx", "Wh", "bx", "bh"],
  rnn: ["W", "b"],
  rnn_relu: ["W", "b"],
  lstm_hard_sigmoid: ["W", "b"],
  gru_hard_sigmoid: ["Wz", "Wr", "W", "bz", "br", "b"],
};

describe("the prelude's cells", () => {
  it.each(cellKinds.flatMap((kind) => [[kind, "forward"], [kind, "backward"]] as const))("%s, %s: recognised, each param in its role", (kind, direction) => {
    const states = [...cellStates[kind]];
    const r = only(programOf(running(`${kind}(2, 3)`, states, direction === "backward")));
    expect(r.reason).toBeUndefined();
    expect(r.cell).toMatchObject({ kind, inputSize: 2, hidden: 3, states: Object.fromEntries(states.map((s) => [s, s])) });
    expect(r.cell!.params).toEqual(Object.fromEntries(preludeParams[kind].map((p) => [p, { name: `cell.${p}` }])));
  });

  it("a layer named after another cell is the cell it instantiates; states named anything, in any order", () => {
    const r = only(programOf(running("gru(2, 3)", ["hidden"]).replace("layer cell", "layer lstm").replace("= cell(", "= lstm(")));
    expect(r.cell).toMatchObject({ kind: "gru", states: { h: "hidden" }, params: { Wz: { name: "lstm.Wz" } } });
    const swapped = only(programOf(`model m {
      input  x: seq<vec(2)>
      target y: seq<vec(3)>
      layer enc = lstm(2, 3)
      (out[t], mem[t]) = enc(x[t], out[t-1], mem[t-1])
      loss mse(mem[t] + out[t], y[t])
    }`));
    expect(swapped.cell).toMatchObject({ kind: "lstm", states: { h: "out", c: "mem" }, params: { W: { name: "enc.W" }, b: { name: "enc.b" } } });
  });

  it("the tagger's four LSTMs, each with its own params; the recognition is made once per program", () => {
    const program = programOf(readFileSync("examples/tagger.rnn", "utf8"), { "vocab(words)": 7, "classes(tags)": 4 });
    const recognition = recogniseCells(program);
    expect(recognition.recurrences.map((r) => `${r.states}: ${r.cell?.kind} ${r.cell?.params.W.name} I=${r.cell?.inputSize}`)).toEqual([
      "f,fc: lstm f1.W I=64",
      "b,bc: lstm b1.W I=64",
      "g,gc: lstm f2.W I=256",
      "k,kc: lstm b2.W I=256",
    ]);
    expect(recogniseCells(program)).toBe(recognition);
    expect(recognition.of("gc")).toBe(recognition.recurrences[2]);
  });
});

const userLstm = (order: "prelude" | "pytorch") => `cell mylstm(In, Hid) {
  input x: [In]
  state hidden: [Hid], memory: [Hid]
  param Weights: [4*Hid, In + Hid] init glorot
  param bias: [4*Hid] init lstm_bias
  pre = Weights @ concat(x, hidden) + bias
  i = sigmoid(pre[0:Hid])
  f = sigmoid(pre[Hid:2*Hid])
  ${order === "prelude" ? "o = sigmoid(pre[2*Hid:3*Hid])\n  g = tanh(pre[3*Hid:4*Hid])" : "g = tanh(pre[2*Hid:3*Hid])\n  o = sigmoid(pre[3*Hid:4*Hid])"}
  memory' = f * memory + i * g
  hidden' = o * tanh(memory')
}
model m {
  input  x: seq<vec(2)>
  target y: seq<vec(3)>
  layer enc = mylstm(2, 3)
  (h[t], c[t]) = enc(x[t], h[t-1], c[t-1])
  loss mse(h[t], y[t])
}`;

describe("a user's own cell is recognised by what it computes", () => {
  it("the prelude's lstm written out under other names is an LSTM, its params mapped to their roles", () => {
    const r = only(programOf(userLstm("prelude")));
    expect(r.cell).toMatchObject({ kind: "lstm", inputSize: 2, hidden: 3, states: { h: "h", c: "c" }, params: { W: { name: "enc.Weights" }, b: { name: "enc.bias" } } });
  });

  it("with the gates in PyTorch's order (i, f, g, o) and the terms of each sum swapped: an LSTM whose rows are permuted", () => {
    const r = only(programOf(userLstm("pytorch").replace("Weights @ concat(x, hidden) + bias", "bias + Weights @ concat(x, hidden)").replace("f * memory + i * g", "i * g + f * memory")));
    expect(r.cell?.kind).toBe("lstm");
    const rows = [0, 1, 2, 3, 4, 5, 9, 10, 11, 6, 7, 8]; // the prelude's o (rows 6..8) is the user's rows 9..11, its g the user's 6..8
    expect(r.cell!.params).toEqual({ W: { name: "enc.Weights", rows }, b: { name: "enc.bias", rows } });
    const bias = Float32Array.from({ length: 12 }, (_, i) => i);
    expect([...inReferenceOrder(bias, rows)]).toEqual(rows);
    expect([...inProgramOrder(inReferenceOrder(bias, rows), rows)]).toEqual([...bias]);
  });

  it("with hard_sigmoid gates the same cell is lstm_hard_sigmoid, rows permuted alike; with gates of both kinds, neither", () => {
    const r = only(programOf(userLstm("pytorch").replaceAll("sigmoid(", "hard_sigmoid(")));
    const rows = [0, 1, 2, 3, 4, 5, 9, 10, 11, 6, 7, 8];
    expect(r.cell).toMatchObject({ kind: "lstm_hard_sigmoid", params: { W: { name: "enc.Weights", rows }, b: { name: "enc.bias", rows } } });
    const mixed = only(programOf(userLstm("prelude").replace("i = sigmoid(", "i = hard_sigmoid(")));
    expect(mixed.cell).toBeUndefined();
    expect(mixed.reason).toBe("the nearest of the prelude's cells, lstm, has sigmoid where it has hard_sigmoid");
  });

  it("the prelude's lstm under its own name in a prelude of other equations is not an LSTM", () => {
    // A prelude whose `lstm` (same file, same name, same params) gates the memory differently:
    // anything that went by the name or the file would call it an LSTM.
    const prelude = readFileSync(PRELUDE_FILE, "utf8").replace("c' = f * c + i * g", "c' = f * c + g");
    const own = parse(prelude);
    const definitions = check(own.program, PRELUDE_FILE, prelude, []).cells;
    const source = running("lstm(2, 3)", ["h", "c"]);
    const checked = check(parse(source).program, "m.rnn", source, definitions);
    expect(checked.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const r = only(differentiatedProgram(checked.models[0], new Map()));
    expect(r.cell).toBeUndefined();
    expect(r.reason).toBe("the nearest of the prelude's cells, lstm, has mul where it has tanh");
  });

  it("what is none of them says why: where it differs from the nearest, or what else is wrong", () => {
    const noBias = `cell mine(I, H) {
      input x: [I]
      state h: [H]
      param W: [H, I + H] init glorot
      h' = tanh(W @ concat(x, h))
    }
    ${running("mine(2, 3)", ["h"])}`;
    expect(only(programOf(noBias)).reason).toBe("the nearest of the prelude's cells, rnn, has add where it has matvec");
    const readsItself = running("rnn(3, 3)", ["h"]).replace("cell(x[t], h[t-1])", "cell(h[t-1], h[t-1])").replace("input  x: seq<vec(2)>", "input  x: seq<vec(3)>");
    expect(only(programOf(readsItself)).reason).toBe("its input depends on its own states");
    const gateTwice = userLstm("prelude").replace("o = sigmoid(pre[2*Hid:3*Hid])", "o = sigmoid(pre[0:Hid])"); // o is i
    expect(only(programOf(gateTwice)).reason).toBe("the nearest of the prelude's cells, lstm, has two separate sigmoid [3] where it has one");
    const overlapping = userLstm("prelude").replace("o = sigmoid(pre[2*Hid:3*Hid])", "o = sigmoid(pre[1:Hid+1])");
    expect(only(programOf(overlapping)).reason).toBe("it computes lstm's equations, but slices its gates at offsets that are no order of lstm's");
    const running3 = `model m {
      input  x: seq<vec(2)>
      target y: seq<vec(3)>
      layer d = dense(5, 3)
      h[t] = tanh(d(concat(x[t], h[t-1])))
      loss mse(h[t], y[t])
    }`;
    expect(only(programOf(running3)).cell).toMatchObject({ kind: "rnn", params: { W: { name: "d.W" }, b: { name: "d.b" } } }); // a dense layer in a recurrence computes the prelude's rnn
  });
});
