// rnnc report RUN_DIR... [-o FILE.html]: a web page of training runs — loss, validation metrics,
// learning rate, gradient norms and gradient flow through time — drawn from what `rnnc train`
// leaves in each run directory (settings.json, metrics.jsonl; run-record.ts). Several runs are
// overlaid on the same charts. `rnnc train` also writes one into the run directory as it goes.
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderReport } from "./report/html.ts";
import { readRun, type Run } from "./report/read.ts";
import { Stop, stopping } from "./stop.ts";

export { renderReport, readRun, type Run };

/**
 * Reads the runs and writes their page to `out`. Written aside and renamed into place: a browser
 * reloading the page while a run rewrites it after an epoch sees the old page or the new, never half.
 */
export function writeReport(runDirs: readonly string[], out: string): void {
  const runs = runDirs.map(readRun);
  const html = renderReport(runs);
  const aside = `${out}.${process.pid}.tmp`;
  try {
    writeFileSync(aside, html);
    renameSync(aside, out);
  } catch (error) {
    throw new Stop(`rnnc report: cannot write ${out}: ${(error as Error).message}`);
  }
}

/** The command: one run's page goes into its directory, several runs' into ./report.html, unless -o says where. */
export function reportCommand(runDirs: readonly string[], output: string | undefined): Promise<number> {
  return stopping(async () => {
    if (runDirs.length === 0) throw new Stop("rnnc report: name a run directory, e.g. rnnc report runs/names/1 (rnnc train prints where its run goes)", 2);
    const out = output ?? (runDirs.length === 1 ? join(runDirs[0], "report.html") : "report.html");
    writeReport(runDirs, out);
    console.log(`wrote ${out} (${runDirs.length} run${runDirs.length === 1 ? "" : "s"})`);
    return 0;
  });
}
