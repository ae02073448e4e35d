// dropout(x, p) and locked_dropout(x, p): where they are accepted (anywhere an expression of
// numbers is: a cell on its own state, a model's equations, a loss's prediction), and the exact
// diagnostic when the rate is not a number written out in [0, 1) or x is not a vector.
import { describe, expect, it } from "vitest";
import { at, errors } from "../helpers.ts";

const model = (equations: string, cellBody = "h' = tanh(W @ concat(x, h) + b)") => `cell mine(I, H) {
  input x: [I]
  state h: [H]
  param W: [H, I + H] init glorot
  param b: [H] init zeros
  ${cellBody}
}
model m {
  dims { E = 4, H = 8 }
  input  words: seq<token>
  target tags: seq<class>
  layer emb = embedding(vocab(words), E)
  layer cell = mine(E, H)
  layer out = dense(H, classes(tags))
${equations}
}
`;
const plain = "  e[t] = emb(words[t])\n  h[t] = cell(e[t], h[t-1])\n  loss cross_entropy(out(h[t]), tags[t])";

describe("dropout in the checker", () => {
  it.each([
    ["on a cell's state, before the recurrent product", model(plain, "h' = tanh(W @ concat(x, locked_dropout(h, 0.25)) + b)")],
    ["on a cell's bias (a shared value)", model(plain, "h' = tanh(W @ concat(x, h) + dropout(b, 0.1))")],
    ["on the inputs and in a loss", model("  e[t] = dropout(emb(words[t]), 0.5)\n  h[t] = cell(locked_dropout(e[t], (0.2)), h[t-1])\n  loss cross_entropy(out(dropout(h[t], 0)), tags[t])")],
  ])("accepts dropout %s", (_, source) => expect(errors(source)).toEqual([]));

  const cases = [
    { name: "a rate of 1", edit: "dropout(emb(words[t]), 1)", marker: "1)", message: "dropout(x, 1): the rate must be a number written out, at least 0 and below 1" },
    { name: "a rate above 1", edit: "dropout(emb(words[t]), 1.5)", marker: "1.5", message: "dropout(x, 1.5): the rate must be a number written out, at least 0 and below 1" },
    { name: "a negative rate", edit: "locked_dropout(emb(words[t]), -0.1)", marker: "-0.1", message: "locked_dropout(x, -0.1): the rate must be a number written out, at least 0 and below 1" },
    { name: "a rate that is a size", edit: "dropout(emb(words[t]), H)", marker: "H)", message: "dropout(x, H): the rate must be a number written out, at least 0 and below 1" },
    { name: "a rate that is a value", edit: "dropout(emb(words[t]), emb(words[t]))", marker: "emb(words[t]))", message: "dropout(x, emb(words[t])): the rate must be a number written out, at least 0 and below 1" },
    { name: "no rate", edit: "dropout(emb(words[t]))", marker: "dropout", message: "dropout takes a vector and a rate: dropout(h, 0.25), but was given 1" },
  ];
  it.each(cases)("refuses $name", ({ edit, marker, message }) => {
    const source = model(plain.replace("emb(words[t])", edit));
    const [first] = errors(source);
    expect(first, "no error was reported").toBeDefined();
    const call = at(source, edit);
    expect({ line: first.line, column: first.column, message: first.message }).toEqual({ line: call.line, column: call.column + edit.indexOf(marker), message });
    if (marker !== "dropout") expect(first.hint).toBe(`the share of features dropped while training, such as ${edit.slice(0, edit.indexOf("("))}(x, 0.25)`);
  });

  it("refuses a matrix", () => {
    const source = model(plain, "h' = tanh(dropout(W, 0.5) @ concat(x, h) + b)");
    const [first] = errors(source);
    expect({ line: first.line, column: first.column, message: first.message }).toEqual({ ...at(source, "W, 0.5"), message: "dropout(W): `W` is [H, H + I], but dropout takes a vector or a number" });
  });
});
