// A JSON Lines file read and encoded in one call (Node: it reads the file). Kept apart from
// examples.ts so that the encoding there stays browser-safe.
import { encodeExamples, type EncodedData, type EncodeOptions } from "./examples.ts";
import type { DataField } from "./fields.ts";
import { readJsonLines } from "./jsonl.ts";
import type { Vocabulary } from "./vocabulary.ts";

/** Reads a JSON Lines file and encodes it: the errors of both steps together, in line order. */
export async function loadExamples(
  path: string,
  fields: readonly DataField[],
  vocabularies?: ReadonlyMap<string, Vocabulary>,
  options: EncodeOptions = {},
): Promise<EncodedData> {
  const file = options.file ?? path;
  const lines = await readJsonLines(path, file);
  const data = encodeExamples(lines.records, fields, vocabularies, { ...options, file });
  data.errors = [...lines.errors, ...data.errors].sort((a, b) => a.line - b.line);
  return data;
}
