// Random user cells and layers for the fuzzer (fuzz-generate.ts): definitions that check, built
// from random elementwise ops over [H] vectors, stacked weights read by rows (`W[0:H] @ x`),
// dropout of the state, and every function of the language. Values stay bounded: each state's
// next value goes through a squashing function, and the ops that can blow up (exp, log, sqrt,
// division) are only given arguments on which they cannot.
import type { Rng } from "../../runtime/rng.ts";

export interface Pick {
  rng: Rng;
  int(n: number): number;
  chance(p: number): boolean;
  one<T>(items: readonly T[]): T;
}

export function picker(rng: Rng): Pick {
  return {
    rng,
    int: (n) => rng.int(n),
    chance: (p) => rng.next() < p,
    one: (items) => items[rng.int(items.length)],
  };
}

/** An expression over vectors of one size, from `leaves`, `depth` ops deep at most. */
export function elementwise(r: Pick, leaves: string[], depth: number, size = "H"): string {
  if (depth <= 0 || r.chance(0.25)) return r.one(leaves);
  const a = () => elementwise(r, leaves, depth - 1, size);
  switch (r.int(30)) {
    case 0: return `sigmoid(${a()})`;
    case 1: return `tanh(${a()})`;
    case 2: return `relu(${a()})`;
    case 3: return `softplus(${a()})`;
    case 4: return `gelu(${a()})`;
    case 5: return `silu(${a()})`;
    case 6: return `hard_sigmoid(${a()})`;
    case 7: return `abs(${a()})`;
    case 8: return `square(tanh(${a()}))`;
    case 9: return r.chance(0.5) ? `sqrt(square(${a()}) + 1)` : `sqrt(sigmoid(${a()}))`;
    case 10: return `elu(${a()}, ${r.one(["1.0", "0.5", "2"])})`;
    case 11: return `leaky_relu(${a()}, ${r.one(["0.01", "0.2", "0"])})`;
    case 12: return `exp(tanh(${a()}))`;
    case 13: return r.chance(0.5) ? `log(1 + square(${a()}))` : `log(sigmoid(${a()}) + 0.5)`;
    case 14: return `max(${a()}, ${r.chance(0.3) ? "0" : a()})`;
    case 15: return `min(${a()}, ${r.chance(0.3) ? "1" : a()})`;
    case 16: return `dropout(${a()}, ${r.one(["0", "0.2", "0.5"])})`;
    case 17: return `locked_dropout(${a()}, ${r.one(["0.1", "0.3"])})`;
    case 18: return `softmax(${a()})`;
    case 19: return `log_softmax(${a()})`;
    case 20: return `-${a()}`;
    case 21: return `${a()} + ${a()}`;
    case 22: return `${a()} - ${a()}`;
    case 23: return `${a()} * ${a()}`;
    case 24: return `${a()} / (1 + square(${a()}))`;
    case 25: return `${a()} / ${r.one(["2", size, "0.5"])}`;
    case 26: return `${r.one(["0.5", "2", size, "-1"])} * ${a()}`;
    case 27: return `(${a()})`;
    case 28: return `tanh(${a()}) * ${r.one(["1", "3"])}`;
    default: return `sigmoid(${a()}) * tanh(${a()})`;
  }
}

export interface Definition {
  name: string;
  text: string;
  kind: "cell" | "layer";
  states: number; // a cell's (1 or 2); 0 for a layer
  tokenInput: boolean; // a layer of ids (input x: token)
}

/** A random cell(I, H) with one or two states. */
export function randomCell(r: Pick, name: string): Definition {
  const two = r.chance(0.3);
  const k = 1 + r.int(3); // gates stacked in W's rows
  const lines = [`cell ${name}(I, H) {`, "  input x: [I]", two ? "  state h: [H], c: [H]" : "  state h: [H]"];
  lines.push(`  param W: [${k === 1 ? "H" : `${k}*H`}, I + H] init ${r.one(["glorot", "orthogonal", "normal(0.3)", "uniform(0.5)"])}`);
  lines.push(`  param U: [${k}*H, H]${r.chance(0.5) ? " init orthogonal" : ""}`);
  lines.push(`  param V: [2*H, I] init glorot`);
  lines.push(`  param b: [${k}*H] init ${r.one(["zeros", "ones", "normal(0.1)"])}`);
  const xh = r.chance(0.3) ? "concat(x, locked_dropout(h, 0.25))" : r.chance(0.2) ? "concat(x, dropout(h, 0.1))" : "concat(x, h)";
  lines.push(`  a = W @ ${xh} + b`);
  const rows = (m: string, n: number) => Array.from({ length: n }, (_, i) => `${m}[${i === 0 ? "0" : i === 1 ? "H" : `${i}*H`}:${i === 0 ? "H" : `${i + 1}*H`}]`);
  const leaves = ["h", "(U[0:H] @ h)", "(V[0:H] @ x)", "((V[H:2*H]) @ x)", ...rows("U", k).map((u) => `(${u} @ h)`), ...(k === 1 ? ["a"] : rows("a", k))];
  if (k >= 2) leaves.push("(W[H:2*H] @ concat(x, h))", "(U[0:2*H][H:2*H] @ h)");
  if (two) leaves.push("c");
  const locals: string[] = [];
  const n = 1 + r.int(3);
  for (let i = 0; i < n; i++) {
    const local = `v${i}`;
    lines.push(`  ${local} = ${elementwise(r, [...leaves, ...locals], 1 + r.int(3))}`);
    locals.push(local);
  }
  const pool = [...leaves, ...locals];
  const squash = (e: string) => r.one([`tanh(${e})`, `sigmoid(${e})`, `hard_sigmoid(${e})`, `tanh(${e}) * sigmoid(${r.one(pool)})`]);
  const gate = `sigmoid(${r.one(pool)})`;
  const next = () =>
    r.chance(0.5) ? squash(elementwise(r, pool, 2)) : `(1 - ${gate}) * ${r.chance(0.5) ? "h" : "tanh(h)"} + ${gate} * ${squash(r.one(pool))}`;
  if (two) {
    lines.push(`  c' = sigmoid(${r.one(pool)}) * c + ${squash(r.one(pool))}`);
    lines.push(`  h' = ${r.one(["tanh(c')", "sigmoid(v0) * tanh(c')", next()])}`);
  } else lines.push(`  h' = ${next()}`);
  lines.push("}");
  return { name, text: lines.join("\n"), kind: "cell", states: two ? 2 : 1, tokenInput: false };
}

/** A random layer(I, O) of vectors, or (V, O) of ids. */
export function randomLayer(r: Pick, name: string): Definition {
  if (r.chance(0.2)) {
    const sized = r.chance(0.5);
    return {
      name,
      kind: "layer",
      states: 0,
      tokenInput: true,
      text: [`layer ${name}(V, O) {`, `  input x: ${sized ? "token(V)" : "token"}`, "  param W: [O, V] init normal(0.2)", "  param g: [O] init ones",
        `  return ${r.one(["g * (W @ onehot(x, V))", "tanh(W @ onehot(x, V)) + g", "W @ onehot(x, V)"])}`, "}"].join("\n"),
    };
  }
  const leaves = ["(W[0:O] @ x)", "(W[O:2*O] @ x)", "g", "((W[0:2*O])[0:O] @ x)"];
  const lines = [`layer ${name}(I, O) {`, "  input x: [I]", "  param W: [2*O, I] init glorot", `  param g: [O] init ${r.one(["ones", "zeros", "uniform(0.1)"])}`];
  if (r.chance(0.5)) {
    lines.push(`  u = ${elementwise(r, leaves, 2, "O")}`);
    leaves.push("u");
  }
  lines.push(`  return ${r.one(["", "tanh", "gelu", "silu"])}(${elementwise(r, leaves, 2, "O")})`, "}");
  return { name, text: lines.join("\n"), kind: "layer", states: 0, tokenInput: false };
}
