// The kernel peak the "% of peak" column divides by: a tight float32 matrix product on this
// machine, measured in the same `npm run bench` run: rnnc's own WebAssembly SIMD product kernel
// (compiler/6-emit/kernels) on n×n. The 4×4 register-blocked product in plain JavaScript is kept
// as a second PeakKernel: the best plain JavaScript does, for comparison.
import { compileKernels } from "../compiler/6-emit/kernels/compile.ts";
import { Kernels } from "../compiler/6-emit/kernels/index.ts";

export interface PeakKernel {
  /** Shown in the table's header and the JSON. */
  name: string;
  /**
   * Prepares C = A·B for n×n float32 matrices (n a multiple of 8): allocates and fills the
   * operands once, and returns the multiply (2·n³ FLOPs per call) and a check value of C.
   */
  prepare(n: number): { multiply(): void; check(): number };
}

export interface PeakResult {
  kernel: string;
  n: number;
  gflops: number; // the best of the timed runs: a peak, and robust to another process taking the core for a moment
  runs: number[]; // GFLOP/s of each timed run
}

/**
 * C = A·B, 4 rows of A by 4 columns of B at a time: 16 sums held in locals (registers) over the
 * whole k loop, each value loaded used four times. B is packed once into panels of 4 columns
 * (k-major, contiguous) so that the inner loop reads both operands sequentially.
 */
export const jsBlocked4x4: PeakKernel = {
  name: "JS 4×4 register-blocked float32 matmul",
  prepare(n: number) {
    if (n % 4 !== 0) throw new RangeError(`n must be a multiple of 4, got ${n}`);
    const A = new Float32Array(n * n);
    const B = new Float32Array(n * n);
    const C = new Float32Array(n * n);
    for (let i = 0; i < n * n; i++) {
      A[i] = ((i * 7919) % 1000) / 1000 - 0.5;
      B[i] = ((i * 104729) % 1000) / 1000 - 0.5;
    }
    const packed = new Float32Array(n * n); // panel j/4: for each k, B[k][j..j+3]
    const multiply = () => {
      for (let j = 0; j < n; j += 4) {
        const panel = j * n;
        for (let k = 0; k < n; k++) {
          const src = k * n + j, dst = panel + 4 * k;
          packed[dst] = B[src];
          packed[dst + 1] = B[src + 1];
          packed[dst + 2] = B[src + 2];
          packed[dst + 3] = B[src + 3];
        }
      }
      for (let i = 0; i < n; i += 4) {
        const r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
        for (let j = 0; j < n; j += 4) {
          let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
          let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
          let p = j * n;
          for (let k = 0; k < n; k++, p += 4) {
            const b0 = packed[p], b1 = packed[p + 1], b2 = packed[p + 2], b3 = packed[p + 3];
            const a0 = A[r0 + k], a1 = A[r1 + k], a2 = A[r2 + k], a3 = A[r3 + k];
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
          }
          C[r0 + j] = c00; C[r0 + j + 1] = c01; C[r0 + j + 2] = c02; C[r0 + j + 3] = c03;
          C[r1 + j] = c10; C[r1 + j + 1] = c11; C[r1 + j + 2] = c12; C[r1 + j + 3] = c13;
          C[r2 + j] = c20; C[r2 + j + 1] = c21; C[r2 + j + 2] = c22; C[r2 + j + 3] = c23;
          C[r3 + j] = c30; C[r3 + j + 1] = c31; C[r3 + j + 2] = c32; C[r3 + j + 3] = c33;
        }
      }
    };
    return { multiply, check: () => C[0] + C[n * n - 1] };
  },
};

/** C = A·B in the kernel rnnc's emitted modules call (4×8-blocked f32x4), sizes as constants as they emit them. */
export const wasmSimdKernel: PeakKernel = {
  name: "rnnc's WebAssembly SIMD product kernel (float32)",
  prepare(n: number) {
    const kernels = new Kernels();
    const call = kernels.product({ Q: n, K: n, aP: n, aK: 1, add: false }, "P", "K", "a", "c", "out");
    const name = call.slice("KERNELS.".length, call.indexOf("("));
    const bytes = 3 * n * n * 4;
    const memory = new WebAssembly.Memory({ initial: 1 + Math.ceil(bytes / 65536) });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(compileKernels(kernels.source())), { env: { memory } });
    const product = instance.exports[name] as (P: number, a: number, c: number, out: number) => void;
    const [a, b, c] = [65536, 65536 + n * n * 4, 65536 + 2 * n * n * 4];
    const A = new Float32Array(memory.buffer, a, n * n), B = new Float32Array(memory.buffer, b, n * n), C = new Float32Array(memory.buffer, c, n * n);
    for (let i = 0; i < n * n; i++) {
      A[i] = ((i * 7919) % 1000) / 1000 - 0.5;
      B[i] = ((i * 104729) % 1000) / 1000 - 0.5;
    }
    return { multiply: () => product(n, a, b, c), check: () => C[0] + C[n * n - 1] };
  },
};

/** The kernel whose speed is "the peak": the one rnnc's products run in. */
export const PEAK_KERNEL: PeakKernel = wasmSimdKernel;

/** Times `kernel` on n×n: warm-up, then `runs` timed runs of ≥ `seconds` each; the best GFLOP/s. */
export function measurePeak(options: { kernel?: PeakKernel; n?: number; runs?: number; seconds?: number } = {}): PeakResult {
  const { kernel = PEAK_KERNEL, n = 512, runs = 5, seconds = 0.3 } = options;
  const { multiply, check } = kernel.prepare(n);
  const flops = 2 * n * n * n;
  const warmEnd = performance.now() + 1000 * seconds;
  do multiply();
  while (performance.now() < warmEnd);
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    let count = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      multiply();
      count++;
      elapsed = performance.now() - start;
    } while (elapsed < 1000 * seconds);
    rates.push((count * flops) / (elapsed / 1000) / 1e9);
  }
  if (!Number.isFinite(check())) throw new Error(`${kernel.name}: the product is not finite`);
  return { kernel: kernel.name, n, gflops: Math.max(...rates), runs: rates };
}
