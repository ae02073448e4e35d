// What a caller of the ONNX export gives (options) and gets back (the file's bytes, with a
// description of its inputs, outputs and recurrences).
import type { Axis } from "../../compiler/ir/nodes.ts";
import type { Dim } from "./onnx-proto.ts";

export interface OnnxExportOptions {
  /** ONNX's LSTM/GRU/RNN operators for recognised prelude cells (default true); false: every recurrence a Scan. */
  nativeCells?: boolean;
  /** Stored in the model's metadata_props, e.g. { vocabularies: JSON.stringify(...) }. */
  metadata?: Record<string, string>;
  /** The model's doc_string. */
  docString?: string;
  /** The model's producer_version (its producer_name is "rnnc"). */
  producerVersion?: string;
}

export interface OnnxTensorInfo {
  name: string; // in the ONNX graph
  type: "int64" | "float32";
  shape: Dim[];
  /** What it holds, in words. */
  description: string;
  /** An input's rnnc batch field (`words`, `name@input`), or an output's loss target. */
  field?: string;
  /** A lengths input's axis. */
  axis?: Axis;
}

/** A recurrence as exported: by ONNX's own operator for the cell it computes, or as a Scan. */
export interface ExportedRecurrence {
  sequences: string[];
  as: "LSTM" | "GRU" | "RNN" | "Scan";
  cell?: string;
}

export interface OnnxExport {
  bytes: Uint8Array;
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
  /** Each recurrence exported, and how: "LSTM", "GRU", "RNN" (ONNX's operator) or "Scan". */
  recurrences: ExportedRecurrence[];
}
