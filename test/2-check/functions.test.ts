// The activation functions with an argument of their own: elu(x, alpha) and leaky_relu(x, a) take
// a number written out (it becomes the op's attrs.alpha), max(a, b) and min(a, b) broadcast as
// `+`. What the checker accepts, and the diagnostic it gives for what it does not.
import { describe, expect, it } from "vitest";
import { lower } from "../../compiler/3-lower/index.ts";
import { formatDiagnostic, positionOf } from "../../compiler/diagnostics.ts";
import { checkSource } from "../../compiler/index.ts";
import { at, errors } from "../helpers.ts";

const model = (equation: string) => `model m {
  dims { H = 4 }
  input  x: seq<vec(3)>
  target y: seq<vec(1)>
  layer inp = dense(3, H)
  layer out = dense(H, 1)
  a[t] = inp(x[t])
${equation}
  loss mse(out(h[t]), y[t])
}
`;

describe("functions with a number or a second operand", () => {
  it.each([
    ["elu(a[t], 1.0)"],
    ["elu(a[t], -0.5)"],
    ["leaky_relu(a[t], (0.2))"],
    ["leaky_relu(a[t], 1e-2)"],
    ["gelu(a[t]) + silu(a[t]) + hard_sigmoid(a[t]) + abs(a[t]) + sqrt(square(a[t]) + 1)"],
    ["max(a[t], h[t-1])"],
    ["min(0.5, a[t])"],
    ["max(a[t], 0) + min(h[t-1], H)"],
  ])("accepts h[t] = %s", (expression) => {
    expect(errors(model(`  h[t] = ${expression}`))).toEqual([]);
  });

  it("keeps the number in the node's attrs", () => {
    const checked = checkSource(model("  h[t] = elu(a[t], -0.25) + leaky_relu(a[t], 0.01)"), "m.rnn");
    const program = lower(checked.models[0], new Map());
    const nodes = program.blocks.flatMap((b) => b.nodes);
    expect(nodes.filter((n) => n.op === "elu").map((n) => n.attrs.alpha)).toEqual([-0.25]);
    expect(nodes.filter((n) => n.op === "leaky_relu").map((n) => n.attrs.alpha)).toEqual([0.01]);
  });

  const wrong: [string, string, string, string, string?][] = [
    ["a name", "elu(a[t], H)", "H)", "elu(x, H): `H` must be a finite number, written out", "the second argument of elu is a constant of the function, such as elu(x, 1.0)"],
    ["a value of the model", "leaky_relu(a[t], a[t])", "a[t])", "leaky_relu(x, a[t]): `a[t]` must be a finite number, written out", "the second argument of leaky_relu is a constant of the function, such as leaky_relu(x, 0.01)"],
    ["arithmetic", "leaky_relu(a[t], 0.1 * 2)", "0.1 * 2", "leaky_relu(x, 0.1 * 2): `0.1 * 2` must be a finite number, written out"],
    ["a number too large for a float", "elu(a[t], 1e999)", "1e999", "elu(x, 1e999): `1e999` must be a finite number, written out"],
    ["no number", "elu(a[t])", "elu(", "elu takes a tensor and a number: elu(x, 1.0), but was given 1"],
    ["three arguments", "max(a[t], h[t-1], 0)", "max(", "max takes two arguments, but was given 3"],
  ];
  it.each(wrong)("refuses %s as the argument: h[t] = %s", (_, expression, marker, message, hint) => {
    const source = model(`  h[t] = ${expression}`);
    const [first] = errors(source);
    expect(first, "no error was reported").toBeDefined();
    const equation = source.indexOf("h[t] = ");
    const where = positionOf(source, equation + 7 + expression.lastIndexOf(marker)); // the marker's last place in the equation
    expect({ line: first.line, column: first.column, message: first.message }).toEqual({ ...where, message });
    if (hint) expect(first.hint).toBe(hint);
  });

  it("says where, at file:line:col", () => {
    const source = model("  h[t] = elu(a[t], H)");
    const result = checkSource(source, "m.rnn");
    expect(formatDiagnostic(result.diagnostics.find((d) => d.severity === "error")!, "m.rnn", source)).toBe(
      "m.rnn:8:20: error: elu(x, H): `H` must be a finite number, written out\n    h[t] = elu(a[t], H)\n                     ^\n  hint: the second argument of elu is a constant of the function, such as elu(x, 1.0)",
    );
  });

  it("refuses operands of max of different shapes, in the function's words", () => {
    const source = model("  z[t] = concat(a[t], a[t])\n  h[t] = max(a[t], z[t])");
    const [first] = errors(source);
    expect({ line: first.line, column: first.column, message: first.message, hint: first.hint }).toEqual({
      ...at(source, "max("),
      message: "`max(a[t], z[t])`: a[t] is [4] but z[t] is [8]",
      hint: "max is elementwise: its operands have the same shape, or one of them is a scalar",
    });
  });
});
