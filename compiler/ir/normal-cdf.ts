// Φ(x), the standard normal distribution's CDF, for gelu(x) = x·Φ(x) and its derivative.
// JavaScript has no Math.erf; this is W. J. Cody's (Math. Comp. 23, 1969; his CALERF routine)
// rational approximations, accurate to about 1e-16 relative in float64: the simpler
// Abramowitz–Stegun 7.1.26 is only good to 1.5e-7, too coarse for a float64 gradient check.
//
// Φ(x) = erfc(-x/√2) / 2 is computed through erfc rather than 1 + erf, so that Φ keeps its
// relative accuracy far into the left tail, where 1 + erf(x/√2) would cancel to nothing.
//
// The coefficients live here once: the compiler's Φ (below, for ir/op-semantics.ts) and the one
// generated modules carry (6-emit/helpers.ts) are both written from these arrays.

/** erf(y) = y·A(y²)/B(y²) for |y| ≤ 0.46875: A's five coefficients, highest power last but one. */
export const erfSmall = {
  a: [3.1611237438705656, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315],
  b: [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171],
};
/** erfc(y)·e^(y²) = C(y)/D(y) for 0.46875 < y ≤ 4. */
export const erfcMiddle = {
  c: [0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001, 881.952221241769, 1712.0476126340707, 2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8],
  d: [15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597, 4362.619090143247, 3439.3676741437216, 1230.3393548037495],
};
/** erfc(y)·y·e^(y²) = 1/√π − P(1/y²)/(y²·Q(1/y²)) for y > 4. */
export const erfcLarge = {
  p: [0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275, 6.587491615298378e-4, 0.016315387137302097],
  q: [2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918],
};
/** Past this, erfc(y) underflows to 0. */
export const erfcZeroPast = 26.543;

/** The ratio of Cody's two polynomials in v: num has n + 1 coefficients (its last is the leading one), den n. */
function ratio(num: readonly number[], den: readonly number[], v: number): number {
  const n = den.length;
  let xnum = num[n] * v;
  let xden = v;
  for (let i = 0; i < n - 1; i++) {
    xnum = (xnum + num[i]) * v;
    xden = (xden + den[i]) * v;
  }
  return (xnum + num[n - 1]) / (xden + den[n - 1]);
}

/** e^(-y²), with y² split so that its rounding does not cost e^(-y²) its accuracy for large y. */
function expMinusSquare(y: number): number {
  const head = Math.trunc(y * 16) / 16;
  return Math.exp(-head * head) * Math.exp(-(y - head) * (y + head));
}

/** erfc(y) for y ≥ 0.46875. */
function erfcTail(y: number): number {
  if (y <= 4) return expMinusSquare(y) * ratio(erfcMiddle.c, erfcMiddle.d, y);
  if (y >= erfcZeroPast) return 0;
  const v = 1 / (y * y);
  return (expMinusSquare(y) * (1 / Math.sqrt(Math.PI) - v * ratio(erfcLarge.p, erfcLarge.q, v))) / y;
}

/** erfc(z) = 1 − erf(z), for any z. */
export function erfc(z: number): number {
  const y = Math.abs(z);
  if (y <= 0.46875) return 1 - z * ratio(erfSmall.a, erfSmall.b, z * z);
  return z > 0 ? erfcTail(y) : 2 - erfcTail(y);
}

/** Φ(x) = P(N(0, 1) ≤ x). */
export const normalCdf = (x: number): number => 0.5 * erfc(-x * Math.SQRT1_2);
