// A training run killed outright (SIGKILL: no handler runs, as in a power cut or the OOM killer)
// at several moments leaves a run directory that `--resume` continues: its last checkpoint, when
// an epoch had ended, whole and checksummed (saves go to a .tmp file renamed over the old one),
// and whatever the kill cut short removed by the resume. Killed before the first save, the run
// says so instead of failing somewhere inside.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parityExamples } from "../../data/parity.ts";
import { loadCheckpointFile } from "../../runtime/checkpoint-file.ts";

const dir = mkdtempSync(join(tmpdir(), "rnnc-kills-"));
const data = join(dir, "train.jsonl");
writeFileSync(data, parityExamples(600, { minLength: 4, maxLength: 24, seed: 5 }).map((r) => JSON.stringify(r)).join("\n") + "\n");

/** `rnnc train` of parity into `run`, killed with SIGKILL `ms` after it prints a line that starts with `line`. */
function trainKilled(run: string, line: string, ms: number): Promise<void> {
  const child = spawn(process.execPath, ["cli/rnnc.js", "train", "examples/parity.rnn", "--data", data, "--run-dir", run, "--epochs", "200", "--set", "batch=8"], { stdio: ["ignore", "pipe", "ignore"] });
  let printed = "";
  child.stdout.on("data", (chunk: Buffer) => {
    printed += chunk.toString();
    if (printed.split("\n").some((l) => l.startsWith(line))) setTimeout(() => child.kill("SIGKILL"), ms);
  });
  return new Promise((done) => child.on("exit", () => done()));
}

const rnnc = (...args: string[]) => {
  const run = spawnSync(process.execPath, ["cli/rnnc.js", ...args], { encoding: "utf8", timeout: 120_000 });
  expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  return { code: run.status, out: run.stdout, err: run.stderr };
};

describe("a training run killed with SIGKILL", { timeout: 180_000 }, () => {
  it("leaves a whole last checkpoint, or none, and --resume continues it", async () => {
    // Before the first save; as an epoch's checkpoint is written; and at moments inside later epochs.
    const kills: [string, number][] = [["run directory", 0], ["epoch 1/", 0], ["epoch 2/", 60], ["epoch 3/", 150], ["epoch 4/", 300]];
    const outcomes: string[] = [];
    for (const [line, ms] of kills) {
      const run = join(dir, `run-${outcomes.length}`);
      await trainKilled(run, line, ms);
      const last = join(run, "last.ckpt");
      if (!existsSync(last)) {
        const resumed = rnnc("train", "--resume", run);
        expect([resumed.code, resumed.err]).toEqual([2, `rnnc train: ${run} has no checkpoint to resume from (it stopped before its first save)\n`]);
        outcomes.push("none");
        continue;
      }
      const epoch = loadCheckpointFile(last).meta.epoch as number; // verifies its checksum
      const resumed = rnnc("train", "--resume", run, "--epochs", String(epoch + 1), "--quiet");
      expect(resumed.code, resumed.err).toBe(0);
      expect(loadCheckpointFile(last).meta.epoch).toBe(epoch + 1);
      expect(readdirSync(run).filter((name) => name.endsWith(".tmp"))).toEqual([]);
      outcomes.push(`epoch ${epoch}`);
    }
    expect(outcomes[0]).toBe("none");
    expect(outcomes.slice(1).every((o) => o !== "none"), outcomes.join(", ")).toBe(true);
  });
});
