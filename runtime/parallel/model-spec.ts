// What the main thread learns of the emitted module once, from its own instance, before any
// worker starts: the shape of its batches' parts (fields, carried states, losses) and the size
// of its values. The workers are sent the result rather than finding it again each.
import type { CompiledModel, ModelBatch } from "../model.ts";
import { partSpec, type PartSpec } from "./region.ts";

export function modelPartSpec(model: CompiledModel): PartSpec {
  return partSpec(model.data, carriedSizes(model), model.losses.length, valueBytes(model));
}

/** 8 when the module computes in Float64Array, else 4 (Float32Array): what its params are made of. */
function valueBytes(model: CompiledModel): 4 | 8 {
  return [...model.createParams().values()][0] instanceof Float64Array ? 8 : 4;
}

/**
 * The size of each carried state, found by running the model once on one example of one step
 * (zeros): its final states are then its initial ones. (The layout names the carried states
 * but not their sizes, which depend on how far back the model reads.)
 */
function carriedSizes(model: CompiledModel): { name: string; size: number }[] {
  if (model.carried.length === 0) return [];
  const lengths: ModelBatch["lengths"] = {};
  for (const d of model.data) if (d.sequence && d.axis) lengths[d.axis] = Int32Array.of(1);
  const fields = new Map(model.data.map((d) => [d.name, new Float64Array(d.kind === "ids" ? 1 : d.size)]));
  model.loss(model.createParams(), { size: 1, lengths, fields });
  const states = model.finalStates();
  return model.carried.map((name) => ({ name, size: states.get(name)!.length }));
}
