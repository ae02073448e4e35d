// Programs with dropout, for the dropout tests (test/6-emit/dropout.test.ts, test/parallel/dropout.test.ts).
import { expect } from "vitest";
import { checkSource } from "../../compiler/index.ts";
import { lower } from "../../compiler/3-lower/index.ts";
import { differentiate } from "../../compiler/4-differentiate/index.ts";
import type { DifferentiatedProgram, Program } from "../../compiler/ir/nodes.ts";
import { validate } from "../../compiler/ir/validate.ts";

/** A tagger whose recurrent cell drops its own state (locked, on h[t-1] before the product) and its bias (shared: masked per example), and which drops its inputs and outputs. */
export const dropoutSource = (p = 0.3, q = 0.25, r = 0.5) => `
cell dropped_rnn(I, H) {
  input x: [I]
  state h: [H]
  param W: [H, I + H] init glorot
  param b: [H] init zeros
  h' = tanh(W @ concat(x, locked_dropout(h, ${q})) + dropout(b, ${q}))
}
model dropped {
  dims { E = 4, H = 5 }
  input words: seq<token>
  target tags: seq<class>
  layer emb = embedding(vocab(words), E)
  layer cell = dropped_rnn(E, H)
  layer out = dense(H, classes(tags))
  e[t] = dropout(emb(words[t]), ${p})
  h[t] = cell(e[t], h[t-1])
  loss cross_entropy(out(dropout(h[t], ${r})), tags[t])
  train { optimizer adam(lr: 0.01)  batch 8 }
}`;

export function compile(source: string, sizes: Record<string, number> = { "vocab(words)": 7, "classes(tags)": 3 }): { lowered: Program; p: DifferentiatedProgram } {
  const checked = checkSource(source, "dropped.rnn");
  const errors = checked.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((d) => d.message).join("\n"));
  const lowered = lower(checked.models[0], new Map(Object.entries(sizes)));
  const p = differentiate(lowered);
  expect(validate(p)).toEqual([]);
  return { lowered, p };
}
