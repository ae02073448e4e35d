// Functions a generated module defines for itself, only when its ops call them. Today one:
// normalCdf, Φ(x) for gelu and its derivative. JavaScript has no erf, so the module carries
// W. J. Cody's erfc, written here from the coefficient arrays of ir/normal-cdf.ts (the compiler's
// own Φ, which the interpreter runs): the two are the same arithmetic on the same numbers, and
// test/6-emit/helpers.test.ts holds them to equal results.
import { erfcLarge, erfcMiddle, erfcZeroPast, erfSmall } from "../ir/normal-cdf.ts";
import type { DifferentiatedProgram } from "../ir/nodes.ts";
import type { Op } from "../ir/ops.ts";

const array = (xs: readonly number[]) => `[${xs.map((x) => String(x)).join(", ")}]`;

/**
 * `normalCdf(x)`: one name in the module (reserved in names.ts), its coefficients and steps kept
 * inside a closure. The same steps as ir/normal-cdf.ts: erfc through Cody's three ranges, e^(-y²)
 * with y² split, Φ(x) = erfc(-x/√2) / 2.
 */
export const normalCdfCode = `// Φ(x), the standard normal CDF: W. J. Cody's erfc (Math. Comp. 23, 1969), accurate to about 1e-16.
const normalCdf = (() => {
  const A = ${array(erfSmall.a)};
  const Bs = ${array(erfSmall.b)};
  const C = ${array(erfcMiddle.c)};
  const D = ${array(erfcMiddle.d)};
  const P = ${array(erfcLarge.p)};
  const Q = ${array(erfcLarge.q)};
  const ratio = (num: number[], den: number[], v: number): number => {
    const n = den.length;
    let xnum = num[n] * v;
    let xden = v;
    for (let i = 0; i < n - 1; i++) {
      xnum = (xnum + num[i]) * v;
      xden = (xden + den[i]) * v;
    }
    return (xnum + num[n - 1]) / (xden + den[n - 1]);
  };
  const expMinusSquare = (y: number): number => {
    const head = Math.trunc(y * 16) / 16;
    return Math.exp(-head * head) * Math.exp(-(y - head) * (y + head));
  };
  const erfcTail = (y: number): number => {
    if (y <= 4) return expMinusSquare(y) * ratio(C, D, y);
    if (y >= ${erfcZeroPast}) return 0;
    const v = 1 / (y * y);
    return (expMinusSquare(y) * (1 / Math.sqrt(Math.PI) - v * ratio(P, Q, v))) / y;
  };
  const erfc = (z: number): number => {
    const y = Math.abs(z);
    if (y <= 0.46875) return 1 - z * ratio(A, Bs, z * z);
    return z > 0 ? erfcTail(y) : 2 - erfcTail(y);
  };
  return (x: number): number => 0.5 * erfc(-x * Math.SQRT1_2);
})();`;

/** The ops whose code calls normalCdf. */
const callsNormalCdf = new Set<Op>(["gelu", "normal_cdf"]);

/** The helpers `p`'s code calls, as module-level code (empty when it calls none). */
export function helpersFor(p: DifferentiatedProgram): string {
  const blocks = [...p.blocks, ...p.backward];
  return blocks.some((b) => b.nodes.some((n) => callsNormalCdf.has(n.op))) ? `${normalCdfCode}\n` : "";
}
