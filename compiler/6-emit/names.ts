// The one place a name from the user's source becomes part of generated code. Identifiers are
// reduced to [A-Za-z0-9_] and carry a number that keeps them distinct, so no input can break
// out of them or collide; text that must stay as written goes into a string literal (JSON) or a
// comment that cannot be ended early.
import type { DifferentiatedProgram } from "../ir/nodes.ts";

/** `enc.W`, 3 → `p3_enc_W`: readable, unique by its number, and only ever [A-Za-z0-9_]. */
export function identifier(prefix: string, index: number, name: string): string {
  return `${prefix}${index}_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

/** A string literal holding exactly `text`. */
export const literal = (text: string) => JSON.stringify(text);

/** A comment holding `text` on one line, with nothing that could end it early. */
export const comment = (text: string) => `// ${text.replace(/[\r\n\u2028\u2029]+/g, " ")}`;

/** The identifiers of everything the generated code names. */
export interface Names {
  param(name: string): string;
  grad(name: string): string;
  data(name: string): string;
  sequence(name: string): string;
  sequenceAdjoint(name: string): string;
  value(name: string): string;
  valueAdjoint(name: string): string;
  tape(block: number, node: number): string;
  transposed(name: string): string;
  carry(name: string): string;
  flow(name: string): string;
}

export function namesFor(p: DifferentiatedProgram): Names {
  const index = <T extends { name: string }>(list: T[], name: string) => list.findIndex((x) => x.name === name);
  return {
    param: (name) => identifier("p", index(p.params, name), name),
    grad: (name) => identifier("g", index(p.params, name), name),
    data: (name) => identifier("d", index(p.data, name), name),
    sequence: (name) => identifier("s", index(p.sequences, name), name),
    sequenceAdjoint: (name) => identifier("ds", index(p.sequences, name), name),
    value: (name) => identifier("v", index(p.values, name), name),
    valueAdjoint: (name) => identifier("dv", index(p.values, name), name),
    tape: (block, node) => `k${block}_${node}`,
    transposed: (name) => identifier("t", index(p.params, name), name),
    carry: (name) => identifier("c", index(p.carries, name), name),
    flow: (name) => identifier("fl", index(p.sequences, name), name),
  };
}
