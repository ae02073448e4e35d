// The WebAssembly kernels of one model: every product the emitted loops hand over, collected as
// they are emitted (one small wrapper per distinct shape, its sizes written in as constants),
// then written out as AssemblyScript around the one blocked routine in gemm.as.
import { readFileSync } from "node:fs";

/** out[p, q] (+)= Σ_k a[p·aP + k·aK] · c[k·cQ + q]: what a kernel computes, and which sizes it fixes. */
export interface ProductShape {
  Q: number; // columns of out (its row stride), and of c
  cQ?: number; // c's row stride, when c is some of the columns of a wider matrix (Wᵀ's columns from..to for W[from:to] @ x); else Q
  K?: number; // the length of the sums, when it is a constant (else passed at each call)
  aP: number; // a's strides: one row of p, one step of k
  aK: number;
  add: boolean; // out += … instead of out = …
}

const GEMM = readFileSync(new URL("./gemm.as", import.meta.url), "utf8");

export class Kernels {
  private readonly shapes = new Map<string, ProductShape>();

  /**
   * The call, as TypeScript: `a`, `c` and `out` are Float32Array views of the kernels' memory;
   * `at` starts c or out that many numbers into theirs (the rows of a stacked weight, or of its gradient).
   */
  product(shape: ProductShape, P: string, K: string, a: string, c: string, out: string, at: { c?: number; out?: number } = {}): string {
    const stride = shape.cQ === undefined || shape.cQ === shape.Q ? "" : `_c${shape.cQ}`;
    const name = `product_q${shape.Q}${stride}_k${shape.K ?? "n"}_a${shape.aP}x${shape.aK}_${shape.add ? "add" : "set"}`;
    this.shapes.set(name, shape);
    const sizes = shape.K === undefined ? `${P}, ${K}` : P;
    const pointer = (view: string, offset = 0) => `${view}.byteOffset${offset ? ` + ${4 * offset}` : ""}`;
    return `KERNELS.${name}(${sizes}, ${pointer(a)}, ${pointer(c, at.c)}, ${pointer(out, at.out)});`;
  }

  get names(): string[] {
    return [...this.shapes.keys()];
  }

  /** The AssemblyScript source: gemm.as and one exported wrapper per shape used. */
  source(): string {
    const wrappers = [...this.shapes].map(([name, s]) => {
      const K = s.K === undefined ? "K" : `${s.K}`;
      const params = s.K === undefined ? "P: i32, K: i32" : "P: i32";
      return `export function ${name}(${params}, a: usize, c: usize, out: usize): void { gemm(P, ${s.Q}, ${s.cQ ?? s.Q}, ${K}, ${s.aP}, ${s.aK}, a, c, out, ${s.add}); }`;
    });
    return `${GEMM}\n// The products of this model.\n${wrappers.join("\n")}\n`;
  }
}
