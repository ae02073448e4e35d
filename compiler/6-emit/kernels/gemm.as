// AssemblyScript (compiled to WebAssembly with `asc --enable simd`): the one blocked product every
// kernel of a model is made from. The emitter appends small exported wrappers that call it with
// the model's sizes as constants; asc inlines it into each and folds them in.
//
//   out[p, q] (+)= Σ_k a[p·aP + k·aK] · c[k·cQ + q]       (pointers are byte offsets)
//
// (cQ, c's row stride, is Q but for a product over some rows of a matrix, W[from:to] @ x: then
// c is columns from..to of Wᵀ, and its pointer is an offset into Wᵀ.)
//
// The rows of c and out are contiguous along q, so four lanes of q go in one f32x4; a is read one
// number at a time (any strides: a matrix, or its transpose) and splatted. A block is 4 rows of p
// by 8 of q: eight f32x4 sums stay in registers, and each value loaded is used twice or four times.

@inline function gemm(P: i32, Q: i32, cQ: i32, K: i32, aP: i32, aK: i32, a: usize, c: usize, out: usize, add: bool): void {
  const P4 = P & ~3, Q8 = Q & ~7;
  const rowA = <usize>aP << 2, stepA = <usize>aK << 2, rowC = <usize>cQ << 2, rowO = <usize>Q << 2;
  for (let p = 0; p < P4; p += 4) {
    const a0 = a + <usize>p * rowA, a1 = a0 + rowA, a2 = a1 + rowA, a3 = a2 + rowA;
    for (let q = 0; q < Q8; q += 8) {
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
      let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
      let cp = c + (<usize>q << 2), ak: usize = 0;
      for (let k = 0; k < K; k++) {
        const c0 = v128.load(cp), c1 = v128.load(cp, 16);
        const u0 = f32x4.splat(load<f32>(a0 + ak)), u1 = f32x4.splat(load<f32>(a1 + ak));
        s00 = f32x4.add(s00, f32x4.mul(u0, c0)); s01 = f32x4.add(s01, f32x4.mul(u0, c1));
        s10 = f32x4.add(s10, f32x4.mul(u1, c0)); s11 = f32x4.add(s11, f32x4.mul(u1, c1));
        const u2 = f32x4.splat(load<f32>(a2 + ak)), u3 = f32x4.splat(load<f32>(a3 + ak));
        s20 = f32x4.add(s20, f32x4.mul(u2, c0)); s21 = f32x4.add(s21, f32x4.mul(u2, c1));
        s30 = f32x4.add(s30, f32x4.mul(u3, c0)); s31 = f32x4.add(s31, f32x4.mul(u3, c1));
        cp += rowC; ak += stepA;
      }
      const o = out + (<usize>(p * Q + q) << 2);
      put(o, s00, s01, add); put(o + rowO, s10, s11, add); put(o + 2 * rowO, s20, s21, add); put(o + 3 * rowO, s30, s31, add);
    }
  }
  // Rows past the last block of 4 (all of them when P is 1: inference), sixteen columns at a
  // time, then eight: one number of a splatted serves four or two f32x4 products.
  const Q16 = Q & ~15;
  for (let p = P4; p < P; p++) {
    const ap = a + <usize>p * rowA;
    for (let q = 0; q < Q16; q += 16) {
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let cp = c + (<usize>q << 2), ak: usize = 0;
      for (let k = 0; k < K; k++) {
        const u = f32x4.splat(load<f32>(ap + ak));
        s0 = f32x4.add(s0, f32x4.mul(u, v128.load(cp))); s1 = f32x4.add(s1, f32x4.mul(u, v128.load(cp, 16)));
        s2 = f32x4.add(s2, f32x4.mul(u, v128.load(cp, 32))); s3 = f32x4.add(s3, f32x4.mul(u, v128.load(cp, 48)));
        cp += rowC; ak += stepA;
      }
      const o = out + (<usize>(p * Q + q) << 2);
      put(o, s0, s1, add);
      put(o + 32, s2, s3, add);
    }
    for (let q = Q16; q < Q8; q += 8) {
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
      let cp = c + (<usize>q << 2), ak: usize = 0;
      for (let k = 0; k < K; k++) {
        const u = f32x4.splat(load<f32>(ap + ak));
        s0 = f32x4.add(s0, f32x4.mul(u, v128.load(cp))); s1 = f32x4.add(s1, f32x4.mul(u, v128.load(cp, 16)));
        cp += rowC; ak += stepA;
      }
      put(out + (<usize>(p * Q + q) << 2), s0, s1, add);
    }
  }
  // Columns past the last block of 8, one at a time.
  if (Q8 < Q)
    for (let p = 0; p < P; p++)
      for (let q = Q8; q < Q; q++) {
        let s: f32 = 0;
        for (let k = 0; k < K; k++) s += load<f32>(a + <usize>p * rowA + <usize>k * stepA) * load<f32>(c + <usize>k * rowC + (<usize>q << 2));
        const o = out + (<usize>(p * Q + q) << 2);
        store<f32>(o, add ? load<f32>(o) + s : s);
      }
}

/** Eight sums into out[0..8): stored, or added to what is there. */
@inline function put(o: usize, s0: v128, s1: v128, add: bool): void {
  if (add) {
    v128.store(o, f32x4.add(v128.load(o), s0));
    v128.store(o, f32x4.add(v128.load(o, 16), s1), 16);
  } else {
    v128.store(o, s0);
    v128.store(o, s1, 16);
  }
}
