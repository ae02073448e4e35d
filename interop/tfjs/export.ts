// rnnc model + checkpoint → a TensorFlow.js layers model on disk, with rnnc's weights and a
// description of its inputs, outputs and vocabularies (userDefinedMetadata.rnnc).
import type { CheckedModel } from "../../compiler/2-check/checked.ts";
import type { DataSizes } from "../../compiler/3-lower/index.ts";
import type { Program } from "../../compiler/ir/nodes.ts";
import { saveArtifacts } from "./artifacts.ts";
import { cpuBackend } from "./backend.ts";
import { buildModel, type ParamValues } from "./build.ts";
import type { LayerGraph } from "./graph.ts";
import { layerGraph } from "./layers/index.ts";
import { describeModel, METADATA_KEY } from "./metadata.ts";

export { TfjsError } from "./errors.ts";

export interface TfjsExport {
  model: CheckedModel;
  source: string;
  dataSizes: DataSizes;
  /** The model lowered with those sizes: the recogniser reads its recurrences there. */
  program: Program;
  params: ParamValues;
  vocabularies: Record<string, string[]>;
  overrides: Record<string, number>;
  /** The directory to write model.json and weights.bin into. */
  dir: string;
}

/** Writes the model; a model with no tfjs counterpart is a TfjsError naming every reason. */
export async function exportTfjs(x: TfjsExport): Promise<{ graph: LayerGraph; files: string[]; bytes: number }> {
  const graph = layerGraph(x.model, x.source, x.program, x.dataSizes);
  await cpuBackend();
  const model = buildModel(graph, x.params);
  model.setUserDefinedMetadata({ [METADATA_KEY]: describeModel(graph, x.overrides, x.vocabularies) as unknown as {} });
  const saved = await saveArtifacts(model, x.dir);
  model.dispose();
  return { graph, ...saved };
}
