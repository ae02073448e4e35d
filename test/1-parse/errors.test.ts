// Broken input: lexing and syntax errors (where, in which words), recovery, files that are not
// programs, and the guarantee that parse never throws, never hangs and returns a well-formed AST.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MAX_BRACKETS, MAX_DEPTH } from "../../compiler/1-parse/depth.ts";
import { MAX_SYNTAX_ERRORS, parse } from "../../compiler/1-parse/index.ts";
import { lex } from "../../compiler/1-parse/lex.ts";
import { messages } from "../../compiler/messages.ts";
import { errors } from "./helpers.ts";

describe("lexing errors", () => {
  it("reports a run of stray characters once, at the run", () => {
    expect(errors("model m { a = b $$# c }")).toEqual(["1:17 unexpected characters `$$#`"]);
  });

  it("names an invisible stray character by its code point", () => {
    expect(errors("model m {\n a = b\u00a0+ c\n}")).toEqual(["2:7 unexpected character U+00A0"]);
  });

  it("reports an unterminated comment once, at its `/*`", () => {
    const source = "model m {\n  a = b /* never closed\n  c = d $ e\n}\n";
    const { diagnostics } = lex(source);
    expect(diagnostics).toMatchObject([{ code: "unterminatedComment", span: { start: 18, end: 20 } }]);
    expect(errors(source)).toEqual(["2:9 unterminated comment: `/*` has no closing `*/`"]);
  });

  it("reports an unterminated string once, at its quote, and ends the statement with its line", () => {
    const source = 'model m {\n  a = f("<eos>)\n  b = c\n}';
    expect(errors(source)).toEqual(['2:9 unterminated string: a string ends with `"` on the same line']);
    const body = parse(source).program.models[0].body;
    expect(body.map((s) => s.kind === "equation" && s.targets[0].name.text)).toEqual(["a", "b"]);
  });
});

describe("syntax error messages and positions", () => {
  it.each([
    ["model m {\n  h[t] = f(x\n  loss h[t]\n}", "2:13 expected `)` but found end of line"],
    ["model m {\n  h[t] = f(x\n}", "3:1 expected `)` but found `}`"],
    ["model m {\n  a = \n}", "3:1 expected an expression but found `}`"],
    ["model m {\n  a = b[0:]\n}", "2:11 expected an expression but found `]`"],
    ["model m {\n  h[t] = cell(x[t] h[t-1])\n}", "2:20 expected `,` or `)` but found `h`"],
    ["model m {\n  h[t] = x y\n}", "2:12 expected end of line or `}` but found `y`"],
    ["model m {\n  42\n}", "2:3 expected a statement or `}` but found `42`"],
    ["model m {\n  input x seq<token>\n}", "2:11 expected `:` but found `seq`"],
    ["model m {\n  input model: token\n}", "2:9 expected a name but found the keyword `model`"],
    ["model m {\n  dims { E = 32\n  H = 2 }\n}", "3:3 expected `,` or `}` but found `H`"],
    ["model m {\n  loss f(x) mean tokens\n}", "2:18 expected `over` but found `tokens`"],
    ["model m {\n  a = b\n", "2:7 expected `}` but found end of file"],
    ["modle m {\n  a = b\n}", "1:1 expected a `model`, `cell` or `layer` definition but found `modle`"],
    ["model m { a = 1 } model n { b = 2 }", "1:19 expected end of line but found the keyword `model`"],
    ["layer d {\n}", "1:9 expected `(` (a definition) or `=` (a layer of the model) but found `{`"],
    ["cell c(I) {\n  param W: [I] init\n}", "2:20 expected an initializer such as `glorot` or `normal(0.1)` but found end of line"],
  ])("%j → %s", (source, expected) => {
    expect(errors(source)).toEqual([expected]);
  });

  it.each([
    ["model m {\n  input model: token\n}", "model"],
    ["model m {\n  state[t] = x[t]\n}", "state"],
    ["model m {\n  output state = x\n}", "state"],
    ["model m {\n  layer loss = dense(2, 2)\n}", "loss"],
  ])("a keyword written as a name gets a hint saying so: %j", (source, keyword) => {
    expect(parse(source).diagnostics[0].hint).toBe(`\`${keyword}\` is a keyword of the language, so it cannot be a name: call it something else (${keyword}_)`);
  });

  it("a keyword where it belongs, out of place, gets no such hint", () => {
    expect(parse("model m { a = 1 } model n { b = 2 }").diagnostics[0].hint).toBeUndefined();
    expect(parse("model m {\n  x = 1\n\nmodel b {\n  y = 2\n}\n").diagnostics[0].hint).toBeUndefined();
  });

  it("points at the offending token", () => {
    const source = "model m {\n  h[t] = x y\n}";
    const [d] = parse(source).diagnostics;
    expect(d).toMatchObject({ code: "expected", severity: "error" });
    expect(source.slice(d.span.start, d.span.end)).toBe("y");
  });

  it("points at the last character of the last token at the end of the file", () => {
    const source = "model m {\n  a = f(b)  // no closing brace\n\n";
    const [d] = parse(source).diagnostics;
    expect(d.message).toBe("expected `}` but found end of file");
    expect(d.span).toEqual({ start: source.indexOf(")"), end: source.indexOf(")") + 1 });
  });
});

describe("error recovery", () => {
  it("reports several errors in one file, one per broken statement, and keeps the rest", () => {
    const source = [
      "model m {",
      "  dims { E = 32, H = }", // 2
      "  input x: seq<token>",
      "  h[t] = cell(x[t] h[t-1])", // 4
      "  y = h[t] +", // 5
      "  loss y ** 2", // 6
      "  train { optimizer adam(lr: ) batch 32 }", // 7
      "  init h = tanh(x))", // 8
      "}",
      "cell c(I {", // 10
      "  input x: [I]",
      "  return x",
      "}",
    ].join("\n");
    expect(errors(source)).toEqual([
      "2:22 expected an expression but found `}`",
      "4:20 expected `,` or `)` but found `h`",
      "5:13 expected an expression but found end of line",
      "6:11 expected an expression but found `*`",
      "7:30 expected an expression but found `)`",
      "8:19 expected end of line or `}` but found `)`",
      "10:10 expected `)` but found `{`",
    ]);
    const { program } = parse(source);
    const model = program.models[0];
    expect(model.body.map((s) => s.kind)).toEqual(["dims", "input", "train", "init"]);
    const [dims, , train] = model.body;
    expect(dims.kind === "dims" && dims.entries.map((e) => e.name.text)).toEqual(["E"]);
    expect(train.kind === "train" && train.settings.map((s) => s.name.text)).toEqual(["batch"]);
    expect(program.cells.map((c) => `${c.name.text}: ${c.body.length} statements`)).toEqual(["c: 2 statements"]);
  });

  it("recovers from a missing `}` at the next model, keeping the first", () => {
    const source = "model a {\n  x = 1\n\nmodel b {\n  y = 2\n}\n";
    expect(errors(source)).toEqual(["4:1 expected a statement or `}` but found the keyword `model`"]);
    expect(parse(source).program.models.map((m) => m.name.text)).toEqual(["a"]);
  });

  it("does not let an unclosed `(` swallow the statements after it", () => {
    const source = "model m {\n  a = f(x\n  loss g(a)\n  b = 2\n}";
    expect(errors(source)).toEqual(["2:10 expected `)` but found end of line"]);
    expect(parse(source).program.models[0].body.map((s) => s.kind)).toEqual(["equation", "loss", "equation"]);
  });

  it("reports garbage at the top level once until a definition parses", () => {
    expect(errors("this is not\na model {\n at all }\nmodel m { a = 1 }\n$$ more\nand more")).toEqual([
      "1:1 expected a `model`, `cell` or `layer` definition but found `this`",
      "5:1 unexpected characters `$$`",
    ]);
  });

  it("reports definitions in the wrong place and leaves them out", () => {
    const source = "layer head = dense(1, 2)\nmodel m {\n  layer d(I) { return 1 }\n  cell c(I) { input x: [I] }\n  z = 1\n}";
    const { program, diagnostics } = parse(source);
    expect(diagnostics.map((d) => [d.code, source.slice(d.span.start, d.span.end)])).toEqual([
      ["layerOutsideModel", "layer head"],
      ["definitionInModel", "layer d"],
      ["definitionInModel", "cell c"],
    ]);
    expect(program.cells).toEqual([]);
    expect(program.models[0].body.map((s) => s.kind)).toEqual(["equation"]);
  });

  it("never lets a position invented by recovery into the AST", () => {
    const { program, diagnostics } = parse("model m {\n  layer = dense(1, 2)\n  h[t] = f(x\n  input : token\n}");
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(JSON.stringify(program)).not.toMatch(/null|NaN/);
    expect(program.models[0].body.map((s) => s.kind)).toEqual(["equation"]);
  });
});

describe("files that are not programs", () => {
  it.each(["", "   \n\t\n", "// only a comment\n/* and a block */\n", ";\n;"])("%j is an empty file", (source) => {
    expect(parse(source).diagnostics.map((d) => d.code)).toEqual(["emptyFile"]);
  });

  it("reports binary data once, at the first NUL", () => {
    const { diagnostics } = parse("model m {\u0000\u0001\u0002 }");
    expect(diagnostics).toMatchObject([{ code: "binaryFile", span: { start: 9, end: 10 } }]);
  });

  it("reports text that is mostly control characters as binary, at the first one", () => {
    const { diagnostics } = parse("ab\u0001\u0002\u0003\u0004\u0005\u0006");
    expect(diagnostics).toMatchObject([{ code: "binaryFile", span: { start: 2, end: 3 } }]);
  });
});

const root = new URL("../../", import.meta.url);
const corpus = [
  ...readdirSync(new URL("examples/", root))
    .filter((file) => file.endsWith(".rnn"))
    .map((file) => readFileSync(new URL(`examples/${file}`, root), "utf8")),
  readFileSync(new URL("compiler/prelude.rnn", root), "utf8"),
];

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(items: T[]) => items[Math.floor(next() * items.length)] };
}

const pieces = [
  "model", "cell", "layer", "dims", "input", "state", "param", "init", "loss", "train", "return", "mean", "over", "freeze",
  "x", "h'", "t", "(", ")", "[", "]", "{", "}", "<", ">", ",", ":", ";", "=", "+", "-", "*", "/", "@", "\n", " ",
  "1", "1e-3", ".5", '"s"', '"', "/*", "*/", "//", "$", "'", "é", "\t", "\r\n",
];

/** Deletes, inserts and duplicates a few pieces of a program. */
function mutate(source: string, r: ReturnType<typeof random>): string {
  let s = source;
  for (let n = 1 + r.int(5); n > 0; n--) {
    const at = r.int(s.length + 1);
    const what = r.next();
    if (what < 0.35) s = s.slice(0, at) + s.slice(at + 1 + r.int(4));
    else if (what < 0.7) s = s.slice(0, at) + r.pick(pieces) + s.slice(at);
    else {
      const from = r.int(s.length);
      s = s.slice(0, at) + s.slice(from, from + r.int(25)) + s.slice(at);
    }
  }
  return s;
}

/** Checks the result's invariants: spans inside the file, no NaN, few diagnostics, known codes. */
function expectWellFormed(source: string): void {
  let result;
  try {
    result = parse(source);
  } catch (error) {
    throw new Error(`parse threw on ${JSON.stringify(source)}: ${String(error)}`);
  }
  const { program, diagnostics } = result;
  const fail = (why: string) => expect.fail(`${why} for ${JSON.stringify(source).slice(0, 500)}`);
  const inFile = ({ start, end }: { start: number; end: number }) =>
    Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= source.length;
  if (diagnostics.length > MAX_SYNTAX_ERRORS + 1) fail(`${diagnostics.length} diagnostics`);
  for (const d of diagnostics) {
    if (!(d.code in messages) || d.code === "parserFailure") fail(`diagnostic ${d.code}: ${d.message}`);
    if (!inFile(d.span)) fail(`diagnostic span ${JSON.stringify(d.span)}`);
  }
  // Walked without recursion: the AST of a long `a + a + ...` is deep. (Plain checks rather
  // than `expect` in this loop: it visits every value of hundreds of ASTs.)
  const pending: unknown[] = [program];
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
    if (typeof value === "number" && Number.isNaN(value)) fail("NaN in the AST");
    if (typeof value !== "object" || value === null) continue;
    if ("span" in value && !inFile((value as { span: { start: number; end: number } }).span)) fail("a bad span");
    for (const child of Object.values(value)) {
      if (child === undefined) fail("an undefined field in the AST");
      pending.push(child);
    }
  }
}

describe("parse on broken input", () => {
  it("survives mutated programs", () => {
    const r = random(1);
    for (let i = 0; i < 100; i++) expectWellFormed(mutate(r.pick(corpus), r));
  });

  it("survives token soup", () => {
    const r = random(2);
    for (let i = 0; i < 40; i++) expectWellFormed(Array.from({ length: r.int(300) }, () => r.pick(pieces)).join(""));
  });

  it("survives random characters", () => {
    const r = random(3);
    for (let i = 0; i < 30; i++) {
      expectWellFormed(Array.from({ length: r.int(500) }, () => String.fromCharCode(r.int(i % 2 ? 128 : 0x3000))).join(""));
    }
  });

  it("caps the diagnostics of garbage, ending with a word on it", () => {
    const { diagnostics } = parse("model m {\n" + "  a = = $ ) ]\n".repeat(100) + "}");
    expect(diagnostics).toHaveLength(MAX_SYNTAX_ERRORS + 1);
    expect(diagnostics.at(-1)?.code).toBe("tooManyErrors");
  });
});

describe("parse on extreme input", () => {
  const wrap = (expr: string) => `model m {\n  a = ${expr}\n}`;

  it("accepts brackets nested to the limit and refuses one level more, once", () => {
    const nested = (depth: number) => wrap("f(".repeat(depth) + "x" + ")".repeat(depth));
    expect(parse(nested(MAX_BRACKETS)).diagnostics).toEqual([]);
    expect(parse(nested(MAX_BRACKETS + 1)).diagnostics.map((d) => d.code)).toEqual(["nestedTooDeeply"]);
    expect(parse(wrap("[".repeat(100_000))).diagnostics.map((d) => d.code)).toEqual(["nestedTooDeeply"]);
  });

  it("refuses an expression deeper than the AST limit", () => {
    expect(parse(wrap("x + ".repeat(MAX_DEPTH - 10) + "x")).diagnostics).toEqual([]);
    expect(parse(wrap("x + ".repeat(MAX_DEPTH + 10) + "x")).diagnostics.map((d) => d.code)).toEqual(["nestedTooDeeply"]);
    expect(parse(wrap("- ".repeat(20_000) + "x")).diagnostics.map((d) => d.code)).toEqual(["nestedTooDeeply"]);
  });

  it("stays fast on large and pathological files", () => {
    const started = performance.now();
    for (const source of [
      "model m {\n" + "  a = b + c * d\n".repeat(2_000) + "}",
      "(".repeat(20_000),
      "}".repeat(20_000),
      "[".repeat(10_000) + ")".repeat(10_000),
      "$ ".repeat(20_000),
      "model m { a = b c d e f g h ".repeat(1_000),
      "\n".repeat(20_000),
    ]) {
      expectWellFormed(source);
    }
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
