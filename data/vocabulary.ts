// Vocabularies: the mapping between the strings in the data and the integer ids the model sees.
//
// Token vocabularies (fields of element `token`) hold the n training tokens FIRST, at ids 0..n-1,
// in sorted order (JavaScript string order, i.e. by UTF-16 code unit), so the same data always
// gives the same ids; then four special tokens, always in this order:
//   <pad> = n     filler after the end of a shorter sequence in a batch
//   <unk> = n+1   any token not in the vocabulary (unseen, or rarer than minCount in training)
//   <bos> = n+2   "beginning of sequence": what an autoregressive target reads at t = 0
//   <eos> = n+3   "end of sequence": what an autoregressive target predicts after its last token
// The special ids therefore depend on the vocabulary: read them from its `pad`, `unk`, `bos`, `eos`.
// Real tokens come first so that a model can use them directly as small ids: the parity model's
// `onehot(bits[t], 2)` needs "0" = 0 and "1" = 1, and an id at or beyond the onehot size (<pad>,
// <unk>, …) gives an all-zero vector there.
//
// Class vocabularies (fields of element `class`) have no specials: classes are 0..K-1 in sorted
// order — numerically when every label is a number (so labels 0..9 keep their own values),
// otherwise in string order. An unknown class is an error, never silently mapped.
//
// A vocabulary is saved with a checkpoint (toJSON/fromJSON) so a trained model keeps its ids.

export type VocabularyKind = "token" | "class";

/** The special tokens, in the order they end every token vocabulary. */
export const SPECIAL_TOKENS: readonly string[] = ["<pad>", "<unk>", "<bos>", "<eos>"];

export interface VocabularyJSON {
  kind: VocabularyKind;
  /** Every entry, id = position (a token vocabulary ends with the four specials). */
  tokens: string[];
}

export interface BuildOptions {
  /** Token vocabularies only: tokens seen fewer times than this in training become <unk>. Default 1. */
  minCount?: number;
}

export class Vocabulary {
  private readonly ids: Map<string, number>;

  private constructor(readonly kind: VocabularyKind, private readonly entries: readonly string[]) {
    this.ids = new Map(entries.map((entry, id) => [entry, id]));
  }

  /** Builds a vocabulary from every occurrence of every token (or class label) in the training data. */
  static build(kind: VocabularyKind, occurrences: Iterable<string>, options: BuildOptions = {}): Vocabulary {
    const counts = new Map<string, number>();
    for (const token of occurrences) counts.set(token, (counts.get(token) ?? 0) + 1);
    const minCount = kind === "token" ? (options.minCount ?? 1) : 1;
    const kept = [...counts].filter(([token, count]) => count >= minCount && !isSpecial(kind, token));
    const sorted = sortEntries(kept.map(([token]) => token), kind);
    return new Vocabulary(kind, kind === "token" ? [...sorted, ...SPECIAL_TOKENS] : sorted);
  }

  /** Restores a vocabulary saved with toJSON; throws on a malformed one (a damaged checkpoint). */
  static fromJSON(json: unknown): Vocabulary {
    const value = json as Partial<VocabularyJSON> | null;
    if (typeof value !== "object" || value === null) throw new Error("vocabulary: expected an object");
    if (value.kind !== "token" && value.kind !== "class") throw new Error(`vocabulary: unknown kind ${JSON.stringify(value.kind)}`);
    const tokens = value.tokens;
    if (!Array.isArray(tokens) || !tokens.every((token) => typeof token === "string")) {
      throw new Error("vocabulary: tokens must be an array of strings");
    }
    if (new Set(tokens).size !== tokens.length) throw new Error("vocabulary: duplicate tokens");
    if (value.kind === "token" && !endsWithSpecials(tokens)) {
      throw new Error(`vocabulary: a token vocabulary must end with ${SPECIAL_TOKENS.join(", ")}`);
    }
    return new Vocabulary(value.kind, [...tokens]);
  }

  /**
   * A vocabulary as a checkpoint saves it: its entries in id order, without the kind, which the
   * model's field says (`kind`). Without one, the entries say it: a token vocabulary ends with the
   * four specials in their order, which a class vocabulary, sorted, never does ("<bos>" sorts
   * before "<pad>"). This is how code holding only a compiled model and a checkpoint gets the
   * same Vocabulary objects as the command line and the browser bundle. Throws as fromJSON does.
   */
  static fromSaved(tokens: readonly string[], kind: VocabularyKind = endsWithSpecials(tokens) ? "token" : "class"): Vocabulary {
    return Vocabulary.fromJSON({ kind, tokens });
  }

  /** Number of ids, specials included: the `vocab(x)` / `classes(y)` of the model. */
  get size(): number {
    return this.entries.length;
  }

  /** <pad>'s id: the number of real tokens. Token vocabularies only; throws for a class vocabulary. */
  get pad(): number {
    return this.special(0);
  }

  /** <unk>'s id (pad + 1). Token vocabularies only; throws for a class vocabulary. */
  get unk(): number {
    return this.special(1);
  }

  /** <bos>'s id (pad + 2). Token vocabularies only; throws for a class vocabulary. */
  get bos(): number {
    return this.special(2);
  }

  /** <eos>'s id (pad + 3, the last id). Token vocabularies only; throws for a class vocabulary. */
  get eos(): number {
    return this.special(3);
  }

  /** Every entry in id order. */
  get tokens(): readonly string[] {
    return this.entries;
  }

  has(token: string): boolean {
    return this.ids.has(token);
  }

  /** The id of a token; an unknown token is <unk>. For a class vocabulary an unknown class throws: check has() first. */
  id(token: string): number {
    const id = this.ids.get(token);
    if (id !== undefined) return id;
    if (this.kind === "token") return this.unk;
    throw new RangeError(`unknown class ${JSON.stringify(token)}`);
  }

  token(id: number): string {
    const token = this.entries[id];
    if (token === undefined) throw new RangeError(`id ${id} is outside the vocabulary (size ${this.size})`);
    return token;
  }

  /** Generated ids as text: characters join into a word; longer tokens are separated by spaces. */
  decode(ids: ArrayLike<number>): string {
    const tokens = Array.from(ids, (id) => this.token(id));
    return tokens.join(this.characters ? "" : " ");
  }

  /**
   * Whether every real token is one character (by code point), as a character model's are: decode
   * joins such tokens, and a prompt is split into characters (runtime/sample-inputs.ts); otherwise
   * tokens are words, separated by spaces. Token vocabularies only.
   */
  get characters(): boolean {
    return this.tokens.slice(0, this.pad).every((t) => [...t].length === 1);
  }

  /** The id of the k-th special token; a class vocabulary has none, so asking for one is a bug. */
  private special(k: number): number {
    if (this.kind !== "token") throw new Error(`a class vocabulary has no ${SPECIAL_TOKENS[k]}`);
    return this.entries.length - SPECIAL_TOKENS.length + k;
  }

  toJSON(): VocabularyJSON {
    return { kind: this.kind, tokens: [...this.entries] };
  }
}

function endsWithSpecials(tokens: readonly string[]): boolean {
  const first = tokens.length - SPECIAL_TOKENS.length;
  return first >= 0 && SPECIAL_TOKENS.every((special, k) => tokens[first + k] === special);
}

function isSpecial(kind: VocabularyKind, token: string): boolean {
  return kind === "token" && SPECIAL_TOKENS.includes(token);
}

const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** Whether a class label spells a number (`"2"`, `"-0.5"`): such labels sort numerically. */
export const isNumberLabel = (label: string): boolean => NUMBER.test(label);

function sortEntries(entries: string[], kind: VocabularyKind): string[] {
  if (kind === "class" && entries.length > 0 && entries.every(isNumberLabel)) {
    return entries.sort((a, b) => Number(a) - Number(b));
  }
  return entries.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** All the vocabularies of a model, keyed by field name, as stored in a checkpoint. */
export function vocabulariesToJSON(vocabularies: ReadonlyMap<string, Vocabulary>): Record<string, VocabularyJSON> {
  return Object.fromEntries([...vocabularies].map(([field, vocabulary]) => [field, vocabulary.toJSON()]));
}

export function vocabulariesFromJSON(json: unknown): Map<string, Vocabulary> {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error("vocabularies: expected an object");
  return new Map(Object.entries(json).map(([field, vocabulary]) => [field, Vocabulary.fromJSON(vocabulary)]));
}
