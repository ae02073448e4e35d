// Early stopping, learning-rate schedules and warmup in the train block: what each form means,
// and the error each malformed one gives.
import { describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/index.ts";
import { errors } from "../helpers.ts";

const model = (train: string) => `model m {
  dims { H = 4 }
  input  bits: seq<token>
  target even: class
  layer cell = gru(2, H)
  layer head = dense(H, 2)
  h[t] = cell(onehot(bits[t], 2), h[t-1])
  loss cross_entropy(head(h[last]), even)
  train { ${train} }
}
`;
const settings = (train: string, overrides = new Map<string, number>()) => checkSource(model(train), "m.rnn", { overrides }).models[0].train;

describe("train settings for the run's course", () => {
  it("reads early stopping, a schedule and warmup, several on a line", () => {
    const t = settings("early_stop patience 3 on accuracy  lr_schedule step(every: 2, factor: 0.5)  warmup 100  batch 8");
    expect(t.earlyStop).toEqual({ patience: 3 });
    expect(t.monitor).toBe("accuracy");
    expect(t.lrSchedule).toEqual({ name: "step", every: 2, factor: 0.5 });
    expect(t.warmup).toBe(100);
    expect(t.batch).toBe(8);
  });

  it("defaults: no early stopping, no schedule, no warmup, the validation loss monitored", () => {
    const t = settings("batch 8");
    expect([t.earlyStop, t.lrSchedule, t.warmup, t.monitor]).toEqual([undefined, undefined, 0, "loss"]);
  });

  it.each([
    ["lr_schedule cosine  epochs 3", { name: "cosine" }],
    ["lr_schedule plateau(patience: 2, factor: 0.1)", { name: "plateau", patience: 2, factor: 0.1 }],
  ])("%s", (train, expected) => expect(settings(train).lrSchedule).toEqual(expected));

  it("--set early_stop=N sets the patience; --set warmup=N the warmup", () => {
    const t = settings("batch 8", new Map([["early_stop", 4], ["warmup", 10]]));
    expect([t.earlyStop, t.warmup]).toEqual([{ patience: 4 }, 10]);
  });

  it.each([
    ["early_stop 5", "`early_stop` takes `patience N` (N epochs, at least 1), optionally followed by `on loss`, `on accuracy` or `on rmse`"],
    ["early_stop patience 0", "`early_stop` takes `patience N` (N epochs, at least 1), optionally followed by `on loss`, `on accuracy` or `on rmse`"],
    ["early_stop patience 2 on speed", "`early_stop` takes `patience N` (N epochs, at least 1), optionally followed by `on loss`, `on accuracy` or `on rmse`"],
    ["lr_schedule linear", "`lr_schedule` takes step(every: N, factor: F), cosine or plateau(patience: N, factor: F)"],
    ["lr_schedule step(every: 2)", "`lr_schedule` takes step(every: N, factor: F) with N a whole number of epochs, at least 1, and F between 0 and 1"],
    ["lr_schedule plateau(patience: 1, factor: 2)", "`lr_schedule` takes plateau(patience: N, factor: F) with N a whole number of epochs, at least 1, and F between 0 and 1"],
    ["warmup -3", "`warmup` takes a whole number of updates, at least 0"],
  ])("%s is an error", (train, message) => {
    expect(errors(model(train)).map((e) => e.message)).toEqual([message]);
  });
});

it("a bare optimizer name is that optimizer with its defaults", () => {
  expect(settings("optimizer sgd  batch 8").optimizer).toMatchObject({ name: "sgd", lr: 0.01, momentum: 0 });
  expect(errors(model("optimizer sgd  batch 8"))).toEqual([]);
});
