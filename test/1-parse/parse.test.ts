// Programs that parse: every shipped example and the prelude, and the AST of each construct,
// checked by explicit assertions on its shape and spans (no opaque snapshots).
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Equation, LossDecl, ModelStatement, Span, TrainBlock } from "../../compiler/1-parse/ast.ts";
import { parse } from "../../compiler/1-parse/index.ts";
import { modelBody, parseClean, show, textOf } from "./helpers.ts";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");
const examples = readdirSync(new URL("examples/", root)).filter((file) => file.endsWith(".rnn"));

/** Every object in the AST that has a span. */
function spans(value: unknown, found: Span[] = []): Span[] {
  if (Array.isArray(value)) value.forEach((item) => spans(item, found));
  else if (value && typeof value === "object") {
    if ("span" in value) found.push((value as { span: Span }).span);
    for (const [key, child] of Object.entries(value)) if (key !== "span") spans(child, found);
  }
  return found;
}

describe("the shipped programs", () => {
  it("has examples to parse", () => expect(examples.length).toBeGreaterThan(0));

  it.each(examples)("examples/%s parses without diagnostics", (file) => {
    const { program, diagnostics } = parse(read(`examples/${file}`));
    expect(diagnostics).toEqual([]);
    expect(program.models.length).toBeGreaterThan(0);
  });

  it("compiler/prelude.rnn parses into its cells and layers", () => {
    const { program, diagnostics } = parse(read("compiler/prelude.rnn"));
    expect(diagnostics).toEqual([]);
    expect(program.models).toEqual([]);
    expect(program.cells.map((c) => `${c.kind} ${c.name.text}(${c.params.map((p) => p.text).join(", ")})`)).toEqual([
      "cell rnn(I, H)",
      "cell rnn_relu(I, H)",
      "cell lstm(I, H)",
      "cell gru(I, H)",
      "cell gru_reset_after(I, H)",
      "layer dense(I, O)",
      "layer embedding(V, E)",
      "cell lstm_hard_sigmoid(I, H)",
      "cell gru_hard_sigmoid(I, H)",
    ]);
    const lstm = program.cells[2];
    expect(lstm.body.map((s) => s.kind)).toEqual([
      "input", "state", "param", "param", "equation", "equation", "equation", "equation", "equation", "equation", "equation",
    ]);
  });

  it("reads CRLF and CR line ends, tabs and a byte-order mark like plain LF and spaces", () => {
    const source = read("examples/tagger.rnn");
    const kinds = (text: string) => {
      const { program, diagnostics } = parse(text);
      expect(diagnostics).toEqual([]);
      return program.models[0].body.map((s) => s.kind);
    };
    const expected = kinds(source);
    expect(kinds(source.replace(/\n/g, "\r\n"))).toEqual(expected);
    expect(kinds(source.replace(/\n/g, "\r"))).toEqual(expected);
    expect(kinds("\ufeff" + source.replace(/ {2}/g, "\t"))).toEqual(expected);
  });

  it.each([...examples.map((f) => `examples/${f}`), "compiler/prelude.rnn"])(
    "%s: every span is inside the file and tight (no surrounding white space)",
    (path) => {
      const source = read(path);
      const { program } = parse(source);
      for (const span of spans(program).slice(1)) {
        expect(span.start).toBeGreaterThanOrEqual(0);
        expect(span.end).toBeLessThanOrEqual(source.length);
        const text = source.slice(span.start, span.end);
        expect(text.length).toBeGreaterThan(0);
        expect(text.trim()).toBe(text);
      }
    },
  );
});

function only<K extends ModelStatement["kind"]>(body: ModelStatement[], kind: K): Extract<ModelStatement, { kind: K }> {
  expect(body.map((s) => s.kind)).toEqual([kind]);
  return body[0] as Extract<ModelStatement, { kind: K }>;
}

/** `targets = value` of each equation, as text. */
const equations = (body: ModelStatement[]) =>
  body.map((s) => {
    const e = s as Equation;
    const targets = e.targets.map((t) => `${t.name.text}${t.primed ? "'" : ""}${t.index ? `[${show(t.index)}]` : ""}`);
    return `${e.tuple ? `(${targets.join(", ")})` : targets[0]} = ${show(e.value)}`;
  });

const settings = (train: TrainBlock) => train.settings.map((s) => [s.name.text, ...s.values.map(show)].join(" "));

describe("expressions", () => {
  it("gives `@` the precedence of `*`, above `+` and `-`, all associating to the left", () => {
    expect(equations(modelBody("a = W @ x + b\nb = a * W @ x\nc = x - y + z\nd = W @ x * 2 / y"))).toEqual([
      "a = ((W @ x) + b)",
      "b = ((a * W) @ x)",
      "c = ((x - y) + z)",
      "d = (((W @ x) * 2) / y)",
    ]);
  });

  it("binds unary minus tighter than `*` and looser than indexing", () => {
    expect(equations(modelBody("a = -x * y\nb = -x[t]\nc = 1 - -z\nd = - -w"))).toEqual([
      "a = ((-x) * y)",
      "b = (-x[t])",
      "c = (1 - (-z))",
      "d = (-(-w))",
    ]);
  });

  it("keeps parentheses, with their span", () => {
    const source = "model m {\n  h' = (1 - z) * h\n}";
    const [eq] = parseClean(source).models[0].body as Equation[];
    expect(show(eq.value)).toBe("({(1 - z)} * h)");
    expect(eq.value.kind === "binary" && textOf(source, eq.value.left)).toBe("(1 - z)");
  });

  it("reads time indices and slices", () => {
    expect(equations(modelBody("h[t] = x[t-1] + y[t+1] + z[last] + w[first]\ni = a[0:H] + a[2*H:3*H]"))).toEqual([
      "h[t] = (((x[(t - 1)] + y[(t + 1)]) + z[last]) + w[first])",
      "i = (a[0:H] + a[(2 * H):(3 * H)])",
    ]);
  });

  it("reads numbers, strings and named arguments", () => {
    const [eq] = modelBody('a = f(1e-3, .5, 0.25, 3, "<eos>", lr: 0.01, beta1: 0.9)') as Equation[];
    expect(show(eq.value)).toBe('f(1e-3, .5, 0.25, 3, "<eos>", lr: 0.01, beta1: 0.9)');
    if (eq.value.kind !== "call") throw new Error("expected a call");
    expect(eq.value.args.slice(0, 2).map((a) => a.value.kind === "number" && a.value.value)).toEqual([0.001, 0.5]);
    expect(eq.value.args[5].name?.text).toBe("lr");
  });

  it("marks primed names, on either side", () => {
    const source = "cell c(H) {\n  state h: [H]\n  h' = tanh(h) + h\n  y = h' * 2\n}";
    const [, next, y] = parseClean(source).cells[0].body as Equation[];
    expect(next.targets[0]).toMatchObject({ name: { text: "h" }, primed: true });
    expect(textOf(source, next.targets[0])).toBe("h'");
    expect(y.value.kind === "binary" && y.value.left).toMatchObject({ kind: "ref", name: "h", primed: true });
  });

  it("spans each node over exactly its text", () => {
    const source = "model m {\n  a = f(x[t-1], lr: 0.1) + W @ v\n}";
    const [eq] = parseClean(source).models[0].body as Equation[];
    expect(textOf(source, eq)).toBe("a = f(x[t-1], lr: 0.1) + W @ v");
    if (eq.value.kind !== "binary" || eq.value.left.kind !== "call") throw new Error("unexpected shape");
    const call = eq.value.left;
    expect(textOf(source, call)).toBe("f(x[t-1], lr: 0.1)");
    expect(textOf(source, call.callee)).toBe("f");
    expect(call.args.map((a) => textOf(source, a))).toEqual(["x[t-1]", "lr: 0.1"]);
    expect(textOf(source, eq.value.right)).toBe("W @ v");
  });
});

describe("equations", () => {
  it("reads a tuple assignment from a cell call", () => {
    const source = "model m {\n  (h[t], c[t]) = cell(x[t], h[t-1], c[t-1])\n}";
    const [eq] = parseClean(source).models[0].body as Equation[];
    expect(eq.tuple).toBe(true);
    expect(eq.targets.map((t) => textOf(source, t))).toEqual(["h[t]", "c[t]"]);
    expect(textOf(source, eq)).toBe("(h[t], c[t]) = cell(x[t], h[t-1], c[t-1])");
    expect(equations([eq])).toEqual(["(h[t], c[t]) = cell(x[t], h[(t - 1)], c[(t - 1)])"]);
  });

  it("reads a single target as no tuple, with or without an index", () => {
    expect(equations(modelBody("h[t] = x\nz = y"))).toEqual(["h[t] = x", "z = y"]);
    expect((modelBody("z = y")[0] as Equation).tuple).toBe(false);
  });
});

describe("where a line ends a statement", () => {
  it("continues after a binary operator, `=`, a comma and inside brackets", () => {
    const body = modelBody("a = x +\n  y\nb =\n  f(x,\n    y)\nc = g(\n  x\n  , y\n)\nd = e[\n t\n]");
    expect(equations(body)).toEqual(["a = (x + y)", "b = f(x, y)", "c = g(x, y)", "d = e[t]"]);
  });

  it("separates statements with `;`, alone or with newlines, and ignores blank lines", () => {
    expect(equations(modelBody("a = 1; b = 2;\n\n\nc = 3 ;\n; d = 4"))).toEqual(["a = 1", "b = 2", "c = 3", "d = 4"]);
  });

  it("reads dims separated by commas, across lines", () => {
    const dims = only(modelBody("dims {\n  E = 32,\n  H = 2 * E,\n}"), "dims");
    expect(dims.entries.map((e) => `${e.name.text}=${show(e.value)}`)).toEqual(["E=32", "H=(2 * E)"]);
  });
});

describe("train blocks", () => {
  it("reads several settings on one line, each beginning with its name", () => {
    const train = only(modelBody("train { optimizer adam(lr: 0.01)  batch 32  epochs 40  clip_norm 5  seed 1 }"), "train");
    expect(settings(train)).toEqual(["optimizer adam(lr: 0.01)", "batch 32", "epochs 40", "clip_norm 5", "seed 1"]);
  });

  it("reads `freeze` with several names, stopping at the next setting's name", () => {
    const train = only(modelBody("train {\n  freeze emb enc head  batch 8\n  weight_decay 0.1 bptt 64\n}"), "train");
    expect(settings(train)).toEqual(["freeze emb enc head", "batch 8", "weight_decay 0.1", "bptt 64"]);
    expect(train.settings[0].values.map((v) => v.kind)).toEqual(["ref", "ref", "ref"]);
  });

  it("reads a negative value as a unary minus, and strings", () => {
    const train = only(modelBody('train { clip_norm -1  eos "<eos>" }'), "train");
    expect(settings(train)).toEqual(["clip_norm (-1)", 'eos "<eos>"']);
  });

  it("spans a setting over its name and values", () => {
    const source = "model m {\n  train { batch 32  optimizer sgd(lr: 0.1, momentum: 0.9) }\n}";
    const train = parseClean(source).models[0].body[0] as TrainBlock;
    expect(train.settings.map((s) => textOf(source, s))).toEqual(["batch 32", "optimizer sgd(lr: 0.1, momentum: 0.9)"]);
    expect(textOf(source, train)).toBe("train { batch 32  optimizer sgd(lr: 0.1, momentum: 0.9) }");
  });
});

describe("model statements", () => {
  it("reads `mean over tokens` after a loss", () => {
    const [plain, mean] = modelBody("loss mse(y, t)\nloss cross_entropy(head(h[t]), y[t]) mean over tokens") as LossDecl[];
    expect(plain.reduction).toBeUndefined();
    expect(show(mean.value)).toBe("cross_entropy(head(h[t]), y[t])");
    expect(mean.reduction?.text).toBe("tokens");
  });

  it("reads data declarations and their types", () => {
    const source = "model m {\n  input x: seq<vec(1)>\n  target y: class\n  input img: vec(512)\n}";
    const body = parseClean(source).models[0].body;
    expect(body.map((s) => s.kind)).toEqual(["input", "target", "input"]);
    const [x] = body;
    if (x.kind !== "input") throw new Error("expected an input");
    expect(x.type).toMatchObject({ kind: "named", name: { text: "seq" }, args: [], element: { kind: "named", name: { text: "vec" } } });
    expect(textOf(source, x.type)).toBe("seq<vec(1)>");
  });

  it("reads `layer NAME = call` in a model and `init`", () => {
    const [layer, init] = modelBody("layer emb = embedding(vocab(x), E)\ninit h = tanh(proj(image))");
    expect(layer).toMatchObject({ kind: "layer", name: { text: "emb" } });
    expect(layer.kind === "layer" && show(layer.def)).toBe("embedding(vocab(x), E)");
    expect(init.kind === "init" && `${init.name.text} = ${show(init.value)}`).toBe("h = tanh(proj(image))");
  });

  it("names a layer `cell`: `cell` is not reserved", () => {
    const [layer, eq] = modelBody("layer cell = gru(2, H)\nh[t] = cell(x[t], h[t-1])");
    expect(layer.kind === "layer" && layer.name.text).toBe("cell");
    expect(equations([eq])).toEqual(["h[t] = cell(x[t], h[(t - 1)])"]);
  });
});

describe("definitions", () => {
  it("tells a layer definition (`layer NAME(`) from a layer instance (`layer NAME =`)", () => {
    const source = "layer dense(I, O) {\n  input x: [I]\n  return x\n}\nmodel m {\n  layer head = dense(4, 2)\n}\n";
    const program = parseClean(source);
    expect(program.cells.map((c) => `${c.kind} ${c.name.text}`)).toEqual(["layer dense"]);
    expect(program.models[0].body.map((s) => s.kind)).toEqual(["layer"]);
  });

  it("reads a cell's inputs, states, params and initializers", () => {
    const source = "cell c(I, H) {\n  input x: [I]\n  state h: [H], c: [H]\n  param W: [4*H, I + H] init glorot\n  param E: [H] init normal(0.1)\n  param b: [H]\n}";
    const [input, state, w, e, b] = parseClean(source).cells[0].body;
    expect(input.kind === "input" && input.vars.map((v) => textOf(source, v))).toEqual(["x: [I]"]);
    expect(state.kind === "state" && state.vars.map((v) => v.name.text)).toEqual(["h", "c"]);
    expect(w.kind === "param" && w.type.kind === "shape" && w.type.dims.map(show)).toEqual(["(4 * H)", "(I + H)"]);
    expect(w.kind === "param" && w.init).toMatchObject({ kind: "ref", name: "glorot" });
    expect(e.kind === "param" && e.init && show(e.init)).toBe("normal(0.1)");
    expect(b.kind === "param" && b.init).toBeUndefined();
    expect(textOf(source, w)).toBe("param W: [4*H, I + H] init glorot");
  });

  it("holds several definitions, one a line or after `;`", () => {
    const program = parseClean("cell a(I) { input x: [I] }; cell b(I) { input x: [I] }\nmodel m { z = 1 }\nmodel n { z = 2 }");
    expect([...program.cells, ...program.models].map((d) => d.name.text)).toEqual(["a", "b", "m", "n"]);
  });
});
