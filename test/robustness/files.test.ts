// The files a command leaves, and the ones it cannot write (issue 14): no temporary module (rnnc-*,
// rnnc-workers-*) left after train, evaluate or sample, on one thread or several; the .tmp file of
// a save killed halfway removed by the next run on that directory, in one line; --checkpoint at a
// directory (or where nothing can be written) refused before training; a model name of 260
// characters trains. Each command runs with a temporary directory of its own, to look into.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parityExamples } from "../../data/parity.ts";

const dir = mkdtempSync(join(tmpdir(), "rnnc-files-"));
const scratch = join(dir, "tmp"); // TMPDIR of every command run here
const kernels = join(dir, "kernels"); // the WebAssembly kernels' cache, a cache meant to stay
mkdirSync(scratch);
const data = join(dir, "train.jsonl");
writeFileSync(data, parityExamples(40, { minLength: 1, maxLength: 6, seed: 3 }).map((r) => JSON.stringify(r)).join("\n") + "\n");

const rnnc = (...args: string[]) => {
  const run = spawnSync(process.execPath, ["cli/rnnc.js", ...args], {
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, TMPDIR: scratch, RNNC_KERNEL_CACHE: kernels },
  });
  expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  return { code: run.status, out: run.stdout, err: run.stderr };
};
/** What is left in the temporary directory, but tsx's own cache (tsx-UID: one folder, reused). */
const leftovers = () => readdirSync(scratch).filter((name) => !/^tsx-\d+$/.test(name));

/** The id of a process that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

describe("temporary files", { timeout: 180_000 }, () => {
  it("train, evaluate and sample leave nothing in the temporary directory, on one thread or two", () => {
    const run = join(dir, "run");
    expect(rnnc("train", "examples/parity.rnn", "--data", data, "--run-dir", run, "--epochs", "1", "--quiet").code).toBe(0);
    expect(leftovers()).toEqual([]);
    expect(rnnc("train", "examples/parity.rnn", "--data", data, "--run-dir", join(dir, "run2"), "--epochs", "1", "--threads", "2", "--quiet").code).toBe(0);
    expect(leftovers()).toEqual([]);
    const evaluated = rnnc("evaluate", "examples/parity.rnn", "--data", data, "--checkpoint", run);
    expect(evaluated.code).toBe(0);
    expect(leftovers()).toEqual([]);
    const names = join(dir, "names.jsonl");
    writeFileSync(names, ["anna", "bob", "carl"].map((name) => JSON.stringify({ name })).join("\n") + "\n");
    const namesRun = join(dir, "names-run");
    expect(rnnc("train", "examples/names.rnn", "--data", names, "--run-dir", namesRun, "--epochs", "1", "--set", "H=8", "--set", "E=4", "--quiet").code).toBe(0);
    expect(rnnc("sample", "examples/names.rnn", "--checkpoint", namesRun, "--count", "2", "--seed", "1").code).toBe(0);
    expect(leftovers()).toEqual([]);
  });

  it("a save killed halfway: its .tmp files are removed by the next run on the directory, which says so", async () => {
    const run = join(dir, "resumed");
    const copy = join(dir, "copy.ckpt");
    expect(rnnc("train", "examples/parity.rnn", "--data", data, "--run-dir", run, "--epochs", "1", "--checkpoint", copy, "--quiet").code).toBe(0);
    const pid = deadPid();
    const stale = [`last.ckpt.${pid}.tmp`, `best.ckpt.${pid}.tmp`];
    for (const name of stale) writeFileSync(join(run, name), "x".repeat(1000));
    writeFileSync(join(dir, `copy.ckpt.${pid}.tmp`), "x".repeat(10));
    writeFileSync(join(dir, `other.ckpt.${pid}.tmp`), "not ours"); // another file's: left alone
    const resumed = rnnc("train", "--resume", run, "--epochs", "2");
    expect(resumed.code).toBe(0);
    expect(resumed.out).toContain(`removed 2 temporary files that an interrupted save left in ${run} (2000 bytes): `);
    expect(readdirSync(run).filter((name) => name.endsWith(".tmp"))).toEqual([]);
    const again = rnnc("train", "--resume", run, "--epochs", "3", "--checkpoint", copy);
    expect(again.out).toContain(`removed 1 temporary file that an interrupted save left in ${dir} (10 bytes): copy.ckpt.${pid}.tmp`);
    expect(existsSync(join(dir, `other.ckpt.${pid}.tmp`))).toBe(true);
  });

  it("a .tmp file of a process that still runs is not touched", async () => {
    const run = join(dir, "live");
    expect(rnnc("train", "examples/parity.rnn", "--data", data, "--run-dir", run, "--epochs", "1", "--quiet").code).toBe(0);
    const alive = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
    try {
      writeFileSync(join(dir, `live.ckpt.${alive.pid}.tmp`), "x");
      expect(rnnc("train", "examples/parity.rnn", "--data", data, "--run-dir", join(dir, "live2"), "--epochs", "1", "--checkpoint", join(dir, "live.ckpt"), "--quiet").code).toBe(0);
      expect(existsSync(join(dir, `live.ckpt.${alive.pid}.tmp`))).toBe(true);
    } finally {
      alive.kill();
    }
  });
});

describe("where a checkpoint cannot go", { timeout: 120_000 }, () => {
  it("--checkpoint at a directory, under a file or in no directory: refused at once, before a run directory is made", () => {
    const runDir = join(dir, "refused");
    const cases: [string, string][] = [
      [dir, `a directory; --checkpoint takes a file's path, e.g. ${join(dir, "model.ckpt")}`],
      [join(data, "x.ckpt"), `${data} is not a directory`],
      [join(dir, "no", "such", "x.ckpt"), `no such directory: ${join(dir, "no", "such")}`],
    ];
    for (const [path, why] of cases) {
      const run = rnnc("train", "examples/parity.rnn", "--data", data, "--run-dir", runDir, "--checkpoint", path);
      expect([run.code, run.err, run.out]).toEqual([2, `rnnc train: --checkpoint ${path}: ${why}\n`, ""]);
    }
    expect(existsSync(runDir)).toBe(false);
  });
});

describe("a model name of 260 characters", { timeout: 120_000 }, () => {
  it("trains and evaluates: the temporary module's name is cut short", () => {
    const long = `m${"x".repeat(259)}`;
    const model = join(dir, "long.rnn");
    writeFileSync(model, `model ${long} {\n  dims { H = 4 }\n  input bits: seq<token>\n  target even: class\n  layer cell = gru(2, H)\n  layer head = dense(H, 2)\n  h[t] = cell(onehot(bits[t], 2), h[t-1])\n  loss cross_entropy(head(h[last]), even)\n  train { optimizer adam(lr: 0.01)  batch 8  epochs 1 }\n}\n`);
    const run = join(dir, "long-run");
    const trained = rnnc("train", model, "--data", data, "--run-dir", run, "--quiet");
    expect(trained.code).toBe(0);
    expect(trained.out).toContain(`trained ${long} for 1 epoch`);
    expect(rnnc("evaluate", model, "--data", data, "--checkpoint", run).code).toBe(0);
    expect(leftovers()).toEqual([]);
  });
});
