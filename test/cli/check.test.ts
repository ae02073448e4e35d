// `rnnc check` end to end, as a user runs it: exit codes, where output goes, no stack traces.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const rnnc = (...args: string[]) => {
  const run = spawnSync(process.execPath, ["cli/rnnc.js", ...args], { encoding: "utf8", timeout: 30_000 });
  return { code: run.status, out: run.stdout, err: run.stderr };
};
const stackTrace = /\n\s+at .+:\d+:\d+/;

// Each case starts Node and tsx afresh: about a second each.
describe("rnnc check", { timeout: 60_000 }, () => {
  it("prints a summary of a good model and exits 0", () => {
    const { code, out, err } = rnnc("check", "examples/tagger.rnn");
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain("model tagger");
    expect(out).toMatch(/b1 +cell lstm\(64, 128\) +98816 parameters/);
    expect(out).toMatch(/\(b\[t\], bc\[t\]\) = b1\(e\[t\], b\[t\+1\], bc\[t\+1\]\) +loop backward over t; state b from zeros, bc from zeros/);
  });

  it("reports errors with file:line:col, the line and a caret, and exits 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "rnnc-"));
    const file = join(dir, "bad.rnn");
    writeFileSync(file, "model m {\n  input x: seq<token>\n  target y: class\n  layer c = gru(2, 8)\n  h[t] = c(onehot(x[t], 2), hh[t-1])\n}\n");
    const { code, out, err } = rnnc("check", file);
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toContain(`${file}:5:29: error: unknown name \`hh\`\n    h[t] = c(onehot(x[t], 2), hh[t-1])\n                              ^~\n  hint: did you mean \`h\`?`);
    expect(err).not.toMatch(stackTrace);
  });

  it("says so when the file does not exist", () => {
    const { code, err } = rnnc("check", "no/such/file.rnn");
    expect(code).toBe(1);
    expect(err).toBe("no/such/file.rnn: error: cannot read the file: no such file\n");
  });

  it("rejects binary garbage with one clear line", () => {
    const dir = mkdtempSync(join(tmpdir(), "rnnc-"));
    const file = join(dir, "garbage.rnn");
    writeFileSync(file, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff, 0xfe]));
    const { code, err } = rnnc("check", file);
    expect(code).toBe(1);
    expect(err).toContain("error: this does not look like a .rnn file: it contains binary data");
    expect(err).not.toMatch(stackTrace);
  });

  it("applies --set to dims", () => {
    const { code, out } = rnnc("check", "examples/parity.rnn", "--set", "H=8");
    expect(code).toBe(0);
    expect(out).toMatch(/cell +cell gru\(2, 8\) +264 parameters/);
  });

  it("explains its usage on bad invocations, with exit code 2", () => {
    expect(rnnc().code).toBe(2);
    expect(rnnc("frobnicate").err).toContain("unknown command 'frobnicate'");
    expect(rnnc("check").code).toBe(2);
    expect(rnnc("check", "examples/parity.rnn", "--set", "H").err).toContain("--set takes NAME=NUMBER");
    expect(rnnc("check", "--bogus", "x.rnn").code).toBe(2);
  });
});

describe("rnnc check --set", { timeout: 60_000 }, () => {
  it("refuses a name the model does not have, and a value its setting refuses", () => {
    const unknown = rnnc("check", "examples/parity.rnn", "--set", "HH=3");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("rnnc: --set HH=3: parity has no dim or train setting HH");
    const bad = rnnc("check", "examples/parity.rnn", "--set", "epochs=0.5");
    expect(bad.err).toBe("rnnc: --set epochs=0.5: epochs takes a whole number, at least 1\n");
  });
});
