// Data that is too large or not data at all, each ending in a clear message (issue 14): a line
// over the line limit is an error at its line (tested with a small limit: the real one is 64 MiB);
// a file that is not text (/dev/zero, a binary, a directory, Latin-1) one error about the file;
// a number beyond float32 a file:line error, in --data and in --input; a loss past 1e30 stops
// training as NaN does. Never `internal error`, never a stack trace.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { formatDataError } from "../../data/errors.ts";
import type { DataField } from "../../data/fields.ts";
import { readRecords } from "../../data/formats.ts";
import { MAX_LINE_BYTES, textLines } from "../../data/text-file.ts";

const dir = mkdtempSync(join(tmpdir(), "rnnc-limits-"));
const put = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const bits: DataField = { name: "bits", role: "input", sequence: true, element: { kind: "token" }, axis: "t" };
const even: DataField = { name: "even", role: "target", sequence: false, element: { kind: "class" } };
const name: DataField = { name: "name", role: "target", sequence: true, element: { kind: "token" }, axis: "t", autoregressive: true };

/** What a reader gives: the lines of the records, and the errors as printed. */
async function read(path: string, fields: DataField[], options: Parameters<typeof readRecords>[2] = {}) {
  const { records, errors } = await readRecords(path, fields, { file: "f", ...options });
  return { lines: records.map((r) => r.line), errors: errors.map(formatDataError) };
}

const rnnc = (...args: string[]) => {
  const run = spawnSync(process.execPath, ["cli/rnnc.js", ...args], { encoding: "utf8", timeout: 120_000 });
  expect(run.stderr).not.toMatch(/internal error|RangeError|\n\s+at /);
  return { code: run.status, out: run.stdout, err: run.stderr };
};

const tooLong = (limit: string) => `this line is longer than ${limit}, the most a line of a data file may hold; it was not read (is this the data file?)`;

describe("a line over the limit", () => {
  it("is 64 MiB", () => expect(MAX_LINE_BYTES).toBe(64 * 2 ** 20));

  it("is an error at its line in JSON Lines; the lines around it are read, whatever their endings", async () => {
    const long = JSON.stringify({ bits: "0".repeat(300), even: "e" });
    const path = put("long.jsonl", `{"bits": "01", "even": "o"}\r\n${long}\r{"bits": "1", "even": "o"}\n\n${long}`);
    expect(await read(path, [bits, even], { maxLineBytes: 100 })).toEqual({ lines: [1, 3], errors: [`f:2: ${tooLong("100 bytes")}`, `f:5: ${tooLong("100 bytes")}`] });
    expect((await read(path, [bits, even])).lines).toEqual([1, 2, 3, 5]);
  });

  it("is found however the file is cut into reads, a \\r\\n split between two included", async () => {
    const text = `a\r\nbb\rccc\n\ndddd\r\n${"e".repeat(40)}\r\nf`;
    const path = put("lines.txt", text);
    for (const chunkBytes of [1, 2, 3, 5, 64]) {
      const seen: unknown[] = [];
      for await (const batch of textLines(path, { chunkBytes, maxLineBytes: 10 })) seen.push(...batch);
      expect(seen).toEqual([
        { line: 1, text: "a", ending: "\r\n" },
        { line: 2, text: "bb", ending: "\r" },
        { line: 3, text: "ccc", ending: "\n" },
        { line: 4, text: "", ending: "\n" },
        { line: 5, text: "dddd", ending: "\r\n" },
        { line: 6, tooLong: true },
        { line: 7, text: "f", ending: "" },
      ]);
    }
  });

  it("in CSV and plain text too; a quoted CSV cell that never closes stops at the limit, said once", async () => {
    const csv = put("long.csv", `bits,even\n01,o\n${"1".repeat(200)},e\n1,o\n`);
    expect(await read(csv, [bits, even], { maxLineBytes: 100 })).toEqual({ lines: [2, 4], errors: [`f:3: ${tooLong("100 bytes")}`] });
    const open = put("open.csv", `bits,even\n01,o\n"1${"\n1111111111".repeat(30)}\n`);
    expect(await read(open, [bits, even], { maxLineBytes: 100 })).toEqual({
      lines: [2],
      errors: ["f:3: cell 1 is longer than 100 bytes, the most a line of a data file may hold (a quote that never closes?); the row was not read"],
    });
    const text = put("long.txt", `anna\n${"b".repeat(200)}\ncarl\n`);
    expect(await read(text, [name], { maxLineBytes: 100 })).toEqual({ lines: [1, 3], errors: [`f:2: ${tooLong("100 bytes")}`] });
  });
});

describe("a file that is not text", () => {
  const binary = Buffer.from([0x7b, 0x22, 0x62, 0x0a, 0x00, 0x01, 0x02]);
  const latin1 = Buffer.from('{"bits": "01", "even": "o"}\n{"bits": "1", "even": "caf\xe9"}\n', "latin1");

  it("is one error about the whole file, in every format", async () => {
    for (const format of ["jsonl", "csv", "tsv", "text"] as const) {
      const fields = format === "text" ? [name] : [bits, even];
      expect(await read("/dev/zero", fields, { format })).toEqual({
        lines: [],
        errors: ["f: not a text file: it holds a NUL byte (byte 0, line 1), as binary files do; give a JSON Lines, CSV, TSV or text file"],
      });
      expect((await read(put("binary", binary), fields, { format })).errors).toEqual([
        "f: not a text file: it holds a NUL byte (byte 4, line 2), as binary files do; give a JSON Lines, CSV, TSV or text file",
      ]);
      expect((await read(dir, fields, { format })).errors).toEqual(["f: cannot read the file: it is a directory, not a data file"]);
      expect((await read(put("latin1", latin1), fields, { format })).errors).toEqual(["f: not UTF-8 text: line 2 has bytes that UTF-8 does not allow; save the file as UTF-8"]);
    }
  });

  it("stops rnnc train before anything is written: /dev/zero, a directory", () => {
    const runDir = join(dir, "never");
    const zero = rnnc("train", "examples/parity.rnn", "--data", "/dev/zero", "--run-dir", runDir);
    expect([zero.code, zero.err]).toEqual([1, "/dev/zero: not a text file: it holds a NUL byte (byte 0, line 1), as binary files do; give a JSON Lines, CSV, TSV or text file\n"]);
    const directory = rnnc("train", "examples/parity.rnn", "--data", dir, "--run-dir", runDir);
    expect([directory.code, directory.err]).toEqual([1, `${dir}: cannot read the file: it is a directory, not a data file\n`]);
    expect(existsSync(runDir)).toBe(false);
  });
});

describe("numbers beyond float32 and losses past 1e30", { timeout: 120_000 }, () => {
  const model = put("tiny.rnn", `model tiny {
  dims { H = 4 }
  input  series: seq<vec(1)>
  target next: seq<vec(1)>
  layer cell = gru(1, H)
  layer out  = dense(H, 1)
  h[t] = cell(series[t], h[t-1])
  loss mse(out(h[t]), next[t])
  train { optimizer adam(lr: 0.01)  batch 2  epochs 2 }
}
`);
  const caption = put("cap.rnn", `model cap {
  dims { E = 4, H = 8 }
  input  image: vec(2)
  target words: seq<token>
  layer proj = dense(2, H)
  layer emb  = embedding(vocab(words), E)
  layer cell = gru(E, H)
  layer head = dense(H, vocab(words))
  init h = tanh(proj(image))
  h[t] = cell(emb(words[t-1]), h[t-1])
  loss cross_entropy(head(h[t]), words[t])
  train { optimizer adam(lr: 0.01) batch 4 epochs 1 }
}
`);
  const classifier = put("reg.rnn", `model reg {
  dims { H = 4 }
  input  x: vec(2)
  target y: class
  layer d = dense(2, H)
  layer head = dense(H, 2)
  loss cross_entropy(head(tanh(d(x))), y)
  train { optimizer adam(lr: 0.01) batch 4 epochs 1 }
}
`);
  const lines = (n: number, line: (i: number) => object) => Array.from({ length: n }, (_, i) => JSON.stringify(line(i))).join("\n") + "\n";

  beforeAll(() => {
    const cap = put("cap.jsonl", lines(12, (i) => ({ image: [i / 10, 1], words: `ab${i % 3}` })));
    const reg = put("reg.jsonl", lines(12, (i) => ({ x: [i / 10, 1], y: `c${i % 2}` })));
    expect(rnnc("train", caption, "--data", cap, "--run-dir", join(dir, "cap-run"), "--quiet").code).toBe(0);
    expect(rnnc("train", classifier, "--data", reg, "--run-dir", join(dir, "reg-run"), "--quiet").code).toBe(0);
  }, 120_000);

  it("in --data: an error at its line, naming the field and the range", () => {
    const data = put("big.jsonl", '{"series": [1e308, 1], "next": [1, 2]}\n{"series": [1, 2], "next": [1, 2]}\n');
    const run = rnnc("train", model, "--data", data, "--run-dir", join(dir, "big-run"));
    expect(run.code).toBe(1);
    expect(run.err).toBe(`${data}:1: field "series"[0] is 1e+308, beyond float32's range (±3.4028235e38): the models compute in float32\n${data}: 1 bad line; fix them, or pass --skip-invalid to use the other 1\n`);
  });

  it("in sample --input and predict --input: an error naming the field, exit 2", () => {
    const sampled = rnnc("sample", caption, "--checkpoint", join(dir, "cap-run"), "--input", '{"image": [1e308, 1]}');
    expect([sampled.code, sampled.err]).toEqual([2, `--input: field "image"[0] is 1e+308, beyond float32's range (±3.4028235e38): the models compute in float32\n`]);
    const predicted = rnnc("predict", classifier, "--checkpoint", join(dir, "reg-run"), "--input", '{"x": [-1e39, 1]}');
    expect([predicted.code, predicted.err]).toEqual([2, `--input: field "x"[0] is -1e+39, beyond float32's range (±3.4028235e38): the models compute in float32\n`]);
  });

  it("a loss past 1e30 (targets of 1e18, squared) stops training where it happened, as NaN does", () => {
    const data = put("absurd.jsonl", '{"series": [1, 2], "next": [1e18, 2e18]}\n{"series": [1, 3], "next": [3e18, 1]}\n{"series": [2, 2], "next": [1, 1]}\n');
    const runDir = join(dir, "absurd-run");
    const run = rnnc("train", model, "--data", data, "--run-dir", runDir, "--quiet");
    expect(run.code).toBe(1);
    expect(run.err).toMatch(
      /^rnnc train: stopped at epoch 1, batch 1 of 2: the loss is \d\.\d\de\+3\d, past 1e\+30 \(float32 overflows at 3\.4e38\): outputs or targets this far apart leave nothing to learn; real-valued data trains best standardised \(mean 0, sd 1\)\n  no checkpoint was saved \(no epoch finished\)\n/,
    );
    expect(existsSync(join(runDir, "last.ckpt"))).toBe(false);
  });
});
