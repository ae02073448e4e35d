// A target read at an earlier step is autoregressive: its earlier tokens are fed back. Only a
// token sequence can be: the data layer shifts tokens (with <bos>) and generation chooses them.
// Anything else is refused where it is read, never left to fail while loading the data.
import { describe, expect, it } from "vitest";
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

// What has seen the target at the step it predicts, or later, cannot predict it. Reading y[t]
// itself is refused where it is written; these reach it through other values.
const names = (equations: string, prediction: string) => `model names {
  dims { E = 4, H = 8 }
  target name: seq<token>
  layer emb  = embedding(vocab(name), E)
  layer cell = gru(E, H)
  layer mix  = dense(H, H)
  layer head = dense(H, vocab(name))
${equations}
  loss cross_entropy(head(${prediction}), name[t])
}
`;

describe("a prediction that has seen its target through other values", () => {
  it.each([
    ["a recurrence run backward over name[t-1]", "  b[t] = cell(emb(name[t-1]), b[t+1])", "b[t]"],
    ["a forward recurrence read a step ahead", "  h[t] = cell(emb(name[t-1]), h[t-1])", "h[t+1]"],
    ["a value that reads one ahead, two equations on", "  h[t] = cell(emb(name[t-1]), h[t-1])\n  g[t] = tanh(mix(h[t+1]))", "g[t]"],
    ["the whole sequence, through an init", "  h[t] = cell(emb(name[t-1]), h[t-1])\n  init d = h[last]\n  d[t] = cell(emb(name[t-1]), d[t-1])", "d[t]"],
    ["a state read two steps ahead in a recurrence that reads its own earlier steps", "  h[t] = cell(emb(name[t-1]), h[t-2])", "h[t+2]"],
  ])("is an error at the read: %s", (_, equations, prediction) => {
    const program = names(equations, prediction);
    const found = errors(program);
    expect(found.map((e) => e.message)).toEqual([`\`${prediction}\` has seen name[t] or later steps, and the loss predicts name[t] from it: the model would see its answer`]);
    expect({ line: found[0].line, column: found[0].column }).toEqual(at(program, `${prediction})`));
    expect(found[0].hint).toBe("what reads name[t-1] may only run forward in time: read it at an earlier step (h[t-1]), not a later one (h[t+1]) or the whole sequence (h[last])");
  });

  it.each([
    ["a forward recurrence", "  h[t] = cell(emb(name[t-1]), h[t-1])", "h[t]"],
    ["a value of name[t-2] read a step ahead: it has seen name[t-1]", "  e[t] = emb(name[t-2])\n  h[t] = cell(e[t+1], h[t-1])", "h[t]"],
    ["a forward recurrence read a step back", "  h[t] = cell(emb(name[t-1]), h[t-1])", "h[t-1]"],
  ])("is not found where there is none: %s", (_, equations, prediction) => {
    expect(errors(names(equations, prediction))).toEqual([]);
  });
});

describe("a target read at t-1 that no loss predicts", () => {
  const model = (loss: string) => `model m {
  dims { E = 4, H = 8 }
  target name: seq<token>
  target other: seq<token>
  layer emb  = embedding(vocab(name), E)
  layer cell = gru(E, H)
  layer head = dense(H, vocab(name))
  layer out  = dense(H, vocab(other))
  h[t] = cell(emb(name[t-1]), h[t-1])
  ${loss}
}
`;

  it("is an error at the read", () => {
    const program = model("loss cross_entropy(out(h[t]), other[t])");
    const found = errors(program);
    expect(found.map((e) => e.message)).toEqual(["`name` is read at an earlier step, but no loss predicts name[t]"]);
    expect({ line: found[0].line, column: found[0].column }).toEqual(at(program, "name[t-1]"));
  });

  it("is not said when its loss has an error of its own: that error is the one", () => {
    expect(errors(model("loss cross_entropy(hed(h[t]), name[t])")).map((e) => e.message)).toEqual(["unknown function or layer `hed`"]);
  });
});
