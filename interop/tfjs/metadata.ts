// What an exported model.json says about its rnnc origin, under userDefinedMetadata.rnnc: how
// to feed its inputs and read its outputs (a user's reference), and what `rnnc import` needs to
// rebuild the checkpoint (the dims it was trained with, the vocabularies).
import type { LayerGraph } from "./graph.ts";

export const METADATA_KEY = "rnnc";
export const METADATA_FORMAT = "rnnc-tfjs";

export interface RnncMetadata {
  format: typeof METADATA_FORMAT;
  version: 1;
  model: string;
  /** The --set dims and settings the checkpoint was trained with. */
  overrides: Record<string, number>;
  inputs: { name: string; field: string; feed: string }[];
  /** Each tfjs output: a loss's prediction (its target and loss) or, for a model that declares outputs, a declared output (its name). */
  outputs: ({ target: string; loss: string; gives: string } | { output: string; gives: string })[];
  /** rnnc layer → the tfjs layer holding its weights (`f1` → `f1_b1` forward half). */
  layers: Record<string, string>;
  /** Every vocabulary of the checkpoint, in id order: entry k is rnnc's id k (tfjs's k + 1). */
  vocabularies: Record<string, string[]>;
}

export function describeModel(graph: LayerGraph, overrides: Record<string, number>, vocabularies: Record<string, string[]>): RnncMetadata {
  return {
    format: METADATA_FORMAT,
    version: 1,
    model: graph.model,
    overrides,
    inputs: graph.inputs.map((i) => ({
      name: i.name,
      field: i.field,
      feed:
        i.kind === "ids"
          ? `int32 [batch${i.sequence ? ", steps" : ""}]: the id of vocabularies.${i.field.replace(/@input$/, "")} + 1, 0 at padded steps${i.field.endsWith("@input") ? ` (the sequence read one step late: <bos>, then each token but the last)` : ""}`
          : `float32 [batch${i.sequence ? ", steps" : ""}, ${i.size}]${i.sequence ? ", all zeros at padded steps" : ""}`,
    })),
    outputs: graph.outputs.map((o) => ({
      ...(o.loss ? { target: o.target, loss: o.loss } : { output: o.target }),
      gives: `[batch${o.sequence ? ", steps" : ""}, ${o.size}]: ${
        o.loss === "cross_entropy" ? `the probability of each of vocabularies.${o.target}`
        : o.over ? `the probability of each of vocabularies.${o.over}`
        : o.loss === "binary_cross_entropy" ? "probabilities"
        : "values"
      }`,
    })),
    layers: Object.fromEntries(graph.weights.map((w) => [w.layer, w.half ? `${w.tfjs} (${w.half})` : w.tfjs])),
    vocabularies,
  };
}

/** The rnnc metadata of a model.json, if it has any (a model from elsewhere has none). */
export function readMetadata(userDefinedMetadata: unknown): { overrides?: Record<string, number>; vocabularies?: Record<string, string[]>; model?: string } {
  const all = userDefinedMetadata as Record<string, unknown> | undefined;
  const raw = all && typeof all === "object" ? (all[METADATA_KEY] as Record<string, unknown> | undefined) : undefined;
  if (!raw || typeof raw !== "object" || raw.format !== METADATA_FORMAT) return {};
  const out: { overrides?: Record<string, number>; vocabularies?: Record<string, string[]>; model?: string } = {};
  if (typeof raw.model === "string") out.model = raw.model;
  if (isRecord(raw.overrides, (v) => typeof v === "number")) out.overrides = raw.overrides as Record<string, number>;
  if (isRecord(raw.vocabularies, (v) => Array.isArray(v) && v.every((t) => typeof t === "string"))) out.vocabularies = raw.vocabularies as Record<string, string[]>;
  return out;
}

function isRecord(value: unknown, ok: (v: unknown) => boolean): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every(ok);
}
