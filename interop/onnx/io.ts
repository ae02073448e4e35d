// The graph's inputs and outputs, time-major as rnnc's batches are:
//   inputs   each input field the predictions read: ids int64 [T, B] or vectors float [T, B, n]
//            (per example: [B], [B, n]); and `lengths_t` (`lengths_s`), int64 [B], the valid
//            steps of each example on each axis the model runs over
//   outputs  the model's declared outputs, by name, their values as computed; or, for a model
//            that declares none, one per loss, named after its target: the probabilities
//            (cross_entropy), the sigmoids (binary_cross_entropy) or the values (mse) of its
//            prediction. [T, B, K] on an axis (0 past each example's length), else [B, K]
import type { Axis } from "../../compiler/ir/nodes.ts";
import type { ExportContext } from "./context.ts";
import { attr } from "./graph.ts";
import { DataType, type Dim } from "./onnx-proto.ts";
import type { OnnxTensorInfo } from "./options.ts";
import { dimName, type Rank, type Val } from "./values.ts";

/** Declares the inputs; names the user sees are taken first, so that internal names never take them. */
export function declareInputs(ctx: ExportContext): OnnxTensorInfo[] {
  const { program, g } = ctx;
  const inputs: OnnxTensorInfo[] = [];
  const usedData = new Set<string>();
  const axes = new Set<Axis>();
  program.blocks.forEach((block, b) => {
    if (ctx.needed[b].size > 0 && block.axis) axes.add(block.axis);
    for (const id of ctx.needed[b]) {
      const node = block.nodes[id];
      if (node.op === "data") usedData.add(node.attrs.name!);
      if (node.op === "read") axes.add(ctx.seqInfo(node.attrs.name!).axis);
    }
  });
  for (const d of program.data) {
    if (!usedData.has(d.name)) continue;
    if (d.sequence && d.axis) axes.add(d.axis);
    const name = g.fresh(d.name); // `name@input` → name_input
    const feature = d.kind === "ids" ? [] : [d.size];
    const shape: Dim[] = [...(d.sequence ? [dimName[d.axis!]] : []), "B", ...feature];
    g.input({ name, elemType: d.kind === "ids" ? DataType.INT64 : DataType.FLOAT, shape });
    ctx.data.set(d.name, { name, rank: d.sequence ? 2 : 1, ids: d.kind === "ids", feature });
    const what = d.kind === "ids" ? `ids < ${d.size}` : `vectors of ${d.size}`;
    inputs.push({ name, field: d.name, type: d.kind === "ids" ? "int64" : "float32", shape, description: `rnnc field ${d.name}: ${d.sequence ? `a sequence over ${d.axis} of ` : ""}${what}` });
  }
  for (const axis of [...axes].sort()) {
    const name = g.fresh(`lengths_${axis}`);
    g.input({ name, elemType: DataType.INT64, shape: ["B"] });
    ctx.lengthInputs.set(axis, name);
    inputs.push({ name, axis, type: "int64", shape: ["B"], description: `the valid steps of each example on ${axis}` });
  }
  return inputs;
}

/** Reserves the outputs' names (after the inputs', before any other): each declared output's, or else each loss's target. */
export function reserveOutputNames(ctx: ExportContext): string[] {
  const { outputs, losses } = ctx.program;
  return outputs.length > 0 ? outputs.map((o) => ctx.g.fresh(o.name)) : losses.map((loss) => ctx.g.fresh(loss.target));
}

/**
 * Declares the outputs. `prediction(block, node)`: the value of a loss's prediction over whole
 * sequences, raised to `rank`.
 */
export function declareOutputs(ctx: ExportContext, names: readonly string[], prediction: (block: number, node: number, rank: Rank) => Val): OnnxTensorInfo[] {
  const { program, g } = ctx;
  const outputs: OnnxTensorInfo[] = [];
  const declare = (b: number, value: Val, activated: string, name: string, output: Omit<OnnxTensorInfo, "name" | "type" | "shape">) => {
    const block = program.blocks[b];
    if (block.kind === "loop") g.node("Where", [ctx.shapes.axis(block.axis!).mask3, activated, g.scalar(0)], [], [name]);
    else g.node("Identity", [activated], [], [name]);
    const shape: Dim[] = [...(block.kind === "loop" ? [dimName[block.axis!]] : []), "B", ...value.feature];
    g.output({ name, elemType: DataType.FLOAT, shape });
    outputs.push({ name, type: "float32", shape, ...output });
  };
  if (program.outputs.length > 0) {
    program.blocks.forEach((block, b) => {
      for (const { output: i, node } of block.outputs ?? []) {
        const output = program.outputs[i];
        const value = prediction(b, node, block.kind === "loop" ? 2 : 1);
        const what = output.over ? `probabilities of each ${output.over}` : output.scalar ? "a number" : `${output.size} numbers`;
        declare(b, value, value.name, names[i], { description: `output ${output.name}: ${what}${block.kind === "loop" ? " at each step (0 past each example's length)" : ""}` });
      }
    });
    return outputs;
  }
  program.blocks.forEach((block, b) => {
    for (const term of block.losses) {
      const loss = program.losses[term.loss];
      const value = prediction(b, block.nodes[term.node].args[0], block.kind === "loop" ? 2 : 1);
      const activated =
        loss.kind === "cross_entropy" ? g.op("Softmax", [value.name], [attr.int("axis", -1)])
        : loss.kind === "binary_cross_entropy" ? g.op("Sigmoid", [value.name])
        : value.name;
      const what = loss.kind === "cross_entropy" ? "probabilities" : loss.kind === "binary_cross_entropy" ? "probabilities (sigmoid)" : "values";
      declare(b, value, activated, names[term.loss], { field: loss.target, description: `${what} for ${loss.target}${block.kind === "loop" ? " at each step (0 past each example's length)" : ""}` });
    }
  });
  return outputs;
}
