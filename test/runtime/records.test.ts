// runtime/records.ts: predictor() gives, for records written as in the data files, what the
// module's own predict gives on the same examples laid out by hand (time-major, padded), to
// 1e-12 in float64 whatever the batch size; in the shape of each target; and it refuses, naming
// the field, what it cannot predict from. Untrained models of fixed params (fixed-model.ts).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Vocabulary } from "../../data/vocabulary.ts";
import type { CompiledModel, ModelBatch } from "../../runtime/model.ts";
import { predictor, RecordError, type ClassPrediction } from "../../runtime/records.ts";
import { restore } from "../../runtime/trained.ts";
import { fixedModel, SENTENCES, TAGGER } from "./fixed-model.ts";

// Two losses: probabilities per step (binary cross-entropy on a vec(2)) and a value per example (mse).
const TWO_LOSSES = `
model two_losses {
  dims { H = 6 }
  input  x: seq<vec(3)>
  target flags: seq<vec(2)>
  target total: vec(1)
  layer cell = gru(3, H)
  layer flag = dense(H, 2)
  layer sum  = dense(H, 1)
  h[t] = cell(x[t], h[t-1])
  loss binary_cross_entropy(flag(h[t]), flags[t]) mean over tokens
  loss mse(sum(h[last]), total)
}`;

// Binary cross-entropy on a class: one logit, the second class's (ham < spam).
const SPAM = `
model spam_like {
  dims { E = 3, H = 4 }
  input  words: seq<token>
  target label: class
  layer emb  = embedding(vocab(words), E)
  layer cell = gru(E, H)
  layer head = dense(H, 1)
  h[t] = cell(emb(words[t]), h[t-1])
  loss binary_cross_entropy(head(h[last]), label)
}`;

type Steps = number[][]; // an example's field: per step, its numbers (one id, or a vector)

/** The examples laid out by hand: (t, b, i) at (t * B + b) * width + i, ids padded with `pads`, vectors and targets with 0. */
function byHand(model: CompiledModel, examples: Record<string, Steps>[], pads: Record<string, number> = {}): ModelBatch {
  const B = examples.length;
  const lengths: ModelBatch["lengths"] = {};
  const fields = new Map<string, Float64Array>();
  const inputs = model.data.filter((d) => d.role === "input");
  for (const d of inputs) if (d.sequence && d.axis) lengths[d.axis] = Int32Array.from(examples, (e) => e[d.name].length);
  for (const d of model.data) {
    const width = d.kind === "ids" ? 1 : d.size;
    const T = d.sequence && d.axis ? Math.max(...lengths[d.axis]!) : 1;
    const values = new Float64Array(T * B * width).fill(d.role === "input" ? (pads[d.name] ?? 0) : 0);
    if (d.role === "input") examples.forEach((e, b) => e[d.name].forEach((step, t) => step.forEach((x, i) => (values[(t * B + b) * width + i] = x))));
    fields.set(d.name, values);
  }
  return { size: B, lengths, fields };
}

/** Every class's probability, by id, from a prediction that lists them all in `top`. */
function distribution(prediction: ClassPrediction, vocabulary: Vocabulary): number[] {
  const p = new Array<number>(vocabulary.size).fill(NaN);
  for (const c of prediction.top!) p[vocabulary.id(c.label)] = c.probability;
  return p;
}

const close = (actual: ArrayLike<number>, expected: ArrayLike<number>) => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i]), `[${i}] ${actual[i]} vs ${expected[i]}`).toBeLessThan(1e-12);
};

describe("predictor() against the module's predict on a batch laid out by hand (float64, 1e-12)", () => {
  it("a tagger: a tag per token, at batch sizes 1, 2, 3 and 64; an unknown word is <unk>", async () => {
    const { model, checkpoint } = await fixedModel(TAGGER, SENTENCES);
    const trained = restore(model, checkpoint);
    const words = trained.vocabularies.get("words")!;
    const tags = trained.vocabularies.get("tags")!;
    const records = [...SENTENCES.map(({ words }) => ({ words })), { words: ["the", "zebra", "barks"] }, { words: ["b"] }];
    const tokens = [...SENTENCES.map((s) => s.words), ["the", "<unk>", "barks"], ["<unk>"]]; // unknown words
    const expected = model.predict(trained.params, byHand(model, tokens.map((ws) => ({ words: ws.map((w) => [words.id(w)]) })), { words: words.pad }))[0];
    const B = records.length;
    const n = tags.size;
    for (const batch of [1, 2, 3, 64]) {
      const predicted = predictor(model, trained, { batch }).predictBatch(records, { top: n });
      expect(predicted).toHaveLength(B);
      predicted.forEach((p, b) => {
        const steps = p.tags as ClassPrediction[];
        expect(steps).toHaveLength(tokens[b].length);
        steps.forEach((step, t) => {
          const row = expected.subarray((t * B + b) * n, (t * B + b + 1) * n);
          close(distribution(step, tags), row);
          expect(step.label).toBe(tags.token(row.indexOf(Math.max(...row))));
          expect(step.probability).toBe(Math.max(...row));
        });
      });
    }
    // A string is a token per character, as in a data file (where every line writes the field one way).
    expect(predictor(model, trained).predict({ words: "ab" }, { top: n })).toEqual(predictor(model, trained).predict({ words: ["a", "b"] }, { top: n }));
    // A record whose targets are there too: they are not read.
    const withTags = predictor(model, trained).predict(SENTENCES[0]);
    expect(withTags).toEqual(predictor(model, trained).predict({ words: SENTENCES[0].words }));
    expect(Object.keys(withTags)).toEqual(["tags"]);
    expect((withTags.tags as ClassPrediction[])[0]).toEqual({ label: expect.any(String), probability: expect.any(Number) }); // no `top` unless asked
  });

  it("a classifier (parity): the likeliest class, and with top the K likeliest, best first", async () => {
    const source = readFileSync("examples/parity.rnn", "utf8");
    const lines = ["0110", "1", "111", "0", "10101", "11"].map((bits) => ({ bits, even: [...bits].filter((b) => b === "1").length % 2 ? "odd" : "even" }));
    const { model, checkpoint } = await fixedModel(source, lines, { overrides: { H: 5 } });
    const trained = restore(model, checkpoint);
    const bits = trained.vocabularies.get("bits")!;
    const even = trained.vocabularies.get("even")!;
    const expected = model.predict(trained.params, byHand(model, lines.map((l) => ({ bits: [...l.bits].map((c) => [bits.id(c)]) })), { bits: bits.pad }))[0];
    for (const batch of [1, 4]) {
      const p = predictor(model, checkpoint, { batch }); // a Checkpoint as loaded: restored inside
      p.predictBatch(lines, { top: 2 }).forEach((prediction, b) => {
        const row = expected.subarray(b * 2, b * 2 + 2);
        const best = row[0] >= row[1] ? 0 : 1;
        expect(prediction).toEqual({ even: { label: even.token(best), probability: row[best], top: [{ label: even.token(best), probability: row[best] }, { label: even.token(1 - best), probability: row[1 - best] }] } });
      });
      expect(p.predict({ bits: "0110" }, { top: 5 })).toEqual(p.predictBatch([{ bits: "0110" }], { top: 2 })[0]); // top beyond the classes: all of them
    }
  });

  it("numbers: probabilities per step (binary cross-entropy on vec(2)) and a value per example (mse)", async () => {
    const lines = [
      { x: [[1, 0, 0.5], [0, 1, -0.5]], flags: [[1, 0], [0, 1]], total: [2] },
      { x: [[0.25, 0.5, 1]], flags: [[1, 1]], total: [-1] },
      { x: [[0, 0, 0], [1, 1, 1], [-1, 0.5, 2]], flags: [[0, 0], [1, 0], [0, 1]], total: [0.5] },
    ];
    const { model, checkpoint } = await fixedModel(TWO_LOSSES, lines);
    const trained = restore(model, checkpoint);
    const [flags, total] = model.predict(trained.params, byHand(model, lines.map((l) => ({ x: l.x }))));
    const B = lines.length;
    for (const batch of [1, 2, 3]) {
      predictor(model, trained, { batch })
        .predictBatch(lines.map(({ x }) => ({ x })))
        .forEach((p, b) => {
          expect(Object.keys(p)).toEqual(["flags", "total"]);
          const steps = p.flags as number[][];
          expect(steps).toHaveLength(lines[b].x.length);
          steps.forEach((step, t) => close(step, flags.subarray((t * B + b) * 2, (t * B + b + 1) * 2)));
          close(p.total as number[], total.subarray(b, b + 1));
        });
    }
  });

  it("a seq<vec(1)> target is one number per step, as data files write it (co2)", async () => {
    const lines = [{ series: [0.5, -0.25, 1], next: [-0.25, 1, 0] }, { series: [[0.125], [2]], next: [2, 1] }];
    const { model, checkpoint } = await fixedModel(readFileSync("examples/co2.rnn", "utf8"), lines, { overrides: { H: 4 } });
    const trained = restore(model, checkpoint);
    const [next] = model.predict(trained.params, byHand(model, [{ series: [[0.5], [-0.25], [1]] }, { series: [[0.125], [2]] }]));
    const predicted = predictor(model, trained).predictBatch(lines);
    expect(predicted.map((p) => (p.next as number[]).length)).toEqual([3, 2]);
    predicted.forEach((p, b) => close(p.next as number[], Array.from({ length: lines[b].series.length }, (_, t) => next[t * 2 + b])));
  });

  it("binary cross-entropy on a class: the likelier of the two, the logit being the second's", async () => {
    const lines = [
      { words: ["win", "cash", "now"], label: "spam" },
      { words: ["lunch", "at", "noon"], label: "ham" },
      { words: ["cash"], label: "spam" },
    ];
    const { model, checkpoint } = await fixedModel(SPAM, lines);
    const trained = restore(model, checkpoint);
    const words = trained.vocabularies.get("words")!;
    const [spam] = model.predict(trained.params, byHand(model, lines.map((l) => ({ words: l.words.map((w) => [words.id(w)]) })), { words: words.pad }));
    predictor(model, trained)
      .predictBatch(lines, { top: 2 })
      .forEach((p, b) => {
        const q = spam[b];
        const [first, second] = q >= 0.5 ? [{ label: "spam", probability: q }, { label: "ham", probability: 1 - q }] : [{ label: "ham", probability: 1 - q }, { label: "spam", probability: q }];
        expect(p).toEqual({ label: { ...first, top: [first, second] } });
      });
  });
});

describe("records that cannot be predicted from, and models that cannot predict", () => {
  it("names the record (by index) and the field: missing, unknown to the model, of the wrong kind, not an object", async () => {
    const { model, checkpoint } = await fixedModel(TAGGER, SENTENCES);
    const p = predictor(model, checkpoint);
    const thrown = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        expect(error).toBeInstanceOf(RecordError);
        return (error as Error).message;
      }
      throw new Error("did not throw");
    };
    expect(thrown(() => p.predict({ word: ["the"] }))).toBe('record: unknown field "word": tiny_tagger reads words and predicts tags\nrecord: missing field "words"');
    expect(thrown(() => p.predictBatch([{ words: ["a"] }, { words: 3 }, [], { words: [] }]))).toBe(
      [
        'records[1]: field "words" should be a string or an array of strings (seq<token>), not a number',
        "records[2]: expected a JSON object with the fields words; found an array",
        'records[3]: field "words" is empty: a sequence needs at least one step',
      ].join("\n"),
    );
    expect(p.predictBatch([])).toEqual([]);
    expect(() => p.predict({ words: ["a"] }, { top: 0 })).toThrow("top must be a whole number, at least 1; got 0");
  });

  it("refuses a target generated token by token, or one whose length no input gives", async () => {
    const names = await fixedModel(readFileSync("examples/names.rnn", "utf8"), [{ name: "Ann" }, { name: "Bob" }], { overrides: { E: 2, H: 3 } });
    expect(() => predictor(names.model, names.checkpoint)).toThrow("names: name is read at t-1 and predicted at t: it is generated token by token (rnnc sample, or the module's generate), not predicted from inputs");
    // y runs along t, x along s: how many steps y has, only y says.
    const alone = `model alone {
      dims { H = 3 }
      input  x: seq<vec(2)>
      target y: seq<vec(1)>
      layer cell = gru(2, H)
      layer d = dense(H, 1)
      e[s] = cell(x[s], e[s-1])
      init h = e[last]
      h[t] = cell(x[last], h[t-1])
      loss mse(d(h[t]), y[t])
    }`;
    const fixed = await fixedModel(alone, [{ x: [[1, 2]], y: [1, 2] }]);
    expect(() => predictor(fixed.model, fixed.checkpoint)).toThrow("alone: target y runs along axis t, which no input does: its length cannot be known without it");
  });
});

describe("vocabularies: one type, Vocabulary, from a checkpoint's saved lists", () => {
  it("tells a token vocabulary from a class one by the specials it ends with", () => {
    expect(Vocabulary.fromSaved(["a", "b", "<pad>", "<unk>", "<bos>", "<eos>"]).kind).toBe("token");
    expect(Vocabulary.fromSaved(["even", "odd"]).kind).toBe("class");
    expect(Vocabulary.fromSaved(["<bos>", "<eos>", "<pad>", "<unk>"]).kind).toBe("class"); // sorted: a class vocabulary's order
    expect(() => Vocabulary.fromSaved(["x"], "token")).toThrow("vocabulary: a token vocabulary must end with <pad>, <unk>, <bos>, <eos>"); // told: then checked
  });

  it("restore() checks the checkpoint against the module and gives the same as the browser bundle's fields would", async () => {
    const { model, checkpoint, fields, vocabularies } = await fixedModel(TAGGER, SENTENCES);
    const inferred = restore(model, checkpoint);
    const told = restore(model, checkpoint, fields);
    expect([...inferred.vocabularies].map(([k, v]) => [k, v.kind, v.tokens])).toEqual([...vocabularies].map(([k, v]) => [k, v.kind, v.tokens]));
    expect([...told.vocabularies].map(([k, v]) => [k, v.kind, v.tokens])).toEqual([...vocabularies].map(([k, v]) => [k, v.kind, v.tokens]));
    expect(inferred.params).toEqual(told.params);
    const { tags: _, ...noTags } = checkpoint.vocabularies;
    const broken = { ...checkpoint, model: "other", vocabularies: { ...noTags, words: ["a", "<pad>", "<unk>", "<bos>", "<eos>"] } };
    expect(() => restore(model, broken)).toThrow(
      [
        "3 problems:",
        '  the checkpoint is for model "other", not "tiny_tagger"',
        `  the vocabulary of words has 5 entries, the module was compiled for ${vocabularies.get("words")!.size}`,
        "  no vocabulary for tags: was it saved for another model?",
      ].join("\n"),
    );
  });
});
