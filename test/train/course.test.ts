// The course of a run: the learning rate of each update (warmup, then the schedule), the best
// epoch by the monitored number, early stopping and the plateau schedule's drops.
import { describe, expect, it } from "vitest";
import type { TrainSettings } from "../../compiler/2-check/checked.ts";
import { defaultTrainSettings } from "../../compiler/2-check/train.ts";
import { Course } from "../../cli/course.ts";
import type { Evaluation } from "../../cli/metrics.ts";

const settings = (changes: Partial<TrainSettings>): TrainSettings => ({ ...defaultTrainSettings(), epochs: 10, ...changes });
const valid = (loss: number, accuracy = 0): Evaluation => ({ loss, examples: 10, metrics: [{ target: "y", kind: "accuracy", value: accuracy, count: 10 }] });

describe("the learning rate", () => {
  it("is the optimizer's without a schedule", () => expect(new Course(settings({}), false).lr(500, 3, 0.5)).toBe(0.001));

  it("rises linearly over the warmup updates", () => {
    const course = new Course(settings({ warmup: 4 }), false);
    expect([0, 1, 2, 3, 4, 100].map((u) => course.lr(u, 1, 0))).toEqual([0.00025, 0.0005, 0.00075, 0.001, 0.001, 0.001]);
  });

  it("step: ×factor every N epochs", () => {
    const course = new Course(settings({ lrSchedule: { name: "step", every: 2, factor: 0.5 } }), false);
    expect([1, 2, 3, 4, 5].map((e) => course.lr(0, e, 0.9))).toEqual([0.001, 0.001, 0.0005, 0.0005, 0.00025]);
  });

  it("cosine: from lr at the start to 0 at the end of the run, half way at the middle", () => {
    const course = new Course(settings({ lrSchedule: { name: "cosine" } }), false);
    expect(course.lr(0, 1, 0)).toBe(0.001);
    expect(course.lr(0, 6, 0)).toBeCloseTo(0.0005, 15);
    expect(course.lr(0, 10, 1)).toBeCloseTo(0, 15);
  });

  it("plateau: ×factor after N epochs without improvement, said in words", () => {
    const course = new Course(settings({ lrSchedule: { name: "plateau", patience: 2, factor: 0.1 } }), true);
    const drops = [1.0, 0.9, 0.95, 0.92, 0.85, 0.9, 0.9].map((loss, i) => course.endEpoch(i + 1, 0, valid(loss)).lrChanged);
    expect(drops).toEqual([undefined, undefined, undefined, "valid loss has not improved for 2 epochs: lr ×0.1, now 0.000100", undefined, undefined, "valid loss has not improved for 2 epochs: lr ×0.1, now 0.0000100"]);
    expect(course.lr(0, 8, 0)).toBeCloseTo(0.00001, 15);
  });
});

describe("the best epoch and early stopping", () => {
  it("the validation loss, lower is better; stops after `patience` epochs without improvement", () => {
    const course = new Course(settings({ earlyStop: { patience: 2 } }), true);
    const verdicts = [0.5, 0.4, 0.45, 0.4, 0.41].map((loss, i) => course.endEpoch(i + 1, 9, valid(loss)));
    expect(verdicts.map((v) => v.improved)).toEqual([true, true, false, false, false]);
    expect(verdicts.map((v) => v.stop)).toEqual([undefined, undefined, undefined, "valid loss has not improved for 2 epochs (best 0.4000 at epoch 2)", "valid loss has not improved for 2 epochs (best 0.4000 at epoch 2)"]);
    expect(course.best).toEqual({ epoch: 2, value: 0.4 });
  });

  it("on accuracy, higher is better", () => {
    const course = new Course(settings({ monitor: "accuracy" }), true);
    expect([0.5, 0.7, 0.6].map((a, i) => course.endEpoch(i + 1, 9, valid(1, a)).improved)).toEqual([true, true, false]);
    expect(course.monitored).toBe("valid accuracy");
  });

  it("without validation data, the training loss", () => {
    const course = new Course(settings({}), false);
    expect(course.endEpoch(1, 0.3, undefined)).toEqual({ value: 0.3, improved: true });
    expect(course.monitored).toBe("train loss");
  });

  it("its state carries everything a resumed run needs to take the same course", () => {
    const s = settings({ earlyStop: { patience: 3 }, lrSchedule: { name: "plateau", patience: 1, factor: 0.5 } });
    const a = new Course(s, true);
    [0.5, 0.6].forEach((loss, i) => a.endEpoch(i + 1, 0, valid(loss)));
    const b = new Course(s, true, JSON.parse(JSON.stringify(a.state())));
    expect(b.endEpoch(3, 0, valid(0.7))).toEqual(a.endEpoch(3, 0, valid(0.7)));
    expect(b.lr(0, 4, 0)).toBe(a.lr(0, 4, 0));
  });
});
