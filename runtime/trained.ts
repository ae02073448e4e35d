// A trained model ready to run: a checkpoint's params copied into the module's own arrays, and
// its vocabularies as Vocabulary objects (data/vocabulary.ts: `id`, `token`, `bos`, `decode`…).
// One type wherever a checkpoint is loaded: the browser bundle's loadCheckpoint returns it, Node
// code gets it with restore(model, loadCheckpointFile(path)), and predictor() (records.ts) takes
// it. A checkpoint itself keeps each vocabulary as the list of its entries, which is what the
// file stores; restore is the one place that list becomes a Vocabulary. Browser-safe.
import type { DataField } from "../data/fields.ts";
import { Vocabulary } from "../data/vocabulary.ts";
import { CheckpointError, type Checkpoint, type ExpectedLayout } from "./checkpoint-shared.ts";
import type { CompiledModel } from "./model.ts";
import type { FloatArray } from "./types.ts";

/** A model's trained weights and vocabularies, read from its checkpoint. */
export interface Trained<A extends FloatArray = FloatArray> {
  params: Map<string, A>;
  /** Per token or class field of the model, its vocabulary as saved. */
  vocabularies: Map<string, Vocabulary>;
  /** What the run that saved the checkpoint recorded (epochs, metrics, overrides…). */
  meta: Record<string, unknown>;
}

/** What a checkpoint of this module must hold, for decodeCheckpoint and loadCheckpointFile to check. */
export function expectedLayout(model: Pick<CompiledModel, "name" | "params">): ExpectedLayout {
  return { model: model.name, params: Object.fromEntries(model.params.map((p) => [p.name, p.shape])) };
}

/**
 * The checkpoint's params and vocabularies for this module, checked: the model's name, every
 * param there with its size, every token and class field's vocabulary there with the size the
 * module was compiled for (its sizes are constants). Throws a CheckpointError naming every
 * problem. `fields` (the bundle's, or modelFields of the checked model) say which vocabularies are
 * of tokens and which of classes; without them, the saved entries say it (Vocabulary.fromSaved).
 */
export function restore<A extends FloatArray>(model: CompiledModel<A>, checkpoint: Checkpoint, fields?: readonly DataField[]): Trained<A> {
  const problems: string[] = [];
  if (checkpoint.model !== model.name) problems.push(`the checkpoint is for model "${checkpoint.model}", not "${model.name}"`);
  for (const p of model.params) {
    const saved = Object.hasOwn(checkpoint.params, p.name) ? checkpoint.params[p.name] : undefined;
    const size = p.shape.reduce((a, b) => a * b, 1);
    if (!saved) problems.push(`parameter "${p.name}" is missing from the checkpoint`);
    else if (saved.values.length !== size) problems.push(`parameter "${p.name}" has ${saved.values.length} values in the checkpoint, the model expects ${size} ([${p.shape.join(", ")}])`);
  }
  const vocabularies = new Map<string, Vocabulary>();
  for (const d of model.data) {
    if (d.kind !== "ids" || d.name.endsWith("@input")) continue; // NAME@input reads NAME's vocabulary
    const tokens = Object.hasOwn(checkpoint.vocabularies, d.name) ? checkpoint.vocabularies[d.name] : undefined;
    if (!tokens) {
      problems.push(`no vocabulary for ${d.name}: was it saved for another model?`);
      continue;
    }
    const element = fields?.find((f) => f.name === d.name)?.element.kind;
    let vocabulary: Vocabulary;
    try {
      vocabulary = Vocabulary.fromSaved(tokens, element === "token" || element === "class" ? element : undefined);
    } catch (error) {
      problems.push(`the vocabulary of ${d.name}: ${(error as Error).message}`);
      continue;
    }
    if (vocabulary.size !== d.size) problems.push(`the vocabulary of ${d.name} has ${vocabulary.size} entries, the module was compiled for ${d.size}`);
    vocabularies.set(d.name, vocabulary);
  }
  if (problems.length > 0) throw new CheckpointError(problems);
  const params = model.createParams();
  for (const [name, values] of params) values.set(checkpoint.params[name].values);
  return { params, vocabularies, meta: checkpoint.meta };
}
