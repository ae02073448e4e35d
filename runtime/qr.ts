// Thin QR decomposition by Householder reflections, in float64: enough linear algebra for the
// orthogonal initializer, and no more. (Householder rather than Gram–Schmidt: Q stays orthonormal
// to rounding error however ill-conditioned the input.) Inside, matrices are stored column by
// column, because every loop walks down a column.

/**
 * For a row-major m×n matrix `a` with m ≥ n, returns Q (row-major m×n, orthonormal columns) and
 * the diagonal of R (n values) such that a = Q·R with R upper triangular. `a` is not modified.
 */
export function householderQr(a: Float64Array, m: number, n: number): { q: Float64Array; rDiagonal: Float64Array } {
  if (m < n) throw new RangeError(`householderQr needs rows ≥ columns, got ${m}×${n}`);
  if (a.length !== m * n) throw new RangeError(`householderQr: ${a.length} values for a ${m}×${n} matrix`);
  const r = transpose(a, m, n); // column-major; reduced to R in place
  const reflectors = new Float64Array(m * n); // column k: the unit vector v_k, nonzero in rows k…m-1
  const rDiagonal = new Float64Array(n);

  for (let k = 0; k < n; k++) {
    const column = k * m;
    let norm = 0;
    for (let i = k; i < m; i++) norm += r[column + i] ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) continue; // the column is already zero below the diagonal: no reflection
    // Reflect x onto alpha·e_k with alpha of the opposite sign to x_k, so v = x - alpha·e_k never cancels.
    const alpha = r[column + k] >= 0 ? -norm : norm;
    let vNorm = 0;
    for (let i = k; i < m; i++) {
      const vi = r[column + i] - (i === k ? alpha : 0);
      reflectors[column + i] = vi;
      vNorm += vi * vi;
    }
    vNorm = Math.sqrt(vNorm);
    for (let i = k; i < m; i++) reflectors[column + i] /= vNorm;
    rDiagonal[k] = alpha;
    reflect(reflectors, k, r, m, n, k + 1); // column k itself is now alpha·e_k: R's diagonal
  }

  // Q = H_0 H_1 … H_{n-1} applied to the first n columns of the identity, innermost first.
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * m + j] = 1;
  // H_k leaves columns j < k alone: they are still e_j there, zero where v_k is not.
  for (let k = n - 1; k >= 0; k--) reflect(reflectors, k, q, m, n, k);
  return { q: transpose(q, n, m), rDiagonal };
}

/** target ← (I - 2 v vᵀ) target for columns from `first` on, v = column k of `reflectors`; m×n column-major. */
function reflect(reflectors: Float64Array, k: number, target: Float64Array, m: number, n: number, first: number): void {
  const v = k * m;
  for (let j = first; j < n; j++) {
    const column = j * m;
    let dot = 0;
    for (let i = k; i < m; i++) dot += reflectors[v + i] * target[column + i];
    if (dot === 0) continue;
    dot *= 2;
    for (let i = k; i < m; i++) target[column + i] -= reflectors[v + i] * dot;
  }
}

/** The transpose of a row-major rows×cols matrix (equivalently: row-major ↔ column-major). */
function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}
