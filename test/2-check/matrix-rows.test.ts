// Rows of a matrix as the matrix of `@` (issue 13): `R[0:2*H] @ h`, stacked weights as ONNX and
// PyTorch keep them. The checker types them, bounds them for every value of the sizes as it
// bounds a vector's slices, and refuses them anywhere but in a product, saying so.
import { describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/index.ts";
import { lower } from "../../compiler/3-lower/index.ts";
import { at, errors } from "../helpers.ts";
import { stackedGru } from "../6-emit/sweep-matrix-rows.ts";

/** A cell of one state whose next value is `next`, with a stacked R [3H, H] and W [2H, I], in a small model. */
const model = (next: string, extra = "") => `
cell c(I, H) {
  input x: [I]
  state h: [H]
  param R: [3*H, H] init glorot
  param W: [2*H, I] init glorot
  param v: [3*H] init zeros
${extra}
  h' = ${next}
}
model m {
  dims { H = 4 }
  input  x: seq<vec(3)>
  target y: seq<vec(1)>
  layer cell = c(3, H)
  layer out = dense(H, 1)
  h[t] = cell(x[t], h[t-1])
  loss mse(out(h[t]), y[t])
}`;

const firstError = (source: string) => {
  const [first] = errors(source);
  expect(first, "no error was reported").toBeDefined();
  return first;
};

describe("rows of a matrix in a product", () => {
  it("accepts a GRU with stacked weights, its bounds symbolic in H", () => {
    const source = `${stackedGru}
model m {
  dims { H = 8 }
  input  x: seq<vec(3)>
  target y: class
  layer g = stacked_gru(3, H)
  layer head = dense(H, classes(y))
  h[t] = g(x[t], h[t-1])
  loss cross_entropy(head(h[last]), y)
}`;
    expect(errors(source)).toEqual([]);
  });

  it.each([
    ["rows of rows", "tanh(R[0:2*H][H:2*H] @ h)"],
    ["in parentheses", "tanh((R[2*H:3*H]) @ h)"],
    ["all its rows", "tanh((R[0:3*H] @ h)[0:H])"],
    ["beside the whole matrix", "tanh((R @ h)[H:2*H] + R[H:2*H] @ h + W[0:H] @ x)"],
    ["of a shared expression", "tanh((2 * R)[0:H] @ h)"],
  ])("accepts %s: %s", (_, next) => {
    expect(errors(model(next))).toEqual([]);
  });

  it("types W[a:b] @ x as b - a entries and lowers it to a product over those rows, no copy", () => {
    const result = checkSource(model("tanh(R[2*H:3*H] @ h + R[0:2*H][H:2*H] @ h)"), "m.rnn");
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const program = lower(result.models[0], new Map());
    const products = program.blocks[0].nodes.filter((n) => n.op === "matvec" && n.attrs.from !== undefined);
    expect(products.map((n) => [n.attrs.from, n.attrs.to, n.shape])).toEqual([[8, 12, [4]], [4, 8, [4]]]);
    expect(program.blocks[0].nodes.some((n) => n.op === "slice" && n.shape.length === 2)).toBe(false);
  });

  it("refuses rows past the end, as a vector's slice is refused", () => {
    const source = model("tanh(R[2*H:4*H] @ h)");
    const first = firstError(source);
    expect({ line: first.line, column: first.column, message: first.message }).toEqual({
      ...at(source, "R[2*H:4*H]"),
      message: "rows [2*H:4*H] are out of range: `R` has 3*H rows",
    });
  });

  it("refuses rows that may be past the end for some H", () => {
    const first = firstError(model("tanh((R[0:H+2] @ h)[0:H])").replace("param R: [3*H, H]", "param R: [H, H]"));
    expect(first.message).toBe("rows [0:H + 2] are out of range: `R` has H rows");
  });

  it("refuses empty rows", () => {
    expect(firstError(model("tanh(R[H:H] @ h)")).message).toBe("slice [H:H] is empty: its end must be after its start");
  });

  it.each([
    ["an elementwise operand", "tanh(h + (R[0:H] * 2) @ h)", "R[0:H]"],
    ["the vector of `@`", "tanh(R[0:H] @ W[0:H])", "W[0:H]"],
    ["a function's argument", "tanh(tanh(R[0:H]) @ h)", "R[0:H]"],
  ])("refuses the rows of a matrix as %s, saying where they may stand", (_, next, slice) => {
    const source = model(next);
    const first = firstError(source);
    expect({ line: first.line, column: first.column }).toEqual(at(source, slice));
    expect(first.message).toBe(`\`${slice}\`: \`${slice.slice(0, 1)}\` is a matrix, [${slice === "W[0:H]" ? "2*H, I" : "3*H, H"}], and a matrix's rows can be sliced only as the matrix of \`@\``);
    expect(first.hint).toBe(`rows of stacked weights are used in a product: \`${slice} @ x\``);
  });

  it("still refuses a slice of a scalar", () => {
    expect(firstError(model("tanh(h + (2)[0:1])")).message).toBe("only a vector can be sliced, but `(2)` is a scalar");
  });
});
