// A recurrence that computes a prelude cell, as ONNX's own LSTM, GRU or RNN operator with
// `sequence_lens`, so that each example's sequence, backward ones included, starts and ends at
// its own length. The operator gives h at every step (Y) and each state at its end (Y_h, Y_c),
// nothing else: a recurrence whose other values are read elsewhere (an LSTM's c at any step but
// its last, a gate) is a Scan instead.
import type { RecognisedCell } from "../recognise/index.ts";
import { inReferenceOrder } from "../recognise/param-rows.ts";
import { attr, floatTensor } from "./graph.ts";
import { nativeLayout } from "./native-weights.ts";
import { DataType } from "./onnx-proto.ts";
import type { BlockSite } from "./site.ts";
import type { Stage } from "./stages.ts";
import type { Val } from "./values.ts";

/** The stage's prelude cell, if ONNX's operator can compute everything the program reads of it. */
export function nativeCell(site: BlockSite, stage: Stage): RecognisedCell | undefined {
  const { block, consumers, needed, ctx } = site;
  const recurrence = ctx.cells().of(stage.states[0]);
  const cell = recurrence?.cell;
  if (!cell || recurrence.states.length !== stage.states.length || !stage.states.every((s) => recurrence.states.includes(s))) return undefined;
  const updates = new Map(block.stores.map((s) => [s.node, s.name]));
  const predictions = new Set([...block.losses.map((l) => block.nodes[l.node].args[0]), ...(block.outputs ?? []).map((o) => o.node)]); // what the graph may give
  const h = cell.states.h;
  for (const id of cell.internal) {
    if (!needed.has(id)) continue;
    if (updates.get(id) === h) continue; // h at every step: ONNX's Y
    // anything else the cell computes must not be used outside it (ONNX gives only Y, Y_h, Y_c)
    if ((consumers.get(id) ?? []).some((c) => !cell.internal.has(c)) || predictions.has(id)) return undefined;
  }
  for (const id of cell.stateReads) if ((consumers.get(id) ?? []).some((c) => !cell.internal.has(c)) && block.nodes[id].attrs.name !== h) return undefined;
  // a state other than h (the LSTM's c) may be read elsewhere only at its final step
  const finalIndex = block.direction === "backward" ? "first" : "last";
  for (const [role, name] of Object.entries(cell.states)) {
    if (role === "h") continue;
    for (const r of ctx.reads.get(name) ?? []) {
      if (r.block === site.index && cell.stateReads.has(r.node)) continue;
      if (ctx.program.blocks[r.block].nodes[r.node].attrs.index?.kind !== finalIndex) return undefined;
    }
  }
  return cell;
}

/** The operator's node; h's values at every step and each state's final value become what reads of them give. */
export function exportNative(site: BlockSite, stage: Stage, cell: RecognisedCell): void {
  const { ctx, block } = site;
  const { g } = ctx;
  const layout = nativeLayout(cell, (role) => inReferenceOrder(ctx.weights.values(cell.params[role].name), cell.params[role].rows));
  const H = cell.hidden;
  const name = (suffix: string) => g.fresh(`${cell.states.h}_${layout.op}_${suffix}`);
  const W = g.initializer(floatTensor(name("W"), [1, layout.gates * H, cell.inputSize], layout.W));
  const R = g.initializer(floatTensor(name("R"), [1, layout.gates * H, H], layout.R));
  const B = g.initializer(floatTensor(name("B"), [1, 2 * layout.gates * H], layout.B));
  const x = site.expand(site.outer(cell.input), 2);
  const lengths = g.op("Cast", [ctx.shapes.axis(site.axis).lengths], [attr.int("to", DataType.INT32)], `lengths_${site.axis}_int32`);
  const initial = (role: string) => {
    const info = ctx.seqInfo(cell.states[role]);
    return info.init ? g.op("Unsqueeze", [site.expand(ctx.value(info.init), 1).name, g.ints([0])], [], `${cell.states[role]}_initial`) : "";
  };
  const inputs = [x.name, W, R, B, lengths, initial("h"), ...(layout.op === "LSTM" ? [initial("c")] : [])];
  while (inputs[inputs.length - 1] === "") inputs.pop();
  const outputs = g.node(
    layout.op,
    inputs,
    [attr.int("hidden_size", H), attr.string("direction", block.direction === "backward" ? "reverse" : "forward"), ...layout.attributes],
    layout.op === "LSTM" ? 3 : 2,
    `${cell.states.h}_${layout.op}`,
  );
  const full: Val = { name: g.op("Squeeze", [outputs[0], g.ints([1])], [], cell.states.h), rank: 2, ids: false, feature: [H] };
  const final = (o: string, role: string) => {
    let made: Val | undefined;
    return () => (made ??= { name: g.op("Squeeze", [o, g.ints([0])], [], `${cell.states[role]}_final`), rank: 1, ids: false, feature: [H] });
  };
  site.overrides.set(cell.states.h, { full, final: final(outputs[1], "h") });
  if (layout.op === "LSTM") site.overrides.set(cell.states.c, { final: final(outputs[2], "c") });
  const hUpdate = block.stores.find((s) => s.name === cell.states.h)!.node;
  for (const id of stage.outputs) if (id === hUpdate) stage.done!.set(id, full);
  ctx.recurrences.push({ sequences: stage.states, as: layout.op, cell: cell.kind });
}
