// `generate` and `beamSearch` in the emitted module, for a model with an autoregressive target:
// the step functions of the forward pass run one step at a time, each chosen token fed back.
import type { DifferentiatedProgram } from "../ir/nodes.ts";
import type { Names } from "./names.ts";
import { literal } from "./names.ts";

const size = (node: { shape: number[] }) => node.shape.reduce((a, b) => a * b, 1);

/**
 * `generate` for a model with an autoregressive target: the blocks before the target's time
 * loop run whole (an encoder, an init); then, one step at a time, the loops over the target's
 * axis run and `choose` picks each next token from the logits, which is fed back as the next
 * step's input, until every example has chosen <eos> or `steps` run out.
 */
export function generation(p: DifferentiatedProgram, names: Names, kept: Set<number>[], axes: ("t" | "s")[], F: string): string {
  const target = p.data.find((d) => d.shifted);
  if (!target?.axis) return "";
  const axis = target.axis;
  const lossIndex = p.losses.findIndex((l) => l.target === target.name);
  const lossBlock = p.blocks.findIndex((b) => b.losses.some((l) => l.loss === lossIndex));
  const block = p.blocks[lossBlock];
  const prediction = block.nodes[block.losses.find((l) => l.loss === lossIndex)!.node].args[0];
  if (!kept[lossBlock].has(prediction)) throw new Error("the prediction of the generated target is not kept");
  const V = size(block.nodes[prediction]);
  const first = p.blocks.findIndex((b) => b.kind === "loop" && b.axis === axis);
  const before = p.blocks.slice(0, first).map((b, i) => `  for (let k = 0; k < ${b.kind === "loop" ? `T_${b.axis}` : "1"}; k++) forward${i}(${b.direction === "backward" ? `T_${b.axis} - 1 - k` : "k"});`);
  const stepwise = p.blocks.flatMap((b, i) => (i >= first && b.kind === "loop" && b.axis === axis ? [`    forward${i}(t);`] : []));
  const width = (d: (typeof p.data)[number]) => (d.kind === "ids" ? 1 : d.size);
  return `export interface GenerateOptions {
  steps: number; // at most this many tokens (and <eos>)
  bos: number; // the id read before the first token
  eos: number; // the id that ends a sequence
  /** Picks the next id from the logits at [offset, offset + length): argmax, or a sample. */
  choose: (logits: F, offset: number, length: number) => number;
}

/** Sets up a generation: the batch's inputs, the target's axis run to \`steps\`, the encoder run whole. */
function startGeneration(P: Map<string, F>, batch: ModelBatch, steps: number, bos: number): F {
  setBatch(batch.size, { ...batch.lengths, ${axis}: new Int32Array(batch.size).fill(steps) });
  setParams(P);
  const fed = new ${F}(steps * B).fill(bos, 0, B); // what the model reads: <bos>, then the choices
${p.data
  .map((d) =>
    d.name === `${target.name}@input`
      ? `  ${names.data(d.name)} = fed;`
      : `  ${names.data(d.name)} = batch.fields.get(${literal(d.name)}) ?? new ${F}(${d.sequence && d.axis ? `T_${d.axis}` : "1"} * B * ${width(d)});`,
  )
  .join("\n")}
${p.losses.map((_, i) => `  W${i} = 1 / B;`).join("\n")}
${before.join("\n")}
  return fed;
}

/** One step of the target's loops; the logits of every row at step t are then in \`LOGITS\`. */
function generationStep(t: number): void {
${stepwise.map((line) => line.slice(2)).join("\n")}
}
const LOGITS = () => ${names.tape(lossBlock, prediction)};

/** Generates ${literal(target.name)} for each example of the batch (its other fields are inputs). */
export function generate(P: Map<string, F>, batch: ModelBatch, options: GenerateOptions): Int32Array[] {
  const steps = options.steps;
  const fed = startGeneration(P, batch, steps, options.bos);
  const chosen: number[][] = Array.from({ length: B }, () => []);
  const done = new Uint8Array(B);
  let remaining = B;
  for (let t = 0; t < steps && remaining > 0; t++) {
    generationStep(t);
    for (let b = 0; b < B; b++) {
      if (done[b]) continue;
      const id = options.choose(LOGITS(), (t * B + b) * ${V}, ${V});
      if (id === options.eos) {
        done[b] = 1;
        remaining--;
        continue;
      }
      chosen[b].push(id);
      if (t + 1 < steps) fed[(t + 1) * B + b] = id;
    }
  }
  return chosen.map((ids) => Int32Array.from(ids));
}

/** Each example's inputs repeated \`k\` times, so that k hypotheses can run side by side. */
function repeatRows(batch: ModelBatch, k: number): ModelBatch {
  const E = batch.size;
  const fields = new Map<string, Float32Array | Float64Array>();
  for (const [name, values] of batch.fields) {
    const layout = data.find((d) => d.name === name);
    const w = layout && layout.kind === "vectors" ? layout.size : 1;
    const steps = values.length / (E * w);
    const out = new ${F}(values.length * k);
    for (let t = 0; t < steps; t++)
      for (let e = 0; e < E; e++)
        for (let j = 0; j < k; j++) out.set(values.subarray((t * E + e) * w, (t * E + e + 1) * w), ((t * E * k) + e * k + j) * w);
    fields.set(name, out);
  }
  const lengths: ModelBatch["lengths"] = {};
  for (const [axis, ls] of Object.entries(batch.lengths) as [keyof ModelBatch["lengths"], Int32Array][]) lengths[axis] = Int32Array.from({ length: E * k }, (_, r) => ls[Math.floor(r / k)]);
  return { size: E * k, lengths, fields };
}

/** Rows of every per-step buffer of the target's axis, up to step t, taken from their parents. */
function reorderRows(parents: Int32Array, t: number, fed: F): void {
  const permute = (buffer: F, n: number, upTo: number) => {
    for (let u = 0; u <= upTo; u++) {
      const block = buffer.slice(u * B * n, (u + 1) * B * n);
      for (let r = 0; r < B; r++) buffer.set(block.subarray(parents[r] * n, (parents[r] + 1) * n), (u * B + r) * n);
    }
  };
${p.sequences.filter((sq) => sq.axis === axis).map((sq) => `  permute(${names.sequence(sq.name)}, ${sq.size}, t);`).join("\n")}
  permute(fed, 1, t);
}

export interface BeamOptions {
  steps: number;
  bos: number;
  eos: number;
  width: number; // hypotheses kept per example
}

/**
 * Beam search: the \`width\` likeliest hypotheses per example, extended a token at a time; a
 * hypothesis ends at <eos>; the best ended one wins by log-probability per token (length-normalised).
 */
export function beamSearch(P: Map<string, F>, batch: ModelBatch, options: BeamOptions): Int32Array[] {
  const E = batch.size, K = options.width, steps = options.steps;
  const fed = startGeneration(P, repeatRows(batch, K), steps, options.bos);
  const score = new Float64Array(B).fill(-Infinity);
  for (let e = 0; e < E; e++) score[e * K] = 0; // one hypothesis to start from
  let paths: number[][] = Array.from({ length: B }, () => []);
  const ended: { ids: number[]; score: number }[][] = Array.from({ length: E }, () => []);
  const logp = new Float64Array(${V});
  for (let t = 0; t < steps; t++) {
    generationStep(t);
    const parents = new Int32Array(B);
    const nextScore = new Float64Array(B).fill(-Infinity);
    const nextPaths: number[][] = Array.from({ length: B }, () => []);
    const tokens = new Int32Array(B).fill(options.eos);
    for (let e = 0; e < E; e++) {
      const candidates: { row: number; id: number; total: number }[] = [];
      for (let j = 0; j < K; j++) {
        const r = e * K + j;
        if (score[r] === -Infinity) continue;
        const at = (t * B + r) * ${V};
        let max = -Infinity;
        for (let i = 0; i < ${V}; i++) max = Math.max(max, LOGITS()[at + i]);
        let sum = 0;
        for (let i = 0; i < ${V}; i++) sum += Math.exp(LOGITS()[at + i] - max);
        const lse = max + Math.log(sum);
        for (let i = 0; i < ${V}; i++) logp[i] = LOGITS()[at + i] - lse;
        for (let i = 0; i < ${V}; i++) candidates.push({ row: r, id: i, total: score[r] + logp[i] });
      }
      candidates.sort((a, b) => b.total - a.total);
      let kept = 0;
      // The K best extensions: those ending in <eos> end their hypothesis, the others go on.
      for (const c of candidates.slice(0, K)) {
        if (c.id === options.eos) {
          if (ended[e].length < K) ended[e].push({ ids: paths[c.row], score: c.total / (paths[c.row].length + 1) });
          continue;
        }
        const r = e * K + kept++;
        parents[r] = c.row;
        nextScore[r] = c.total;
        nextPaths[r] = [...paths[c.row], c.id];
        tokens[r] = c.id;
      }
      for (let j = kept; j < K; j++) parents[e * K + j] = e * K; // unused rows: any parent
    }
    reorderRows(parents, t, fed);
    score.set(nextScore);
    paths = nextPaths;
    if (t + 1 < steps) for (let r = 0; r < B; r++) fed[(t + 1) * B + r] = tokens[r];
    if (ended.every((list) => list.length >= K)) break;
  }
  return ended.map((list, e) => {
    const open = Array.from({ length: K }, (_, j) => e * K + j).filter((r) => score[r] > -Infinity).map((r) => ({ ids: paths[r], score: score[r] / (paths[r].length + 1) }));
    const all = list.length > 0 ? list : open;
    all.sort((a, b) => b.score - a.score);
    return Int32Array.from(all[0]?.ids ?? []);
  });
}
`;
}
