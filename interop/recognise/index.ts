// Which prelude cell each recurrence of a program computes: the one place that decides, for
// every exporter (ONNX's LSTM, GRU and RNN operators; tfjs's layers).
//
// Recognition is by what the IR computes, not by any name: each recurrence's graph is compared
// with the prelude cells' own, as the compiler lowers them (references.ts), node for node
// (match.ts). A user's cell with the prelude's equations is recognised, whatever it is called; a
// cell that differs in anything (an extra term, a missing bias) is not, and says where it
// differs from the nearest cell. The result is computed once per program.
import type { Block, Node, Program } from "../../compiler/ir/nodes.ts";
import { isMatch, matchReference, type Match, type Mismatch } from "./match.ts";
import { blockRecurrences, type BlockRecurrences } from "./recurrences.ts";
import { cellKinds, cellStates, reference, type CellKind } from "./references.ts";

export { cellKinds, cellStates, type CellKind } from "./references.ts";
export type { ParamMapping } from "./match.ts";
export { blockRecurrences, type BlockRecurrences, type StateGroup } from "./recurrences.ts";

export interface RecognisedCell extends Match {
  kind: CellKind;
  inputSize: number; // I
  hidden: number; // H
}

/** States of one loop block computed together, each from the others' earlier (or later) steps. */
export interface Recurrence {
  block: number;
  /** In the block's store order. */
  states: readonly string[];
  /** The prelude cell it computes, if it is one. */
  cell?: RecognisedCell;
  /** Why it is none of them, when it is not. */
  reason?: string;
}

export interface CellRecognition {
  /** Every recurrence of the program, block by block. */
  readonly recurrences: readonly Recurrence[];
  /** The recurrence that computes `sequence`, if one does. */
  of(sequence: string): Recurrence | undefined;
  /** A loop block's states and how they are grouped (undefined for a block run once). */
  structure(block: number): BlockRecurrences | undefined;
}

const recognised = new WeakMap<Program, CellRecognition>();

export function recogniseCells(program: Program): CellRecognition {
  const known = recognised.get(program);
  if (known) return known;
  const structures = program.blocks.map((block) => (block.kind === "loop" && block.axis ? blockRecurrences(block) : undefined));
  const recurrences: Recurrence[] = [];
  structures.forEach((structure, b) => {
    for (const group of structure?.groups ?? []) {
      if (!group.recurrent) continue;
      const verdict = recogniseRecurrence(program, program.blocks[b], group.states, structure!);
      recurrences.push({ block: b, states: group.states, ...verdict });
    }
  });
  const bySequence = new Map(recurrences.flatMap((r) => r.states.map((s) => [s, r] as const)));
  const made: CellRecognition = { recurrences, of: (sequence) => bySequence.get(sequence), structure: (b) => structures[b] };
  recognised.set(program, made);
  return made;
}

function recogniseRecurrence(program: Program, block: Block, states: readonly string[], structure: BlockRecurrences): { cell: RecognisedCell } | { reason: string } {
  const sizes = states.map((s) => program.sequences.find((q) => q.name === s)!.size);
  const H = sizes[0];
  if (sizes.some((n) => n !== H)) return { reason: `its states have different sizes (${states.map((s, i) => `${s}: ${sizes[i]}`).join(", ")})` };
  const kinds = cellKinds.filter((k) => cellStates[k].length === states.length);
  if (kinds.length === 0) return { reason: `it has ${states.length} states; the prelude's cells have 1 or 2` };
  const updates = states.map((s) => block.stores.find((st) => st.name === s)!.node);

  // The input size I is read off the params' shapes: [gates·H, I + H] or [gates·H, I].
  const widths = new Set<number>();
  for (const n of block.nodes) if (n.op === "param" && n.shape.length === 2) widths.add(n.shape[1]).add(n.shape[1] - H);
  let nearest: { kind: CellKind; mismatch: Mismatch } | undefined;
  let inputProblem = false;
  for (const kind of kinds)
    for (const I of [...widths].filter((w) => w > 0))
      for (const order of orders(states.length)) {
        const found = matchReference(reference(kind, I, H), block, order.map((i) => states[i]), order.map((i) => updates[i]), block.direction === "backward");
        if (!isMatch(found)) {
          if (!nearest || found.matched > nearest.mismatch.matched) nearest = { kind, mismatch: found };
          continue;
        }
        if ([...structure.dependsOn[found.input]].some((s) => states.includes(s))) inputProblem = true;
        else return { cell: { kind, inputSize: I, hidden: H, ...found } };
      }
  if (inputProblem) return { reason: "its input depends on its own states" };
  if (!nearest) return { reason: "it has no weight matrix of a prelude cell's shape ([gates·H, I + H] or [gates·H, I])" };
  const { kind, mismatch } = nearest;
  if (mismatch.gates) return { reason: `it computes ${kind}'s equations, but slices its gates at offsets that are no order of ${kind}'s` };
  const closest = `the nearest of the prelude's cells, ${kind}, has`;
  if (mismatch.shared) return { reason: `${closest} two separate ${describe(mismatch.reference, mismatch.found)} where it has one` };
  return { reason: `${closest} ${describe(mismatch.reference, mismatch.found)} where it has ${describe(mismatch.found, mismatch.reference)}` };
}

/** A node in a few words; its shape too when the other node is the same op. */
function describe(node: Node, other: Node): string {
  const a = node.attrs;
  const detail =
    node.op === "param" ? ` ${a.name!.slice(a.name!.indexOf(".") + 1)}`
    : node.op === "const" ? ` ${a.value}`
    : node.op === "read" || node.op === "data" ? ` ${a.name}`
    : node.op === "slice" ? ` [${a.from}:${a.to}]`
    : "";
  return `${node.op}${detail}${node.op === other.op ? ` [${node.shape.join(", ")}]` : ""}`;
}

/** The ways the block's states may stand for the cell's (cells have one or two states). */
function orders(n: number): number[][] {
  return n === 1 ? [[0]] : n === 2 ? [[0, 1], [1, 0]] : [];
}
