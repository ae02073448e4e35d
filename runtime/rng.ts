// A seeded, deterministic random number generator: sfc32 (Chris Doty-Humphrey's Small Fast
// Counting generator, from PractRand), seeded through splitmix32. Same seed, same numbers, on
// every JavaScript engine — and its state can be saved in a checkpoint to resume exactly.

/** Everything needed to continue a stream exactly where it was: JSON-safe. */
export interface RngState {
  algorithm: "sfc32";
  words: [number, number, number, number]; // a, b, c and the counter d, as unsigned 32-bit integers
  spare: number | null; // the second normal of the last polar draw, not yet returned
}

const TWO_TO_32 = 4294967296;

export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  private spare: number | null = null;

  /** `seed` is any safe integer; seeds that differ anywhere in their 53 bits give different streams. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`Rng seed must be a safe integer, got ${seed}`);
    // splitmix32 spreads the seed over the whole state, so nearby seeds give unrelated streams.
    let s = (seed >>> 0) ^ Math.imul(Math.floor(seed / TWO_TO_32) >>> 0, 0x85ebca6b);
    const mix = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s ^ (s >>> 16);
      z = Math.imul(z, 0x21f0aaad);
      z ^= z >>> 15;
      z = Math.imul(z, 0x735a2d97);
      return (z ^ (z >>> 15)) | 0;
    };
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 12; i++) this.uint32(); // the recommended warm-up of sfc32
  }

  /** Continues the stream saved by `state()`; accepts the value as read back from a checkpoint. */
  static fromState(state: unknown): Rng {
    const s = state as Partial<RngState> | null;
    const ok =
      typeof s === "object" &&
      s !== null &&
      s.algorithm === "sfc32" &&
      Array.isArray(s.words) &&
      s.words.length === 4 &&
      s.words.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_TO_32) &&
      (s.spare === null || typeof s.spare === "number");
    if (!ok) throw new Error(`not an Rng state: ${JSON.stringify(state)}`);
    const rng = new Rng(0);
    [rng.a, rng.b, rng.c, rng.d] = s.words!.map((w) => w | 0);
    rng.spare = s.spare!;
    return rng;
  }

  /** Goes back (or forward) to a state saved by `state()`: this same generator continues from there. */
  load(state: unknown): void {
    const from = Rng.fromState(state);
    [this.a, this.b, this.c, this.d, this.spare] = [from.a, from.b, from.c, from.d, from.spare];
  }

  state(): RngState {
    return { algorithm: "sfc32", words: [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0], spare: this.spare };
  }

  /** Uniform on the integers [0, 2^32). */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform on [0, 1), in steps of 2^-32. */
  next(): number {
    return this.uint32() / TWO_TO_32;
  }

  /** Uniform on the integers [0, n), without the bias of `floor(next() * n)`. */
  int(n: number): number {
    if (!(Number.isInteger(n) && n > 0 && n <= TWO_TO_32)) throw new RangeError(`Rng.int needs an integer in [1, 2^32], got ${n}`);
    // Reject the top sliver of [0, 2^32) that does not divide evenly into n parts.
    const limit = TWO_TO_32 - (TWO_TO_32 % n);
    let x = this.uint32();
    while (x >= limit) x = this.uint32();
    return x % n;
  }

  /** Standard normal (mean 0, variance 1), by Marsaglia's polar method; every other call is free. */
  normal(): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return z;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const scale = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * scale;
    return u * scale;
  }

  /** Shuffles `array` in place (Fisher–Yates) and returns it. */
  shuffle<A extends { length: number; [index: number]: unknown }>(array: A): A {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const x = array[i];
      array[i] = array[j];
      array[j] = x;
    }
    return array;
  }

  /**
   * An index in [0, length) drawn with probability proportional to `weights[offset + index]`.
   * The weights need not sum to 1; they must be non-negative with a positive, finite sum.
   */
  categorical(weights: ArrayLike<number>, offset = 0, length = weights.length - offset): number {
    let total = 0;
    for (let i = 0; i < length; i++) {
      const w = weights[offset + i];
      if (!(w >= 0)) throw new RangeError(`Rng.categorical: weight ${i} is ${w}`);
      total += w;
    }
    if (!(total > 0 && total < Infinity)) throw new RangeError(`Rng.categorical: the weights sum to ${total}`);
    const u = this.next() * total;
    let sum = 0;
    let last = 0;
    for (let i = 0; i < length; i++) {
      const w = weights[offset + i];
      if (w === 0) continue;
      sum += w;
      if (u < sum) return i;
      last = i;
    }
    return last; // u fell past the rounded sum: the last index that can be drawn
  }

  /** A new generator whose stream is independent of this one's; advances this one by four draws. */
  fork(): Rng {
    const child = new Rng(0);
    child.a = fmix32(this.uint32() ^ 0x2545f491);
    child.b = fmix32(this.uint32() ^ 0x9e3779b9);
    child.c = fmix32(this.uint32() ^ 0x6a09e667);
    child.d = fmix32(this.uint32() ^ 0xbb67ae85);
    for (let i = 0; i < 12; i++) child.uint32();
    return child;
  }
}

/** MurmurHash3's finalizer: a bijection on 32-bit words that scatters every input bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
