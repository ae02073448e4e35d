// How large a size may be. Every size is an index in typed arrays and in the WebAssembly kernels
// (i32 arithmetic), so a dim, a param's element count and a value's numbers per example are all
// below 2^31; what a whole batch needs is checked against the machine's memory by the CLI
// (cli/memory.ts) before anything is allocated.
import type { Program } from "./ir/nodes.ts";

/** The largest size: a dim, a param's numbers, a value's numbers per example (2^31 - 1). */
export const MAX_SIZE = 2 ** 31 - 1;

/** Whether a number can be a dim: a whole number from 1 to MAX_SIZE. */
export const validDim = (n: number) => Number.isInteger(n) && n >= 1 && n <= MAX_SIZE;

/** 1234567 → "1,234,567". */
export const grouped = (n: number) => Math.round(n).toLocaleString("en-US");

/** What in a lowered program is larger than MAX_SIZE (a param, or a value per example), in words; undefined when nothing is. */
export function programSizeProblem(p: Program): string | undefined {
  for (const x of p.params) {
    const count = x.shape.reduce((a, b) => a * b, 1);
    if (count > MAX_SIZE) return `the parameter ${x.name} is [${x.shape.join(", ")}] = ${grouped(count)} numbers, more than an array can hold (${grouped(MAX_SIZE)}); lower the dims it is made from`;
  }
  for (const block of p.blocks)
    for (const node of block.nodes) {
      const count = node.shape.reduce((a, b) => a * b, 1);
      if (count > MAX_SIZE) return `a value of ${grouped(count)} numbers per example ([${node.shape.join(", ")}]) is more than an array can hold (${grouped(MAX_SIZE)}); lower the dims it is made from`;
    }
  return undefined;
}
