// npm run bench [-- --quick] [-- --only A128,C] [-- --json[=FILE]] …
//
// rnnc's emitted module against TensorFlow.js (cpu and wasm backends) on the workloads of issue
// 5. Each engine runs in a child process of its own (its peak RSS is then its own); the parent
// asks them in turn — rnnc, tfjs-cpu, tfjs-wasm, rnnc, … — so one engine computes at a time and
// slow drifts of the machine hit every engine alike. Warm-up first, then the timed runs; each
// figure is the median over the runs. Every number printed is measured in this run.
import { fork, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, loadavg, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { benchFile, emitRnncModule } from "./compile.ts";
import { workloadData, type DataSource } from "./data.ts";
import { RNNC_VARIANTS } from "./engines/rnnc.ts";
import { lmTrainFlopsPerToken } from "./flops.ts";
import type { PeakResult } from "./peak.ts";
import type { Reply, Request } from "./protocol.ts";
import { compare, formatTable, isTfjs, summarize, type EngineMeasurement, type Row } from "./table.ts";
import { WORKLOADS, workloadNamed, type Workload } from "./workloads.ts";

export interface Options {
  workloads: Workload[];
  engines: string[];
  runs: number;
  /** Target length of one timed run: an engine does as many units back to back as fit (at least 1). */
  runSeconds: number;
  warmSeconds: number;
  minWarmUnits: number;
  /** Warm-up stops after the unit that passes this, whatever minWarmUnits says (tfjs-cpu on big models). */
  slowSeconds: number;
  data: DataSource;
  json?: string;
  verbose: boolean;
}

const ALL_ENGINES = [...RNNC_VARIANTS.map((v) => v.engine), "tfjs-cpu", "tfjs-wasm"];

const USAGE = `npm run bench -- [options]
  --quick            a smoke test: 2 short runs per engine (the figures are not the benchmark's)
  --only A128,C      these workloads (${WORKLOADS.map((w) => w.id).join(", ")})
  --engines rnnc,tfjs-wasm   these engines (${ALL_ENGINES.join(", ")})
  --runs N           timed runs per engine (default 5, at least 5 for a recorded table)
  --seconds S        length of a timed run (default 1; an engine does at least one unit per run)
  --data random      pseudo-random ids instead of the Brown corpus
  --json[=FILE]      also write the figures as JSON (default bench/results.json)
  --verbose          show the engines' own output`;

export function parseOptions(argv: readonly string[]): Options {
  const options: Options = {
    workloads: WORKLOADS,
    engines: ALL_ENGINES,
    runs: 5,
    runSeconds: 1,
    warmSeconds: 1,
    minWarmUnits: 2,
    slowSeconds: 3,
    data: "brown",
    verbose: false,
  };
  const value = (i: number, name: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) fail(`${name} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--quick") Object.assign(options, { runs: 2, runSeconds: 0.2, warmSeconds: 0.2, minWarmUnits: 1, slowSeconds: 0.5 });
    else if (arg === "--only") {
      options.workloads = value(i++, arg).split(",").map((id) => workloadNamed(id.trim()) ?? fail(`--only: no workload ${id} (they are ${WORKLOADS.map((w) => w.id).join(", ")})`));
    } else if (arg === "--engines") {
      options.engines = value(i++, arg).split(",").map((e) => (ALL_ENGINES.includes(e.trim()) ? e.trim() : fail(`--engines: no engine ${e} (they are ${ALL_ENGINES.join(", ")})`)));
    } else if (arg === "--runs") options.runs = positive(value(i++, arg), arg, true);
    else if (arg === "--seconds") options.runSeconds = positive(value(i++, arg), arg, false);
    else if (arg === "--data") {
      const d = value(i++, arg);
      if (d !== "brown" && d !== "random") fail(`--data: brown or random, not ${d}`);
      options.data = d;
    } else if (arg === "--json") options.json = benchFile("results.json");
    else if (arg.startsWith("--json=")) options.json = arg.slice("--json=".length);
    else if (arg === "--verbose") options.verbose = true;
    else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown option ${arg}`);
  }
  return options;
}

function positive(text: string, name: string, whole: boolean): number {
  const x = Number(text);
  if (!(x > 0) || (whole && !Number.isInteger(x))) fail(`${name} takes a ${whole ? "whole " : ""}number above 0, not ${text}`);
  return x;
}

function fail(message: string): never {
  console.error(`bench: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/** A child process running bench/child.ts under tsx, answering one request at a time. */
class Child {
  private readonly process: ChildProcess;
  private pending?: { resolve: (reply: Reply) => void; reject: (error: Error) => void };
  private output = "";
  private exited?: string;

  constructor(verbose: boolean) {
    this.process = fork(fileURLToPath(new URL("./child.ts", import.meta.url)), [], {
      execArgv: ["--import", import.meta.resolve("tsx")],
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "advanced",
    });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4000);
      if (verbose) process.stderr.write(chunk);
    };
    this.process.stdout!.on("data", keep);
    this.process.stderr!.on("data", keep);
    this.process.on("message", (reply: Reply) => {
      const pending = this.pending;
      this.pending = undefined;
      if (!pending) return;
      if (reply.type === "error") pending.reject(new Error(reply.message));
      else pending.resolve(reply);
    });
    this.process.on("exit", (code, signal) => {
      this.exited = `the engine's process exited (${signal ?? `code ${code}`})`;
      this.pending?.reject(new Error(`${this.exited}; its last output:\n${this.output.slice(-1500)}`));
      this.pending = undefined;
    });
  }

  request<T extends Reply["type"]>(request: Request, expect: T): Promise<Extract<Reply, { type: T }>> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    return new Promise((resolve, reject) => {
      this.pending = {
        resolve: (reply) => (reply.type === expect ? resolve(reply as Extract<Reply, { type: T }>) : reject(new Error(`expected ${expect}, got ${reply.type}`))),
        reject,
      };
      this.process.send(request);
    });
  }

  kill(): void {
    if (!this.exited) this.process.kill();
  }
}

export interface Machine {
  date: string;
  cpus: number;
  cpu: string;
  node: string;
  tfjs: string;
  memoryGB: number;
  loadBefore: number[];
  loadAfter?: number[];
}

function machine(): Machine {
  let cpu = "unknown";
  try {
    cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux
  }
  const require = createRequire(import.meta.url);
  const tfjs = (JSON.parse(readFileSync(require.resolve("@tensorflow/tfjs/package.json"), "utf8")) as { version: string }).version;
  return {
    date: new Date().toISOString().slice(0, 10),
    cpus: availableParallelism(),
    cpu,
    node: process.version,
    tfjs,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    loadBefore: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

const say = (line: string) => process.stderr.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One workload: every engine set up and warmed up, then `runs` rounds in turn. */
async function measureWorkload(w: Workload, options: Options, peak: PeakResult): Promise<{ rows: Row[]; measurements: EngineMeasurement[]; data: string }> {
  const data = workloadData(w, options.data);
  const rnnc = await emitRnncModule(w);
  const skipped = new Set(RNNC_VARIANTS.filter((v) => v.trainingOnly && !w.kind.startsWith("train")).map((v) => v.engine));
  const engines = options.engines.filter((engine) => !skipped.has(engine)).map((engine) => ({
    engine,
    child: new Child(options.verbose),
    m: { engine, runs: [], maxRssMB: NaN, notes: [], checks: { warm: NaN, last: NaN, units: 0 } } as EngineMeasurement,
    unitsPerRun: 1,
  }));
  const attempt = async (e: (typeof engines)[number], what: () => Promise<void>) => {
    if (e.m.error) return;
    try {
      await what();
    } catch (error) {
      e.m.error = (error as Error).message;
      say(`  ${e.engine}: failed: ${e.m.error}`);
      e.child.kill();
    }
  };
  try {
    // Set-up (model built, weights initialized, batches laid out) is not timed: all at once.
    await Promise.all(
      engines.map((e) =>
        attempt(e, async () => {
          const ready = await e.child.request({ type: "setup", engine: e.engine, workload: w, data, rnnc }, "ready");
          e.m.notes = ready.notes;
          say(`  ${e.engine.padEnd(10)} set up in ${seconds(ready.setupMs)}`);
        }),
      ),
    );
    for (const e of engines)
      await attempt(e, async () => {
        const warm = await e.child.request({ type: "warmup", minUnits: options.minWarmUnits, seconds: options.warmSeconds, slowSeconds: options.slowSeconds, runSeconds: options.runSeconds }, "warm");
        e.unitsPerRun = warm.unitsPerRun;
        e.m.checks.warm = warm.check;
        e.m.checks.units += warm.units;
        say(`  ${e.engine.padEnd(10)} warm-up ${warm.units} × ${w.unit.what} in ${seconds(warm.ms)}, ${warm.msPerUnit.toFixed(1)} ms each → ${warm.unitsPerRun} per run`);
      });
    for (let round = 0; round < options.runs; round++) {
      for (const e of engines)
        await attempt(e, async () => {
          const ran = await e.child.request({ type: "run", units: e.unitsPerRun }, "ran");
          e.m.runs.push({ units: ran.units, ms: ran.ms });
          e.m.checks.last = ran.check;
          e.m.checks.units += ran.units;
        });
      say(`  round ${round + 1}/${options.runs}: ${engines.map((e) => (e.m.error ? `${e.engine} failed` : `${e.engine} ${(e.m.runs.at(-1)!.ms / e.m.runs.at(-1)!.units).toFixed(1)} ms`)).join(", ")}`);
    }
    if (w.kind === "generate")
      for (const e of engines)
        if (!e.m.error && e.m.checks.last !== w.generate!.tokens) e.m.error = `generated ${e.m.checks.last} tokens, not ${w.generate!.tokens}`;
    for (const e of engines)
      await attempt(e, async () => {
        e.m.maxRssMB = (await e.child.request({ type: "finish" }, "finished")).maxRssMB;
      });
  } finally {
    for (const e of engines) e.child.kill();
  }
  const measurements = engines.map((e) => e.m);
  return { rows: measurements.map((m) => summarize(w, m, peak.gflops)), measurements, data: data.source };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const host = machine();
  say(`bench: ${options.workloads.map((w) => w.id).join(", ")} on ${options.engines.join(", ")}; ${options.runs} timed runs of ~${options.runSeconds} s each per engine`);
  if (host.loadBefore[0] > 0.5) say(`bench: note: the load average is ${host.loadBefore.join(", ")}: something else is running, and the figures will show it`);

  // Node and tsx alone: what every engine's process holds before it loads anything.
  const idle = new Child(options.verbose);
  const baselineRssMB = (await idle.request({ type: "finish" }, "finished")).maxRssMB;
  // The kernel peak, measured in a process of its own before the workloads and again after them.
  const measurePeakOnce = async () => {
    const child = new Child(options.verbose);
    try {
      return (await child.request({ type: "peak", n: 512, runs: 5, seconds: options.runSeconds >= 1 ? 0.3 : 0.1 }, "peak")).result;
    } finally {
      child.kill();
    }
  };
  const peakBefore = await measurePeakOnce();
  say(`bench: kernel peak ${peakBefore.gflops.toFixed(2)} GFLOP/s (${peakBefore.kernel}, ${peakBefore.n}×${peakBefore.n}, best of ${peakBefore.runs.map((x) => x.toFixed(2)).join(", ")}); measured again at the end`);
  const peak = { ...peakBefore }; // the workloads' shares are set from the final figure, below

  const rows: Row[] = [];
  const results: unknown[] = [];
  const notes = new Map<string, { engines: Set<string>; workloads: Set<string> }>(); // text → where it applies
  const sources = new Map<string, string>();
  for (const w of options.workloads) {
    const t0 = performance.now();
    say(`${w.id}: ${w.title}`);
    const { rows: workloadRows, measurements, data } = await measureWorkload(w, options, peak);
    compare(workloadRows);
    rows.push(...workloadRows);
    for (const m of measurements)
      for (const text of m.notes) {
        const where = notes.get(text) ?? notes.set(text, { engines: new Set(), workloads: new Set() }).get(text)!;
        where.engines.add(m.engine);
        where.workloads.add(w.id);
      }
    sources.set(w.id, data);
    results.push({ workload: w, data, measurements, rows: workloadRows });
    say(`  ${seconds(performance.now() - t0)}`);
  }
  const peakAfter = await measurePeakOnce();
  peak.runs = [...peakBefore.runs, ...peakAfter.runs];
  peak.gflops = Math.max(...peak.runs);
  for (const row of rows) row.peakShare = row.gflops / peak.gflops;
  say(`bench: kernel peak at the end ${peakAfter.gflops.toFixed(2)} GFLOP/s; the best of both, ${peak.gflops.toFixed(2)}, is the peak`);
  host.loadAfter = loadavg().map((x) => Math.round(x * 100) / 100);
  const tfjsEngines = options.engines.filter(isTfjs);

  const out: string[] = [];
  out.push(`rnnc benchmark, ${host.date}: ${host.cpus} × ${host.cpu}, ${host.memoryGB} GB, Node ${host.node}, @tensorflow/tfjs ${host.tfjs}`);
  out.push(`load average before ${host.loadBefore.join(", ")}, after ${host.loadAfter.join(", ")}; ${seconds(performance.now() - started)} in all${options.runs < 5 ? " (a smoke test: fewer than 5 runs)" : ""}`);
  out.push("");
  out.push(formatTable(rows, tfjsEngines));
  out.push("");
  out.push(`- rate: tokens/s (A, B, E), sequences/s (C), µs per token (D); ms/step: one unit — a training step (A, B, C), a prediction of 1×32 (D), a 1,000-token generation (E). Medians of ${options.runs} timed runs per engine, the engines taking turns, after warm-up.`);
  out.push(`- GFLOP/s: the model's products only, the same count for every engine: per token 2·(G·H·(E+H) + V·H) forward (G = 4 LSTM, 3 GRU), ×3 for a training step; A128: ${lmTrainFlopsPerToken("lstm", 64, 32, 128).toLocaleString("en-US")} per training token.`);
  out.push(`- % of peak: of ${peak.gflops.toFixed(2)} GFLOP/s, ${peak.kernel} on ${peak.n}×${peak.n} measured in this run (the best of ${peak.runs.length} timed runs, 5 before the workloads and 5 after: ${peak.runs.map((x) => x.toFixed(2)).join(", ")}).`);
  out.push(`- peak RSS: each engine's own process (Node + tsx + the engine + the workload), getrusage's maxrss; an idle process holds ${baselineRssMB.toFixed(0)} MB of it.`);
  out.push(`- rnnc ÷ X: how many times faster rnnc is (X's time per step ÷ rnnc's), from the medians of the same alternating run.`);
  const ids = (set: Iterable<string>) => [...set].join(", ");
  for (const source of new Set(sources.values())) out.push(`- data of ${ids([...sources].filter(([, s]) => s === source).map(([id]) => id))}: ${source}`);
  const all = options.workloads.length;
  for (const [text, where] of notes) out.push(`- ${ids(where.engines)}${where.workloads.size < all ? ` (${ids(where.workloads)})` : ""}: ${text}`);
  const losses = results.flatMap((r) => {
    const { workload, measurements } = r as { workload: Workload; measurements: EngineMeasurement[] };
    if (!workload.kind.startsWith("train")) return [];
    const losses = measurements.map((m) => `${m.engine} ${m.checks.warm.toFixed(3)} → ${m.checks.last.toFixed(3)} (${m.checks.units} steps)`);
    return [`- ${workload.id} loss after warm-up → after the last run (every engine trains; the faster ones took more steps): ${losses.join(", ")}`];
  });
  out.push(...losses);
  console.log(out.join("\n"));

  if (options.json) {
    const json = { ...host, options: { ...options, workloads: options.workloads.map((w) => w.id) }, peak, baselineRssMB, rows, results, notes: [...notes].map(([text, where]) => ({ text, engines: [...where.engines], workloads: [...where.workloads] })) };
    writeFileSync(options.json, `${JSON.stringify(json, null, 2)}\n`);
    console.log(`\nbench: the figures are in ${options.json}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
