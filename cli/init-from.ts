// rnnc train B.rnn --init-from A: a new run that starts from another model's parameters (transfer
// learning). Every parameter of B whose name (`layer.param`) and shape match one of A's checkpoint
// is copied; the others are initialized as they would be without --init-from (the same RNG draws,
// so a fresh head is the head a run from scratch gets). A parameter of the same name and another
// shape is refused, not skipped: it almost always means a dim or a layer was changed by mistake,
// and a silently fresh layer would look like a transfer that did not help.
//
// Copied rows must mean what they meant in A: an embedding's row k is token k of A's vocabulary.
// So the vocabularies go with them: a token field of B takes A's vocabulary when a copied
// parameter is sized by it (B's `emb.W` is [E, vocab(name)], A's the same layer [E, vocab(text)]:
// B's name gets A's text), or else when A has a field of the same name. Tokens of B's data that A
// never saw read as <unk>, and are listed. A class field takes A's classes only when B's labels
// are all among them (an unknown class cannot be <unk>); else its own. The optimizer and the RNG
// start fresh: A's moments belong to A's task.
import { existsSync, statSync } from "node:fs";
import type { CheckedModel } from "../compiler/2-check/checked.ts";
import { symbolsOf, type Size } from "../compiler/2-check/sizes.ts";
import { checkSource } from "../compiler/index.ts";
import type { Example } from "../data/examples.ts";
import type { DataField } from "../data/fields.ts";
import { Vocabulary } from "../data/vocabulary.ts";
import type { Checkpoint } from "../runtime/checkpoint.ts";
import type { CompiledModel, ParamLayout } from "../runtime/model.ts";
import type { FloatArray } from "../runtime/types.ts";
import { readCheckpoint } from "./checkpoints.ts";
import { loadTrainingData, type DataSourceArgs, type SourceOptions } from "./data-source.ts";
import { sizeKey } from "./model-data.ts";
import { checkpointFor, runFiles } from "./run-dir.ts";
import type { InitFromRecord } from "./run-record.ts";
import { Stop } from "./stop.ts";

/** A's checkpoint as --init-from names it, and the symbolic shapes of A's parameters when A's text (kept in its checkpoint) still checks. */
export interface InitSource {
  given: string;
  path: string;
  checkpoint: Checkpoint;
  shapes?: Map<string, readonly Size[]>;
}

/** A vocabulary B takes from A, and why. */
interface Carried {
  field: string;
  from: string; // A's field
  via?: string; // the parameter sized by both, when that is the reason
  vocabulary: Vocabulary;
}

const refuse = (given: string, message: string) => new Stop(`rnnc train: --init-from ${given}: ${message}`, 2);

/** Reads A: a checkpoint file, or a run directory's best checkpoint (its last before any best), as --checkpoint reads one. */
export function readInitSource(given: string): InitSource {
  const directory = existsSync(given) && statSync(given).isDirectory();
  if (directory && ![runFiles(given).best, runFiles(given).last].some((path) => existsSync(path)))
    throw refuse(given, "no best.ckpt or last.ckpt there: is it a run directory?");
  if (!existsSync(given)) throw refuse(given, "no such file or directory");
  const path = checkpointFor("", given);
  let checkpoint: Checkpoint;
  try {
    checkpoint = readCheckpoint(path);
  } catch (error) {
    throw refuse(given, (error as Error).message);
  }
  const shapes = symbolicShapes(checkpoint);
  return { given, path, checkpoint, ...(shapes ? { shapes } : {}) };
}

/** A's parameters' shapes in terms of its fields (`vocab(name)`), from the model text its run saved; undefined when there is none or it no longer checks. */
function symbolicShapes(checkpoint: Checkpoint): Map<string, readonly Size[]> | undefined {
  const { source, overrides } = checkpoint.meta;
  if (typeof source !== "string") return undefined;
  const numbers = typeof overrides === "object" && overrides !== null ? Object.entries(overrides).filter((e): e is [string, number] => typeof e[1] === "number") : [];
  try {
    const result = checkSource(source, "init-from.rnn", { overrides: new Map(numbers) });
    const model = result.models.find((m) => m.name === checkpoint.model);
    if (!model || result.diagnostics.some((d) => d.severity === "error")) return undefined;
    return new Map(model.layers.flatMap((layer) => layer.params.map((p) => [`${layer.name}.${p.name}`, p.shape] as const)));
  } catch {
    return undefined;
  }
}

/** The saved vocabulary of A's field `name`, when it is one of `kind`. */
function savedVocabulary(source: InitSource, name: string, kind: "token" | "class"): Vocabulary | undefined {
  const tokens = Object.hasOwn(source.checkpoint.vocabularies, name) ? source.checkpoint.vocabularies[name] : undefined;
  if (!tokens) return undefined;
  try {
    const vocabulary = Vocabulary.fromSaved(tokens);
    return vocabulary.kind === kind ? vocabulary : undefined;
  } catch (error) {
    throw refuse(source.given, `the vocabulary of ${name}: ${(error as Error).message}`);
  }
}

/**
 * Which of A's fields each token or class field of B takes its vocabulary from: the field that
 * sizes the same dimension of the same parameter in A, else the field of the same name. Refused:
 * a field of B whose parameters A sized by two different fields (no one vocabulary fits both).
 */
export function plannedVocabularies(b: CheckedModel, source: InitSource): Map<string, Carried> {
  const planned = new Map<string, Carried>();
  for (const d of b.data) {
    const key = sizeKey(d);
    const kind = d.type.element.kind;
    if (!key || (kind !== "token" && kind !== "class")) continue;
    const links = new Map<string, string>(); // A's field → a parameter that links it
    for (const layer of b.layers)
      for (const p of layer.params) {
        const name = `${layer.name}.${p.name}`;
        const theirs = source.shapes?.get(name);
        if (!theirs || theirs.length !== p.shape.length) continue;
        p.shape.forEach((dim, i) => {
          if (!symbolsOf(dim).includes(key)) return;
          for (const symbol of symbolsOf(theirs[i]!)) {
            const field = fieldOfSize(symbol, kind);
            if (field !== undefined && !links.has(field)) links.set(field, name);
          }
        });
      }
    if (links.size > 1) {
      const listed = [...links].map(([field, param]) => `${param} by ${field}`).join(", ");
      throw refuse(source.given, `${d.name} here sizes parameters that the checkpoint's model sized by different fields (${listed}): no one vocabulary fits them all`);
    }
    const [linked] = links;
    const from = linked?.[0] ?? d.name;
    const vocabulary = savedVocabulary(source, from, kind);
    if (vocabulary) planned.set(d.name, { field: d.name, from, ...(linked ? { via: linked[1] } : {}), vocabulary });
  }
  return planned;
}

/** `vocab(name)` → name (for a token field), `classes(sex)` → sex (for a class field). */
function fieldOfSize(symbol: string, kind: "token" | "class"): string | undefined {
  const match = /^(vocab|classes)\((.*)\)$/.exec(symbol);
  return match && (match[1] === "vocab") === (kind === "token") ? match[2] : undefined;
}

/** What reading the data with A's vocabularies came to: the vocabularies carried, and the lines that say so. */
export interface CarriedData {
  fields: Record<string, string>; // B's field → A's
  lines: string[];
}

/**
 * Reads the training (and validation) data with A's vocabularies where B takes them, B's own
 * elsewhere. B's own are built first, from a first reading, because the data decides both which
 * class fields may take A's classes and which of B's tokens A lacks; when anything is carried,
 * the data is read again, encoded with the vocabularies as they now are.
 */
export async function loadCarryingVocabularies(b: CheckedModel, source: InitSource, args: DataSourceArgs, fields: readonly DataField[], options: SourceOptions) {
  const planned = plannedVocabularies(b, source);
  const own = await loadTrainingData(args, fields, options);
  const vocabularies = new Map(own.train.vocabularies);
  const lines: string[] = [];
  const carried: Record<string, string> = {};
  for (const [name, plan] of planned) {
    const theirs = plan.vocabulary;
    const mine = own.train.vocabularies.get(name)!;
    const why = plan.via ? `, which ${plan.via} was trained on` : "";
    if (theirs.kind === "class") {
      const missing = mine.tokens.filter((label) => !theirs.has(label));
      if (missing.length > 0) {
        lines.push(`  ${name}: its own classes: ${list(missing)} ${missing.length === 1 ? "is" : "are"} not among the checkpoint's classes of ${plan.from} (${list(theirs.tokens)})`);
        continue;
      }
      lines.push(`  ${name}: the checkpoint's classes of ${plan.from}${why} (${list(theirs.tokens)})`);
    } else {
      const real = theirs.tokens.slice(0, theirs.pad);
      const unit = real.every((t) => [...t].length === 1) ? "character" : "token";
      lines.push(`  ${name}: the checkpoint's vocabulary of ${plan.from}${why} (${real.length} ${unit}s and 4 specials)`);
      const unseen = unseenTokens(own.train.examples, name, mine, theirs);
      if (unseen.length > 0) {
        const shown = unseen.slice(0, 10).map(([token, n]) => `${JSON.stringify(token)} (${n} time${n === 1 ? "" : "s"})`);
        lines.push(`    ${unseen.length} ${unit}${unseen.length === 1 ? "" : "s"} of the training data ${unseen.length === 1 ? "is" : "are"} not in it and read${unseen.length === 1 ? "s" : ""} as <unk>: ${shown.join(", ")}${unseen.length > 10 ? ", …" : ""}`);
      }
    }
    vocabularies.set(name, theirs);
    carried[name] = plan.from;
  }
  const same = [...vocabularies].every(([name, v]) => sameTokens(v, own.train.vocabularies.get(name)!));
  // Read again only when an id would change: a vocabulary equal to B's own encodes the same.
  const read = same ? own : await loadTrainingData(args, fields, { ...options, vocabularies, say: () => {} });
  return { read, carriedData: { fields: carried, lines } satisfies CarriedData };
}

const sameTokens = (a: Vocabulary, b: Vocabulary) => a.size === b.size && a.tokens.every((t, i) => t === b.tokens[i]);

const list = (items: readonly string[]) => (items.length > 8 ? [...items.slice(0, 8), "…"] : items).join(", ");

/** B's tokens of field `name` that A's vocabulary lacks, with how often the training data has each. */
function unseenTokens(examples: readonly Example[], name: string, mine: Vocabulary, theirs: Vocabulary): [string, number][] {
  const counts = new Map<number, number>();
  for (const example of examples) {
    const field = example.fields.get(name);
    const ids = field?.kind === "ids" ? field.ids : field?.kind === "shifted" ? field.target : undefined;
    for (const id of ids ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return [...counts]
    .filter(([id]) => id < mine.pad && !theirs.has(mine.token(id)))
    .map(([id, n]): [string, number] => [mine.token(id), n])
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

/** Which of B's parameters are copied and which start fresh; what of A is not used. */
export interface CopyPlan {
  copied: ParamLayout[];
  fresh: ParamLayout[];
  unused: string[];
}

/** Plans the copy, or refuses (exit 2, before anything is written) every same-named parameter of another shape. */
export function planCopy(model: CompiledModel, source: InitSource): CopyPlan {
  const saved = source.checkpoint.params;
  const plan: CopyPlan = { copied: [], fresh: [], unused: [] };
  const problems: string[] = [];
  for (const p of model.params) {
    const theirs = Object.hasOwn(saved, p.name) ? saved[p.name] : undefined;
    if (!theirs) plan.fresh.push(p);
    else if (sameShape(theirs.shape, p.shape)) plan.copied.push(p);
    else problems.push(`layer ${p.layer}: ${p.name} is ${shape(theirs.shape)} there and ${shape(p.shape)} here`);
  }
  if (problems.length > 0) {
    const what = problems.length === 1 ? problems[0] : `${problems.length} parameters have other shapes:\n  ${problems.join("\n  ")}`;
    throw refuse(source.given, `${what}\n  a parameter of the same name must have the same shape to be copied; to train a layer from scratch instead, give it another name here`);
  }
  const ours = new Set(model.params.map((p) => p.name));
  plan.unused = Object.keys(saved).filter((name) => !ours.has(name));
  return plan;
}

/** Overwrites the copied parameters with A's values (after B's own initialization, which the fresh ones keep). */
export function applyCopy<A extends FloatArray>(plan: CopyPlan, params: Map<string, A>, source: InitSource): void {
  for (const p of plan.copied) params.get(p.name)!.set(source.checkpoint.params[p.name]!.values);
}

/** What the run prints: the copied, the fresh, the unused; the vocabularies; a frozen layer that was not copied. */
export function describeInit(plan: CopyPlan, source: InitSource, carried: CarriedData, freeze: readonly string[]): string[] {
  const named = (ps: ParamLayout[]) => ps.map((p) => `${p.name} ${shape(p.shape)}`).join(", ");
  const epoch = typeof source.checkpoint.meta.epoch === "number" ? `, epoch ${source.checkpoint.meta.epoch}` : "";
  const lines = [
    `initializing from ${source.path} (model ${source.checkpoint.model}${epoch}):`,
    plan.copied.length ? `  copied: ${named(plan.copied)}` : "  copied nothing: no parameter of this model has a name there",
    ...(plan.fresh.length ? [`  initialized fresh: ${named(plan.fresh)}`] : []),
    ...(plan.unused.length ? [`  not used: ${plan.unused.map((name) => `${name} ${shape(source.checkpoint.params[name]!.shape)}`).join(", ")}`] : []),
  ];
  if (Object.keys(carried.fields).length > 0) lines.push("  vocabularies:", ...carried.lines.map((line) => `  ${line}`));
  else lines.push(...carried.lines);
  const copiedLayers = new Set(plan.copied.map((p) => p.layer));
  for (const layer of freeze.filter((l) => !copiedLayers.has(l)))
    lines.push(`  warning: freeze ${layer}: none of its parameters were copied; it stays as initialized`);
  const frozen = plan.copied.filter((p) => freeze.includes(p.layer));
  if (frozen.length > 0) lines.push(`  frozen (not trained): ${frozen.map((p) => p.name).join(", ")}`);
  lines.push("  the optimizer starts fresh");
  return lines;
}

/** What settings.json keeps of it. */
export function initRecord(plan: CopyPlan, source: InitSource, carried: CarriedData): InitFromRecord {
  return {
    given: source.given,
    checkpoint: source.path,
    model: source.checkpoint.model,
    copied: plan.copied.map((p) => p.name),
    fresh: plan.fresh.map((p) => p.name),
    vocabularies: carried.fields,
  };
}

const shape = (dims: readonly number[]) => `[${dims.join(", ")}]`;
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
