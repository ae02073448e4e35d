// Generation step by step (the runtime's generate and beamSearch over the emitted module's
// generator) agrees with the whole-sequence forward pass: feeding the greedy choices back in as a
// teacher-forced input, predict() picks the same token at every step; in float64 TypeScript, and
// in float32 with the WebAssembly kernels. After a prompt too: the first choice sees the
// probabilities the forward pass gives after <bos> and the prompt. And the ids excluded from
// decoding (<pad>, <unk>, <bos>) never come out, where without the exclusion they do.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/index.ts";
import { lower } from "../../compiler/3-lower/index.ts";
import { differentiate } from "../../compiler/4-differentiate/index.ts";
import { emitModule } from "../../compiler/6-emit/index.ts";
import { beamSearch, generate } from "../../runtime/generation.ts";
import type { CompiledModel } from "../../runtime/model.ts";
import { Rng } from "../../runtime/rng.ts";
import { argmax, sampleLogits } from "../../runtime/sampling.ts";

const softmax = (x: number[]) => {
  const max = Math.max(...x), e = x.map((v) => Math.exp(v - max)), sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
};
import { randomBatch, randomParams } from "../4-differentiate/gradcheck.ts";

const OUT = "test/6-emit/.generated";
mkdirSync(OUT, { recursive: true });

const cases: [string, string, Record<string, number>, Record<string, number>, Partial<Record<"s", number[]>>, (s: string) => string][] = [
  ["names", "name", { E: 3, H: 5 }, { "vocab(name)": 7 }, {}, (s) => s],
  ["caption", "words", { E: 3, H: 5 }, { "vocab(words)": 6 }, {}, (s) => s.replace("vec(512)", "vec(3)").replace("dense(512, H)", "dense(3, H)")],
  ["g2p", "phones", { E: 3, H: 4 }, { "vocab(spelling)": 5, "vocab(phones)": 6 }, { s: [3, 1, 2] }, (s) => s],
];

describe.each([
  ["float64", false],
  ["float32", true],
] as const)("generate, %s, kernels: %s", (dtype, kernels) => {
  const cast = (a: Float64Array) => (dtype === "float64" ? a : Float32Array.from(a));
  it.each(cases)("%s: greedy generation matches the teacher-forced forward pass", async (name, target, dims, sizes, lengths, edit) => {
    const source = edit(readFileSync(`examples/${name}.rnn`, "utf8"));
    const program = differentiate(lower(checkSource(source, name, { overrides: new Map(Object.entries(dims)) }).models[0], new Map(Object.entries(sizes))));
    const file = `${OUT}/${name}-generate-${dtype}.ts`;
    writeFileSync(file, emitModule(program, { dtype, kernels, runtime: "../../../runtime/model.ts" }));
    const model = (await import(/* @vite-ignore */ `${pathToFileURL(resolve(file)).href}?${Date.now()}`)).default as CompiledModel;
    const params = new Map([...randomParams(program, 3, 1.5)].map(([k, v]) => [k, cast(v)]));
    const batch = randomBatch(program, { t: [1, 1, 1], ...lengths }, 4); // the target's fields are replaced below
    const inputs = { ...batch, fields: new Map([...batch.fields].map(([k, v]) => [k, cast(v)])) };
    const V = sizes[Object.keys(sizes).find((k) => k.includes(`(${target})`))!];
    const [bos, eos] = [V - 2, V - 1];
    const steps = 6;
    const B = 3;
    // Greedy from <bos>, then after a prompt: what the model saw must be what teacher forcing shows it.
    const greedily = (prompt: number[]) => {
      const first: number[][] = []; // each row's logits at its first choice (step P), as softmax
      const choose = (logits: Float32Array | Float64Array, offset: number, length: number) => {
        if (first.length < B && offset >= prompt.length * B * V) first.push(softmax([...logits.subarray(offset, offset + length)]));
        return argmax(logits, offset, length);
      };
      const generated = generate(model, params, inputs, { steps, bos, eos, prompt, choose });
      expect(generated).toHaveLength(B);
      for (const ids of generated) expect([...ids.subarray(0, prompt.length)]).toEqual(prompt);

      // Teacher-force what was generated: read <bos> then the prompt and the choices; expect each choice (or <eos>) again.
      const lengthsT = Int32Array.from(generated, (ids) => Math.min(ids.length + 1, prompt.length + steps));
      const T = Math.max(...lengthsT);
      const fed = new Float64Array(T * B), expected = new Float64Array(T * B);
      generated.forEach((ids, b) => {
        for (let t = 0; t < lengthsT[b]; t++) {
          fed[t * B + b] = t === 0 ? bos : ids[t - 1];
          expected[t * B + b] = t < ids.length ? ids[t] : eos;
        }
      });
      const fields = new Map(inputs.fields);
      fields.set(`${target}@input`, cast(fed));
      fields.set(target, cast(expected));
      const [probabilities] = model.predict(params, { size: B, lengths: { ...inputs.lengths, t: lengthsT }, fields });
      for (let b = 0; b < B; b++) {
        // The prompt's steps choose nothing; the first choice sees what the whole forward pass sees at step P.
        const P = prompt.length;
        for (let i = 0; i < V; i++) expect(first[b][i]).toBeCloseTo(probabilities[(P * B + b) * V + i], dtype === "float64" ? 9 : 5);
        for (let t = P; t < lengthsT[b]; t++) expect(argmax(probabilities, (t * B + b) * V, V), `example ${b}, step ${t}`).toBe(expected[t * B + b]);
      }
      return generated;
    };
    const generated = greedily([]);
    const prompted = greedily([0, 1, 0, 0]);
    expect(beamSearch(model, params, inputs, { steps, bos, eos, width: 1, prompt: [0, 1, 0, 0] }).map((ids) => [...ids])).toEqual(prompted.map((ids) => [...ids]));
    greedily([1]);

    // A beam of width 1 is greedy search; a wider one returns real tokens and never <eos>.
    const beam1 = beamSearch(model, params, inputs, { steps, bos, eos, width: 1 });
    expect(beam1.map((ids) => [...ids])).toEqual(generated.map((ids) => [...ids]));
    const beam4 = beamSearch(model, params, inputs, { steps, bos, eos, width: 4 });
    expect(beam4).toHaveLength(3);
    for (const ids of beam4) for (const id of ids) expect(id >= 0 && id < V && id !== eos).toBe(true);
  }, 60_000);
});

describe("beam search", () => {
  it("a beam wide enough to hold every hypothesis finds the best one by log-probability per token", async () => {
    const source = readFileSync("examples/names.rnn", "utf8");
    const program = differentiate(lower(checkSource(source, "names", { overrides: new Map([["E", 3], ["H", 4]]) }).models[0], new Map([["vocab(name)", 6]])));
    const file = `${OUT}/names-beam.ts`;
    writeFileSync(file, emitModule(program, { dtype: "float64", runtime: "../../../runtime/model.ts" }));
    const model = (await import(/* @vite-ignore */ `${pathToFileURL(resolve(file)).href}?${Date.now()}`)).default as CompiledModel<Float64Array>;
    const V = 6, bos = 4, eos = 5, steps = 3;
    const params = randomParams(program, 8, 2);
    const empty = { size: 1, lengths: {}, fields: new Map<string, Float64Array>() };
    // Every sequence of up to 2 tokens, then <eos>: its log-probability, teacher-forced.
    const score = (ids: number[]) => {
      const path = [...ids, eos];
      const fed = Float64Array.from(path, (_, t) => (t === 0 ? bos : path[t - 1]));
      const [p] = model.predict(params, { size: 1, lengths: { t: Int32Array.of(path.length) }, fields: new Map([["name@input", fed], ["name", Float64Array.from(path)]]) });
      return path.reduce((s, id, t) => s + Math.log(p[t * V + id]), 0) / path.length;
    };
    const tokens = [0, 1, 2, 3, 4];
    const all = [[], ...tokens.map((a) => [a]), ...tokens.flatMap((a) => tokens.map((b) => [a, b]))];
    const best = all.reduce((x, y) => (score(y) > score(x) ? y : x));
    const found = beamSearch(model, params, empty, { steps, bos, eos, width: V ** steps }); // wider than every step's candidates
    expect([...found[0]]).toEqual(best);
  });
});

describe("<pad>, <unk> and <bos> excluded", () => {
  it("never appear in 500 samples of an untrained model, nor in a beam drawn to them, where they would otherwise", async () => {
    const source = readFileSync("examples/names.rnn", "utf8");
    const program = differentiate(lower(checkSource(source, "names", { overrides: new Map([["E", 3], ["H", 5]]) }).models[0], new Map([["vocab(name)", 7]])));
    const file = `${OUT}/names-exclude.ts`;
    writeFileSync(file, emitModule(program, { dtype: "float32", runtime: "../../../runtime/model.ts" }));
    const model = (await import(/* @vite-ignore */ `${pathToFileURL(resolve(file)).href}?${Date.now()}`)).default as CompiledModel<Float32Array>;
    const [pad, unk, bos, eos] = [3, 4, 5, 6];
    const params = new Map([...randomParams(program, 5, 1)].map(([k, v]) => [k, Float32Array.from(v)]));
    const empty = (size: number) => ({ size, lengths: {}, fields: new Map<string, Float32Array>() });
    const counts = (exclude: number[]) => {
      const rng = new Rng(11);
      const seen = new Map<number, number>();
      const options = { steps: 12, bos, eos, exclude, choose: (logits: Float32Array, offset: number, length: number) => sampleLogits(logits, offset, length, rng) };
      for (const ids of generate(model, params, empty(500), options)) for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
      return [pad, unk, bos].map((id) => seen.get(id) ?? 0);
    };
    for (const n of counts([])) expect(n).toBeGreaterThan(20);
    expect(counts([pad, unk, bos])).toEqual([0, 0, 0]);

    // The head's bias drawn to <bos> and <unk>: the likeliest sequences are made of them.
    params.get("head.b")![bos] += 8;
    params.get("head.b")![unk] += 6;
    const beam = (exclude: number[]) => [...beamSearch(model, params, empty(1), { steps: 8, bos, eos, width: 4, exclude })[0]];
    expect(beam([]).filter((id) => id === unk || id === bos).length).toBeGreaterThan(4);
    const clean = beam([pad, unk, bos]);
    expect(clean.length).toBeGreaterThan(0);
    for (const id of clean) expect([0, 1, 2, eos]).toContain(id);
  });
});
