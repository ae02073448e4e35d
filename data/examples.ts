// Examples: records checked against the model's fields and turned into ids and numbers.
//
// Records come from any format (formats.ts): a JSON Lines line, a CSV or TSV row, a line or a
// chunk of text; each is an object with one key per field of the model (other keys are ignored). A record
// with any problem — a missing field, a value of the wrong type or size, an empty sequence, fields
// on the same time axis with different lengths, an unknown class, a field written unlike the
// earlier lines (mixed-types.ts) — gives one DataError per problem (file:line: message) and is
// skipped; the others are encoded.
//
// Vocabularies: when none are given they are built from these records (the training set), one per
// token or class field, keyed by field name. When given (validation and test sets, or the ones saved
// in a checkpoint), an unknown token becomes <unk> and an unknown class is an error.
//
// Autoregressive token targets. A target the model reads at t-1 and predicts at t (e.g.
// `h[t] = cell(emb(name[t-1]), h[t-1]); loss cross_entropy(head(h[t]), name[t])`) is encoded as
// two aligned sequences of n+1 steps for the n tokens c1..cn of the data:
//     input  = [<bos>, c1, …, cn]     what the model reads: input[t] is name[t-1] (name[-1] = <bos>)
//     target = [c1, …, cn, <eos>]     what it predicts at step t
// so the model learns to end a sequence by predicting <eos>, and generation starts from <bos>.
// <bos> and <eos> are the field vocabulary's own ids (vocab.bos, vocab.eos): specials come after
// the real tokens, so they differ from one vocabulary to another.
// Its length (for the axis check) is n+1 steps.
//
// Browser-safe: nothing here reads a file (load-examples.ts does, under Node), so the browser
// bundle and the runtime's predictor (runtime/records.ts) encode records with this same code.

import type { DataError } from "./errors.ts";
import type { DataField } from "./fields.ts";
import { WrittenForms } from "./mixed-types.ts";
import { readField, typeName, type RawValue } from "./read-field.ts";
import { Vocabulary, type VocabularyKind } from "./vocabulary.ts";

export type EncodedField =
  /** Token or class ids; `steps` is 1 for a non-sequence field. */
  | { kind: "ids"; steps: number; ids: Int32Array }
  /** An autoregressive token target: input = [<bos>, c1..cn], target = [c1..cn, <eos>]. */
  | { kind: "shifted"; steps: number; input: Int32Array; target: Int32Array }
  /** Real vectors, `steps` × `size` numbers, row-major; `steps` is 1 for a non-sequence field. */
  | { kind: "vectors"; steps: number; size: number; values: Float32Array };

/**
 * A record as read from a file, with its line: the shape of jsonl.ts's JsonRecord (and of every
 * reader's), named here so that this file needs nothing from a file that reads files.
 */
export interface NumberedRecord {
  line: number;
  value: unknown;
}

export interface Example {
  /** The record's line in its file. */
  line: number;
  fields: Map<string, EncodedField>;
}

export interface EncodedData {
  examples: Example[];
  /** One per token or class field, keyed by field name. */
  vocabularies: Map<string, Vocabulary>;
  errors: DataError[];
}

export interface EncodeOptions {
  /** The file name used in errors. */
  file?: string;
  /** When building token vocabularies: tokens seen fewer times become <unk>. */
  minCount?: number;
}

interface CheckedRecord {
  line: number;
  values: Map<string, RawValue>;
}

export function encodeExamples(
  records: readonly NumberedRecord[],
  fields: readonly DataField[],
  vocabularies?: ReadonlyMap<string, Vocabulary>,
  options: EncodeOptions = {},
): EncodedData {
  checkFieldDescriptions(fields);
  const file = options.file ?? "<data>";
  const errors: DataError[] = [];
  const report = (line: number) => (message: string) => errors.push({ file, line, message });

  const checked: CheckedRecord[] = [];
  const forms = new WrittenForms();
  for (const record of records) {
    const values = checkRecord(record, fields, forms, report(record.line));
    if (values) checked.push({ line: record.line, values });
  }

  const vocabs = vocabularies ? givenVocabularies(vocabularies, fields) : buildVocabularies(checked, fields, options.minCount);
  const examples: Example[] = [];
  for (const { line, values } of checked) {
    const encoded = new Map<string, EncodedField>();
    let valid = true;
    for (const field of fields) {
      const result = encodeField(values.get(field.name)!, field, vocabs.get(field.name));
      if (typeof result === "string") {
        report(line)(result);
        valid = false;
      } else encoded.set(field.name, result);
    }
    if (valid) examples.push({ line, fields: encoded });
  }
  errors.sort((a, b) => a.line - b.line);
  return { examples, vocabularies: vocabs, errors };
}

/** The number of steps a field runs for: its length, plus one for an autoregressive target. */
export function stepsOf(value: RawValue, field: DataField): number {
  if (value.kind === "vectors") return value.steps;
  return value.labels.length + (field.autoregressive ? 1 : 0);
}

/** Checks one record against every field; undefined (and the problems reported) when it is invalid. */
function checkRecord({ line, value: record }: NumberedRecord, fields: readonly DataField[], forms: WrittenForms, report: (message: string) => void): Map<string, RawValue> | undefined {
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    report(`expected a JSON object with the fields ${fields.map((f) => f.name).join(", ")}; found ${typeName(record)}`);
    return undefined;
  }
  const values = new Map<string, RawValue>();
  let valid = true;
  for (const field of fields) {
    if (!Object.hasOwn(record, field.name)) {
      report(`missing field ${JSON.stringify(field.name)}`);
      valid = false;
      continue;
    }
    const value = (record as Record<string, unknown>)[field.name];
    const result = readField(value, field);
    const problem = result.ok ? forms.check(field, value, line) : result.message;
    if (problem !== undefined) {
      report(problem);
      valid = false;
    } else if (result.ok) values.set(field.name, result.value);
  }
  if (!valid) return undefined;
  for (const message of axisMismatches(values, fields)) {
    report(message);
    valid = false;
  }
  return valid ? values : undefined;
}

/** Sequence fields that share an axis must have the same number of steps. */
function axisMismatches(values: Map<string, RawValue>, fields: readonly DataField[]): string[] {
  const messages: string[] = [];
  for (const axis of ["t", "s"] as const) {
    const onAxis = fields.filter((field) => field.sequence && field.axis === axis);
    const lengths = onAxis.map((field) => ({ field, steps: stepsOf(values.get(field.name)!, field) }));
    if (new Set(lengths.map((l) => l.steps)).size > 1) {
      const listed = lengths.map(({ field, steps }) => `${field.name} has ${steps}${field.autoregressive ? " (with <eos>)" : ""}`);
      messages.push(`fields on axis ${axis} have different lengths: ${listed.join(", ")}`);
    }
  }
  return messages;
}

function encodeField(value: RawValue, field: DataField, vocabulary: Vocabulary | undefined): EncodedField | string {
  if (value.kind === "vectors") return value;
  const vocab = vocabulary!;
  if (field.element.kind === "class") {
    const unknown = value.labels.findIndex((label) => !vocab.has(label));
    if (unknown >= 0) {
      const where = field.sequence ? `field ${JSON.stringify(field.name)}[${unknown}]` : `field ${JSON.stringify(field.name)}`;
      return `${where}: unknown class ${JSON.stringify(value.labels[unknown])} (${knownClasses(vocab)})`;
    }
  }
  const ids = value.labels.map((label) => vocab.id(label));
  if (!field.autoregressive) return { kind: "ids", steps: ids.length, ids: Int32Array.from(ids) };
  return { kind: "shifted", steps: ids.length + 1, input: Int32Array.from([vocab.bos, ...ids]), target: Int32Array.from([...ids, vocab.eos]) };
}

function knownClasses(vocab: Vocabulary): string {
  const shown = vocab.tokens.slice(0, 10).join(", ");
  return `the training data has ${vocab.size} class${vocab.size === 1 ? "" : "es"}: ${shown}${vocab.size > 10 ? ", …" : ""}`;
}

function buildVocabularies(checked: CheckedRecord[], fields: readonly DataField[], minCount?: number): Map<string, Vocabulary> {
  const vocabularies = new Map<string, Vocabulary>();
  for (const field of fields) {
    const kind = labelKind(field);
    if (!kind) continue;
    vocabularies.set(field.name, Vocabulary.build(kind, labelsOf(checked, field.name), { minCount }));
  }
  return vocabularies;
}

function* labelsOf(checked: CheckedRecord[], name: string): Iterable<string> {
  for (const { values } of checked) {
    const value = values.get(name)!;
    if (value.kind === "labels") yield* value.labels;
  }
}

/** Given vocabularies must cover every token and class field with the right kind (a caller's bug otherwise). */
function givenVocabularies(given: ReadonlyMap<string, Vocabulary>, fields: readonly DataField[]): Map<string, Vocabulary> {
  for (const field of fields) {
    const kind = labelKind(field);
    if (!kind) continue;
    const vocabulary = given.get(field.name);
    if (!vocabulary) throw new Error(`no vocabulary given for field "${field.name}"`);
    if (vocabulary.kind !== kind) throw new Error(`the vocabulary of field "${field.name}" is a ${vocabulary.kind} vocabulary, not a ${kind} one`);
  }
  return new Map(given);
}

function labelKind(field: DataField): VocabularyKind | undefined {
  return field.element.kind === "vector" ? undefined : field.element.kind;
}

/** Field descriptions come from the compiler, not the user: a bad one is a bug and throws. */
function checkFieldDescriptions(fields: readonly DataField[]): void {
  const names = new Set<string>();
  for (const field of fields) {
    if (names.has(field.name)) throw new Error(`field "${field.name}" is described twice`);
    names.add(field.name);
    if (field.autoregressive && !(field.element.kind === "token" && field.sequence && field.role === "target")) {
      throw new Error(`field "${field.name}": only a seq<token> target can be autoregressive`);
    }
    if (field.element.kind === "vector" && !(Number.isInteger(field.element.size) && field.element.size > 0)) {
      throw new Error(`field "${field.name}": a vector size must be a positive integer`);
    }
  }
}
