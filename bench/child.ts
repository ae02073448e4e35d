// One engine in a process of its own: set up for one workload, then warm-up and timed runs on
// request. Times are taken here, around the units only (performance.now, one run = several units
// back to back). Started by run.ts with fork(); not meant to be run by hand.
import { measurePeak } from "./peak.ts";
import { median } from "./stats.ts";
import type { Reply, Request } from "./protocol.ts";
import type { Session } from "./engine.ts";

let session: Session | undefined;

const send = (reply: Reply) => process.send!(reply);

async function units(count: number): Promise<{ ms: number; check: number }> {
  const s = session!;
  let check = NaN;
  const start = performance.now();
  for (let i = 0; i < count; i++) check = await s.unit();
  return { ms: performance.now() - start, check };
}

async function handle(request: Request): Promise<void> {
  switch (request.type) {
    case "setup": {
      const started = performance.now();
      const { engine, workload, data, rnnc } = request;
      if (engine.startsWith("tfjs-")) {
        const { tfjsSession } = await import("./engines/tfjs.ts");
        session = await tfjsSession(engine === "tfjs-wasm" ? "wasm" : "cpu", workload, data, rnnc.adam, rnnc.seed);
      } else {
        const { RNNC_VARIANTS, rnncSession } = await import("./engines/rnnc.ts");
        const variant = RNNC_VARIANTS.find((v) => v.engine === engine);
        if (!variant) throw new Error(`no engine named ${engine}`);
        session = await rnncSession(variant, workload, data, rnnc);
      }
      send({ type: "ready", notes: session.notes, setupMs: performance.now() - started });
      return;
    }
    case "warmup": {
      const times: number[] = [];
      let ms = 0, check = NaN;
      while (times.length < request.minUnits || ms < 1000 * request.seconds) {
        const r = await units(1);
        times.push(r.ms);
        ms += r.ms;
        check = r.check;
        if (ms >= 1000 * request.slowSeconds) break; // a slow engine: a unit or two is warm-up enough
      }
      // The steady pace: the median of the later half of the warm-up units.
      const msPerUnit = median(times.slice(Math.floor(times.length / 2)));
      const unitsPerRun = Math.max(1, Math.round((1000 * request.runSeconds) / msPerUnit));
      send({ type: "warm", units: times.length, ms, msPerUnit, unitsPerRun, check });
      return;
    }
    case "run": {
      const r = await units(request.units);
      send({ type: "ran", units: request.units, ms: r.ms, check: r.check });
      return;
    }
    case "peak": {
      send({ type: "peak", result: measurePeak({ n: request.n, runs: request.runs, seconds: request.seconds }) });
      return;
    }
    case "finish": {
      send({ type: "finished", maxRssMB: process.resourceUsage().maxRSS / 1024 });
      process.disconnect();
      return;
    }
  }
}

process.on("message", (request: Request) => {
  handle(request).catch((error: unknown) => {
    const e = error as Error;
    send({ type: "error", message: e?.stack ?? String(error) });
  });
});
