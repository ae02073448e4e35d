// A seeded mutator of .rnn programs, for the fuzzer: token edits (delete, duplicate, swap,
// replace by a piece of the language), numbers made huge, zero, negative or odd, dims set to 0
// or to billions, deep nesting (brackets, unary minus, long sums), long and Unicode identifiers,
// NUL bytes, a BOM, CRLF, lone surrogates. Most mutants are refused; those that still check go
// the whole way through the pipeline like any other program.
import { readdirSync, readFileSync } from "node:fs";
import { Rng } from "../../runtime/rng.ts";
import { picker, type Pick } from "./fuzz-cells.ts";
import { generateModel } from "./fuzz-generate.ts";
import type { FuzzCase } from "./fuzz-pipeline.ts";

const TOKEN = /[A-Za-z_][A-Za-z0-9_]*'?|\d+(?:\.\d+)?(?:e-?\d+)?|\/\/[^\n]*|\s+|./gsu;

const PIECES = ["model", "cell", "layer", "{", "}", "(", ")", "[", "]", "t-1", "t+1", "s-1", "last", "first", "'", "=", ",", ":", ";", "\n",
  "@", "*", "+", "-", "/", "init", "loss", "train", "output", "h[t]", "seq<token>", "vec(3)", "class", "0:H", "1e-3", "x'", "\u0000",
  "gelu", "elu", "hard_sigmoid", "leaky_relu", "silu", "abs", "sqrt", "square", "max", "min", "dropout", "locked_dropout", "softmax",
  "concat", "onehot", "vocab", "classes", "mean over tokens", "bptt 2", "param", "state", "input", "target", "return", "W[0:H] @", "0.5"];

const NUMBERS = ["0", "1", "-1", "2", "1000000", "65536", "2147483647", "4294967296", "99999999999999999999", "1e308", "1e400", "1e-400", "0.5", "3.5", "1e9", "0.0", "9007199254740993"];

const NAMES = ["hé", "日本", "𝓱", "e\u0301", "\u200dh", "\u202eh", "h\u0000", "Ω", "_", "__proto__", "constructor", "prototype", "toString", "await", "yield", "class", "new", "this", "delete", "arguments", "eval", "Float32Array", "Math", "B", "T_t", "params", "grads", "batch", "$", "h$"];

function tokens(s: string): string[] {
  return s.match(TOKEN) ?? [];
}

/** Replaces every whole-word occurrence of `from` with `to`. */
const rename = (s: string, from: string, to: string) => tokens(s).map((t) => (t === from ? to : t === `${from}'` ? `${to}'` : t)).join("");

function identifiers(s: string): string[] {
  const keywords = new Set(["model", "cell", "layer", "dims", "input", "target", "state", "param", "init", "loss", "train", "return", "t", "s", "last", "first", "seq", "vec", "token", "class"]);
  return [...new Set(tokens(s).filter((t) => /^[A-Za-z_]/.test(t) && !keywords.has(t)).map((t) => t.replace(/'$/, "")))];
}

function mutateOnce(r: Pick, s: string): string {
  const ts = tokens(s);
  const at = () => r.int(Math.max(1, ts.length));
  const join = () => ts.join("");
  switch (r.int(16)) {
    case 0: ts.splice(at(), 1 + r.int(3)); return join(); // delete tokens
    case 1: { const i = at(); ts.splice(i, 0, ...ts.slice(i, i + 1 + r.int(4))); return join(); } // duplicate
    case 2: { const [i, j] = [at(), at()]; [ts[i], ts[j]] = [ts[j], ts[i]]; return join(); } // swap
    case 3: ts.splice(at(), r.chance(0.5) ? 1 : 0, r.one(PIECES)); return join(); // a piece of the language
    case 4: { // a number made odd
      const numbers = ts.map((t, i) => (/^\d/.test(t) ? i : -1)).filter((i) => i >= 0);
      if (numbers.length === 0) return s;
      ts[r.one(numbers)] = r.one(NUMBERS);
      return join();
    }
    case 5: // a dim set to zero or to billions
      return s.replace(/(dims\s*\{[^}]*?\b[A-Za-z_]\w*\s*=\s*)(\d+)/, (_, head: string) => head + r.one(["0", "100000", "1000000000", "2147483648", "1e12", "-3", "3 * 100000"]));
    case 6: { // deep brackets around a token
      const depth = r.one([10, 63, 64, 65, 200, 5000]);
      const i = at();
      const [open, close] = r.one([["(", ")"], ["tanh(", ")"], ["concat(", ")"], ["[", "]"]]);
      ts[i] = open.repeat(depth) + ts[i] + close.repeat(depth);
      return join();
    }
    case 7: { // long chains: unary minus, sums, products
      const i = ts.findIndex((t, k) => k >= at() && /^[A-Za-z_]/.test(t));
      if (i < 0) return s;
      const n = r.one([50, 500, 3000]);
      ts[i] = r.chance(0.5) ? "-".repeat(n) + ts[i] : Array(n).fill(ts[i]).join(r.one([" + ", " * ", " - "]));
      return join();
    }
    case 8: { // a long identifier
      const names = identifiers(s);
      if (names.length === 0) return s;
      return rename(s, r.one(names), r.one(["a", "h", "W", "x"]) + "_".repeat(r.one([100, 3000, 70000])) + r.int(10));
    }
    case 9: { // a Unicode or JavaScript-reserved identifier
      const names = identifiers(s);
      if (names.length === 0) return s;
      return rename(s, r.one(names), r.one(NAMES));
    }
    case 10: { const i = r.int(s.length + 1); return s.slice(0, i) + r.one(["\u0000", "\u0000\u0000\u0000", "\ufeff", "\ud800", "\udfff", "\r", "\t", "\f", "\u2028", "\x7f"]) + s.slice(i); }
    case 11: return r.one(["\ufeff" + s, s.replace(/\n/g, "\r\n"), s.replace(/\n/g, "\r"), s + "\u0000", s.replace(/ /g, "\t")]);
    case 12: { // lines deleted, duplicated or swapped
      const lines = s.split("\n");
      const [a, b] = [r.int(lines.length), r.int(lines.length)];
      if (r.chance(0.4)) lines.splice(a, 1);
      else if (r.chance(0.5)) lines.splice(a, 0, lines[b]);
      else [lines[a], lines[b]] = [lines[b], lines[a]];
      return lines.join("\n");
    }
    case 13: { // an identifier replaced by another of the file
      const names = identifiers(s);
      const i = ts.findIndex((t, k) => k >= at() && /^[A-Za-z_]/.test(t));
      if (i < 0 || names.length === 0) return s;
      ts[i] = r.one(names);
      return join();
    }
    case 14: return s.slice(0, r.int(s.length + 1)); // truncated
    default: { // a slice's bounds changed
      return s.replace(/\[(\d*\*?[A-Za-z]*)\s*:\s*(\d*\*?[A-Za-z]*)\]/, () => `[${r.one(["0", "H", "2*H", "5*H", "H+1", "-1", "H-H"])}:${r.one(["0", "H", "2*H", "9*H", "100000"])}]`);
    }
  }
}

/** `source` mutated 1 to 3 times, seeded. */
export function mutate(source: string, seed: number): string {
  const r = picker(new Rng(seed));
  let s = source;
  for (let n = 1 + r.int(3); n > 0; n--) s = mutateOnce(r, s);
  return s;
}

let corpus: string[] | undefined;

/** The examples (their dims made small: a step must be quick) and the prelude, to mutate as well as generated programs. */
function examples(): string[] {
  const small = (s: string) => s.replace(/dims \{[^}]*\}/g, (d) => d.replace(/= \d+/g, (_, i: number) => `= ${2 + (i % 3)}`)).replace(/512/g, "3");
  return (corpus ??= [
    ...readdirSync("examples").filter((f) => f.endsWith(".rnn")).map((f) => small(readFileSync(`examples/${f}`, "utf8"))),
    readFileSync("compiler/prelude.rnn", "utf8"),
  ]);
}

/** Case `seed` of a run: a generated model (3 in 5), or a mutant of one or of an example. */
export function fuzzCase(seed: number): FuzzCase {
  const kind = seed % 5;
  if (kind < 3) return { seed, origin: "generated", source: generateModel(seed) };
  const base = kind === 3 ? generateModel(seed) : examples()[Math.floor(seed / 5) % examples().length];
  return { seed, origin: kind === 3 ? "mutated generated" : "mutated example", source: mutate(base, seed) };
}
