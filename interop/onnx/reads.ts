// Reads of a data field or a stored sequence at a time index, outside any loop: `x[t+k]` is the
// whole sequence shifted by k, with rnnc's value where it runs off an example's ends (the
// state's init, zeros, or no token); `h[last]` and `h[first]` gather each example's own step.
import type { Axis, Node, TimeIndex } from "../../compiler/ir/nodes.ts";
import type { ExportContext } from "./context.ts";
import { attr } from "./graph.ts";
import { OnnxExportUnsupported, type Val } from "./values.ts";

/** `x[...]` for a data field, read in a block over `blockAxis` (undefined: a block run once). */
export function readData(ctx: ExportContext, node: Node, blockAxis: Axis | undefined): Val {
  const info = ctx.program.data.find((d) => d.name === node.attrs.name)!;
  const field = ctx.data.get(info.name)!;
  if (!info.sequence) return field;
  return atIndex(ctx, blockAxis, field, info.axis!, node.attrs.index, () => undefined, info.kind === "ids");
}

/** `h[...]` for a stored sequence: its final state when ONNX's operator gives it, else from its steps. */
export function readSequence(ctx: ExportContext, node: Node, blockAxis: Axis | undefined): Val {
  const name = node.attrs.name!;
  const info = ctx.seqInfo(name);
  const entry = ctx.sequences.get(name)!;
  const index = node.attrs.index;
  if (index && index.kind !== "step" && index.kind === entry.finalIndex) {
    const final = entry.final();
    if (final) return final;
  }
  return atIndex(ctx, blockAxis, entry.full(), info.axis, index, (side) => ctx.fallback(info, side), false);
}

/** A whole sequence (rank 2) read at a time index: shifted, or gathered at each example's first or last step. */
function atIndex(ctx: ExportContext, blockAxis: Axis | undefined, seq: Val, axis: Axis, index: TimeIndex | undefined, fallback: (side: "before" | "after") => Val | undefined, ids: boolean): Val {
  const { g, shapes } = ctx;
  const empty = () => (ids ? g.int(-1) : g.scalar(0)); // no token, or zeros
  const fb = (side: "before" | "after") => fallback(side)?.name ?? empty();
  const unsqueezeLast = (x: string) => (ids ? x : g.op("Unsqueeze", [x, g.ints([-1])]));
  if (!index || (index.kind === "step" && index.offset === 0)) return seq;
  if (index.kind === "step") {
    if (index.axis !== axis || blockAxis !== axis) throw new OnnxExportUnsupported(`the ONNX export cannot read a sequence over ${axis} at a step of another axis`);
    const s = shapes.shift(axis, index.offset);
    const shifted = g.op("Gather", [seq.name, s.index], [attr.int("axis", 0)], "shifted");
    const before = fallback("before"), after = fallback("after");
    let other: string;
    if (!before && !after) other = empty();
    else {
      const early = g.op("Unsqueeze", [s.before, g.ints(ids ? [1] : [1, 2])]);
      other = g.op("Where", [early, fb("before"), fb("after")]);
    }
    return { ...seq, name: g.op("Where", [unsqueezeLast(s.valid), shifted, other], [], "read") };
  }
  // first or last: one step per example
  const a = shapes.axis(axis);
  const { B0, range } = shapes.batch();
  const step = index.kind === "first" ? g.int(0) : g.op("Sub", [a.lengths, g.int(1)]);
  const clamped = g.op("Min", [g.op("Max", [step, g.int(0)]), a.last]);
  const flatIndex = g.op("Add", [g.op("Mul", [clamped, B0]), range]);
  const flat = g.op("Reshape", [seq.name, g.ints([-1, ...(ids ? [] : seq.feature)])]);
  const gathered = g.op("Gather", [flat, flatIndex], [attr.int("axis", 0)], index.kind);
  const some = unsqueezeLast(g.op("Greater", [a.lengths, g.int(0)]));
  // with no valid step, `first` is past the end and `last` before the start
  const name = g.op("Where", [some, gathered, fb(index.kind === "first" ? "after" : "before")], [], `at_${index.kind}`);
  return { name, rank: 1, ids, feature: seq.feature };
}
