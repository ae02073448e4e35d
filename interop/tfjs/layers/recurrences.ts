// Which recurrences of a model are tfjs recurrent layers. A tfjs layer runs one cell over a
// sequence, stepping its own states: `(h[t], c[t]) = cell(x[t], h[t-1], c[t-1])` (or t+1,
// backward), one call of one layer of the model. What the cell computes is decided by the
// recogniser (interop/recognise), by its equations and not its name: it must be one of the
// prelude's cells tfjs has a layer for, under whatever name, and the recogniser's mapping says
// which of the layer's params are that cell's weights, in which gate order.
import type * as ast from "../../../compiler/1-parse/ast.ts";
import type { CheckedModel, LayerInstance } from "../../../compiler/2-check/checked.ts";
import type { CellRecognition, ParamMapping } from "../../recognise/index.ts";
import type { Cell } from "../graph.ts";

/** The cells tfjs has recurrent layers for. */
export const tfjsCells: readonly Cell[] = ["rnn", "rnn_relu", "lstm", "gru", "lstm_hard_sigmoid", "gru_hard_sigmoid"];

/** A recurrence as a tfjs recurrent layer, or why it is not one. */
export interface Recurrence {
  /** The equation's targets, as written. */
  states: string[];
  /** The state tfjs's layer gives, at each step or at its end: the cell's h. */
  output: string;
  layer: LayerInstance;
  cell: Cell;
  hidden: number;
  /** The cell's params (its roles: `W`, `bz`) → the program's. */
  params: Record<string, ParamMapping>;
  backward: boolean;
  input: ast.Expr;
  problem?: string;
  /** How it has been exported so far: on its own (a node), or as a half of a Bidirectional. */
  node?: number;
  paired?: boolean;
}

const cellList = `${tfjsCells.slice(0, -1).join(", ")} and ${tfjsCells.at(-1)}`;

/** Each forward or backward recurrence of `model`, by each of its states. */
export function recurrencesOf(model: CheckedModel, cells: CellRecognition, text: (node: ast.Node) => string): Map<string, Recurrence> {
  const byState = new Map<string, Recurrence>();
  for (const group of model.loops) {
    if (group.direction !== "forward" && group.direction !== "backward") continue;
    const [eq] = group.equations;
    const value = eq.value.kind === "paren" ? eq.value.inner : eq.value;
    const states = eq.targets.map((t) => t.name.text);
    const layer = value.kind === "call" ? model.layers.find((l) => l.name === value.callee.text) : undefined;
    const offset = group.direction === "forward" ? -1 : 1;
    const stepsItself =
      group.equations.length === 1 &&
      value.kind === "call" &&
      value.args.length === states.length + 1 &&
      states.every((s, k) => {
        const arg = value.args[k + 1].value;
        const time = arg.kind === "index" ? model.timeIndices.get(arg) : undefined;
        const target = arg.kind === "index" && (arg.target.kind === "paren" ? arg.target.inner : arg.target);
        return target && target.kind === "ref" && target.name === s && time?.kind === "step" && time.offset === offset;
      });
    const names = group.equations.flatMap((e) => e.targets.map((t) => t.name.text));
    const recognised = cells.of(states[0]);
    const cell = recognised?.cell && recognised.states.length === states.length && states.every((s) => recognised.states.includes(s)) ? recognised.cell : undefined;
    const what = layer && `layer ${layer.name} = ${layer.cell.name}(…)`;
    const problem =
      !stepsItself || !layer ? `${names.join(", ")}: a recurrence that is not one cell stepping its own states (h[t] = cell(x[t], h[t${offset < 0 ? "-" : "+"}1])): no tfjs layer computes it`
      : !cell ? `${what}: it computes none of the cells tfjs has layers for (the prelude's ${cellList}, by their equations): ${recognised?.reason ?? `${text(eq.value)} does not compute its states together`}`
      : cell.kind === "gru_reset_after" ? `${what}: ${layer.cell.name === cell.kind ? "" : `it computes ${cell.kind}, and `}tfjs's GRU has only the reset-before form (resetAfter: true throws in tfjs 4); use gru`
      : undefined;
    const recurrence: Recurrence = {
      states,
      output: cell?.states.h ?? states[0],
      layer: layer!,
      cell: cell?.kind as Cell,
      hidden: cell?.hidden ?? 0,
      params: cell?.params ?? {},
      backward: group.direction === "backward",
      input: value.kind === "call" ? value.args[0]?.value : value,
      ...(problem ? { problem } : {}),
    };
    for (const name of names) byState.set(name, recurrence);
  }
  return byState;
}
