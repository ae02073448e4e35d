// Every reproduction of issue 14 ("no internal errors, bounded memory, hostile files handled"), as
// it was reported, and the clean outcome it has now: a table, one row per probe. Each row runs the
// real command (`node cli/rnnc.js …`, a process of its own, with a temporary directory of its own)
// and is held to the same rules: the exit code and the words it should say; never `internal error`,
// a stack trace or a RangeError; nothing left in the temporary directory. The tests beside this one
// go into each finding in detail; the fuzzer (fuzz.test.ts) covers the "24 of 79 programs" line.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parityExamples } from "../../data/parity.ts";
import { loadCheckpointFile, saveCheckpointFile } from "../../runtime/checkpoint-file.ts";

const dir = mkdtempSync(join(tmpdir(), "rnnc-reproductions-"));
const kernels = process.env.RNNC_KERNEL_CACHE ?? join(tmpdir(), "rnnc-kernels"); // a cache meant to stay, shared
const path = (name: string) => join(dir, name);
const put = (name: string, content: string) => (writeFileSync(path(name), content), path(name));
const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";

interface Ran {
  code: number | null;
  out: string;
  err: string;
  left: string[]; // what the command left in its temporary directory
}

/** `rnnc ARGS` in a process of its own, its TMPDIR a fresh directory; what it printed and left. */
function rnnc(...args: string[]): Ran {
  const scratch = mkdtempSync(join(dir, "tmp-"));
  const run = spawnSync(process.execPath, ["cli/rnnc.js", ...args], { encoding: "utf8", timeout: 120_000, env: { ...process.env, TMPDIR: scratch, RNNC_KERNEL_CACHE: kernels } });
  const left = readdirSync(scratch).filter((name) => !/^tsx-\d+$/.test(name)); // tsx's own cache: one folder, reused
  rmSync(scratch, { recursive: true, force: true });
  return { code: run.status, out: run.stdout, err: run.stderr, left };
}

/** A small GRU regressor: one number in and out per step. */
const regressor = put("tiny.rnn", "model tiny {\n  dims { H = 4 }\n  input  series: seq<vec(1)>\n  target next: seq<vec(1)>\n  layer cell = gru(1, H)\n  layer out  = dense(H, 1)\n  h[t] = cell(series[t], h[t-1])\n  loss mse(out(h[t]), next[t])\n  train { optimizer adam(lr: 0.01)  batch 2  epochs 1 }\n}\n");
/** A captioner: a vector in, a token sequence generated from it. */
const captioner = put("cap.rnn", "model cap {\n  dims { E = 4, H = 8 }\n  input  image: vec(2)\n  target words: seq<token>\n  layer proj = dense(2, H)\n  layer emb  = embedding(vocab(words), E)\n  layer cell = gru(E, H)\n  layer head = dense(H, vocab(words))\n  init h = tanh(proj(image))\n  h[t] = cell(emb(words[t-1]), h[t-1])\n  loss cross_entropy(head(h[t]), words[t])\n  train { optimizer adam(lr: 0.01) batch 4 epochs 1 }\n}\n");
const parity = put("parity.jsonl", jsonl(parityExamples(40, { minLength: 1, maxLength: 6, seed: 3 })));
const names = ["examples/names.rnn", "--set", "H=16", "--set", "E=8"];
const namesRun = path("names-run");
const parityRun = path("parity-run");

interface Reproduction {
  finding: number | "also"; // its number in the issue ("also": found while probing for it)
  probe: string; // what was done
  before: string; // what it gave when the issue was filed
  run: () => Ran;
  code: number;
  says: (string | RegExp)[]; // in what the command printed (stderr, then stdout)
  then?: (ran: Ran) => void; // anything more to hold it to
}

const table: Reproduction[] = [
  // 1. Sizes
  { finding: 1, probe: "train co2 --set H=1e9", before: "internal error: Invalid typed array length", run: () => rnnc("train", "examples/co2.rnn", "--dataset", "co2", "--set", "H=1e9", "--run-dir", path("r1")), code: 1, says: ["`gru(1, H)` makes a parameter Wz of 1,000,000,000 × 1,000,000,001 = 1,000,000,001,000,000,000 numbers, more than an array can hold (2,147,483,647)"] },
  { finding: 1, probe: "train co2 --set H=4294967296", before: "internal error: the WebAssembly kernels do not compile … Conversion from type 'i64' to 'i32'", run: () => rnnc("train", "examples/co2.rnn", "--dataset", "co2", "--set", "H=4294967296", "--run-dir", path("r2")), code: 1, says: ["--set H=4294967296: dim `H` must be a whole number from 1 to 2,147,483,647"] },
  { finding: 1, probe: "co2.rnn with H = 50000", before: "compiled, type-checked, then tried to allocate about 30 GB", run: () => rnnc("train", "examples/co2.rnn", "--dataset", "co2", "--set", "H=50000", "--run-dir", path("r3")), code: 1, says: ["2,500,050,000 numbers, more than an array can hold"] },
  { finding: 1, probe: "co2.rnn with H = 20000 (each param fits; together they do not) under --memory-limit 6GB", before: "(the same allocation, a step later)", run: () => rnnc("train", "examples/co2.rnn", "--dataset", "co2", "--set", "H=20000", "--run-dir", path("r4"), "--memory-limit", "6GB"), code: 2, says: [/needs about \d+\.\d GB for a batch of 1 sequence of 64 steps/, "more than the limit of 6.0 GB (--memory-limit); lower H, --batch or bptt"] },
  { finding: 1, probe: "a sequence of 5.2 million steps (the issue had 52 million: the same refusal, ten times faster to read)", before: "internal error: WebAssembly.Memory.grow(): Unable to grow instance memory", run: () => rnnc("train", ...names, "--data", put("long.jsonl", jsonl([{ name: "ab".repeat(2_600_000) }, { name: "bob" }])), "--run-dir", path("r5")), code: 2, says: ["a batch of 2 sequences of 5,200,001 steps", "lower E, H, --batch or the sequence length"] },
  { finding: 1, probe: "sample --count 100000000", before: "internal error: WebAssembly.Memory.grow()", run: () => rnnc("sample", ...names, "--checkpoint", namesRun, "--count", "100000000"), code: 2, says: ["for 100,000,000 sequences of up to 40 steps", "lower --count or --max-length"] },
  { finding: 1, probe: "sample --max-length 100000000", before: "internal error: WebAssembly.Memory.grow()", run: () => rnnc("sample", ...names, "--checkpoint", namesRun, "--max-length", "100000000"), code: 2, says: ["for 10 sequences of up to 100,000,000 steps"] },
  { finding: 1, probe: "sample --beam 100000", before: "internal error: WebAssembly.Memory.grow()", run: () => rnnc("sample", ...names, "--checkpoint", namesRun, "--beam", "100000"), code: 2, says: ["for a beam of 100,000 hypotheses of up to 40 steps", "lower --beam or --max-length"] },
  { finding: 1, probe: "a time offset of 10^20 steps (found by the fuzzer)", before: "the harness tried to keep 10^20 steps", run: () => rnnc("check", put("far.rnn", readFileSync("examples/parity.rnn", "utf8").replace("h[t-1]", "h[t-99999999999999999999]"))), code: 1, says: [/far\.rnn:\d+:\d+: error: `t-99999999999999999999` reaches further than any sequence can be long \(2,147,483,647 steps\)/] },

  // 2. Data that is too large or not text
  { finding: 2, probe: "a data line over the limit (64 MiB)", before: "RangeError: Invalid string length, with a stack trace (a line over about 512 MiB)", run: () => rnnc("train", "examples/parity.rnn", "--data", put("huge.jsonl", `{"bits": "01", "even": "true"}\n{"bits": "${"0".repeat(64 * 2 ** 20)}", "even": "true"}\n`), "--run-dir", path("r6")), code: 1, says: [/huge\.jsonl:2: this line is longer than 64 MiB/] },
  { finding: 2, probe: "--data /dev/zero", before: "RangeError: Invalid string length, with a stack trace", run: () => rnnc("train", "examples/parity.rnn", "--data", "/dev/zero", "--run-dir", path("r7")), code: 1, says: ["/dev/zero: not a text file: it holds a NUL byte (byte 0, line 1)"], then: () => expect(existsSync(path("r7"))).toBe(false) },

  // 3. Long names
  { finding: 3, probe: "a model name of 252 characters (train, then evaluate)", before: "internal error: ENAMETOOLONG", run: () => {
      const model = put("long.rnn", readFileSync("examples/parity.rnn", "utf8").replace(/model \w+/, `model m${"x".repeat(251)}`));
      const trained = rnnc("train", model, "--data", parity, "--run-dir", path("r8"), "--epochs", "1", "--quiet");
      expect(trained.err).toBe("");
      return rnnc("evaluate", model, "--data", parity, "--checkpoint", path("r8"));
    }, code: 0, says: [/loss/] },

  // 4. Numbers beyond float32, absurd losses
  { finding: 4, probe: "[1e308, 1] in a seq<vec(1)> of --data", before: "NaN gradients and a learning-rate hint, no file:line", run: () => rnnc("train", regressor, "--data", put("big.jsonl", '{"series": [1e308, 1], "next": [1, 2]}\n{"series": [1, 2], "next": [1, 2]}\n'), "--run-dir", path("r9")), code: 1, says: [/big\.jsonl:1: field "series"\[0\] is 1e\+308, beyond float32's range/] },
  { finding: 4, probe: "sample --input with 1e308", before: "internal error: Rng.categorical: weight 0 is NaN", run: () => rnnc("sample", captioner, "--checkpoint", path("cap-run"), "--input", '{"image": [1e308, 1]}'), code: 2, says: ['--input: field "image"[0] is 1e+308, beyond float32\'s range'] },
  { finding: 4, probe: "a finite but absurd loss (2.5e37)", before: "passed silently", run: () => rnnc("train", regressor, "--data", put("absurd.jsonl", '{"series": [1, 2], "next": [5e18, 5e18]}\n{"series": [1, 3], "next": [5e18, 1]}\n'), "--run-dir", path("r10"), "--quiet"), code: 1, says: [/stopped at epoch 1, batch 1 of 1: the loss is \d\.\d\de\+3\d, past 1e\+30/, "no checkpoint was saved"] },

  // 5. The bundle's header
  { finding: 5, probe: "compile --target browser of a file named with a newline and U+2028", before: "the rest of the name landed on the next line as code: the bundle did not parse", run: () => {
      const ran = rnnc("compile", put("a\nb\u2028c.rnn", readFileSync("examples/parity.rnn", "utf8")), "--data", parity, "--target", "browser", "--no-kernels", "-o", path("bundle.mjs"));
      const checked = spawnSync(process.execPath, ["--check", path("bundle.mjs")], { encoding: "utf8" });
      expect(checked.status, checked.stderr).toBe(0);
      return ran;
    }, code: 0, says: [], then: () => expect(readFileSync(path("bundle.mjs"), "utf8").split("\n")[0]).toBe("// generated by rnnc compile --target browser from a\\nb\\u2028c.rnn — do not edit") },

  // 6. Errors said where they are
  { finding: 6, probe: "a checkpoint whose meta.overrides is bad", before: "reported as a --set problem, or as an error in the .rnn file", run: () => {
      const checkpoint = loadCheckpointFile(join(parityRun, "best.ckpt"));
      checkpoint.meta.overrides = { H: -3 };
      saveCheckpointFile(path("bad.ckpt"), checkpoint);
      return rnnc("evaluate", "examples/parity.rnn", "--data", parity, "--checkpoint", path("bad.ckpt"));
    }, code: 1, says: [`${path("bad.ckpt")}: meta.overrides.H is -3: dim H must be a whole number from 1 to 2,147,483,647`] },
  { finding: 6, probe: "an invalid dim (H = -3) used four times", before: "one `unknown name H` per use after the real error", run: () => rnnc("check", put("dim.rnn", readFileSync("examples/parity.rnn", "utf8").replace(/H = \d+/, "H = -3"))), code: 1, says: ["dim `H` must be a whole number of at least 1"], then: (ran) => expect(ran.err.match(/error:/g)).toHaveLength(1) },

  // 7. Where a checkpoint cannot go
  { finding: 7, probe: "train --checkpoint SOMEDIR", before: "trained a whole epoch, then failed to save", run: () => rnnc("train", "examples/parity.rnn", "--data", parity, "--run-dir", path("r11"), "--checkpoint", dir), code: 2, says: [`--checkpoint ${dir}: a directory; --checkpoint takes a file's path`], then: (ran) => (expect(ran.out).toBe(""), expect(existsSync(path("r11"))).toBe(false)) },

  // 8. Leftovers (every row checks its temporary directory; these two are the commands named)
  { finding: 8, probe: "train, evaluate and sample: the temporary module", before: "each left rnnc-XXXXXX/MODEL.mts in the temporary directory", run: () => rnnc("sample", ...names, "--checkpoint", namesRun, "--count", "2", "--seed", "1"), code: 0, says: [] },
  { finding: 8, probe: "a kill during a save leaves last.ckpt.PID.tmp", before: "left there, as large as the model", run: () => {
      writeFileSync(join(parityRun, "last.ckpt.999999999.tmp"), "x".repeat(1000)); // no process has this id
      return rnnc("train", "--resume", parityRun, "--epochs", "2");
    }, code: 0, says: [`removed 1 temporary file that an interrupted save left in ${parityRun} (1000 bytes): last.ckpt.999999999.tmp`], then: () => expect(readdirSync(parityRun).filter((name) => name.endsWith(".tmp"))).toEqual([]) },

  // 9. A terminal gets no raw control sequences
  { finding: 9, probe: "sample from names with ANSI escapes in the data (prompted with one)", before: "the escapes reached the terminal", run: () => rnnc("sample", ...names, "--checkpoint", namesRun, "--count", "3", "--seed", "3", "--prompt", "\u001b[31m"), code: 0, says: ["\\x1b[31m"], then: (ran) => expect(ran.out).not.toMatch(/\x1b/) },
  { finding: 9, probe: "an unknown option holding an ESC sequence", before: "echoed raw", run: () => rnnc("train", "--x\u001b[2J"), code: 2, says: ["rnnc train: unknown option --x\\x1b[2J"], then: (ran) => expect(ran.err).not.toMatch(/\x1b/) },
  // Found while probing for the issue
  { finding: "also", probe: "sample --temperature 1e309 (Infinity)", before: "internal error: Rng.categorical: weight 0 is NaN", run: () => rnnc("sample", ...names, "--checkpoint", namesRun, "--temperature", "1e309"), code: 2, says: ["--temperature 1e309: a finite number, at least 0 (0 is greedy)"] },
  { finding: "also", probe: "train --threads 1000", before: "started 999 workers", run: () => rnnc("train", "examples/parity.rnn", "--data", parity, "--run-dir", path("r12"), "--threads", "1000"), code: 2, says: [/--threads 1000: this machine has \d+ cores; more threads than that only take turns/] },
  { finding: "also", probe: "sample and evaluate with a checkpoint of another model", before: "said as a problem of its meta.overrides (was the file edited?)", run: () => {
      const evaluated = rnnc("evaluate", "examples/parity.rnn", "--data", parity, "--checkpoint", namesRun);
      expect([evaluated.code, evaluated.err]).toEqual([1, `${join(namesRun, "best.ckpt")}: a checkpoint of model names, not parity\n`]);
      return rnnc("sample", "examples/parity.rnn", "--checkpoint", namesRun);
    }, code: 1, says: [`${join(namesRun, "best.ckpt")}: a checkpoint of model names, not parity`] },
  { finding: "also", probe: "check /dev/zero as a model file", before: "the process died: std::bad_alloc", run: () => rnnc("check", "/dev/zero"), code: 1, says: ["/dev/zero: error: cannot read the file: it holds more than 16 MiB, and a model file is a few kilobytes"] },
  { finding: "also", probe: "export --format onnx -o into a missing directory", before: "internal error: ENOENT", run: () => rnnc("export", "--format", "onnx", ...names, "--checkpoint", namesRun, "-o", path("no/such/x.onnx")), code: 2, says: [`rnnc export: -o ${path("no/such/x.onnx")}: no such directory: ${path("no/such")}`] },
];

describe("issue 14's reproductions, each with its clean outcome", { timeout: 300_000 }, () => {
  beforeAll(() => {
    const trained = [
      rnnc("train", ...names, "--data", put("names.jsonl", jsonl(["anna", "bob", "\u001b[31mred\u001b[0m", "\u001b]0;title\u0007x", "carla", "dave"].map((name) => ({ name })))), "--epochs", "1", "--run-dir", namesRun, "--quiet"),
      rnnc("train", captioner, "--data", put("cap.jsonl", jsonl(Array.from({ length: 12 }, (_, i) => ({ image: [i / 10, 1], words: `ab${i % 3}` })))), "--run-dir", path("cap-run"), "--quiet"),
      rnnc("train", "examples/parity.rnn", "--data", parity, "--epochs", "1", "--run-dir", parityRun, "--quiet"),
    ];
    for (const t of trained) expect(t.code, t.err).toBe(0);
  }, 300_000);

  it.each(table.map((row) => [`${row.finding === "also" ? "also:" : `${row.finding}.`} ${row.probe}`, row] as const))("%s", (_, row) => {
    const ran = row.run();
    const said = ran.err + ran.out;
    expect(said).not.toMatch(/internal error|RangeError|\n\s+at /);
    for (const words of row.says) expect(said).toMatch(typeof words === "string" ? new RegExp(words.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : words);
    expect(ran.code, said).toBe(row.code);
    expect(ran.left, "left in the temporary directory").toEqual([]);
    row.then?.(ran);
  });
});
