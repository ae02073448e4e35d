// runtime/generation.ts's decoding on a fake generator whose probabilities are written by hand:
// a row's next-token probabilities are a table of what it has generated so far (and of its
// example's input `x`). The fake keeps that prefix as a per-step state, step t's made from step
// t-1's and the id the runtime fed it at step t, as a recurrent model's state is: so a hypothesis
// whose past did not move with it (a wrong or missing `reorder`, an id fed to the wrong row)
// reads the wrong line of the table, and decodes something else.
import { describe, expect, it } from "vitest";
import { beamSearch, generate, repeatRows, type GenerationModel } from "../../runtime/generation.ts";
import type { DataLayout, ModelBatch } from "../../runtime/model.ts";
import { argmax } from "../../runtime/sampling.ts";

const [a, b, BOS, EOS] = [0, 1, 2, 3]; // two tokens, then <bos> and <eos>
const V = 4;
/** The probabilities of a, b and <eos> after `prefix` (<bos> is never next). */
type Table = (prefix: number[], x: number) => [number, number, number];

const data: DataLayout[] = [
  { name: "x", role: "input", kind: "ids", size: 2, sequence: false, shifted: false },
  { name: "y", role: "target", kind: "ids", size: V, sequence: true, axis: "t", shifted: true },
  { name: "y@input", role: "input", kind: "ids", size: V, sequence: true, axis: "t", shifted: false },
];

function fakeModel(table: Table) {
  let rows = 0;
  let x: Float64Array = new Float64Array(0);
  let fed = new Float64Array(0); // the target's input, [steps × rows]
  let prefixes: number[][] = []; // the per-step state: row r's prefix at step t at t * rows + r
  let logits = new Float64Array(0);
  const calls = { steps: [] as number[], parents: [] as number[][] };
  const model: GenerationModel<Float64Array> = {
    name: "fake",
    data,
    generator: {
      vocabularySize: V,
      start(_params, batch, steps, bos) {
        rows = batch.size;
        x = (batch.fields.get("x") as Float64Array | undefined) ?? new Float64Array(rows);
        fed = new Float64Array(steps * rows).fill(bos, 0, rows);
        prefixes = new Array(steps * rows);
        logits = new Float64Array(steps * rows * V);
        calls.steps = [];
        calls.parents = [];
        return fed;
      },
      step(t) {
        calls.steps.push(t);
        for (let r = 0; r < rows; r++) {
          const prefix = (prefixes[t * rows + r] = t === 0 ? [] : [...prefixes[(t - 1) * rows + r], fed[t * rows + r]]);
          const [pa, pb, peos] = table(prefix, x[r]);
          logits.set([Math.log(pa), Math.log(pb), -Infinity, Math.log(peos)], (t * rows + r) * V);
        }
        return logits;
      },
      reorder(parents, t) {
        calls.parents.push([...parents]);
        for (const buffer of [prefixes, fed])
          for (let u = 0; u <= t; u++) {
            const old = buffer.slice(u * rows, (u + 1) * rows);
            for (let r = 0; r < rows; r++) buffer[u * rows + r] = old[parents[r]];
          }
      },
    },
  };
  return { model, calls };
}

/** A table from a list of prefixes; any other prefix: a .4, b .35, <eos> .25. */
const tableOf =
  (lines: Record<string, [number, number, number]>): Table =>
  (prefix) =>
    lines[prefix.map((id) => "ab"[id]).join("")] ?? [0.4, 0.35, 0.25];

const params = new Map<string, Float64Array>();
const batchOf = (x: number[]): ModelBatch => ({ size: x.length, lengths: {}, fields: new Map([["x", Float64Array.from(x)]]) });
const ids = (result: Int32Array[]) => result.map((r) => [...r]);
const greedy = { bos: BOS, eos: EOS, choose: argmax };
const beam = { bos: BOS, eos: EOS };

describe("generate", () => {
  it("chooses each row's next token from its own logits, feeds it back, and ends a row at <eos>", () => {
    // x = 0: a, then b, then <eos>; x = 1: b, then <eos>.
    const { model, calls } = fakeModel((prefix, x) => (x === 0 ? [[0.6, 0.2, 0.2], [0.2, 0.6, 0.2], [0.2, 0.2, 0.6]][prefix.length] : prefix.length === 0 ? [0.1, 0.7, 0.2] : [0.1, 0.1, 0.8]) as [number, number, number]);
    const offsets: number[] = [];
    const choose = (logits: Float64Array, offset: number, length: number) => (offsets.push(offset), expect(length).toBe(V), argmax(logits, offset, length));
    expect(ids(generate(model, params, batchOf([0, 1]), { ...greedy, steps: 10, choose }))).toEqual([[a, b], [b]]);
    expect(calls.steps).toEqual([0, 1, 2]); // no step once every row has ended
    expect(offsets).toEqual([0, 4, 8, 12, 16]); // (t * rows + r) * V; row 1 is not asked at step 2
  });

  it("stops at `steps`, <eos> or not", () => {
    const { model, calls } = fakeModel(() => [0.9, 0.05, 0.05]);
    expect(ids(generate(model, params, batchOf([0]), { ...greedy, steps: 3 }))).toEqual([[a, a, a]]);
    expect(calls.steps).toEqual([0, 1, 2]);
  });

  it("says so for a model without an autoregressive target", () => {
    const model: GenerationModel<Float64Array> = { name: "tagger", data: [] };
    expect(() => generate(model, params, batchOf([0]), { ...greedy, steps: 3 })).toThrow("tagger has no target read at t-1 and predicted at t: there is nothing to generate");
    expect(() => beamSearch(model, params, batchOf([0]), { ...beam, steps: 3, width: 2 })).toThrow("tagger has no target read at t-1");
  });
});

describe("beamSearch", () => {
  // Greedy takes a (.5), then <eos> (.4): log-probability per token (log .5 + log .4) / 2 = -0.81.
  // A beam of 2 also keeps b (.4), then <eos> (.9): (log .4 + log .9) / 2 = -0.51, the better.
  const firstIsNotBest = tableOf({ "": [0.5, 0.4, 0.1], a: [0.3, 0.3, 0.4], b: [0.05, 0.05, 0.9] });

  it("finds what greedy misses, and is greedy at width 1", () => {
    const { model, calls } = fakeModel(firstIsNotBest);
    expect(ids(generate(model, params, batchOf([0]), { ...greedy, steps: 10 }))).toEqual([[a]]);
    expect(ids(beamSearch(model, params, batchOf([0]), { ...beam, steps: 10, width: 1 }))).toEqual([[a]]);
    expect(ids(beamSearch(model, params, batchOf([0]), { ...beam, steps: 10, width: 2 }))).toEqual([[b]]);
    expect(calls.steps).toEqual([0, 1]); // both kept extensions of step 1 end: the search is over
  });

  it("ranks by log-probability per token, <eos> counted: a long likely sequence beats a short one", () => {
    // [] then <eos>: log .4 = -0.92 in all, -0.92 per token. [a, a] then <eos>: log .45 + log .9 +
    // log .9 = -1.01 in all (worse), but -0.34 per token (better).
    const { model, calls } = fakeModel(tableOf({ "": [0.45, 0.15, 0.4], a: [0.9, 0.06, 0.04], aa: [0.05, 0.05, 0.9] }));
    expect(ids(beamSearch(model, params, batchOf([0]), { ...beam, steps: 10, width: 2 }))).toEqual([[a, a]]);
    expect(calls.steps).toEqual([0, 1, 2]); // two ended hypotheses at step 2: the beam is full
  });

  // Step 0 keeps a and b; step 1's two best both extend b (ba, bb): row 0 takes over row 1's past;
  // step 2: ba ends (per token (log .4 + log .5 + log .9) / 3 = -0.57) and bba goes on, from row 1.
  const crossing = tableOf({ "": [0.5, 0.4, 0.1], a: [0.34, 0.33, 0.33], b: [0.5, 0.45, 0.05], ba: [0.05, 0.05, 0.9], bb: [0.4, 0.4, 0.2] });

  it("moves each hypothesis's past with it: rows reordered by their parents", () => {
    const { model, calls } = fakeModel(crossing);
    expect(ids(beamSearch(model, params, batchOf([0]), { ...beam, steps: 4, width: 2 }))).toEqual([[b, a]]);
    expect(calls.parents).toEqual([[0, 0], [1, 1], [1, 0], [0, 0]]); // an unused row's parent is the example's first
    expect(ids(generate(model, params, batchOf([0]), { ...greedy, steps: 4 }))).toEqual([[a, a, a, a]]);
  });

  it("with no hypothesis ended within `steps`, returns the best open one", () => {
    // After 2 steps: ba (log .4 + log .5) and bb (log .4 + log .45), per token with the <eos> to come.
    const { model } = fakeModel(crossing);
    expect(ids(beamSearch(model, params, batchOf([0]), { ...beam, steps: 2, width: 2 }))).toEqual([[b, a]]);
  });

  it("searches each example of a batch on its own rows, its inputs repeated", () => {
    const { model } = fakeModel((prefix, x) => (x === 0 ? firstIsNotBest(prefix, x) : crossing(prefix, x)));
    expect(ids(beamSearch(model, params, batchOf([1, 0, 1]), { ...beam, steps: 4, width: 2 }))).toEqual([[b, a], [b], [b, a]]);
  });

  it("a beam wide enough to hold every hypothesis finds the best one by log-probability per token", () => {
    // Probabilities that depend on the whole prefix and the input, without ties.
    const table: Table = (prefix, x) => {
      const u = (k: number) => 0.1 + Math.abs(Math.sin(1 + k * 12.9898 + prefix.reduce((s, id, i) => s + (id + 1) * 7.31 ** i, 0) + x * 3.7) * 1000) % 0.9;
      const [pa, pb, pe] = [u(1), u(2), u(3)];
      return [pa / (pa + pb + pe), pb / (pa + pb + pe), pe / (pa + pb + pe)];
    };
    const steps = 4;
    const best = (x: number) => {
      let found: number[] = [], score = -Infinity;
      const visit = (prefix: number[], total: number) => {
        const [pa, pb, pe] = table(prefix, x);
        const ended = (total + Math.log(pe)) / (prefix.length + 1);
        if (ended > score) [found, score] = [prefix, ended];
        if (prefix.length + 1 < steps) for (const [id, p] of [[a, pa], [b, pb]]) visit([...prefix, id], total + Math.log(p));
      };
      visit([], 0);
      return found;
    };
    const { model } = fakeModel(table);
    const inputs = [0, 1, 2, 3];
    expect(ids(beamSearch(model, params, batchOf(inputs), { ...beam, steps, width: V ** steps }))).toEqual(inputs.map(best));
    expect(ids(beamSearch(model, params, batchOf(inputs), { ...beam, steps, width: 1 }))).toEqual(ids(generate(model, params, batchOf(inputs), { ...greedy, steps })));
  });
});

describe("a prompt, read teacher-forced", () => {
  // After the prompt b a, the table says b, then <eos>; from nothing, a is likelier.
  const afterBa = tableOf({ ba: [0.05, 0.9, 0.05], bab: [0.05, 0.05, 0.9] });

  it("generate: the rows read <bos> then the prompt, choose nothing before its end, and begin with it", () => {
    const { model, calls } = fakeModel(afterBa);
    const offsets: number[] = [];
    const choose = (logits: Float64Array, offset: number, length: number) => (offsets.push(offset), argmax(logits, offset, length));
    expect(ids(generate(model, params, batchOf([0, 0]), { ...greedy, steps: 5, prompt: [b, a], choose }))).toEqual([[b, a, b], [b, a, b]]);
    expect(calls.steps).toEqual([0, 1, 2, 3]); // steps 0 and 1 read <bos> and b; step 2 reads a and chooses
    expect(offsets).toEqual([16, 20, 24, 28]); // (t * rows + r) * V from t = 2 on
    expect(ids(generate(model, params, batchOf([0]), { ...greedy, steps: 1, prompt: [b, a] }))).toEqual([[b, a, b]]); // steps: after the prompt
    expect(ids(generate(model, params, batchOf([0]), { ...greedy, steps: 2 }))).toEqual([[a, a]]);
  });

  /** `table` as seen after `prompt`: what a model trained on it would say, the prompt before it. */
  const after = (prompt: number[], table: Table): Table => (prefix, x) => {
    expect(prefix.slice(0, prompt.length)).toEqual(prompt.slice(0, prefix.length)); // every row read the prompt
    return prefix.length < prompt.length ? [0.2, 0.2, 0.6] : table(prefix.slice(prompt.length), x);
  };

  it("beamSearch: every hypothesis extends the prompt, scored on what follows it", () => {
    const crossing = tableOf({ "": [0.5, 0.4, 0.1], a: [0.34, 0.33, 0.33], b: [0.5, 0.45, 0.05], ba: [0.05, 0.05, 0.9], bb: [0.4, 0.4, 0.2] });
    const plain = ids(beamSearch(fakeModel(crossing).model, params, batchOf([0, 1]), { ...beam, steps: 4, width: 2 }));
    const prompted = ids(beamSearch(fakeModel(after([a, b, b], crossing)).model, params, batchOf([0, 1]), { ...beam, steps: 4, width: 2, prompt: [a, b, b] }));
    expect(plain).toEqual([[b, a], [b, a]]);
    expect(prompted).toEqual(plain.map((p) => [a, b, b, ...p]));
    const wide = (x: number) => ids(beamSearch(fakeModel(after([b], crossing)).model, params, batchOf([x]), { ...beam, steps: 3, width: 16, prompt: [b] }));
    expect(wide(0)).toEqual([[b, ...ids(beamSearch(fakeModel(crossing).model, params, batchOf([0]), { ...beam, steps: 3, width: 16 }))[0]]]);
  });

  it("refuses a prompt id outside the vocabulary", () => {
    const { model } = fakeModel(afterBa);
    expect(() => generate(model, params, batchOf([0]), { ...greedy, steps: 2, prompt: [a, V] })).toThrow("prompt: 4 is not an id of the target's vocabulary (0 to 3)");
  });
});

describe("excluded ids", () => {
  it("are never chosen: their logits are -Infinity when `choose` sees them, the others as the model gave them", () => {
    const { model } = fakeModel(() => [0.9, 0.05, 0.05]);
    const seen: number[][] = [];
    const choose = (logits: Float64Array, offset: number, length: number) => (seen.push([...logits.subarray(offset, offset + length)]), argmax(logits, offset, length));
    expect(ids(generate(model, params, batchOf([0]), { ...greedy, steps: 3, exclude: [a, a], choose }))).toEqual([[b, b, b]]);
    expect(seen[0]).toEqual([-Infinity, Math.log(0.05), -Infinity, Math.log(0.05)]);
    expect(ids(generate(model, params, batchOf([0]), { ...greedy, steps: 3, exclude: [EOS] }))).toEqual([[a, a, a]]);
  });

  it("are never kept by beam search, which finds the best sequence of the other ids", () => {
    const table = tableOf({ "": [0.5, 0.4, 0.1], a: [0.05, 0.05, 0.9], b: [0.3, 0.4, 0.3], bb: [0.02, 0.02, 0.96] });
    expect(ids(beamSearch(fakeModel(table).model, params, batchOf([0]), { ...beam, steps: 4, width: 3 }))).toEqual([[a]]);
    expect(ids(beamSearch(fakeModel(table).model, params, batchOf([0]), { ...beam, steps: 4, width: 3, exclude: [a] }))).toEqual([[b, b]]);
    // Wider than there are candidates: no zero-probability (-Infinity) extension is kept either.
    expect(ids(beamSearch(fakeModel(table).model, params, batchOf([0]), { ...beam, steps: 4, width: 8, exclude: [a] }))).toEqual([[b, b]]);
    // <eos> excluded: the best open hypothesis after `steps`.
    expect(ids(beamSearch(fakeModel(table).model, params, batchOf([0]), { ...beam, steps: 2, width: 2, exclude: [EOS] }))[0]).toHaveLength(2);
  });

  it("cannot be every id", () => {
    const { model } = fakeModel(() => [0.9, 0.05, 0.05]);
    expect(() => generate(model, params, batchOf([0]), { ...greedy, steps: 2, exclude: [a, b, BOS, EOS] })).toThrow("exclude holds every id");
  });
});

describe("repeatRows", () => {
  it("repeats each example's rows k times in a row, at every step, with its lengths, in the batch's float type", () => {
    const layout: DataLayout[] = [{ name: "v", role: "input", kind: "vectors", size: 2, sequence: true, axis: "s", shifted: false }, data[0]];
    // v: 2 steps of 2 examples of 2 numbers, time-major; x: one id per example.
    const batch: ModelBatch = { size: 2, lengths: { s: Int32Array.of(2, 1) }, fields: new Map<string, Float32Array | Float64Array>([["v", Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8)], ["x", Float64Array.of(10, 20)]]) };
    const repeated = repeatRows(layout, batch, 3);
    expect(repeated.size).toBe(6);
    expect([...repeated.lengths.s!]).toEqual([2, 2, 2, 1, 1, 1]);
    expect(repeated.fields.get("v")).toEqual(Float32Array.of(1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 5, 6, 5, 6, 5, 6, 7, 8, 7, 8, 7, 8));
    expect(repeated.fields.get("x")).toEqual(Float64Array.of(10, 10, 10, 20, 20, 20));
  });
});
