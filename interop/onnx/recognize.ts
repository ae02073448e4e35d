// Which recurrences of a program are prelude cells — the one place the exporter decides that a
// recurrence may become ONNX's own LSTM, GRU or RNN operator.
//
// Recognition is by what is computed, not by name: each prelude cell is lowered (by the
// compiler itself, from compiler/prelude.rnn) into a template graph with the block's sizes and
// direction, and the block's graph must contain that template exactly — the same ops, slices
// and constants, from the state updates down to the cell's input, its states at the previous
// step and its params. A user's cell written with the same equations is recognised too; a cell
// that differs in anything (another gate order, an extra term) is not, and stays a Scan.
import { checkSource } from "../../compiler/index.ts";
import { lower } from "../../compiler/3-lower/index.ts";
import type { Block, Node, Program, TimeIndex } from "../../compiler/ir/nodes.ts";

export type CellKind = "lstm" | "gru" | "gru_reset_after" | "rnn" | "rnn_relu";

/** The prelude cells ONNX has operators for, and the states each one has (in declaration order). */
export const nativeCells: Record<CellKind, { states: string[]; op: "LSTM" | "GRU" | "RNN" }> = {
  lstm: { states: ["h", "c"], op: "LSTM" },
  gru: { states: ["h"], op: "GRU" },
  gru_reset_after: { states: ["h"], op: "GRU" },
  rnn: { states: ["h"], op: "RNN" },
  rnn_relu: { states: ["h"], op: "RNN" },
};

export interface RecognizedCell {
  kind: CellKind;
  inputSize: number; // I
  hidden: number; // H
  /** The block's node that is the cell's input x[t]. */
  input: number;
  /** The cell's states (`h`, `c`) → the block's sequences. */
  states: Record<string, string>;
  /** The cell's params (`W`, `b`, `Wz`, …) → the program's params (`enc.W`). */
  params: Record<string, string>;
  /** The block's nodes the cell computes (neither its input nor its leaves). */
  internal: Set<number>;
  /** The block's reads of the states at the previous step that the cell consumes. */
  stateReads: Set<number>;
}

/**
 * The prelude cell that computes `states` (sequences a loop block stores and reads back at the
 * previous step, in the block's store order) from one input, or undefined.
 * `dependsOnStates(node)` says whether a block node depends on these states (the input must not).
 * This says what the block computes; whether ONNX's operator can give everything the rest of the
 * program reads of it (its states at every step, or only at the end) is the exporter's question.
 */
export function recognizeCell(
  program: Program,
  block: Block,
  states: readonly string[],
  dependsOnStates: (node: number) => boolean,
): RecognizedCell | undefined {
  if (block.kind !== "loop" || !block.axis) return undefined;
  const sizes = states.map((s) => program.sequences.find((q) => q.name === s)?.size);
  const H = sizes[0];
  if (H === undefined || sizes.some((n) => n !== H)) return undefined;
  const updates = states.map((s) => block.stores.find((st) => st.name === s)?.node);
  if (updates.some((u) => u === undefined)) return undefined;

  // The input size I is read off the params' shapes: [gates·H, I + H] or [gates·H, I].
  const widths = new Set<number>();
  for (const n of block.nodes) if (n.op === "param" && n.shape.length === 2) widths.add(n.shape[1]).add(n.shape[1] - H);
  for (const [kind, { states: names }] of Object.entries(nativeCells) as [CellKind, (typeof nativeCells)[CellKind]][]) {
    if (names.length !== states.length) continue;
    for (const I of widths) {
      if (I <= 0) continue;
      const template = templateFor(kind, I, H, block.direction ?? "forward");
      if (!template) continue;
      for (const order of orders(states.length)) {
        const match = matchTemplate(template, block, order.map((i) => states[i]), order.map((i) => updates[i]!));
        if (match && !dependsOnStates(match.input)) return { kind, inputSize: I, hidden: H, ...match };
      }
    }
  }
  return undefined;
}

interface Template {
  block: Block;
  states: string[]; // h, c
  updates: number[]; // their update nodes
  input: number; // the data leaf x[t]
}

const templates = new Map<string, Template | undefined>();

/** The prelude cell lowered on its own, as the one loop block of a model that only runs it. */
function templateFor(kind: CellKind, I: number, H: number, direction: "forward" | "backward"): Template | undefined {
  const key = `${kind}/${I}/${H}/${direction}`;
  if (templates.has(key)) return templates.get(key);
  const states = nativeCells[kind].states;
  const step = direction === "forward" ? "t-1" : "t+1";
  const targets = states.map((s) => `${s}[t]`).join(", ");
  const source = [
    "model template {",
    `  input x: seq<vec(${I})>`,
    `  target y: seq<vec(${H})>`,
    `  layer cell = ${kind}(${I}, ${H})`,
    `  ${states.length > 1 ? `(${targets})` : targets} = cell(x[t], ${states.map((s) => `${s}[${step}]`).join(", ")})`,
    "  loss mse(h[t], y[t])",
    "}",
  ].join("\n");
  const checked = checkSource(source, `<${kind} template>`);
  if (checked.diagnostics.some((d) => d.severity === "error") || !checked.models[0]) throw new Error(`the ${kind} template does not check: ${checked.diagnostics.map((d) => d.message).join("; ")}`);
  const program = lower(checked.models[0], new Map());
  const block = program.blocks.find((b) => b.kind === "loop" && b.stores.some((s) => s.name === "h"));
  const template = block && {
    block,
    states,
    updates: states.map((s) => block.stores.find((st) => st.name === s)!.node),
    input: block.nodes.findIndex((n) => n.op === "data" && n.attrs.name === "x"),
  };
  templates.set(key, template);
  return template;
}

/** Matches the template's state updates against the block's `updates` (of `states`, in the template's order). */
function matchTemplate(template: Template, block: Block, states: string[], updates: number[]) {
  const image = new Map<number, number>(); // template node → block node
  const taken = new Set<number>(); // block nodes that are images of computing template nodes
  const params = new Map<string, string>(); // template role → block param
  const paramOwners = new Map<string, string>();
  const stateReads = new Set<number>();
  let input: number | undefined;
  const stateOf = new Map(template.states.map((s, i) => [s, states[i]]));

  const match = (t: number, b: number): boolean => {
    const known = image.get(t);
    if (known !== undefined) return known === b;
    const tn = template.block.nodes[t];
    const bn = block.nodes[b];
    let ok: boolean;
    if (t === template.input) {
      ok = bn.batched && sameShape(tn, bn) && (input === undefined || input === b);
      if (ok) input = b;
    } else if (tn.op === "read") {
      ok = bn.op === "read" && bn.attrs.name === stateOf.get(tn.attrs.name!) && sameStep(tn.attrs.index, bn.attrs.index) && sameShape(tn, bn);
      if (ok) stateReads.add(b);
    } else if (tn.op === "param") {
      const role = tn.attrs.name!.slice(tn.attrs.name!.indexOf(".") + 1);
      const name = bn.attrs.name!;
      ok = bn.op === "param" && sameShape(tn, bn) && (params.get(role) ?? name) === name && (paramOwners.get(name) ?? role) === role;
      if (ok) params.set(role, name), paramOwners.set(name, role);
    } else {
      ok =
        tn.op === bn.op &&
        sameShape(tn, bn) &&
        tn.batched === bn.batched &&
        JSON.stringify(tn.attrs) === JSON.stringify(bn.attrs) &&
        tn.args.length === bn.args.length &&
        (tn.op === "const" || !taken.has(b)) &&
        tn.args.every((a, i) => match(a, bn.args[i]));
      if (ok && tn.op !== "const") taken.add(b);
    }
    if (ok) image.set(t, b);
    return ok;
  };

  if (!template.updates.every((u, i) => match(u, updates[i])) || input === undefined) return undefined;
  return {
    input,
    states: Object.fromEntries(template.states.map((s, i) => [s, states[i]])),
    params: Object.fromEntries(params),
    internal: taken,
    stateReads,
  };
}

/** The same step relative to this one, on whichever axis the block runs over. */
const sameStep = (a: TimeIndex | undefined, b: TimeIndex | undefined) => a?.kind === "step" && b?.kind === "step" && a.offset === b.offset;

const sameShape = (a: Node, b: Node) => a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);

/** The ways the block's states may stand for the template's (cells have one or two states). */
function orders(n: number): number[][] {
  return n === 1 ? [[0]] : n === 2 ? [[0, 1], [1, 0]] : [];
}
