// An IR program and its trained params → an ONNX model that computes what rnnc's `predict`
// computes (io.ts says what its inputs and outputs are), on whole sequences: each value computed
// per step becomes a [T, B, n] tensor, T dynamic. Each block is exported by block.ts, its
// recurrences as ONNX's LSTM, GRU and RNN operators where they compute a prelude cell
// (recognise/, native.ts), else as Scans (scan.ts).
//
// Not exported: the backward pass; generation (the model gives each step's distribution given
// the previous tokens: sample from it step by step); states carried between windows (`bptt`):
// every sequence starts from zeros (or its `init`), as `predict` does without a carry.
import type { Program } from "../../compiler/ir/nodes.ts";
import { BlockExporter } from "./block.ts";
import { ExportContext } from "./context.ts";
import { declareInputs, declareOutputs, reserveOutputNames } from "./io.ts";
import { encodeModel } from "./onnx-proto.ts";
import type { OnnxExport, OnnxExportOptions } from "./options.ts";
import type { ParamValues } from "./weights.ts";

export const OPSET = 17;
export const IR_VERSION = 8;

/** The bytes of an .onnx file for `program` with `params`. */
export function exportOnnx(program: Program, params: ParamValues, options: OnnxExportOptions = {}): Uint8Array {
  return exportOnnxWithReport(program, params, options).bytes;
}

/** exportOnnx, with the graph's inputs and outputs and how each recurrence was exported. */
export function exportOnnxWithReport(program: Program, params: ParamValues, options: OnnxExportOptions = {}): OnnxExport {
  const ctx = new ExportContext(program, params, options);
  const inputs = declareInputs(ctx);
  const outputNames = reserveOutputNames(ctx);
  const blocks = program.blocks.map((block, b) => new BlockExporter(ctx, block, b));
  const outputs = declareOutputs(ctx, outputNames, (b, node, rank) => blocks[b].expand(blocks[b].outer(node), rank));
  const bytes = encodeModel({
    irVersion: IR_VERSION,
    opsetImports: [{ domain: "", version: OPSET }],
    producerName: "rnnc",
    producerVersion: options.producerVersion ?? "",
    ...(options.docString ? { docString: options.docString } : {}),
    graph: ctx.g.toProto(program.model),
    ...(options.metadata ? { metadata: options.metadata } : {}),
  });
  return { bytes, inputs, outputs, recurrences: ctx.recurrences };
}
