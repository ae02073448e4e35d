// Sizes are polynomials with integer coefficients over symbols: a cell's size parameters
// (`I`, `H`) while its definition is checked, and the sizes bound from data (`vocab(x)`,
// `classes(y)`) in a model. Known dims are numbers by then. `I + H` and `H + I` are one size.

/** Monomial key (symbols joined by `*`, sorted; "" for the constant) → coefficient. */
export type Size = ReadonlyMap<string, number>;

export const constant = (n: number): Size => (n === 0 ? new Map() : new Map([["", n]]));
export const symbol = (name: string): Size => new Map([[name, 1]]);

function build(entries: Iterable<[string, number]>): Size {
  const out = new Map<string, number>();
  for (const [k, c] of entries) {
    const sum = (out.get(k) ?? 0) + c;
    if (sum === 0) out.delete(k);
    else out.set(k, sum);
  }
  return out;
}

export const add = (a: Size, b: Size): Size => build([...a, ...b]);
export const negate = (a: Size): Size => build([...a].map(([k, c]) => [k, -c]));
export const subtract = (a: Size, b: Size): Size => add(a, negate(b));

export function multiply(a: Size, b: Size): Size {
  const terms: [string, number][] = [];
  for (const [ka, ca] of a)
    for (const [kb, cb] of b) terms.push([[...split(ka), ...split(kb)].sort().join("*"), ca * cb]);
  return build(terms);
}

const split = (key: string) => (key === "" ? [] : key.split("*"));

/** The number, when the size has no symbols. */
export function numeric(a: Size): number | undefined {
  for (const k of a.keys()) if (k !== "") return undefined;
  return a.get("") ?? 0;
}

export function equal(a: Size, b: Size): boolean {
  return numeric(subtract(a, b)) === 0;
}

/**
 * True when a ≥ b for every value ≥ 1 of the symbols, false when a < b for all of them,
 * undefined when it depends on them. Symbols stand for sizes, so they are at least 1.
 */
export function atLeast(a: Size, b: Size): boolean | undefined {
  const d = subtract(a, b);
  const coefficients = [...d.entries()];
  if (coefficients.every(([k, c]) => k === "" || c >= 0)) {
    // smallest value: every symbol at 1
    const least = coefficients.reduce((s, [, c]) => s + c, 0);
    if (least >= 0) return true;
    if (coefficients.every(([k]) => k === "")) return false;
    return undefined;
  }
  if (coefficients.every(([k, c]) => k === "" || c <= 0)) {
    const most = coefficients.reduce((s, [, c]) => s + c, 0);
    return most < 0 ? false : undefined;
  }
  return undefined;
}

/** Replaces symbols by sizes: binds a cell's `I, H` to a model's `32, vocab(x)`. */
export function substitute(a: Size, bindings: ReadonlyMap<string, Size>): Size {
  let out: Size = new Map();
  for (const [key, c] of a) {
    let term: Size = constant(c);
    for (const s of split(key)) term = multiply(term, bindings.get(s) ?? symbol(s));
    out = add(out, term);
  }
  return out;
}

export function symbolsOf(a: Size): string[] {
  return [...new Set([...a.keys()].flatMap(split))];
}

/** `4*H`, `I + H`, `vocab(x) - 1`, `32`: symbols first, in a stable order, then the constant. */
export function formatSize(a: Size): string {
  const terms = [...a.entries()].sort(([x], [y]) => (x === "" ? 1 : y === "" ? -1 : x < y ? -1 : 1));
  if (terms.length === 0) return "0";
  return terms
    .map(([k, c], i) => {
      const magnitude = Math.abs(c);
      const body = k === "" ? String(magnitude) : magnitude === 1 ? k : `${magnitude}*${k}`;
      const sign = c < 0 ? (i === 0 ? "-" : " - ") : i === 0 ? "" : " + ";
      return sign + body;
    })
    .join("");
}

export const formatShape = (shape: readonly Size[]) => `[${shape.map(formatSize).join(", ")}]`;

export const product = (shape: readonly Size[]): Size => shape.reduce(multiply, constant(1));
