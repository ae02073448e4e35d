// Decoding a model's autoregressive target token by token: sampled or greedy (`generate`), or by
// beam search. The algorithms live here, once, typed and tested; an emitted module only exports
// its `generator` (model.ts): the part that needs its own buffers — set up a batch, run one step
// of the target's loops, permute rows. So a change to decoding is a change to this file, not to
// a template copied into every module. Browser-safe.
//
// Two things both decodings do on the way, over the same generator interface: a prompt is read
// teacher-forced (step t runs, its logits are ignored, and the prompt's token, not a chosen one,
// is written into the input buffer `start` returned), and excluded ids are never chosen (their
// logits become -Infinity before choosing: the model's distribution renormalised over the rest).
import type { CompiledModel, DataLayout, ModelBatch, ModelGenerator } from "./model.ts";
import type { FloatArray } from "./types.ts";
import { logSumExp } from "./sampling.ts";

/** What sampling and beam search share. */
export interface DecodingOptions {
  steps: number; // at most this many tokens after the prompt (and <eos>)
  bos: number; // the id read before the first token
  eos: number; // the id that ends a sequence
  /**
   * Ids never chosen: their logits are set to -Infinity (in the model's own buffer, which nothing
   * reads after) before choosing, so sampling, argmax and beam search see the model's
   * probabilities renormalised over the other ids. Callers pass the vocabulary's <pad>, <unk> and
   * <bos> (neverGenerated, sample-inputs.ts), which a trained model still gives a little
   * probability; rnnc sample and the browser bundle do. Default: none; excluding <eos> runs every
   * sequence to `steps`.
   */
  exclude?: readonly number[];
  /**
   * Ids the sequence begins with, the same for every row (and every hypothesis): read after
   * <bos> as if the model had chosen them (teacher forcing: its own predictions at those steps
   * are ignored), then generation goes on from the last. The returned sequences begin with them.
   */
  prompt?: ArrayLike<number>;
}

export interface GenerateOptions<A extends FloatArray = FloatArray> extends DecodingOptions {
  /** Picks the next id from the logits at [offset, offset + length): argmax, or a sample. Excluded ids' logits are -Infinity there. */
  choose: (logits: A, offset: number, length: number) => number;
}

export interface BeamOptions extends DecodingOptions {
  width: number; // hypotheses kept per example
}

/** What decoding needs of a model: its generator, and its data layout (for repeating rows). */
export type GenerationModel<A extends FloatArray = FloatArray> = Pick<CompiledModel<A>, "name" | "data" | "generator">;

function generatorOf<A extends FloatArray>(model: GenerationModel<A>): ModelGenerator<A> {
  if (!model.generator) throw new Error(`${model.name} has no target read at t-1 and predicted at t: there is nothing to generate`);
  return model.generator;
}

/**
 * Each example's generated ids (without <eos>): the model's autoregressive target for each
 * example of the batch (its other fields are inputs), one step at a time, `choose` picking each
 * next token from the logits; it is fed back as the next step's input, until every example has
 * chosen <eos> or `steps` run out. With a prompt, the sequences begin with it: steps 0…P-1 read
 * <bos> and the prompt but choose nothing, and step P, reading the prompt's last token, chooses first.
 */
export function generate<A extends FloatArray>(model: GenerationModel<A>, params: Map<string, A>, batch: ModelBatch, options: GenerateOptions<A>): Int32Array[] {
  const generator = generatorOf(model);
  const B = batch.size, V = generator.vocabularySize;
  const { prompt, exclude, end } = decoding(options, V);
  const P = prompt.length;
  const fed = generator.start(params, batch, end, options.bos);
  for (let t = 0; t < P && t + 1 < end; t++) fed.fill(prompt[t], (t + 1) * B, (t + 2) * B);
  const chosen: number[][] = Array.from({ length: B }, () => Array.from(prompt));
  const done = new Uint8Array(B);
  let remaining = B;
  for (let t = 0; t < end && remaining > 0; t++) {
    const logits = generator.step(t);
    if (t < P) continue; // teacher-forced: the prompt's token is already in fed[t + 1]
    for (let b = 0; b < B; b++) {
      if (done[b]) continue;
      const at = (t * B + b) * V;
      for (const id of exclude) logits[at + id] = -Infinity;
      const id = options.choose(logits, at, V);
      if (id === options.eos) {
        done[b] = 1;
        remaining--;
        continue;
      }
      chosen[b].push(id);
      if (t + 1 < end) fed[(t + 1) * B + b] = id;
    }
  }
  return chosen.map((ids) => Int32Array.from(ids));
}

/**
 * Each example's best hypothesis (without <eos>): the `width` likeliest hypotheses per example,
 * extended a token at a time, run side by side as rows e * width + j of one batch. A hypothesis
 * ends at <eos>; the best ended one wins by log-probability per token (<eos> counted), or, when
 * none ended within `steps`, the best open one. A beam of width 1 is greedy search. A prompt is
 * read first, by every row; the hypotheses extend it, and their scores count what follows it.
 */
export function beamSearch<A extends FloatArray>(model: GenerationModel<A>, params: Map<string, A>, batch: ModelBatch, options: BeamOptions): Int32Array[] {
  const generator = generatorOf(model);
  const E = batch.size, K = options.width, B = E * K, V = generator.vocabularySize;
  const { prompt, exclude, end } = decoding(options, V);
  const P = prompt.length;
  const fed = generator.start(params, repeatRows(model.data, batch, K), end, options.bos);
  for (let t = 0; t < P && t + 1 < end; t++) fed.fill(prompt[t], (t + 1) * B, (t + 2) * B);
  const score = new Float64Array(B).fill(-Infinity);
  for (let e = 0; e < E; e++) score[e * K] = 0; // one hypothesis to start from
  let paths: number[][] = Array.from({ length: B }, () => Array.from(prompt));
  const perToken = (path: number[], total: number) => total / (path.length - P + 1); // <eos> counted, the prompt not
  const ended: { ids: number[]; score: number }[][] = Array.from({ length: E }, () => []);
  const logp = new Float64Array(V);
  for (let t = 0; t < end; t++) {
    const logits = generator.step(t);
    if (t < P) continue; // every row reads the prompt: nothing to choose, no row to move
    const parents = new Int32Array(B);
    const nextScore = new Float64Array(B).fill(-Infinity);
    const nextPaths: number[][] = Array.from({ length: B }, () => []);
    const tokens = new Int32Array(B).fill(options.eos);
    for (let e = 0; e < E; e++) {
      const candidates: { row: number; id: number; total: number }[] = [];
      for (let j = 0; j < K; j++) {
        const r = e * K + j;
        if (score[r] === -Infinity) continue;
        for (const id of exclude) logits[(t * B + r) * V + id] = -Infinity;
        logSoftmax(logits, (t * B + r) * V, V, logp);
        // An excluded id (or one of probability 0) is no candidate: it is never kept, nor ends a hypothesis.
        for (let i = 0; i < V; i++) if (logp[i] > -Infinity) candidates.push({ row: r, id: i, total: score[r] + logp[i] });
      }
      candidates.sort((a, b) => b.total - a.total); // stable: ties keep row, then id, order
      let kept = 0;
      // The K best extensions: those ending in <eos> end their hypothesis, the others go on.
      for (const c of candidates.slice(0, K)) {
        if (c.id === options.eos) {
          if (ended[e].length < K) ended[e].push({ ids: paths[c.row], score: perToken(paths[c.row], c.total) });
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
    // Each row's past (its states, what it read) becomes its parent's, then reads its own token.
    generator.reorder(parents, t);
    score.set(nextScore);
    paths = nextPaths;
    if (t + 1 < end) for (let r = 0; r < B; r++) fed[(t + 1) * B + r] = tokens[r];
    if (ended.every((list) => list.length >= K)) break;
  }
  return ended.map((list, e) => {
    const open = Array.from({ length: K }, (_, j) => e * K + j)
      .filter((r) => score[r] > -Infinity)
      .map((r) => ({ ids: paths[r], score: perToken(paths[r], score[r]) }));
    const all = list.length > 0 ? list : open;
    all.sort((a, b) => b.score - a.score);
    return Int32Array.from(all[0]?.ids ?? prompt);
  });
}

/**
 * The options both decodings share, checked against the vocabulary's size V: the prompt's ids,
 * the excluded ids (each once), and `end`, the steps to run: the prompt's, then `steps` more.
 */
function decoding(options: DecodingOptions, V: number): { prompt: Int32Array; exclude: Int32Array; end: number } {
  const id = (what: string) => (x: number) => {
    if (!(Number.isInteger(x) && x >= 0 && x < V)) throw new RangeError(`${what}: ${x} is not an id of the target's vocabulary (0 to ${V - 1})`);
    return x;
  };
  const prompt = Int32Array.from(options.prompt ?? [], id("prompt"));
  const exclude = Int32Array.from(new Set(Array.from(options.exclude ?? [], id("exclude"))));
  if (exclude.length >= V) throw new RangeError(`exclude holds every id of the target's vocabulary: there is nothing left to choose`);
  if (!(Number.isSafeInteger(options.steps) && options.steps >= 0)) throw new RangeError(`steps must be a whole number; got ${options.steps}`);
  return { prompt, exclude, end: options.steps === 0 ? 0 : prompt.length + options.steps };
}

/** `out` = log softmax of logits[at, at + V), in float64 (the max subtracted first: no overflow). */
function logSoftmax(logits: FloatArray, at: number, V: number, out: Float64Array): void {
  const lse = logSumExp(logits, at, V);
  for (let i = 0; i < V; i++) out[i] = logits[at + i] - lse;
}

/**
 * Each example's fields repeated `k` times, as rows e * k + j, so that k hypotheses can run side
 * by side; a vector field's width is read off the model's data layout (ids are 1 wide). The
 * arrays keep the batch's float type.
 */
export function repeatRows(layout: readonly DataLayout[], batch: ModelBatch, k: number): ModelBatch {
  const E = batch.size;
  const fields = new Map<string, FloatArray>();
  for (const [name, values] of batch.fields) {
    const field = layout.find((d) => d.name === name);
    const w = field && field.kind === "vectors" ? field.size : 1;
    const steps = values.length / (E * w);
    const out = values instanceof Float64Array ? new Float64Array(values.length * k) : new Float32Array(values.length * k);
    for (let t = 0; t < steps; t++)
      for (let e = 0; e < E; e++)
        for (let j = 0; j < k; j++) out.set(values.subarray((t * E + e) * w, (t * E + e + 1) * w), (t * E * k + e * k + j) * w);
    fields.set(name, out);
  }
  const lengths: ModelBatch["lengths"] = {};
  for (const [axis, ls] of Object.entries(batch.lengths) as [keyof ModelBatch["lengths"], Int32Array][]) lengths[axis] = Int32Array.from({ length: E * k }, (_, r) => ls[Math.floor(r / k)]);
  return { size: E * k, lengths, fields };
}
