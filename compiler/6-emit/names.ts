// The one place a name from the user's source becomes part of generated code. Identifiers are
// reduced to [A-Za-z0-9_] and carry a number that keeps them distinct, so no input can break
// out of them or collide; text that must stay as written goes into a string literal (JSON) or a
// comment that cannot be ended early.
import type { Block, DifferentiatedProgram, TimeIndex } from "../ir/nodes.ts";
import { commentText, safeJson } from "../escape.ts";
import { dropoutNames } from "./dropout-code.ts";

/**
 * Identifiers made from the model's names, each unique in the module: `cell.W` → `cell_W`, and
 * `cell_W_2` for the next that would read the same. Names the module's own code uses (`B`,
 * `loss`, `run`…), the language's keywords and one-letter names (loop variables) are never
 * given out, so no model can shadow them.
 */
export class Identifiers {
  private readonly taken = new Set(RESERVED);

  take(wanted: string): string {
    let base = wanted.replace(/[^A-Za-z0-9_]/g, "_") || "_";
    // one letter (a loop variable), a digit first, or the shape of the module's own `a12`, `W0`, `L_t`, `T_s`
    if (/^[A-Za-z]$|^\d|^(a|W|u|v|s|P)\d+$|^(L|T)_|^(forward|backward)\d/.test(base)) base = `v_${base}`;
    let name = base;
    for (let n = 2; this.taken.has(name); n++) name = `${base}_${n}`;
    this.taken.add(name);
    return name;
  }
}

/** What the module's code names itself, and JavaScript's reserved words and globals. */
const RESERVED = [
  ..."B ONES capacity ensure maxOf setBatch setParams run loss lossAndGrad predict gradientFlow FLOW finalStates createParams carried params data losses model generate beamSearch startGeneration generationStep LOGITS repeatRows reorderRows permute normalCdf KERNELS KERNEL_WASM MEMORY BASE EMPTY align layOut F out row id max sum lse fed chosen done begin outputValues outputs predictions values batch lengths squares flow view end at upTo rows permuteRows parents buffer generator last".split(" "),
  ...dropoutNames,
  ..."Math Number Float32Array Float64Array Int32Array Uint8Array Map Set Array Object WebAssembly atob undefined NaN Infinity globalThis".split(" "),
  ..."break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield await implements arguments eval type".split(" "),
];

/** A string literal holding exactly `text` (JSON, with U+2028, U+2029 and the controls escaped: ../escape.ts). */
export const literal = (text: string) => safeJson(text);

/** A comment holding `text` on one line, with nothing that could end it early (a line break is written `\n`: ../escape.ts). */
export const comment = (text: string) => `// ${commentText(text)}`;

/** A doc comment holding `text`, on one line, that no `*\/` in it can end early. */
export const docComment = (text: string) => `/** ${commentText(text)} */`;

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
  /** Any other name the module gives (a step function, a buffer of its own): unique as asked for. */
  unique(wanted: string): string;
}

/** The names of everything the module keeps, from the model's names (the step values' are the planner's: stepName). */
export function namesFor(p: DifferentiatedProgram, ids: Identifiers): Names {
  const once = new Map<string, string>();
  const named = (key: string, wanted: string) => once.get(key) ?? (once.set(key, ids.take(wanted)), once.get(key)!);
  const field = (name: string) => name.replace("@", "_"); // name@input → name_input
  return {
    param: (name) => named(`p:${name}`, name),
    grad: (name) => named(`g:${name}`, `grad_${name}`),
    data: (name) => named(`d:${name}`, field(name)),
    sequence: (name) => named(`s:${name}`, `${name}_steps`),
    sequenceAdjoint: (name) => named(`ds:${name}`, `d_${name}_steps`),
    value: (name) => named(`v:${name}`, `${field(name)}_value`),
    valueAdjoint: (name) => named(`dv:${name}`, `d_${field(name)}_value`),
    tape: (block, node) => named(`k:${block}:${node}`, `tape_${stepName({ ...p.blocks[block], kind: "once" }, node)}`),
    transposed: (name) => named(`t:${name}`, `${name}_T`),
    carry: (name) => named(`c:${name}`, `carry_${field(name)}`),
    flow: (name) => named(`fl:${name}`, `flow_${name}`),
    unique: (wanted) => ids.take(wanted),
  };
}

/**
 * What a node's step buffer is called: what the model calls the value (`cell.i`, `h`, `d_h` for
 * its adjoint); a leaf by what it reads (`bits_t`, `h_prev`); else what the nearest named value
 * that reads it calls it, with its op (`cell_i_matvec`); else its op and number. In a loop, with
 * the step (`cell_i_t`). A backward block's copy of a forward value is `fwd_` its forward name.
 */
export function stepName(block: Block, id: number, forward?: Block): string {
  const node = block.nodes[id];
  if (node.op === "primal" && forward) return `fwd_${stepName(forward, node.attrs.node!)}`;
  // a sequence read at the step itself (in another block than the one computing it) is a copy: `h_read`
  const here = node.op === "read" && node.attrs.index?.kind === "step" && node.attrs.index.offset === 0;
  if ((node.op === "data" || node.op === "read") && node.attrs.name) return `${node.attrs.name.replace("@input", "_in")}_${here ? "read" : indexWord(node.attrs.index)}`;
  const base = block.names?.[id] ?? nearestReader(block, id) ?? `${node.op}${id}`;
  return block.kind === "loop" && block.axis ? `${base}_${block.axis}` : base;
}

/** `t` → `t`, `t-1` → `prev`, `t-2` → `prev2`, `t+1` → `next`, `first`, `last`. */
function indexWord(index: TimeIndex | undefined): string {
  if (!index) return "value";
  if (index.kind !== "step") return index.kind;
  const k = Math.abs(index.offset);
  return index.offset === 0 ? index.axis : `${index.offset < 0 ? "prev" : "next"}${k === 1 ? "" : k}`;
}

/** `cell_i_matvec`: the name of the nearest named value computed from this one, and this one's op. */
function nearestReader(block: Block, id: number): string | undefined {
  const seen = new Set([id]);
  let frontier = [id];
  for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
    const next: number[] = [];
    for (const from of frontier)
      block.nodes.forEach((n, r) => {
        if (seen.has(r) || !n.args.includes(from)) return;
        seen.add(r);
        next.push(r);
      });
    const named = next.find((r) => block.names?.[r] !== undefined);
    if (named !== undefined) return `${block.names![named]}_${block.nodes[id].op}`;
    frontier = next;
  }
  return undefined;
}
