// The whole pipeline fuzzed (issue 14): seeded random models (fuzz-generate.ts) and mutants of
// them and of the examples (fuzz-mutate.ts) through check, lower, differentiate, emit, tsc
// --strict and one training step against the interpreter (fuzz-pipeline.ts). Each case either
// is refused with diagnostics or compiles, type-checks and trains; anything else is a failure,
// printed with its seed and program. The regressions (fuzz-regressions.ts) run first, every time.
// FUZZ_SCALE=N runs N times the cases; `npm run fuzz -- --minutes N` hunts longer.
import { rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fuzzCase } from "./fuzz-mutate.ts";
import { FuzzRun, type Failure } from "./fuzz-pipeline.ts";
import { regressions } from "./fuzz-regressions.ts";

const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const CASES = 500 * SCALE;
/** Past this the run stops early, whatever its count, so that a slow machine cannot hang the suite. */
const BUDGET_MS = 60_000 * SCALE;

export const describeFailure = (f: Failure) =>
  `seed ${f.seed} (${f.origin}), ${f.stage}:\n${f.message}\n--- program ---\n${f.source.length > 4000 ? `${f.source.slice(0, 4000)}…` : f.source}`;

describe("the whole pipeline on random and mutated programs", () => {
  it(`refuses cleanly, or compiles, type-checks and trains a step of, ${CASES} programs and every regression`, async () => {
    const dir = `out/fuzz/test-${process.pid}`;
    const run = new FuzzRun(dir);
    for (const r of regressions) await run.run({ seed: r.seed, origin: `regression: ${r.name}`, source: r.source });
    const started = performance.now();
    for (let seed = 1; seed <= CASES && performance.now() - started < BUDGET_MS; seed++) await run.run(fuzzCase(seed));
    await run.finish();
    const seconds = (performance.now() - started) / 1000;
    const { cases, trained, compiled, refused, failed } = run.counts;
    console.log(
      `fuzzed ${cases} programs: ${trained} compiled and trained, ${refused} refused cleanly` +
        `${compiled > trained ? `, ${compiled - trained} compiled (too large to train)` : ""}, ${failed} failed; ${(cases / seconds).toFixed(1)} a second`,
    );
    expect(run.failures.map(describeFailure)).toEqual([]);
    expect(cases).toBeGreaterThanOrEqual(Math.min(CASES, 100)); // the budget may cut a slow machine's run short, not to nothing
    expect(trained, "most generated programs should check: has the generator drifted from the language?").toBeGreaterThan(0.4 * cases);
    rmSync(dir, { recursive: true, force: true });
  }, 180_000 * SCALE);
});
