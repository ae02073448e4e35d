// The browser bundle's predict and predictBatch in headless Chromium (Debian's /usr/bin/chromium):
// a tagger of fixed params compiled with `rnnc compile --target browser`, served with its
// checkpoint and a page on 127.0.0.1. The page's predictions are those `rnnc predict --json`
// prints under Node for the same checkpoint and records (one implementation: runtime/records.ts),
// and its vocabularies are the Vocabulary objects Node's restore() gives.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { predictCommand } from "../../cli/predict.ts";
import { saveCheckpointFile } from "../../runtime/checkpoint-file.ts";
import type { ClassPrediction, Prediction } from "../../runtime/records.ts";
import { fixedModel, SENTENCES, TAGGER } from "../runtime/fixed-model.ts";
import { CHROMIUM, chromiumAbsent, FLAGS, serveSite } from "./chromium.ts";

const absent = chromiumAbsent;

/** The records asked about: known and unknown words ("zebra"), and a record with its targets (not read). */
const RECORDS = [{ words: ["the", "old", "cat", "barks"] }, { words: ["a", "zebra"] }, SENTENCES[2], { words: ["dogs"] }];

const PAGE = `<!doctype html>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<script type="module">
  import { loadCheckpoint, predict, predictBatch, RecordError, Vocabulary } from "./tagger.js";
  const trained = await loadCheckpoint("./tagger.ckpt");
  const records = JSON.parse(decodeURIComponent(location.hash.slice(1)));
  const words = trained.vocabularies.get("words");
  let error;
  try {
    predict(trained, { word: ["the"] });
  } catch (e) {
    error = { recordError: e instanceof RecordError, message: e.message };
  }
  window.results = {
    one: predict(trained, records[0], { top: 2 }),
    all: predictBatch(trained, records, { top: 2 }),
    plain: predictBatch(trained, records),
    vocabulary: { isVocabulary: words instanceof Vocabulary, kind: words.kind, unk: words.unk, zebra: words.id("zebra"), tags: trained.vocabularies.get("tags").kind },
    error,
  };
</script>
`;

describe.skipIf(absent)("predictions in a web page (headless Chromium)", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "rnnc-browser-predict-"));
  const site = join(dir, "site");
  let server: Awaited<ReturnType<typeof serveSite>> | undefined;
  let context: BrowserContext | undefined;
  let origin = "";
  let checkpoint = "";
  let model = "";

  beforeAll(async () => {
    mkdirSync(site);
    const fixed = await fixedModel(TAGGER, SENTENCES);
    checkpoint = join(site, "tagger.ckpt");
    saveCheckpointFile(checkpoint, fixed.checkpoint);
    model = join(dir, "tiny_tagger.rnn");
    writeFileSync(model, TAGGER);
    writeFileSync(join(site, "index.html"), PAGE);
    const compiled = spawnSync(process.execPath, ["cli/rnnc.js", "compile", "--target", "browser", model, "--checkpoint", checkpoint, "-o", join(site, "tagger.js")], { encoding: "utf8", timeout: 60_000 });
    expect(compiled.status, compiled.stderr).toBe(0);
    server = await serveSite(site);
    origin = server.origin;
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it("predict and predictBatch give in the page what rnnc predict --json prints under Node", async () => {
    context = await chromium.launchPersistentContext(join(dir, "profile"), { executablePath: CHROMIUM, headless: true, args: FLAGS });
    const page = context.pages()[0] ?? (await context.newPage());
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    await page.goto(`${origin}/#${encodeURIComponent(JSON.stringify(RECORDS))}`);
    const handle = await page.waitForFunction(() => (window as unknown as { results?: unknown }).results, undefined, { timeout: 30_000 }).catch((error: Error) => {
      throw new Error(`${error.message}\n${problems.join("\n")}`);
    });
    const results = (await handle.jsonValue()) as { one: Prediction; all: Prediction[]; plain: Prediction[]; vocabulary: Record<string, unknown>; error: { recordError: boolean; message: string } };
    expect(problems).toEqual([]);

    // Node: the command line, with the same float32 module and kernels as the page.
    const data = join(dir, "records.jsonl");
    writeFileSync(data, RECORDS.map((r) => JSON.stringify(r)).join("\n") + "\n");
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const code = await predictCommand({ file: model, checkpoint, data, json: true, top: "2", sets: [], backend: "compiled" });
    const printed = log.mock.calls.map((c) => String(c[0])).join("\n").split("\n").map((line) => JSON.parse(line) as Prediction);
    log.mockRestore();
    expect(code).toBe(0);

    const tags = (p: Prediction) => p.tags as ClassPrediction[];
    expect(results.all.map((p) => tags(p).map((c) => c.label))).toEqual(printed.map((p) => tags(p).map((c) => c.label)));
    results.all.forEach((p, i) =>
      tags(p).forEach((step, t) => {
        const node = tags(printed[i])[t];
        expect(step.top!.map((c) => c.label)).toEqual(node.top!.map((c) => c.label));
        step.top!.forEach((c, k) => expect(Math.abs(c.probability - node.top![k].probability)).toBeLessThan(1e-6));
      }),
    );
    expect(results.one).toEqual(results.all[0]);
    expect(results.plain.map((p) => tags(p).map((c) => Object.keys(c)))).toEqual(RECORDS.map((r) => r.words.map(() => ["label", "probability"])));
    expect(results.vocabulary).toEqual({ isVocabulary: true, kind: "token", unk: expect.any(Number), zebra: results.vocabulary.unk, tags: "class" });
    expect(results.error).toEqual({ recordError: true, message: 'record: unknown field "word": tiny_tagger reads words and predicts tags\nrecord: missing field "words"' });
  });
});
