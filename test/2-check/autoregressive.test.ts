// A target read at an earlier step is autoregressive: its earlier tokens are fed back. Only a
// token sequence can be: the data layer shifts tokens (with <bos>) and generation chooses them.
// Anything else is refused where it is read, never left to fail while loading the data.
import { expect, it } from "vitest";
import { at, errors } from "../helpers.ts";

const source = (target: string) => `model m {
  dims { H = 3 }
  input  x: seq<vec(1)>
  target y: ${target}
  layer cell = rnn(3, H)
  layer out = dense(H, 2)
  h[t] = cell(concat(x[t], y[t-1]), h[t-1])
  loss mse(out(h[t]), y[t])
}
`;

it.each([
  ["seq<vec(2)>", "seq<vec(2)>"],
  ["seq<class>", "seq<class>"],
])("a %s target read at t-1 is an error at the read", (target, shown) => {
  const program = source(target);
  const found = errors(program).find((e) => e.message.startsWith("`y[t-1]` reads the target y at an earlier step"));
  expect(found, JSON.stringify(errors(program))).toBeDefined();
  expect(found!.message).toBe(`\`y[t-1]\` reads the target y at an earlier step, but only a seq<token> target can be read so (its earlier tokens are fed back when generating); y is ${shown}`);
  expect({ line: found!.line, column: found!.column }).toEqual(at(program, "y[t-1]"));
  expect(found!.hint).toBe("give the earlier values to the model as an input of their own");
});
