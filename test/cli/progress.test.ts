// Live progress: on a terminal one line redrawn in place, at most ten times a second; in a log,
// a plain line every few seconds; both with the running loss, the throughput and the ETA.
import { describe, expect, it } from "vitest";
import { formatDuration, Progress } from "../../cli/progress.ts";

function fake(tty: boolean) {
  let now = 0;
  const written: string[] = [];
  const progress = new Progress({ tty, write: (t) => written.push(t), epochs: 2, unit: "tokens", every: 5, now: () => now });
  return { progress, written, advance: (ms: number) => (now += ms), seconds: () => now / 1000 };
}

describe("progress", () => {
  it("on a terminal: redraws one line, no more than every 100 ms, and clears it before other output", () => {
    const { progress, written, advance, seconds } = fake(true);
    for (let batch = 1; batch <= 10; batch++) {
      advance(50);
      progress.batch({ epoch: 1, batch, batches: 10, trainLoss: 1 / batch, items: 100, seconds: seconds(), firstBatch: 0 });
    }
    expect(written).toHaveLength(5); // every other batch, and the last
    expect(written[0]).toBe("\r\x1b[Kepoch 1/2  batch 2/10  train loss 0.500  2000 tokens/s  ETA 1s");
    expect(written.at(-1)).toMatch(/^\r\x1b\[Kepoch 1\/2  batch 10\/10  train loss 0\.100  2000 tokens\/s  ETA 1s$/);
    progress.clear();
    expect(written.at(-1)).toBe("\r\x1b[K");
  });

  it("in a log: a plain line every few seconds, none for the epoch's last batch (the epoch's own line follows)", () => {
    const { progress, written, advance, seconds } = fake(false);
    for (let batch = 1; batch <= 20; batch++) {
      advance(1000);
      progress.batch({ epoch: 2, batch, batches: 20, trainLoss: 0.25, items: 10, seconds: seconds(), firstBatch: 0 });
    }
    expect(written).toEqual(["epoch 2/2  batch 5/20  train loss 0.250  10.0 tokens/s  ETA 15s\n", "epoch 2/2  batch 10/20  train loss 0.250  10.0 tokens/s  ETA 10s\n", "epoch 2/2  batch 15/20  train loss 0.250  10.0 tokens/s  ETA 5s\n"]);
    progress.clear();
    expect(written).toHaveLength(3);
  });

  it("starts each epoch afresh: its clock, its throughput, and no line right after the last epoch's", () => {
    const { progress, written, advance } = fake(false);
    advance(60_000); // the time before this epoch (the run's setup, earlier epochs) counts for nothing
    for (let batch = 4; batch <= 20; batch++) {
      advance(1000);
      progress.batch({ epoch: 1, batch, batches: 20, trainLoss: 0.5, items: 10, seconds: batch - 3, firstBatch: 3 });
    }
    expect(written[0]).toBe("epoch 1/2  batch 8/20  train loss 0.500  10.0 tokens/s  ETA 32s\n");
  });

  it("durations", () => expect([0, 59.4, 61, 3599, 7620].map(formatDuration)).toEqual(["0s", "59s", "1m01s", "59m59s", "2h07m"]));
});
