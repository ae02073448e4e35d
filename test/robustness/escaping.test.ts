// User text that reaches generated code or a terminal is escaped (compiler/escape.ts): a model file
// named with a line break, U+2028, `*/` or a control character still compiles to a module and a
// bundle that parse, their header comments saying the name written out; tokens and labels holding
// ESC sequences, bidirectional overrides, C1 controls or U+2028 print written out by `rnnc sample`
// and `rnnc predict` (and exactly, as valid JSON, by `predict --json`); a diagnostic quoting a
// source line holding an ESC shows it written out, its caret still under the right name.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { transformSync } from "esbuild";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { browserModule } from "../../browser/bundle.ts";
import { emitModule } from "../../compiler/6-emit/index.ts";
import { comment, docComment, literal } from "../../compiler/6-emit/names.ts";
import { formatDiagnostic } from "../../compiler/diagnostics.ts";
import { commentText, printable, safeJson } from "../../compiler/escape.ts";
import { checkSource, differentiatedProgram } from "../../compiler/index.ts";
import { compileCommand } from "../../cli/compile.ts";
import { predictCommand } from "../../cli/predict.ts";
import { sampleCommand } from "../../cli/sample.ts";

const dir = mkdtempSync(join(tmpdir(), "rnnc-escaping-"));
/** What a terminal must never receive raw: C0 but line feed and tab, DEL, C1, U+2028/9, bidirectional controls, lone surrogates. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/;
const HOSTILE = "a\nb\rc\u2028d\u2029e*/f\u0007g\u001b[31mh\u009bi\u202ej\u2066k\ud800l\u0085m";

/** Console output of a command run in this process: stdout lines, stderr. */
async function captured(command: () => Promise<number>): Promise<{ code: number; out: string[]; err: string }> {
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  const error = vi.spyOn(console, "error").mockImplementation(() => {});
  try {
    const code = await command();
    return { code, out: log.mock.calls.map((c) => String(c[0])), err: error.mock.calls.map((c) => String(c[0])).join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/** Throws unless `code` parses as TypeScript (or JavaScript) source. */
const parses = (code: string, loader: "ts" | "js" = "ts") => transformSync(code, { loader, format: "esm" }).code;

describe("the escapers", () => {
  it("write every unsafe character out, and nothing else", () => {
    expect(printable(HOSTILE)).toBe("a\\nb\\rc\\u2028d\\u2029e*/f\\x07g\\x1b[31mh\\x9bi\\u202ej\\u2066k\\ud800l\\x85m");
    expect(printable("a\nb\tc\u001b", "\n\t")).toBe("a\nb\tc\\x1b");
    expect(printable("naïve 日本 👩‍👩‍👧 \\x1b <pad>")).toBe("naïve 日本 👩‍👩‍👧 \\x1b <pad>"); // a pair, a joiner, a backslash: as they are
    expect(printable(printable(HOSTILE))).toBe(printable(HOSTILE));
    expect(RAW.test(printable(HOSTILE))).toBe(false);
  });

  it("keep a comment on its line, and a block comment open to its end", () => {
    expect(commentText(HOSTILE)).not.toMatch(/[\n\r\u2028\u2029]|\*\//);
    const code = `${comment(HOSTILE)}\n${docComment(HOSTILE)}\n/* ${commentText(HOSTILE)} */\nexport const x = 1;\n`;
    expect(parses(code)).toContain("x = 1");
    expect(new Function(`${comment(HOSTILE)}\n${docComment(HOSTILE)}\nreturn 7;`)()).toBe(7);
  });

  it("give string literals and JSON that hold the text exactly, valid JSON and safe source", () => {
    const value = { name: HOSTILE, tokens: [HOSTILE, "\u2028"] };
    expect(JSON.parse(safeJson(value))).toEqual(value);
    expect(new Function(`return ${literal(HOSTILE)};`)()).toBe(HOSTILE);
    expect(safeJson(value)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(literal("rnnc/runtime")).toBe('"rnnc/runtime"'); // ordinary text as JSON.stringify has it
  });
});

describe("a model file with a hostile name", { timeout: 60_000 }, () => {
  // A file name cannot hold "/": "*/" is tried through the emitter's own option below.
  const name = "par\nity\u2028\u0007\u001b[2J\u202e.rnn";
  const file = join(dir, name);
  const data = join(dir, "parity.jsonl");
  // The loss holds an ESC, a bidirectional override and `*/`: its origin is quoted in the module's comments.
  const source = readFileSync("examples/parity.rnn", "utf8").replace("loss cross_entropy(", "loss cross_entropy( // \u001b[31m \u202e \u0085 */\n    ");

  beforeAll(() => {
    writeFileSync(file, source);
    const bits = ["0", "1", "10", "11", "101", "0110"];
    writeFileSync(data, bits.map((b) => JSON.stringify({ bits: [...b], even: String([...b].filter((c) => c === "1").length % 2 === 0) })).join("\n") + "\n");
  });

  it("compiles to a module that parses, its header saying the name written out", async () => {
    const output = join(dir, "module.ts");
    const run = await captured(() => compileCommand({ file, data, output, dumpIr: false, noKernels: true, sets: [] }));
    expect(run.code, run.err).toBe(0);
    expect(RAW.test(run.err)).toBe(false);
    const code = readFileSync(output, "utf8");
    expect(code.split("\n")[0]).toBe("// generated by rnnc from par\\nity\\u2028\\x07\\x1b[2J\\u202e.rnn — do not edit");
    expect(code).toContain("// loss cross_entropy( // \\x1b[31m \\u202e \\x85 *\\/ head(h[last]), even)  par\\nity");
    expect(RAW.test(code)).toBe(false);
    expect(parses(code)).toContain("createParams");
  });

  it("compiles to a bundle that parses and loads, its header saying the name written out", async () => {
    const output = join(dir, "bundle.mjs");
    const run = await captured(() => compileCommand({ file, data, output, target: "browser", dumpIr: false, noKernels: true, sets: [] }));
    expect(run.code, run.err).toBe(0);
    const code = readFileSync(output, "utf8");
    expect(code.split("\n")[0]).toBe("// generated by rnnc compile --target browser from par\\nity\\u2028\\x07\\x1b[2J\\u202e.rnn — do not edit");
    expect(RAW.test(code)).toBe(false);
    parses(code, "js");
    const loaded = (await import(pathToFileURL(output).href)) as { model: { name: string } };
    expect(loaded.model.name).toBe("parity");
  });

  it("emits a module and a bundle that parse when the name has `*/` and every line break (through the API)", async () => {
    const [model] = checkSource(source, "m.rnn").models;
    const program = differentiatedProgram(model, new Map([["vocab(bits)", 6], ["classes(even)", 2]]));
    const code = emitModule(program, { dtype: "float32", runtime: "rnnc/runtime", source: HOSTILE });
    expect(code.split("\n")[0]).toBe(`// generated by rnnc from ${commentText(HOSTILE)} — do not edit`);
    parses(code);
    const bundle = await browserModule(code, [], HOSTILE);
    expect(bundle.split("\n")[0]).toBe(`// generated by rnnc compile --target browser from ${commentText(HOSTILE)} — do not edit`);
    expect(RAW.test(bundle)).toBe(false);
    parses(bundle, "js");
  });
});

describe("a diagnostic quoting a line that holds an ESC", () => {
  it("writes it out, the caret still under the name it is about", () => {
    const source = readFileSync("examples/parity.rnn", "utf8").replace("h[t] = cell(onehot(bits[t], 2), h[t-1])", "h[t] = /* \u001b[2J\u202e */ cell(onehot(bits[t], 2), hiden[t-1])");
    const result = checkSource(source, "evil\u001b]0;title\u0007.rnn");
    const d = result.diagnostics.find((x) => x.message.includes("hiden"))!;
    expect(d).toBeDefined();
    const printed = formatDiagnostic(d, "evil\u001b]0;title\u0007.rnn", source);
    expect(RAW.test(printed)).toBe(false);
    const [head, line, caret] = printed.split("\n");
    expect(head).toMatch(/^evil\\x1b\]0;title\\x07\.rnn:8:\d+: error: /);
    expect(line).toContain("/* \\x1b[2J\\u202e */ cell(");
    expect(caret.indexOf("^")).toBe(line.indexOf("hiden"));
    expect(caret.trim()).toBe("^~~~~");
  });
});

describe("tokens and labels that hold ESC sequences, bidirectional overrides, C1 controls and U+2028", { timeout: 120_000 }, () => {
  const names = join(dir, "names.jsonl");
  const namesCheckpoint = join(dir, "names.ckpt.json");
  const tagged = join(dir, "tagged.jsonl");
  const parityCheckpoint = join(dir, "parity.ckpt.json");
  const evil = ["\u001b[31mred", "\u202eevil", "li\u2028ne", "c1\u0085\u009b"];

  beforeAll(async () => {
    const { trainCommand } = await import("../../cli/train.ts");
    writeFileSync(names, evil.map((name) => JSON.stringify({ name })).join("\n") + "\n");
    const trained = await captured(() =>
      trainCommand({ file: "examples/names.rnn", data: names, sets: ["H=8", "E=4"], checkpoint: namesCheckpoint, epochs: "2", runDir: join(dir, "names-run"), backend: "compiled", quiet: true, skipInvalid: false }),
    );
    expect(trained.code, trained.err).toBe(0);
    // Parity with hostile class labels.
    const rows = ["1", "11", "10", "0", "111", "01"].map((b) => ({ bits: [...b], even: [...b].filter((c) => c === "1").length % 2 === 0 ? "\u001b[32meven" : "\u202eodd\u2028" }));
    writeFileSync(tagged, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    const parity = await captured(() =>
      trainCommand({ file: "examples/parity.rnn", data: tagged, sets: ["H=4"], checkpoint: parityCheckpoint, epochs: "1", runDir: join(dir, "parity-run"), backend: "compiled", quiet: true, skipInvalid: false }),
    );
    expect(parity.code, parity.err).toBe(0);
  }, 120_000);

  it("rnnc sample writes them out: no raw ESC, bidirectional or C1 character reaches the terminal", async () => {
    const run = await captured(() =>
      sampleCommand({ file: "examples/names.rnn", checkpoint: namesCheckpoint, sets: ["H=8", "E=4"], count: "30", seed: "1", temperature: "3", maxLength: "12", prompt: "\u001b\u202e\u2028" }),
    );
    expect(run.code, run.err).toBe(0);
    expect(run.out).toHaveLength(30);
    for (const line of run.out) {
      expect(RAW.test(line), line).toBe(false);
      expect(line.startsWith("\\x1b\\u202e\\u2028"), line).toBe(true); // the prompt, written out
    }
  });

  it("a message quoting a token (an unseen prompt character) writes it out too", async () => {
    const run = await captured(() => sampleCommand({ file: "examples/names.rnn", checkpoint: namesCheckpoint, sets: ["H=8", "E=4"], prompt: "\u001b[0m\u202dz" }));
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--prompt/);
    expect(RAW.test(run.err)).toBe(false);
  });

  it("rnnc predict writes labels out; --json keeps them exact, as valid JSON with no raw bidirectional character", async () => {
    const input = JSON.stringify({ bits: ["1", "1"] });
    const words = await captured(() => predictCommand({ file: "examples/parity.rnn", checkpoint: parityCheckpoint, input, top: "2", json: false, sets: ["H=4"], backend: "compiled" }));
    expect(words.code, words.err).toBe(0);
    expect(RAW.test(words.out.join("\n"))).toBe(false);
    expect(words.out[0]).toMatch(/\\x1b\[32meven/);
    expect(words.out[0]).toMatch(/\\u202eodd\\u2028/);
    const json = await captured(() => predictCommand({ file: "examples/parity.rnn", checkpoint: parityCheckpoint, input, top: "2", json: true, sets: ["H=4"], backend: "compiled" }));
    expect(json.code, json.err).toBe(0);
    expect(RAW.test(json.out[0])).toBe(false);
    const labels = (JSON.parse(json.out[0]) as { even: { top: { label: string }[] } }).even.top.map((c) => c.label);
    expect(labels.sort()).toEqual(["\u001b[32meven", "\u202eodd\u2028"]);
  });
});
