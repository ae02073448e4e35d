// `npm run fuzz -- --minutes N`: the pipeline fuzzer (fuzz.test.ts's cases, from a new seed)
// for as long as asked, printing its count as it goes and writing every failure — its seed, where
// it failed and its program — to a file. A failure found becomes a case of fuzz-regressions.ts.
//
//   npm run fuzz -- --minutes 10              from a seed of the clock
//   npm run fuzz -- --seed 1000 --count 200   seeds 1000 to 1199
//   npm run fuzz -- --replay 248              one case: its program and what became of it
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { fuzzCase } from "./fuzz-mutate.ts";
import { FuzzRun, type Failure } from "./fuzz-pipeline.ts";

process.env.RNNC_VALIDATE ??= "1"; // every IR validated between phases, as in the test suite

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "1" },
    seed: { type: "string" },
    count: { type: "string" },
    replay: { type: "string" },
    out: { type: "string" },
  },
});

const describe = (f: Failure) => `=== seed ${f.seed} (${f.origin}), ${f.stage}\n${f.message}\n--- program ---\n${f.source}\n`;

const started = Date.now();
const dir = `out/fuzz/run-${started}`;
const run = new FuzzRun(`${dir}/modules`);

if (values.replay !== undefined) {
  const c = fuzzCase(Number(values.replay));
  console.log(c.source);
  console.log(await run.run(c));
  await run.finish();
  for (const f of run.failures) console.log(describe(f));
  process.exit(run.failures.length > 0 ? 1 : 0);
}

const first = values.seed !== undefined ? Number(values.seed) : started % 1_000_000_000;
const count = values.count !== undefined ? Number(values.count) : Infinity;
const deadline = started + Number(values.minutes) * 60_000;
const out = values.out ?? `${dir}/failures.txt`;
mkdirSync(dir, { recursive: true });
const status = () => {
  const { cases, trained, compiled, refused, failed } = run.counts;
  const seconds = (Date.now() - started) / 1000;
  return `${cases} programs: ${trained} compiled and trained, ${compiled - trained} compiled (too large to train), ${refused} refused cleanly, ${failed} failed; ${(cases / seconds).toFixed(1)} a second`;
};

console.log(`fuzzing from seed ${first}${Number.isFinite(count) ? `, ${count} cases` : `, for ${values.minutes} minutes`}; failures to ${out}`);
let reported = Date.now();
for (let seed = first; seed < first + count && (Number.isFinite(count) || Date.now() < deadline); seed++) {
  const seen = run.failures.length;
  await run.run(fuzzCase(seed));
  for (const f of run.failures.slice(seen)) console.log(`FAILED seed ${f.seed} (${f.origin}), ${f.stage}: ${f.message.split("\n")[0]}`);
  if (Date.now() - reported > 30_000) (reported = Date.now()), console.log(status());
}
await run.finish();
writeFileSync(out, run.failures.map(describe).join("\n"));
for (const f of run.failures.filter((f) => f.stage === "tsc --strict")) console.log(`FAILED seed ${f.seed} (${f.origin}), tsc: ${f.message.split("\n")[0]}`);
console.log(`fuzzed ${status()}`);
console.log(run.failures.length > 0 ? `${run.failures.length} failures, each with its seed and program, in ${out}` : `no failures (${out} is empty)`);
process.exit(run.failures.length > 0 ? 1 : 0);
