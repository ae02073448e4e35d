// No input makes the checker throw, hang or produce a diagnostic it cannot print: random
// bytes, and random mutations of every example, each answered cleanly within a second.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/index.ts";
import { formatDiagnostic, hasErrors } from "../../compiler/diagnostics.ts";
import { Rng } from "../../runtime/rng.ts";

/** FUZZ_SCALE=20 runs twenty times the cases, for a longer hunt by hand. */
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);

/** A seeded generator, so a failing case can be replayed. */
function random(seed: number) {
  const rng = new Rng(seed);
  return () => rng.next();
}

const examples = readdirSync("examples")
  .filter((f) => f.endsWith(".rnn"))
  .map((f) => readFileSync(`examples/${f}`, "utf8"));
examples.push(readFileSync("compiler/prelude.rnn", "utf8"));

// Pieces of the language, so mutations make near-programs and not only noise.
const pieces = ["model", "cell", "layer", "{", "}", "(", ")", "[", "]", "t-1", "t+1", "last", "'", "=", ",", ":", ";", "\n",
  "@", "*", "+", "-", "/*", "*/", "//", "\"", "<", ">", "init", "loss", "train", "h[t]", "seq<token>", "0:H", "1e-3", "x'", "\u0000"];

function mutate(source: string, next: () => number): string {
  const pick = (n: number) => Math.floor(next() * n);
  let s = source;
  const edits = 1 + pick(4);
  for (let e = 0; e < edits; e++) {
    const i = pick(s.length + 1);
    const j = Math.min(s.length, i + pick(30));
    switch (pick(6)) {
      case 0: s = s.slice(0, i) + s.slice(j); break; // delete a range
      case 1: s = s.slice(0, i) + pieces[pick(pieces.length)] + s.slice(i); break; // insert a piece
      case 2: s = s.slice(0, i) + s.slice(i, j) + s.slice(i); break; // duplicate a range
      case 3: s = s.slice(0, i) + String.fromCharCode(pick(128)) + s.slice(i + 1); break; // replace a character
      case 4: { // swap two lines
        const lines = s.split("\n");
        const [a, b] = [pick(lines.length), pick(lines.length)];
        [lines[a], lines[b]] = [lines[b], lines[a]];
        s = lines.join("\n");
        break;
      }
      default: s = s.slice(0, i); // truncate
    }
  }
  return s;
}

function randomBytes(next: () => number): string {
  const length = Math.floor(next() * 400);
  const bytes = Uint8Array.from({ length }, () => Math.floor(next() * 256));
  return next() < 0.5 ? Buffer.from(bytes).toString("latin1") : new TextDecoder().decode(bytes);
}

/** Checks one input; returns how long it took. Fails the test on a throw or a bad diagnostic. */
function checkCleanly(source: string): number {
  const started = performance.now();
  const result = checkSource(source, "fuzz.rnn");
  for (const d of result.diagnostics) {
    expect(d.span.start).toBeGreaterThanOrEqual(0);
    expect(d.span.end).toBeGreaterThanOrEqual(d.span.start);
    expect(d.span.start).toBeLessThanOrEqual(source.length);
    const printed = formatDiagnostic(d, "fuzz.rnn", source);
    expect(printed).toMatch(/^fuzz\.rnn:\d+:\d+: (error|warning): \S/);
    expect(printed).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace
  }
  // Either it checks or it says why: never silence on a broken file.
  if (!hasErrors(result.diagnostics)) expect(result.models.length + result.cells.length).toBeGreaterThan(0);
  return performance.now() - started;
}

describe("the checker on hostile input", { timeout: 20_000 * SCALE }, () => {
  it("answers 1,000 random byte strings cleanly, each within a second", () => {
    const next = random(1);
    let slowest = 0;
    for (let i = 0; i < 1000 * SCALE; i++) {
      const source = randomBytes(next);
      try {
        slowest = Math.max(slowest, checkCleanly(source));
      } catch (error) {
        throw new Error(`random input #${i} ${JSON.stringify(source)}: ${(error as Error).message}`);
      }
    }
    expect(slowest).toBeLessThan(1000);
  });

  it("answers 1,500 mutations of the examples cleanly, each within a second", () => {
    const next = random(2);
    let slowest = 0;
    for (let i = 0; i < 1500 * SCALE; i++) {
      const source = mutate(examples[i % examples.length], next);
      try {
        slowest = Math.max(slowest, checkCleanly(source));
      } catch (error) {
        throw new Error(`mutation #${i} ${JSON.stringify(source)}: ${(error as Error).message}`);
      }
    }
    expect(slowest).toBeLessThan(1000);
  });
});
