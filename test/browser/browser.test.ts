// `rnnc compile --target browser` end to end: a name generator trained for a few seconds,
// compiled into one JavaScript module, served with its checkpoint and a page on 127.0.0.1 and
// run in headless Chromium (Debian's /usr/bin/chromium, which .ci/run installs). The page's
// names, for a fixed seed, are those `rnnc sample` prints under Node, token for token.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext } from "playwright-core";
import type { SampleOptions } from "../../browser/api.ts";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sampleCommand } from "../../cli/sample.ts";
import { trainCommand } from "../../cli/train.ts";
import { captionExample } from "../../data/caption.ts";
import { loadNames } from "../../data/names.ts";
import { CHROMIUM, chromiumAbsent, FLAGS, serveSite } from "./chromium.ts";

const absent = chromiumAbsent;
if (absent) {
  console.warn(`\n*** test/browser SKIPPED: ${CHROMIUM} is absent. Install it (as root): apt-get update && apt-get install -y chromium — .ci/run does. ***\n`);
}

/** What the page does with the module: the snippet of examples/README.md, plus results for the test. */
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>names</title>
<link rel="icon" href="data:,">
<pre id="names">generating…</pre>
<script type="module">
  import { loadCheckpoint, sample, sampleIds, model } from "./names.js";
  const trained = await loadCheckpoint("./names.ckpt.json");
  const names = sample(trained, { count: 10, temperature: 0.8, seed: 7 });
  document.getElementById("names").textContent = names.join("\\n");
  // For the test: the runs it compares with rnnc sample under Node.
  const runs = JSON.parse(decodeURIComponent(location.hash.slice(1)));
  window.results = {
    model: model.name,
    names,
    runs: runs.map((options) => ({ text: sample(trained, options), ids: sampleIds(trained, options).map((ids) => Array.from(ids)) })),
  };
</script>
`;

/** The runs compared: sampling (with top-k, and a longer batch), greedy, and beam search, from nothing and after a prompt. */
const RUNS: SampleOptions[] = [
  { count: 10, temperature: 0.8, seed: 7 },
  { count: 24, temperature: 1, topK: 5, seed: 123456789, maxLength: 16 },
  { count: 4, temperature: 0, seed: 1 },
  { beam: 4, seed: 1, maxLength: 20 },
  { count: 6, temperature: 0.8, seed: 3, prompt: "Ma", maxLength: 12 },
  { beam: 3, prompt: "Ro", maxLength: 12 },
];


describe.skipIf(absent)("a trained model in a web page (headless Chromium)", { timeout: 120_000 }, () => {
  let dir = "";
  let site = "";
  let checkpoint = "";
  let userDataDir = "";
  let server: Awaited<ReturnType<typeof serveSite>> | undefined;
  let context: BrowserContext | undefined;
  let origin = "";
  const requests: string[] = [];
  let compiled: { status: number | null; stderr: string };

  beforeAll(async () => {
    // One English first name in forty (190), a small network, a few epochs: seconds, and names made of letters.
    dir = mkdtempSync(join(tmpdir(), "rnnc-browser-"));
    site = join(dir, "site");
    checkpoint = join(site, "names.ckpt.json");
    userDataDir = join(dir, "chromium-profile"); // a fresh profile
    mkdirSync(site);
    const train = loadNames().train.filter((_, i) => i % 40 === 0);
    writeFileSync(join(dir, "train.jsonl"), train.map((name) => JSON.stringify({ name })).join("\n") + "\n");
    const trained = await trainCommand({ file: "examples/names.rnn", data: join(dir, "train.jsonl"), sets: ["E=8", "H=16"], epochs: "6", batch: "16", checkpoint, runDir: join(dir, "run"), backend: "compiled", quiet: true, skipInvalid: false });
    expect(trained).toBe(0);
    writeFileSync(join(site, "index.html"), PAGE);
    compiled = spawnSync(process.execPath, ["cli/rnnc.js", "compile", "--target", "browser", "examples/names.rnn", "--checkpoint", checkpoint, "-o", join(site, "names.js")], { encoding: "utf8", timeout: 60_000 });

    server = await serveSite(site, requests);
    origin = server.origin;
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it("compiles to one JavaScript ES module that imports nothing, Node included", () => {
    // The dims (E=8, H=16) come from the checkpoint: no --set needed.
    expect(compiled.stderr).toBe(`wrote ${join(site, "names.js")} (names, 5 params, float32, for the browser)\n`);
    expect(compiled.status).toBe(0);
    const code = readFileSync(join(site, "names.js"), "utf8");
    expect(code).not.toMatch(/^\s*import\b|\bimport\s*\(|\brequire\s*\(/m); // no static, dynamic or CommonJS import
    expect(code).not.toMatch(/["']node:|\bprocess\.|\bBuffer\b/);
    expect(code).not.toMatch(/\btype F =|<string, F>|\): (number|void) \{|\bas unknown as\b/); // types stripped
    expect(code).toMatch(/^export \{[^}]*\bloadCheckpoint\b[^}]*\bsample\b[^}]*\}/m);
    expect(code).toContain("await WebAssembly.instantiate("); // the float32 module's SIMD kernels go to the page too
  });

  it("generates in the page exactly what rnnc sample prints under Node, for the same checkpoint and seed", async () => {
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: FLAGS });
    const page = context.pages()[0] ?? (await context.newPage());
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => void (message.type() === "error" && problems.push(`console: ${message.text()}`)));
    await page.goto(`${origin}/#${encodeURIComponent(JSON.stringify(RUNS))}`);
    const handle = await page.waitForFunction(() => (window as unknown as { results?: unknown }).results, undefined, { timeout: 30_000 }).catch((error: Error) => {
      throw new Error(`${error.message}\n${problems.join("\n")}`);
    });
    const results = (await handle.jsonValue()) as { model: string; names: string[]; runs: { text: string[]; ids: number[][] }[] };
    expect(problems).toEqual([]);
    expect(requests).toEqual(expect.arrayContaining(["/", "/names.js", "/names.ckpt.json"]));
    expect(results.model).toBe("names");
    expect(await page.locator("#names").textContent()).toBe(results.names.join("\n"));

    // Node: the command line (rnnc sample), and the same module run by node.
    const nodeSample = async (options: SampleOptions) => {
      const log = vi.spyOn(console, "log").mockImplementation(() => {});
      const flags = Object.fromEntries(Object.entries(options).map(([key, value]) => [key, String(value)]));
      const code = await sampleCommand({ file: "examples/names.rnn", checkpoint, sets: [], ...flags });
      const lines = log.mock.calls.map((call) => String(call[0]));
      log.mockRestore();
      expect(code).toBe(0);
      return lines;
    };
    const inNode = bundleInNode(join(site, "names.js"), checkpoint);
    const letters = new Set(loadNames().train.join(""));
    for (const [i, options] of RUNS.entries()) {
      const inPage = results.runs[i];
      expect(inPage.text, JSON.stringify(options)).toEqual(await nodeSample(options));
      expect(inPage, JSON.stringify(options)).toEqual(inNode[i]);
      expect(inPage.text).toHaveLength(options.beam ? 1 : options.count!);
      for (const ids of inPage.ids) expect(ids.length).toBeLessThanOrEqual((options.prompt?.length ?? 0) + (options.maxLength ?? 40));
      for (const text of inPage.text) expect(text.startsWith(options.prompt ?? "")).toBe(true);
    }
    // A trained model, not noise: most names are made of the training names' letters (no <unk>, <bos>), and they differ.
    const sampled = results.runs[0].text;
    expect(results.names).toEqual(sampled);
    expect(new Set(sampled).size).toBeGreaterThan(5);
    expect(sampled.filter((name) => name.length > 0 && [...name].every((c) => letters.has(c))).length, sampled.join(" ")).toBeGreaterThanOrEqual(5);
  });
});

// A model with an input (caption: an image vector sets the first state): the module encodes
// `input` as rnnc sample encodes --input. Plain JavaScript either way, so Node suffices here.
describe("a model with inputs", { timeout: 60_000 }, () => {
  it("generates from the same input (and prompt) what rnnc sample --input prints, and says what is wrong with an input or a prompt", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rnnc-browser-caption-"));
    try {
      writeFileSync(join(dir, "train.jsonl"), Array.from({ length: 100 }, (_, i) => JSON.stringify(captionExample((i * 37) % 1000))).join("\n") + "\n");
      const checkpoint = join(dir, "caption.ckpt.json");
      const common = { file: "examples/caption.rnn", checkpoint, sets: [] };
      expect(await trainCommand({ ...common, data: join(dir, "train.jsonl"), sets: ["E=8", "H=16"], epochs: "1", runDir: join(dir, "run"), backend: "compiled", quiet: true, skipInvalid: false })).toBe(0);
      const module = join(dir, "caption.js");
      const compiled = spawnSync(process.execPath, ["cli/rnnc.js", "compile", "--target", "browser", "examples/caption.rnn", "--checkpoint", checkpoint, "-o", module], { encoding: "utf8", timeout: 60_000 });
      expect(compiled.status, compiled.stderr).toBe(0);

      const input = { image: captionExample(42).image };
      const runs: SampleOptions[] = [
        { input, count: 3, seed: 5, temperature: 0.7, maxLength: 8 },
        { input, beam: 3, maxLength: 8 },
        { input, count: 3, seed: 5, temperature: 0.7, maxLength: 4, prompt: "four hundred" }, // words: the prompt is cut on spaces
        { input, beam: 3, maxLength: 4, prompt: "four" },
        { count: 1 },
        { input: { image: [1, 2] }, count: 1 },
        { input: { ...input, imag: [1] }, count: 1 },
        { input, count: 1, prompt: "four hundred eleventy" },
      ];
      const compared = 4;
      const inNode = bundleInNode(module, checkpoint, runs.slice(0, compared)); // also writes caption.mjs, used below
      const log = vi.spyOn(console, "log").mockImplementation(() => {});
      try {
        for (const [i, run] of runs.slice(0, compared).entries()) {
          log.mockClear();
          const flags = Object.fromEntries(Object.entries(run).map(([key, value]) => [key, key === "input" ? JSON.stringify(value) : String(value)]));
          expect(await sampleCommand({ ...common, ...flags })).toBe(0);
          expect(inNode[i].text).toEqual(log.mock.calls.map((call) => String(call[0])));
          if (run.prompt) for (const text of inNode[i].text) expect(text.startsWith(run.prompt)).toBe(true);
        }
      } finally {
        log.mockRestore();
      }
      const problems = spawnSync(process.execPath, ["--input-type=module", "-e", `
        import { readFileSync } from "node:fs";
        import { parseCheckpoint, sample } from ${JSON.stringify(pathToFileURL(module.replace(/\.js$/, ".mjs")).href)};
        const trained = parseCheckpoint(readFileSync(${JSON.stringify(checkpoint)}));
        for (const options of ${JSON.stringify(runs.slice(compared))}) try { sample(trained, options); } catch (error) { console.log(error.message); }
        try { sample(trained, { ...${JSON.stringify(runs[0])}, temperature: Infinity }); } catch (error) { console.log(error.message); }`], { encoding: "utf8" });
      expect(problems.stdout.split("\n")).toEqual([
        "caption reads image: give them as options.input",
        'input: field "image" has 2 numbers; vec(512) needs 512',
        'input: unknown field "imag": caption\'s inputs are image',
        expect.stringMatching(/^the prompt has "eleventy": not a token of the vocabulary of words \(\d+ tokens: .*; <unk> stands for any token it lacks\)$/),
        "temperature must be a finite number, at least 0 (0 is greedy); got Infinity",
        "",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The same module run by Node (as .mjs: a .js file outside a "type": "module" package is CommonJS to Node 20). */
function bundleInNode(file: string, checkpoint: string, runs: SampleOptions[] = RUNS): { text: string[]; ids: number[][] }[] {
  const copy = file.replace(/\.js$/, ".mjs");
  copyFileSync(file, copy);
  const script = `
    import { readFileSync } from "node:fs";
    import { parseCheckpoint, sample, sampleIds } from ${JSON.stringify(pathToFileURL(copy).href)};
    const trained = parseCheckpoint(readFileSync(${JSON.stringify(checkpoint)}));
    const runs = ${JSON.stringify(runs)}.map((options) => ({ text: sample(trained, options), ids: sampleIds(trained, options).map((ids) => Array.from(ids)) }));
    console.log(JSON.stringify(runs));`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
  expect(run.stderr).toBe("");
  return JSON.parse(run.stdout) as { text: string[]; ids: number[][] }[];
}
