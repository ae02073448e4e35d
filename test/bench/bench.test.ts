// The benchmark's own plumbing, on a tiny workload: the FLOP formula, the rnnc engine's units,
// and the table's arithmetic. No timing is asserted: speed targets never go in unit tests.
import { describe, expect, it } from "vitest";
import { emitRnncModule } from "../../bench/compile.ts";
import { workloadData } from "../../bench/data.ts";
import { RNNC_VARIANTS, rnncSession } from "../../bench/engines/rnnc.ts";
import { classifierTrainFlopsPerSequence, lmForwardFlopsPerToken, lmTrainFlopsPerToken } from "../../bench/flops.ts";
import { compare, formatTable, summarize, type EngineMeasurement } from "../../bench/table.ts";
import { WORKLOADS, workloadNamed, type Workload } from "../../bench/workloads.ts";

describe("FLOPs", () => {
  it("counts 540,672 training FLOPs per token for the LSTM LM at H = 128", () => {
    expect(lmForwardFlopsPerToken("lstm", 64, 32, 128)).toBe(2 * (4 * 128 * (32 + 128) + 64 * 128));
    expect(lmTrainFlopsPerToken("lstm", 64, 32, 128)).toBe(540_672);
    expect(workloadNamed("A128")!.unit.flops).toBe(32 * 32 * 540_672);
  });

  it("counts three gate blocks for the GRU and one classifier product per sequence", () => {
    expect(lmTrainFlopsPerToken("gru", 64, 32, 128)).toBe(3 * 2 * (3 * 128 * 160 + 64 * 128));
    expect(classifierTrainFlopsPerSequence("lstm", 64, 64, 128, 2)).toBe(3 * (64 * 2 * 4 * 128 * 192 + 2 * 2 * 128));
    expect(WORKLOADS.map((w) => w.id)).toEqual(["A64", "A128", "A256", "B128", "C", "D", "E"]);
  });
});

/** A workload of the LM's shape, small enough to compile and step in a moment. */
function tiny(kind: "train-lm" | "generate"): Workload {
  const base = workloadNamed(kind === "train-lm" ? "A64" : "E")!;
  const w: Workload = { ...base, id: "tiny", E: 4, H: 8, T: 5, B: 3 };
  const perToken = kind === "train-lm" ? lmTrainFlopsPerToken("lstm", w.V, w.E, w.H) : lmForwardFlopsPerToken("lstm", w.V, w.E, w.H);
  const tokens = kind === "train-lm" ? w.B * w.T : 20;
  return { ...w, B: kind === "train-lm" ? w.B : 1, generate: kind === "generate" ? { tokens, temperature: 0.8 } : undefined, unit: { ...w.unit, tokens, flops: tokens * perToken } };
}

describe("the rnnc engine and the table", () => {
  it("trains a tiny LM for a couple of steps and turns the timings into finite figures", async () => {
    const w = tiny("train-lm");
    const setup = await emitRnncModule(w);
    const session = await rnncSession(RNNC_VARIANTS[0], w, workloadData(w, "random"), setup);
    const runs: EngineMeasurement["runs"] = [];
    const losses: number[] = [];
    for (let r = 0; r < 3; r++) {
      const start = performance.now();
      losses.push(await session.unit());
      runs.push({ units: 1, ms: Math.max(performance.now() - start, 1e-3) });
    }
    for (const loss of losses) expect(Number.isFinite(loss)).toBe(true);
    expect(losses[0]).toBeCloseTo(Math.log(64), 0); // mean cross-entropy over 64 ids, untrained

    const rnnc: EngineMeasurement = { engine: "rnnc", runs, maxRssMB: 90, notes: session.notes, checks: { warm: losses[0], last: losses[2], units: 3 } };
    const other: EngineMeasurement = { ...rnnc, engine: "tfjs-wasm", runs: runs.map((r) => ({ units: r.units, ms: 3 * r.ms })) };
    const rows = compare([summarize(w, rnnc, 3.3), summarize(w, other, 3.3)]);
    for (const row of rows)
      for (const x of [row.msPerUnit, row.tokensPerSecond, row.sequencesPerSecond, row.usPerToken, row.gflops, row.peakShare, row.rate.value]) {
        expect(Number.isFinite(x)).toBe(true);
        expect(x).toBeGreaterThan(0);
      }
    expect(rows[0].gflops).toBeCloseTo(w.unit.flops / (rows[0].msPerUnit / 1000) / 1e9, 9);
    expect(rows[0].speedup["tfjs-wasm"]).toBeCloseTo(3, 9);
    const table = formatTable(rows, ["tfjs-wasm"]);
    expect(table).toContain("| tiny | rnnc |");
    expect(table).toContain("3.00×");
    expect(table).not.toMatch(/NaN|Infinity/);
  }, 30_000);

  it("generates exactly the asked number of tokens", async () => {
    const w = tiny("generate");
    const session = await rnncSession(RNNC_VARIANTS[0], w, workloadData(w, "random"), await emitRnncModule(w));
    expect(await session.unit()).toBe(20);
  }, 30_000);
});
