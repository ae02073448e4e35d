// Parity: the toy task of examples/parity.rnn. Each example is a bit string and whether it has an
// even or odd number of 1s: `{ "bits": "0110", "even": "even" }`.
//
// Generation is seeded and self-contained (its own small RNG, mulberry32), so the same seed gives
// the same files on every machine. Lengths are drawn uniformly from [minLength, maxLength], then
// each bit uniformly. `exclude` holds strings that must not appear (a held-out set excludes the
// training strings); short lengths have few distinct strings (2 of length 1), so a held-out set
// has fewer short examples: a string that is excluded is redrawn, length included.

export interface ParityExample {
  bits: string;
  even: "even" | "odd";
}

export interface ParityOptions {
  minLength: number;
  maxLength: number;
  seed: number;
  exclude?: ReadonlySet<string>;
}

export function parityLabel(bits: string): "even" | "odd" {
  let ones = 0;
  for (const bit of bits) if (bit === "1") ones++;
  return ones % 2 === 0 ? "even" : "odd";
}

/** `count` examples (fewer only if `exclude` leaves too few strings to draw from). */
export function parityExamples(count: number, options: ParityOptions): ParityExample[] {
  const { minLength, maxLength, exclude } = options;
  if (!(Number.isInteger(minLength) && Number.isInteger(maxLength) && 1 <= minLength && minLength <= maxLength)) {
    throw new RangeError(`parity: lengths must be integers with 1 <= minLength <= maxLength (got ${minLength}..${maxLength})`);
  }
  const random = mulberry32(options.seed);
  const examples: ParityExample[] = [];
  for (let attempts = 0; examples.length < count && attempts < count * 100; attempts++) {
    const length = minLength + Math.floor(random() * (maxLength - minLength + 1));
    let bits = "";
    for (let i = 0; i < length; i++) bits += random() < 0.5 ? "0" : "1";
    if (exclude?.has(bits)) continue;
    examples.push({ bits, even: parityLabel(bits) });
  }
  return examples;
}

/** mulberry32 (Tommy Ettinger): a 32-bit seeded generator of uniform numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}
