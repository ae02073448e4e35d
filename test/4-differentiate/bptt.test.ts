// Truncated BPTT: a window starts from the state the previous one ended in (its carry), and
// its gradient is the gradient of the truncated graph: the carry is an input, nothing flows
// back into it. The forward pass stays exact: the windows' losses add up to the whole sequence's.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/index.ts";
import { lower } from "../../compiler/3-lower/index.ts";
import { differentiate } from "../../compiler/4-differentiate/index.ts";
import { interpretedModel } from "../../compiler/interpreted-model.ts";
import { forward, type Batch } from "../../compiler/ir/interpret.ts";
import { Rng } from "../../runtime/rng.ts";
import { gradcheck, randomBatch, randomParams } from "./gradcheck.ts";

const program = differentiate(lower(checkSource(readFileSync("examples/co2.rnn", "utf8"), "co2", { overrides: new Map([["H", 3]]) }).models[0], new Map()));

/** Steps [from, to) of every example of a time-major batch. */
function window(batch: Batch, from: number, to: number, carry?: Map<string, Float64Array>): Batch {
  const B = batch.size;
  const fields = new Map([...batch.fields].map(([name, values]) => [name, values.slice(from * B, to * B)]));
  const lengths = { t: batch.lengths.t!.map((L) => Math.max(0, Math.min(L, to) - from)) };
  return { size: B, lengths, fields, ...(carry ? { carry } : {}) };
}

describe("truncated BPTT", () => {
  it("carries each value read at t-1 by one step, and nothing else", () => {
    expect(program.carries).toEqual([{ name: "h", of: "sequence", steps: 1, width: 3 }]);
    expect(program.sequences.map((s) => s.init)).toEqual([undefined]);
    expect(interpretedModel(program).carried).toEqual(["h"]);
  });

  it("a window's gradient is the truncated graph's (float64, central differences, carry held fixed)", () => {
    const rng = new Rng(5);
    const batch = randomBatch(program, { t: [4, 3, 4] });
    const carry = new Map([["h", Float64Array.from({ length: 3 * 3 }, () => rng.normal())]]);
    const report = gradcheck(program, randomParams(program), { ...batch, carry });
    expect(report.checked).toBeGreaterThan(20);
    expect(report.maxRelativeError, report.worst).toBeLessThan(1e-6);
  });

  it("windows with their carries add up to the whole sequence's loss", () => {
    const model = interpretedModel(program);
    const params = randomParams(program);
    const batch = randomBatch(program, { t: [7, 3, 5] });
    const whole = forward(program, params, batch).loss;
    let carry: Map<string, Float64Array> | undefined;
    let sum = 0;
    for (let from = 0; from < 7; from += 3) {
      sum += model.loss(params, window(batch, from, from + 3, carry));
      carry = model.finalStates();
    }
    expect(sum).toBeCloseTo(whole, 12);
  });
});

describe("truncated BPTT in the emitted module", () => {
  it("takes the same carry and hands on the same final states as the interpreter", async () => {
    const { compiledModel } = await import("../../cli/compiled-model.ts");
    const emitted = await compiledModel(program, "float64");
    const reference = interpretedModel(program);
    const params = randomParams(program);
    const rng = new Rng(9);
    const batch = { ...randomBatch(program, { t: [4, 2, 3] }), carry: new Map([["h", Float64Array.from({ length: 9 }, () => rng.normal())]]) };
    const [g1, g2] = [emitted.createParams(), reference.createParams()];
    expect(emitted.lossAndGrad(params, g1, batch)).toBeCloseTo(reference.lossAndGrad(params, g2, batch), 12);
    for (const [name, g] of g2) expect(Math.max(...g.map((x, i) => Math.abs(x - g1.get(name)![i]))), name).toBeLessThan(1e-12);
    expect([...emitted.finalStates().get("h")!].map((x) => x.toFixed(12))).toEqual([...reference.finalStates().get("h")!].map((x) => x.toFixed(12)));
  });
});
