// Sizes past what memory holds are refused in words, never as an internal error or a stack: a dim
// or a param too large at check time (file:line:col), a batch, a sequence, `sample --count`,
// `--max-length` or `--beam` over --memory-limit (or the 4 GiB of a WebAssembly memory) before
// anything is allocated; the estimate those refusals use is measured against what a compiled
// model really allocates; and an allocation that fails anyway is said as out of memory.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { main, outOfMemoryMessage } from "../../cli/main.ts";
import { formatBytes, parseMemoryLimit } from "../../cli/memory.ts";
import { checkSource } from "../../compiler/index.ts";

const dir = mkdtempSync(join(tmpdir(), "rnnc-limits-"));

/** rnnc ARGS in this process: its exit code and what it printed. */
async function rnnc(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  const error = vi.spyOn(console, "error").mockImplementation(() => {});
  const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  try {
    const code = await main(args);
    return { code, out: log.mock.calls.map((c) => String(c[0])).join("\n"), err: error.mock.calls.map((c) => String(c[0])).join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

/** A refusal a user can act on: no internal error, no stack trace. */
function refused(result: { code: number; err: string }, code: number, ...words: (string | RegExp)[]) {
  expect(result.err).not.toMatch(/internal error/);
  expect(result.err).not.toMatch(/\n\s+at /);
  for (const w of words) expect(result.err).toMatch(w);
  expect(result.code, result.err).toBe(code);
}

const co2 = (source: string) => `model co2 {\n  dims { H = ${source} }\n  input  series: seq<vec(1)>\n  target next: seq<vec(1)>\n  layer cell = gru(1, H)\n  layer out  = dense(H, 1)\n  h[t] = cell(series[t], h[t-1])\n  loss mse(out(h[t]), next[t])\n}\n`;

describe("sizes at check time", () => {
  const messages = (source: string, overrides = new Map<string, number>()) => checkSource(source, "co2.rnn", { overrides }).diagnostics.map((d) => d.message);

  it("a dim of 2^31 or more is an error at the dim, and nothing cascades from it", () => {
    expect(messages(co2("4294967296"))).toEqual(["dim `H` is 4,294,967,296, more than a size can be (2,147,483,647)"]);
  });

  it("--set of a dim out of range is said as --set", () => {
    expect(messages(co2("32"), new Map([["H", 4294967296]]))).toEqual(["--set H=4294967296: dim `H` must be a whole number from 1 to 2,147,483,647"]);
    expect(messages(co2("32"), new Map([["H", 0.5]]))).toEqual(["--set H=0.5: dim `H` must be a whole number from 1 to 2,147,483,647"]);
  });

  it("a param of more numbers than an array holds is an error at its layer, with the figure", () => {
    const result = checkSource(co2("32"), "co2.rnn", { overrides: new Map([["H", 1e9]]) });
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      "`gru(1, H)` makes a parameter Wz of 1,000,000,000 × 1,000,000,001 = 1,000,000,001,000,000,000 numbers, more than an array can hold (2,147,483,647)",
    ]);
  });
});

describe("--memory-limit", () => {
  it("reads sizes in decimal and binary units", () => {
    expect(parseMemoryLimit("2GB")).toBe(2e9);
    expect(parseMemoryLimit("512MiB")).toBe(512 * 2 ** 20);
    expect(parseMemoryLimit("1.5 g")).toBe(1.5e9);
    expect(parseMemoryLimit("1000000")).toBe(1e6);
    for (const bad of ["", "2XB", "-1GB", "GB", "0"]) expect(() => parseMemoryLimit(bad), bad).toThrow(/--memory-limit takes a size/);
    expect(formatBytes(31.2e9)).toBe("31.2 GB");
  });
});

describe("refused in words before allocating", { timeout: 120_000 }, () => {
  const train = join(dir, "names.jsonl");
  const run = join(dir, "run");
  const names = ["examples/names.rnn", "--set", "H=16", "--set", "E=8"];
  beforeAll(async () => {
    writeFileSync(train, ["anna", "bob", "carla", "dave"].map((name) => JSON.stringify({ name })).join("\n") + "\n");
    const trained = await rnnc("train", ...names, "--data", train, "--epochs", "1", "--run-dir", run, "--quiet");
    expect(trained.code, trained.err).toBe(0);
  }, 120_000);

  it("train --set H=1e9 and H=4294967296: check errors", async () => {
    refused(await rnnc("train", "examples/co2.rnn", "--data", train, "--set", "H=1e9"), 1, /gru\(1, H\)` makes a parameter Wz of 1,000,000,000 × 1,000,000,001/);
    refused(await rnnc("train", "examples/co2.rnn", "--data", train, "--set", "H=4294967296"), 1, /--set H=4294967296: dim `H` must be a whole number from 1 to 2,147,483,647/);
    refused(await rnnc("train", "examples/co2.rnn", "--data", train, "--set", "H=50000"), 1, /2,500,050,000 numbers, more than an array can hold/);
  });

  it("train co2 with H = 20000: the estimate against the limit, before compiling", async () => {
    const started = performance.now();
    const result = await rnnc("train", "examples/co2.rnn", "--dataset", "co2", "--set", "H=20000", "--run-dir", join(dir, "co2"), "--memory-limit", "6GB");
    refused(result, 2, /rnnc train: examples\/co2.rnn needs about \d+\.\d GB for a batch of 1 sequence of 64 steps \(H = 20000: params 4\.8 GB, gradients 4\.8 GB, optimizer moments 9\.6 GB/, /more than the limit of 6\.0 GB \(--memory-limit\); lower H, --batch or bptt/);
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it("a sequence of 5 million steps: over the WebAssembly memory, said before batching", async () => {
    const long = join(dir, "long.jsonl");
    writeFileSync(long, JSON.stringify({ name: "ab".repeat(2_500_000) }) + "\n" + JSON.stringify({ name: "bob" }) + "\n");
    refused(await rnnc("train", ...names, "--data", long, "--run-dir", join(dir, "long")), 2, /a batch of 2 sequences of 5,000,001 steps/, /more than the 4 GiB \(4\.3 GB\) one can hold; lower E, H, --batch or the sequence length, or run it with --backend compiled-ts/);
    refused(await rnnc("train", ...names, "--data", long, "--run-dir", join(dir, "long"), "--backend", "compiled-ts", "--memory-limit", "1GB"), 2, /more than the limit of 1\.0 GB \(--memory-limit\)/);
  });

  it("sample --count, --max-length and --beam past what fits", async () => {
    const sample = (...args: string[]) => rnnc("sample", ...names, "--checkpoint", run, ...args);
    refused(await sample("--count", "100000000"), 2, /needs about \d+\.\d TB for 100,000,000 sequences of up to 40 steps/, /more than the limit of .* \(80% of this machine's memory; --memory-limit sets another\); lower --count or --max-length$/);
    refused(await sample("--max-length", "100000000"), 2, /for 10 sequences of up to 100,000,000 steps/);
    refused(await sample("--beam", "100000"), 2, /for a beam of 100,000 hypotheses of up to 40 steps/, /more than the 4 GiB .* one can hold; lower --beam or --max-length$/);
    refused(await sample("--count", "3", "--memory-limit", "2XB"), 2, /--memory-limit takes a size such as 2GB/);
    expect((await sample("--count", "3", "--memory-limit", "100MB")).code).toBe(0);
  });

  it("evaluate over --memory-limit", async () => {
    refused(await rnnc("evaluate", "examples/names.rnn", "--data", train, "--checkpoint", run, "--memory-limit", "1KB"), 2, /rnnc evaluate: examples\/names.rnn needs about .* for a batch of 4 sequences of 6 steps/, /lower --batch or the sequence length/);
  });
});

describe("an allocation that fails anyway", () => {
  it("is out of memory with its figure, not an internal error", () => {
    expect(outOfMemoryMessage(new RangeError("Invalid typed array length: 4294967297"))).toMatch(/^out of memory: the run needed an array of 4,294,967,297 numbers/);
    expect(outOfMemoryMessage(new RangeError("WebAssembly.Memory.grow(): the buffers of a batch of 9 need 5000000000 bytes of WebAssembly memory"))).toMatch(/needed 5,000,000,000 bytes/);
    expect(outOfMemoryMessage(new RangeError("Array buffer allocation failed"))).toMatch(/out of memory/);
    expect(outOfMemoryMessage(new TypeError("x is undefined"))).toBeUndefined();
  });
});

describe("the estimate against what a compiled model allocates", () => {
  // Each in a process of its own (all at once), so that nothing else is counted.
  const measure = (args: string[]) =>
    new Promise<{ measured: number; estimated: number }>((done, fail) =>
      execFile("npx", ["tsx", "test/robustness/limits-measure.ts", ...args], { encoding: "utf8" }, (error, stdout, stderr) =>
        error ? fail(new Error(`${args.join(" ")}: ${stderr}`)) : done(JSON.parse(stdout.trim().split("\n").at(-1)!)),
      ),
    );
  it("is within 25% for a few models and backends", { timeout: 120_000 }, async () => {
    const cases = [
      ["examples/names.rnn", "compiled-ts", "256", "16", "100"],
      ["examples/tagger.rnn", "compiled-ts", "128", "16", "100"],
      ["examples/names.rnn", "compiled", "256", "32", "300"],
      ["examples/parity.rnn", "compiled", "512", "32", "200"],
    ];
    const results = await Promise.all(cases.map(measure));
    results.forEach(({ measured, estimated }, i) => {
      expect(estimated / measured, cases[i].join(" ")).toBeGreaterThan(0.75);
      expect(estimated / measured, cases[i].join(" ")).toBeLessThan(1.25);
    });
  });
});
