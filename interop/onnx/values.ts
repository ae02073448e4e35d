// The ONNX graph's values as the exporter tracks them, and the error it throws for what it
// cannot express. Every other file of the exporter speaks in these terms.
import type { Axis } from "../../compiler/ir/nodes.ts";

export type Rank = 0 | 1 | 2;

/**
 * A value of the ONNX graph standing for an IR node's value: shared by the batch (rank 0, the
 * node's own shape), per example (rank 1: [B, ...feature]) or per step ([T, B, ...feature]).
 * Float vectors keep a feature axis even for scalars ([.., 1]); ids (int64) have none.
 */
export interface Val {
  name: string;
  rank: Rank;
  ids: boolean;
  feature: number[];
  /** A param's value, as is: its initializer is made only if `name` is asked for. */
  param?: string;
}

/** The graph's name for each time axis's length. */
export const dimName: Record<Axis, string> = { t: "T", s: "S" };

/** What the export cannot express (thrown with a message saying what). */
export class OnnxExportUnsupported extends Error {
  override name = "OnnxExportUnsupported";
}
