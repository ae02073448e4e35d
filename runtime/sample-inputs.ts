// What a user hands generation, checked and turned into what the decoding (generation.ts) takes:
// a prompt's text as ids of the target's vocabulary, and the inputs' record checked against the
// model's input fields; and the ids generation never chooses. `rnnc sample` (cli/sample.ts) and
// the browser bundle's `sample` (browser/api.ts) both call these, so they read the same prompt as
// the same ids and say the same things about the same mistakes. Browser-safe.
import type { DataField } from "../data/fields.ts";
import type { Vocabulary } from "../data/vocabulary.ts";

/**
 * The ids sampling and beam search never choose: <pad>, <unk> and <bos>. The data never has them
 * where the model predicts (<bos> is only read, <pad> is masked out of the loss, <unk> stands for
 * what the vocabulary lacks), yet a model, an untrained one especially, still gives them some
 * probability. <eos> stays: choosing it is how a sequence ends.
 */
export function neverGenerated(vocabulary: Vocabulary): number[] {
  return [vocabulary.pad, vocabulary.unk, vocabulary.bos];
}

/**
 * A prompt's text as ids of the target's vocabulary, split as `decode` joins it: a token a
 * character (by code point, spaces included) when every token of the vocabulary is one character,
 * as a character model's are; else a token a word, the text split on whitespace. A token the
 * vocabulary lacks is an error naming it, not <unk>: the model would be continuing a text other
 * than the one written. A word model's <unk> may be written as such (rare words were <unk> in its
 * training data); <pad>, <bos> and <eos> may not. Empty text (or only spaces, for words): no prompt.
 */
export function promptIds(text: string, vocabulary: Vocabulary, field: string): Int32Array {
  const characters = vocabulary.characters;
  const tokens = characters ? Array.from(text) : text.trim() === "" ? [] : text.trim().split(/\s+/);
  const specials = new Set([vocabulary.pad, vocabulary.bos, vocabulary.eos]);
  const missing = [...new Set(tokens.filter((token) => !vocabulary.has(token) || specials.has(vocabulary.id(token))))];
  if (missing.length > 0) {
    const real = vocabulary.tokens.slice(0, vocabulary.pad);
    const shown = real.slice(0, 20).map((token) => JSON.stringify(token)).join(" ");
    const unit = characters ? "character" : "token";
    throw new Error(
      `the prompt has ${missing.map((token) => JSON.stringify(token)).join(", ")}: not ${missing.length === 1 ? `a ${unit}` : `${unit}s`} of the vocabulary of ${field} ` +
        `(${real.length} ${unit}s: ${shown}${real.length > 20 ? " …" : ""}${characters ? "" : "; <unk> stands for any token it lacks"})`,
    );
  }
  return Int32Array.from(tokens, (token) => vocabulary.id(token));
}

/**
 * What is wrong with the keys of an inputs record (`--input`, the bundle's `input`): each key that
 * is not an input of the model, named, with the inputs it has; undefined when there is none. A
 * target given as an input is such a key too: generation produces it and would not read it.
 */
export function unknownInputs(record: Record<string, unknown>, fields: readonly DataField[], model: string): string | undefined {
  const inputs = fields.filter((f) => f.role === "input").map((f) => f.name);
  const unknown = Object.keys(record).filter((key) => !inputs.includes(key));
  if (unknown.length === 0) return undefined;
  const reads = inputs.length === 0 ? `${model} reads no inputs` : `${model}'s inputs are ${inputs.join(", ")}`;
  const targets = unknown.filter((key) => fields.some((f) => f.name === key && f.role === "target"));
  const generated = targets.length > 0 ? ` (${targets.join(", ")}: ${targets.length === 1 ? "a target" : "targets"}, which ${model} predicts, not reads)` : "";
  return `unknown field${unknown.length === 1 ? "" : "s"} ${unknown.map((key) => JSON.stringify(key)).join(", ")}${generated}: ${reads}`;
}
