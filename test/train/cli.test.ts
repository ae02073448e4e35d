// `rnnc train` and `rnnc evaluate` as a user runs them: separate processes, exit codes, Ctrl-C.
// Each case starts Node and tsx afresh (about 2 s), so there are few of them.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCheckpoint } from "../../cli/checkpoints.ts";
import { parityExamples } from "../../data/parity.ts";

const dir = mkdtempSync(join(tmpdir(), "rnnc-cli-"));
const model = join(dir, "parity.rnn");
const trainFile = join(dir, "train.jsonl");
const validFile = join(dir, "valid.jsonl");
const jsonl = (records: object[]) => records.map((r) => JSON.stringify(r)).join("\n") + "\n";
copyFileSync("examples/parity.rnn", model);
writeFileSync(trainFile, jsonl(parityExamples(200, { minLength: 1, maxLength: 8, seed: 5 })));
writeFileSync(validFile, jsonl(parityExamples(50, { minLength: 1, maxLength: 8, seed: 6 })));

const rnnc = (...args: string[]) => {
  const run = spawnSync(process.execPath, ["cli/rnnc.js", ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: run.status, out: run.stdout, err: run.stderr };
};

describe("rnnc train and evaluate, end to end", { timeout: 60_000 }, () => {
  it("train: on Ctrl-C finishes the batch, saves where it stood and exits 130; evaluate reads the run", async () => {
    const runDir = join(dir, "run");
    const child = spawn(process.execPath, ["cli/rnnc.js", "train", model, "--data", trainFile, "--valid", validFile, "--epochs", "10000", "--run-dir", runDir, "--threads", "1"]);
    let out = "";
    let err = "";
    child.stderr.on("data", (chunk) => (err += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await new Promise<void>((resolve) =>
      child.stdout.on("data", (chunk) => {
        out += chunk;
        if (/^epoch 2\//m.test(out)) resolve();
      }),
    );
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(out).toMatch(/^epoch 1\/10000  train loss \d\.\d{3}  valid loss \d\.\d{3}  valid accuracy \d+\.\d%  lr 0\.0100  \(\d+\.\d s\)  best$/m);
    const last = join(runDir, "last.ckpt");
    expect(err).toMatch(new RegExp(`interrupted (in epoch \\d+, after batch \\d+ of \\d+|after epoch \\d+); checkpoint: ${last}\n  continue with: rnnc train --resume ${runDir}\n$`));
    const saved = readCheckpoint(last);
    expect(saved.meta.epoch).toBeGreaterThanOrEqual(2);
    const interrupted = saved.meta.interrupted as { epoch: number; batch: number } | undefined;
    if (interrupted) expect(interrupted.epoch).toBe((saved.meta.epoch as number) + 1);

    const evaluated = rnnc("evaluate", model, "--data", validFile, "--checkpoint", runDir);
    expect(evaluated.err).toBe("");
    expect(evaluated.code).toBe(0);
    expect(evaluated.out).toMatch(new RegExp(`^${validFile}: 50 examples  loss \\d\\.\\d{3}  accuracy \\d+\\.\\d%\\n$`));
  });
});
