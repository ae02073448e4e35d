// A recurrence as an ONNX Scan over its axis, for any recurrence (a user's cell, several states
// computed together, a prelude cell whose inside is read elsewhere). The body is the step's
// equations; each state is carried as its values at the steps before this one (after, going
// backward), as deep as the recurrence reads back; the carried state is the new value where the
// step is valid, else what rnnc reads past an example's end.
import { attr } from "./graph.ts";
import { DataType, type ValueInfoProto } from "./onnx-proto.ts";
import type { OpContext } from "./ops.ts";
import type { BlockSite } from "./site.ts";
import type { Stage } from "./stages.ts";
import { OnnxExportUnsupported, type Val } from "./values.ts";

export function exportScan(site: BlockSite, stage: Stage): void {
  const { ctx, block } = site;
  const { g } = ctx;
  const body = g.subgraph();
  const backward = block.direction === "backward";
  const a = ctx.shapes.axis(site.axis);

  // the carried states: each state's values at the steps before this one (after, going backward)
  const depth = new Map<string, number>(stage.states.map((s) => [s, 0]));
  for (const id of stage.body) {
    const node = block.nodes[id];
    if (node.op !== "read" || !depth.has(node.attrs.name!)) continue;
    const index = node.attrs.index;
    if (!index || index.kind !== "step" || (backward ? index.offset <= 0 : index.offset >= 0))
      throw new OnnxExportUnsupported(`the ONNX export cannot read ${node.attrs.name} at that step inside its own recurrence`);
    depth.set(node.attrs.name!, Math.max(depth.get(node.attrs.name!)!, Math.abs(index.offset)));
  }
  const sizeOf = (s: string) => ctx.seqInfo(s).size;
  const carried: { state: string; j: number; input: string }[] = [];
  for (const s of stage.states)
    for (let j = 1; j <= depth.get(s)!; j++) {
      const input = body.fresh(`${s}_${backward ? "next" : "prev"}${j}`);
      body.input({ name: input, elemType: DataType.FLOAT, shape: ["B", sizeOf(s)] });
      carried.push({ state: s, j, input });
    }
  const scanInputs: { outer: string; inner: ValueInfoProto }[] = [];
  const mask = body.fresh("valid");
  scanInputs.push({ outer: a.mask3, inner: { name: mask, elemType: DataType.BOOL, shape: ["B", 1] } });

  // a node's value at one step, inside the body
  const memo = new Map<number, Val>();
  const opContext: OpContext = {
    g: body,
    weights: ctx.weights,
    expand: (v, rank) => {
      if (rank === 2) throw new Error("internal: a whole sequence inside a step");
      return site.expand(v, rank, body);
    },
  };
  const inner = (id: number): Val => {
    const known = memo.get(id);
    if (known) return known;
    const node = block.nodes[id];
    let v: Val;
    if (node.op === "read" && depth.has(node.attrs.name!)) {
      const j = Math.abs((node.attrs.index as { offset: number }).offset);
      const c = carried.find((x) => x.state === node.attrs.name && x.j === j)!;
      v = { name: c.input, rank: 1, ids: false, feature: [sizeOf(c.state)] };
    } else if (stage.body.has(id) && node.op !== "read") {
      v = site.leafOrCompute(id, inner, opContext);
    } else {
      const o = site.outer(id);
      if (o.rank < 2) v = o; // shared, or per example: read from the enclosing graph
      else {
        const name = body.fresh(`${o.name}_step`);
        scanInputs.push({ outer: o.name, inner: { name, elemType: o.ids ? DataType.INT64 : DataType.FLOAT, shape: ["B", ...(o.ids ? [] : o.feature)] } });
        v = { ...o, name, rank: 1 };
      }
    }
    memo.set(id, v);
    return v;
  };

  // each state's new value where the step is valid; else what a read past the end gives
  const stored = new Map(block.stores.map((s) => [s.name, s.node]));
  const initials: string[] = [];
  for (const c of carried) {
    const info = ctx.seqInfo(c.state);
    const init = info.init ? site.expand(ctx.value(info.init), 1) : ctx.shapes.zeros(info.size);
    initials.push(init.name);
    let next: string;
    if (c.j === 1) {
      const value = site.expand(inner(stored.get(c.state)!), 1, body);
      const past = backward ? init.name : body.scalar(0);
      next = body.op("Where", [mask, value.name, past], [], `${c.state}_carried`);
    } else next = body.op("Identity", [carried.find((x) => x.state === c.state && x.j === c.j - 1)!.input], [], `${c.state}_carried${c.j}`);
    body.output({ name: next, elemType: DataType.FLOAT, shape: ["B", info.size] });
  }
  const perStep = stage.outputs.map((id) => {
    const v = site.expand(inner(id), 1, body);
    const name = body.op("Identity", [v.name], [], `${block.stores.find((s) => s.node === id)?.name ?? "step"}_out`);
    body.output({ name, elemType: DataType.FLOAT, shape: ["B", ...v.feature] });
    return { id, feature: v.feature, name };
  });
  body.inputs.push(...scanInputs.map((x) => x.inner));

  const direction = backward ? 1 : 0;
  const outputs = g.node(
    "Scan",
    [...initials, ...scanInputs.map((x) => x.outer)],
    [
      attr.graph("body", body.toProto(`${stage.states.join("_")}_step`)),
      attr.int("num_scan_inputs", scanInputs.length),
      attr.ints("scan_input_directions", scanInputs.map(() => direction)),
      ...(perStep.length ? [attr.ints("scan_output_directions", perStep.map(() => direction))] : []),
    ],
    carried.length + perStep.length,
    `${stage.states.join("_")}_scan`,
  );
  perStep.forEach((p, i) => stage.done!.set(p.id, { name: outputs[carried.length + i], rank: 2, ids: false, feature: p.feature }));
  ctx.recurrences.push({ sequences: stage.states, as: "Scan" });
}
