// The Moby-Dick baseline: a character n-gram model with Witten–Bell interpolation, in bits per
// character. No parameter is tuned (Witten–Bell sets every mixing weight from the training counts),
// so the held-out text is never looked at to build it.
//
// Each chunk is read as the model reads it: the first character predicted from the chunk's start
// alone, each next one from the characters before it in the same chunk (never across chunks, as the
// RNN starts every chunk afresh). For order n the context is the previous n−1 characters, padded
// at the chunk's start with a start symbol (the RNN's <bos>). With c(h) how often context h was
// followed by anything in training, c(h, x) by x, and T(h) how many different characters followed h:
//
//   P_n(x | h) = (c(h, x) + T(h) · P_{n−1}(x | h′)) / (c(h) + T(h))     h′ = h without its oldest character
//   P_n(x | h) = P_{n−1}(x | h′)                                        when c(h) = 0 (h never seen)
//   P_0(x)     = 1 / V                                                  V = training characters + 1
//
// The extra symbol of V is "unknown": a held-out character never seen in training is scored as
// that symbol (its P is then at most 1/V-ish, never 0) and counted in `unknown`.

const START = "\u0002"; // before a chunk's first character; never in the text
const UNKNOWN = "\u0003"; // a character the training text does not have

export interface NgramResult {
  order: number;
  /** Mean −log₂ P over the predicted characters, and the same in nats. */
  bits: number;
  nats: number;
  /** Characters predicted, and how many of them training never saw. */
  characters: number;
  unknown: number;
  /** Training characters + 1 (the unknown symbol). */
  vocabulary: number;
}

export interface NgramCounts {
  order: number;
  /** context + "\u0001" + next → count, for every context length 0 … order−1. */
  pairs: Map<string, number>;
  /** context → [times followed by anything, distinct characters that followed]. */
  contexts: Map<string, [number, number]>;
  characters: Set<string>;
}

/** Counts every (context, next) pair of the training chunks, contexts of length 0 … order−1. */
export function countNgrams(chunks: readonly string[], order: number): NgramCounts {
  if (!(Number.isInteger(order) && order >= 1)) throw new RangeError(`ngram: the order must be a whole number ≥ 1 (got ${order})`);
  const counts: NgramCounts = { order, pairs: new Map(), contexts: new Map(), characters: new Set() };
  for (const chunk of chunks) {
    const symbols = [...Array<string>(order - 1).fill(START), ...chunk];
    for (let i = order - 1; i < symbols.length; i++) {
      const next = symbols[i]!;
      counts.characters.add(next);
      for (let k = 0; k < order; k++) {
        const context = symbols.slice(i - k, i).join("");
        const key = `${context}\u0001${next}`;
        const seen = counts.pairs.get(key) ?? 0;
        counts.pairs.set(key, seen + 1);
        const total = counts.contexts.get(context) ?? [0, 0];
        counts.contexts.set(context, [total[0] + 1, total[1] + (seen === 0 ? 1 : 0)]);
      }
    }
  }
  return counts;
}

/** P(next | the previous order−1 symbols `history`), interpolated down to the uniform 1/V. */
export function ngramProbability(counts: NgramCounts, history: readonly string[], next: string): number {
  let p = 1 / (counts.characters.size + 1);
  for (let k = 0; k < counts.order; k++) {
    const context = history.slice(history.length - k).join("");
    const seen = counts.contexts.get(context);
    if (!seen) continue; // a context never seen: keep the lower order's estimate
    const [total, types] = seen;
    p = ((counts.pairs.get(`${context}\u0001${next}`) ?? 0) + types * p) / (total + types);
  }
  return p;
}

/** Scores held-out chunks under counts of training chunks. */
export function scoreNgram(counts: NgramCounts, chunks: readonly string[]): NgramResult {
  let nats = 0, characters = 0, unknown = 0;
  const order = counts.order;
  for (const chunk of chunks) {
    const symbols = [...Array<string>(order - 1).fill(START), ...Array.from(chunk, (c) => (counts.characters.has(c) ? c : UNKNOWN))];
    for (let i = order - 1; i < symbols.length; i++) {
      if (symbols[i] === UNKNOWN) unknown++;
      nats -= Math.log(ngramProbability(counts, symbols.slice(i - (order - 1), i), symbols[i]!));
      characters++;
    }
  }
  const mean = characters === 0 ? 0 : nats / characters;
  return { order, bits: mean / Math.LN2, nats: mean, characters, unknown, vocabulary: counts.characters.size + 1 };
}

/** Bits per character of `heldOut` under a Witten–Bell n-gram of order `order` fitted on `train`. */
export function ngramBits(train: readonly string[], heldOut: readonly string[], order: number): NgramResult {
  return scoreNgram(countNgrams(train, order), heldOut);
}
