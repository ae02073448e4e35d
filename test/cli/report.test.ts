// rnnc report: the page drawn from run directories. Two runs are written by hand (settings.json
// and metrics.jsonl, as run-record.ts defines them) — one finished with a validation set and a
// two-state recurrence, one still running with gradients exploding — then rendered: the SVG must
// hold each series with one point per epoch, the legend must name the runs by what sets them
// apart, each heatmap must have a cell per epoch and step, nothing may be fetched, and file text
// must be escaped. Last, headless Chromium opens the page and its screenshot must show charts.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { inflateSync } from "node:zlib";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../cli/main.ts";
import { readRun, renderReport, writeReport } from "../../cli/report.ts";
import type { EpochLine, RunSettingsFile } from "../../cli/run-record.ts";
import { CHROMIUM, chromiumAbsent, FLAGS } from "../browser/chromium.ts";

const absent = chromiumAbsent;
if (absent) console.warn(`\n*** test/cli/report.test.ts: the browser checks are SKIPPED: ${CHROMIUM} is absent. Install it (as root): apt-get update && apt-get install -y chromium ***\n`);

const EVIL = `names<script>alert("x")</script>`;

function settings(lr: number, over: Partial<RunSettingsFile> = {}): RunSettingsFile {
  return {
    model: EVIL,
    modelFile: "examples/names.rnn",
    command: ["train", "examples/names.rnn", "--data", "train.jsonl", "--set", `lr=${lr}`, "--set", "note=it's <b>"],
    settings: { optimizer: { name: "adam", lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, momentum: 0 }, batch: 32, epochs: 12, seed: 1, freeze: [], monitor: "loss", warmup: 0 },
    overrides: { H: 32 },
    data: { train: "train.jsonl", valid: "valid.jsonl", format: "jsonl", examples: 1000, validExamples: 100 },
    parameters: 12345,
    summary: "model names\n  inputs\n    name   seq<token>   along t",
    backend: "compiled",
    threads: 1,
    startedAt: "2025-01-01T00:00:00.000Z",
    monitor: { name: "valid loss", lowerIsBetter: true },
    ...over,
  };
}

/** Epochs of a made-up run: the loss falls by `fall` per epoch; gradient flow over `steps` steps for each state, scaled by `growth` per step back in time. */
function epochs(n: number, o: { fall: number; steps: number; growth: number; states: string[]; valid: boolean }): EpochLine[] {
  let best = Infinity;
  return Array.from({ length: n }, (_, i) => {
    const epoch = i + 1;
    const validLoss = 5 * o.fall ** epoch + 0.02;
    const improved = validLoss < best;
    best = Math.min(best, validLoss);
    return {
      epoch,
      updates: epoch * 30,
      seconds: epoch * 2.5,
      trainLoss: 5 * o.fall ** epoch,
      ...(o.valid ? { validLoss, valid: { accuracy: 1 - 0.8 * o.fall ** epoch } } : {}),
      lr: 0.01 * 0.9 ** i,
      gradNorm: { mean: 1 + i, max: 3 + 2 * i },
      gradientFlow: Object.fromEntries(o.states.map((s, k) => [s, Array.from({ length: o.steps }, (_, t) => (k + 1) * 0.1 * o.growth ** (o.steps - 1 - t) * (1 + 0.05 * i))])),
      best: improved,
    };
  });
}

let dir = "";
let runA = "";
let runB = "";
let html = "";

function writeRun(path: string, s: RunSettingsFile, lines: EpochLine[]): string {
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, "settings.json"), JSON.stringify(s, null, 2));
  writeFileSync(join(path, "metrics.jsonl"), lines.map((l) => JSON.stringify(l) + "\n").join(""));
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rnnc-report-"));
  // A: finished, 12 epochs, loss falling over four decades, gradients vanishing (×0.5 a step back) in states h and c over 20 steps.
  runA = writeRun(join(dir, "runs/names/1"), settings(0.003), epochs(12, { fall: 0.5, steps: 20, growth: 0.5, states: ["h", "c"], valid: true }));
  // B: still running (5 of 12 epochs), exploding (×1.6 a step back) in h over 20 steps.
  runB = writeRun(join(dir, "runs/names/2"), settings(0.01), epochs(5, { fall: 0.8, steps: 20, growth: 1.6, states: ["h"], valid: true }));
  html = renderReport([readRun(runA), readRun(runB)]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The SVG elements of the page, each as text. */
const svgs = (page: string) => page.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
const chartTitled = (page: string, title: string) => svgs(page).find((s) => s.includes(`aria-label="${title}`))!;
/** data-series → number of points of its polyline. */
function polylines(svg: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const m of svg.matchAll(/<polyline [^>]*data-series="([^"]*)"[^>]*points="([^"]*)"/g)) found.set(m[1], m[2].trim().split(/\s+/).length);
  return found;
}

describe("the report page", () => {
  it("draws every series with a point per epoch, on labelled axes, log scale for a loss spanning decades", () => {
    const [a, b] = [`${runA} (lr 0.003)`, `${runB} (lr 0.01)`];
    const loss = chartTitled(html, "Loss: training and validation");
    expect(polylines(loss)).toEqual(new Map([[`${a} train loss`, 12], [`${a} valid loss`, 12], [`${b} train loss`, 5], [`${b} valid loss`, 5]]));
    expect(loss).toContain("(log scale)"); // 2.4 down to 0.0012: over three decades
    expect(loss).toMatch(/class="axis"[^>]*>epoch</);
    expect(loss).toMatch(/class="axis"[^>]*>loss</);
    expect(polylines(chartTitled(html, "Validation accuracy"))).toEqual(new Map([[`${a} valid accuracy`, 12], [`${b} valid accuracy`, 5]]));
    expect(chartTitled(html, "Validation accuracy")).toMatch(/>(\d+)%</); // accuracy ticks in percent
    expect(polylines(chartTitled(html, "Learning rate")).get(`${a} lr`)).toBe(12);
    expect([...polylines(chartTitled(html, "Global gradient norm")).values()]).toEqual([12, 12, 5, 5]);
  });

  it("names each run in every legend by its directory and the setting that differs", () => {
    for (const title of ["Loss", "Validation accuracy", "Learning rate", "Global gradient norm"]) {
      const legend = /<g class="legend">([\s\S]*?)<\/g>/.exec(chartTitled(html, title))![1];
      expect(legend).toContain(`>${runA} (lr 0.003)<`);
      expect(legend).toContain(`>${runB} (lr 0.01)<`);
    }
  });

  it("marks each run's best epoch", () => {
    const marks = [...chartTitled(html, "Loss").matchAll(/<g class="mark"><title>([^<]*)<\/title>/g)].map((m) => m[1]);
    expect(marks).toEqual([`${runA} (lr 0.003): best epoch 12 by valid loss`, `${runB} (lr 0.01): best epoch 5 by valid loss`]);
  });

  it("draws a gradient-flow heatmap per state per run: a cell per epoch and step, a labelled colour scale", () => {
    const maps = svgs(html).filter((s) => s.includes('class="cells"'));
    expect(maps.map((s) => /aria-label="([^"]*)"/.exec(s)![1])).toEqual([`${runA} (lr 0.003): state h`, `${runA} (lr 0.003): state c`, `${runB} (lr 0.01): state h`]);
    expect(maps.map((s) => s.match(/class="cell"/g)!.length)).toEqual([12 * 20, 12 * 20, 5 * 20]);
    for (const s of maps) {
      expect(s).toMatch(/class="axis"[^>]*>step t</);
      expect(s).toMatch(/class="axis"[^>]*>epoch</);
      expect(s.match(/class="tick scale-label"/g)!.length).toBeGreaterThanOrEqual(2);
    }
    // h is shared by both runs: one colour scale, from A's vanishing 0.1·0.5^19 to B's exploding 0.1·1.6^19·1.2.
    const scaleLabels = (svg: string) => [...svg.matchAll(/scale-label[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(scaleLabels(maps[0])).toEqual(["1e-6", "1e-4", "0.01", "1", "100"]);
    expect(scaleLabels(maps[2])).toEqual(scaleLabels(maps[0]));
    expect(html).toContain("At epoch 12, |∂L/∂h_t| ranges from");
  });

  it("is self-contained: no script, nothing fetched", () => {
    expect(html).not.toMatch(/https?:|<script|src=|<link|@import|url\(|<iframe|<img/i);
    expect(html.startsWith("<!doctype html>")).toBe(true);
  });

  it("escapes the text taken from the files", () => {
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("names&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).toContain(`rnnc train examples/names.rnn --data train.jsonl --set lr=0.003 --set &#39;note=it&#39;\\&#39;&#39;s &lt;b&gt;&#39;`);
    expect(html).toContain("<pre class=\"summary\">model names\n  inputs");
  });

  it("copes with a run of one epoch and no validation, learning rate or gradients, and with one just started", () => {
    const s = settings(0.1, { data: { train: "t.jsonl", format: "jsonl", examples: 10 }, monitor: { name: "train loss", lowerIsBetter: true } });
    const one = writeRun(join(dir, "one"), s, [{ epoch: 1, updates: 1, seconds: 0.1, trainLoss: 0.7, best: true } as EpochLine]);
    const page = renderReport([readRun(one)]);
    expect(polylines(chartTitled(page, "Training loss")).get(`${one} train loss`)).toBe(1);
    expect(chartTitled(page, "Training loss")).toMatch(/<circle class="dot"/); // a lone point is drawn as a dot
    expect(page).toContain("No validation set");
    expect(page).toContain("No gradient flow was recorded.");
    expect(page).toContain("No learning rate was recorded.");

    const started = join(dir, "started");
    mkdirSync(started);
    writeFileSync(join(started, "settings.json"), JSON.stringify(s));
    const empty = renderReport([readRun(started)]);
    expect(empty).toContain("no epoch has finished yet");
    expect(empty).toContain("no values yet");
  });
});

describe("reading run directories", () => {
  it("keeps the later line of an epoch written twice (a resumed run), and leaves out a last line being written", () => {
    const d = join(dir, "resumed");
    const lines = epochs(3, { fall: 0.5, steps: 2, growth: 1, states: ["h"], valid: false });
    writeRun(d, settings(0.01), lines);
    writeFileSync(join(d, "metrics.jsonl"), [lines[0], lines[1], { ...lines[1], trainLoss: 9 }, lines[2]].map((l) => JSON.stringify(l)).join("\n") + '\n{"epoch": 4, "trai');
    const run = readRun(d);
    expect(run.epochs.map((e) => [e.epoch, e.trainLoss])).toEqual([[1, 2.5], [2, 9], [3, 0.625]]);
    expect(run.notes).toEqual(["the last line of metrics.jsonl is incomplete (being written?): left out"]);
  });

  it("says which directory is not a run, and which runs a model's folder holds", async () => {
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      expect(await main(["report", join(dir, "runs/names")])).toBe(1);
      expect(err.mock.calls[0][0]).toBe(`rnnc report: ${join(dir, "runs/names")} is not a run directory: it has no settings.json and no metrics.jsonl; it holds the runs ${runA}, ${runB}: name one or more, e.g. rnnc report ${runB}`);
      expect(await main(["report", join(dir, "nowhere")])).toBe(1);
      expect(err.mock.calls[1][0]).toBe(`rnnc report: ${join(dir, "nowhere")}: no such directory`);
      expect(await main(["report"])).toBe(2);
      expect(err.mock.calls[2][0]).toMatch(/^rnnc report: name a run directory/);
    } finally {
      err.mockRestore();
    }
  });
});

describe("rnnc report", () => {
  it("writes one run's page into its directory, several runs' where -o says", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      expect(await main(["report", runA])).toBe(0);
      expect(readFileSync(join(runA, "report.html"), "utf8")).toContain(`<h3><span class="swatch" style="background:#4e79a7"></span>${runA}</h3>`);
      const out = join(dir, "both.html");
      expect(await main(["report", runA, runB, "-o", out])).toBe(0);
      expect(log.mock.calls.map((c) => c[0])).toEqual([`wrote ${join(runA, "report.html")} (1 run)`, `wrote ${out} (2 runs)`]);
      expect(readFileSync(out, "utf8")).toBe(html);
    } finally {
      log.mockRestore();
    }
  });
});

describe.skipIf(absent)("the page in headless Chromium", { timeout: 30_000 }, () => {
  it("renders its charts: every SVG has a size, and the screenshot is far from blank", async () => {
    const file = join(dir, "page.html");
    writeReport([runA, runB], file);
    const context = await chromium.launchPersistentContext(join(dir, "chromium-profile"), { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1200, height: 900 } });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const requests: string[] = [];
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(file).href);
      const sizes = await page.$$eval("svg", (all) => all.map((s) => s.getBoundingClientRect()).map((r) => [r.width, r.height]));
      expect(sizes).toHaveLength(svgs(html).length);
      for (const [w, h] of sizes) expect(w > 100 && h > 100, `${w}×${h}`).toBe(true);
      // Drawn, not just laid out: the heatmap's cells and the curves have their size on screen.
      const cells = await page.$$eval("rect.cell", (all) => all.filter((r) => r.getBoundingClientRect().width > 0).length);
      expect(cells).toBe(12 * 20 * 2 + 5 * 20);
      expect(requests).toEqual([pathToFileURL(file).href]);

      const png = decodePng(await page.screenshot({ fullPage: true }));
      const inked = countPixels(png, (r, g, b) => r < 235 || g < 235 || b < 235);
      const coloured = countPixels(png, (r, g, b) => Math.max(r, g, b) - Math.min(r, g, b) > 60); // curves and heatmaps, not grey text
      expect(inked / (png.width * png.height)).toBeGreaterThan(0.03);
      expect(coloured).toBeGreaterThan(20_000);
    } finally {
      await context.close();
    }
  });
});

// A PNG decoder for Chromium's screenshots: 8-bit RGB or RGBA, not interlaced (what it writes).
interface Image {
  width: number;
  height: number;
  channels: number;
  pixels: Uint8Array;
}

function decodePng(png: Uint8Array): Image {
  const view = Buffer.from(png);
  expect(view.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  let width = 0, height = 0, channels = 0;
  const data: Buffer[] = [];
  for (let at = 8; at < view.length; ) {
    const length = view.readUInt32BE(at);
    const type = view.toString("latin1", at + 4, at + 8);
    const body = view.subarray(at + 8, at + 8 + length);
    if (type === "IHDR") {
      [width, height] = [body.readUInt32BE(0), body.readUInt32BE(4)];
      expect([body[8], body[12]]).toEqual([8, 0]); // 8 bits, not interlaced
      channels = { 2: 3, 6: 4 }[body[9]] ?? 0;
      expect(channels).toBeGreaterThan(0);
    }
    if (type === "IDAT") data.push(body);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[y * stride + x - channels] : 0; // left
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0; // up
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0; // up-left
      const predicted = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
      pixels[y * stride + x] = (line[x] + predicted) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function countPixels(image: Image, test: (r: number, g: number, b: number) => boolean): number {
  let n = 0;
  for (let i = 0; i < image.pixels.length; i += image.channels) if (test(image.pixels[i], image.pixels[i + 1], image.pixels[i + 2])) n++;
  return n;
}
