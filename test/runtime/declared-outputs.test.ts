// runtime/records.ts with declared outputs (`output tag[t] = softmax(…)`): a prediction is keyed
// by the outputs' names, not the targets'; a softmax over a field's classes names the class, with
// the same probabilities the loss's prediction gives; other outputs are their numbers (a hidden
// state per example, a scalar per step); the targets are never needed.
import { describe, expect, it } from "vitest";
import { predictor, type ClassPrediction } from "../../runtime/records.ts";
import { restore } from "../../runtime/trained.ts";
import { fixedModel, SENTENCES } from "./fixed-model.ts";

const WITH_OUTPUTS = `
model tagger_outputs {
  dims { E = 4, H = 5 }
  input  words: seq<token>
  target tags: seq<class>
  layer emb = embedding(vocab(words), E)
  layer fw  = gru(E, H)
  layer out = dense(H, classes(tags))
  layer one = dense(H, 1)
  f[t] = fw(emb(words[t]), f[t-1])
  loss cross_entropy(out(f[t]), tags[t])
  output tag[t] = softmax(out(f[t]))
  output summary = f[last]
  output score[t] = one(f[t])
}`;

describe("predictions of declared outputs", () => {
  it("keys the outputs by name: labels for a softmax over a field's classes, numbers otherwise", async () => {
    const { model, checkpoint } = await fixedModel(WITH_OUTPUTS, SENTENCES);
    expect(model.outputs.map((o) => [o.name, o.axis, o.size, o.over])).toEqual([
      ["tag", "t", 5, "tags"],
      ["summary", undefined, 5, undefined],
      ["score", "t", 1, undefined],
    ]);
    const trained = restore(model, checkpoint);
    const p = predictor(model, trained, { batch: 2 });
    expect(p.outputs.map((o) => [o.key, o.gives, o.sequence])).toEqual([
      ["tag", "labels", true],
      ["summary", "numbers", false],
      ["score", "numbers", true],
    ]);
    const records = SENTENCES.map(({ words }) => ({ words }));
    const predicted = p.predictBatch(records, { top: 5 });
    // The same tags, with the same probabilities, as the loss's own prediction (a model without outputs gives that).
    const lossOnly = predictor({ ...model, outputs: [] }, trained, { batch: 3 }).predictBatch(records, { top: 5 });
    predicted.forEach((prediction, b) => {
      expect(Object.keys(prediction)).toEqual(["tag", "summary", "score"]);
      const tags = prediction.tag as ClassPrediction[];
      expect(tags).toHaveLength(SENTENCES[b].words.length);
      const expected = lossOnly[b].tags as ClassPrediction[];
      tags.forEach((step, t) => {
        expect(step.label).toBe(expected[t].label);
        expect(step.probability).toBeCloseTo(expected[t].probability, 12);
      });
      expect(prediction.summary).toHaveLength(5);
      expect((prediction.summary as number[]).every((x) => Math.abs(x) < 1)).toBe(true); // a GRU's state
      expect(prediction.score).toHaveLength(SENTENCES[b].words.length);
      expect((prediction.score as number[]).every((x) => typeof x === "number" && Number.isFinite(x))).toBe(true);
    });
    // One example alone gives what it gives in a batch of five.
    expect(p.predict(records[2], { top: 5 })).toEqual(predicted[2]);
  });
});
