// The prelude cells as the compiler lowers them: the structure a recurrence is compared with.
//
// The compiler lowers a cell only as part of a model, so each cell has a fixed model of its own
// in reference-cells.rnn; it is checked and lowered through the compiler's public API
// (checkSource, differentiatedProgram) with the sizes asked for, once per size, when first
// needed. Nothing is generated: the cells are the prelude's, whatever it says they compute.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { checkSource, differentiatedProgram } from "../../compiler/index.ts";
import type { Block } from "../../compiler/ir/nodes.ts";

export type CellKind = "lstm" | "gru" | "gru_reset_after" | "rnn" | "rnn_relu" | "lstm_hard_sigmoid" | "gru_hard_sigmoid";

/** The recognised prelude cells and their states, in declaration order: the first is the output, h. */
export const cellStates: Record<CellKind, readonly string[]> = {
  lstm: ["h", "c"],
  gru: ["h"],
  gru_reset_after: ["h"],
  rnn: ["h"],
  rnn_relu: ["h"],
  lstm_hard_sigmoid: ["h", "c"],
  gru_hard_sigmoid: ["h"],
};

export const cellKinds = Object.keys(cellStates) as CellKind[];

/** A prelude cell lowered on its own: the one loop block of its reference model, forward. */
export interface Reference {
  kind: CellKind;
  block: Block;
  /** The cell's states (`h`, `c`) and the nodes that update them. */
  states: readonly string[];
  updates: number[];
  /** The node that is the cell's input, x[t]. */
  input: number;
}

const FILE = fileURLToPath(new URL("./reference-cells.rnn", import.meta.url));
let source: string | undefined;
type CheckResult = ReturnType<typeof checkSource>;
const checkedBySize = new Map<string, CheckResult>();
const references = new Map<string, Reference>();

/** The reference structure of `kind` with input size I and state size H. */
export function reference(kind: CellKind, I: number, H: number): Reference {
  const key = `${kind} ${I} ${H}`;
  const known = references.get(key);
  if (known) return known;
  const checked = checkedAt(I, H);
  const model = checked.models.find((m) => m.name === kind);
  if (!model) throw new Error(`${FILE} has no model ${kind}`);
  const block = differentiatedProgram(model, new Map()).blocks.find((b) => b.kind === "loop" && b.stores.some((s) => s.name === "h"));
  if (!block) throw new Error(`the reference model ${kind} has no loop storing h`);
  const states = cellStates[kind];
  const made: Reference = {
    kind,
    block,
    states,
    updates: states.map((s) => block.stores.find((st) => st.name === s)!.node),
    input: block.nodes.findIndex((n) => n.op === "data" && n.attrs.name === "x"),
  };
  references.set(key, made);
  return made;
}

/** reference-cells.rnn checked with I and H; a problem in it is this module's bug, not the user's. */
function checkedAt(I: number, H: number): CheckResult {
  const key = `${I} ${H}`;
  const known = checkedBySize.get(key);
  if (known) return known;
  source ??= readFileSync(FILE, "utf8");
  const checked = checkSource(source, FILE, { overrides: new Map([["I", I], ["H", H]]) });
  const errors = checked.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(`${FILE} does not check with I = ${I}, H = ${H}: ${errors.map((d) => d.message).join("; ")}`);
  checkedBySize.set(key, checked);
  return checked;
}
