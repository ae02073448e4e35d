// The tokens of a .rnn file (see README.md, "Tokens") and the pass that keeps only the newlines
// that end a statement. Nothing here knows about meaning: words such as `seq` or `batch` are
// plain identifiers.
import { createToken, Lexer, tokenMatcher, type IToken, type TokenType } from "chevrotain";

// ---- white space and comments ---------------------------------------------------------------

const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\f\v\ufeff]+/, group: Lexer.SKIPPED });
const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\n\r]*/, group: Lexer.SKIPPED });
const BlockComment = createToken({
  name: "BlockComment",
  pattern: /\/\*[\s\S]*?\*\//,
  line_breaks: true,
  group: Lexer.SKIPPED,
});
/** `/*` without its `*\/`: swallows the rest of the file, so it is reported once, at the `/*`. */
export const UnterminatedComment = createToken({
  name: "UnterminatedComment",
  pattern: /\/\*[\s\S]*/,
  line_breaks: true,
  group: "errors",
});

// ---- statement ends ---------------------------------------------------------------------------

/** What the parser sees between statements: a (significant) newline or a `;`. */
export const StatementEnd = createToken({ name: "StatementEnd", pattern: Lexer.NA, label: "end of line" });
export const Newline = createToken({
  name: "Newline",
  pattern: /\r\n|\r|\n/,
  line_breaks: true,
  categories: [StatementEnd],
  label: "end of line",
});
export const Semicolon = createToken({ name: "Semicolon", pattern: ";", categories: [StatementEnd], label: ";" });

// ---- literals and names ---------------------------------------------------------------------

export const NumberLiteral = createToken({
  name: "NumberLiteral",
  pattern: /(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/,
  label: "number",
});
export const StringLiteral = createToken({ name: "StringLiteral", pattern: /"[^"\n\r]*"/, label: "string" });
/** A string cut off by the end of its line: reported by the lexer, parsed as a string. */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"[^"\n\r]*/,
  categories: [StringLiteral],
  label: "string",
});
export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*'?/, label: "name" });

const keyword = (word: string, categories: TokenType[] = []) =>
  createToken({
    name: word[0].toUpperCase() + word.slice(1),
    pattern: new RegExp(word),
    longer_alt: Identifier, // `models` and `model'` are names
    categories,
    label: word,
  });

// Hard keywords: reserved, never names.
export const Model = keyword("model");
export const Layer = keyword("layer");
export const Dims = keyword("dims");
export const Input = keyword("input");
export const Target = keyword("target");
export const State = keyword("state");
export const Param = keyword("param");
export const Init = keyword("init");
export const Loss = keyword("loss");
export const Train = keyword("train");
export const Return = keyword("return");
export const hardKeywords: TokenType[] = [Model, Layer, Dims, Input, Target, State, Param, Init, Loss, Train, Return];

// Soft keywords: they are identifiers (usable as names) that the parser can also ask for by word.
// `cell` is one because LANGUAGE.md names a layer `cell` (`layer cell = gru(2, H)`).
export const Cell = keyword("cell", [Identifier]);
export const Mean = keyword("mean", [Identifier]);
export const Over = keyword("over", [Identifier]);
/** `output probs = softmax(logits)`: soft, so that a layer or value may still be called `output`. */
export const Output = keyword("output", [Identifier]);

/** The settings a train block knows; a bare name after `freeze` is a layer unless it is one of these. */
export const trainSettingNames = ["optimizer", "batch", "epochs", "clip_norm", "weight_decay", "bptt", "seed", "freeze", "early_stop", "lr_schedule", "warmup"];

/** Settings whose values may be bare names: `freeze emb enc`, `early_stop patience 5 on accuracy`. */
export const settingsTakingNames = ["freeze", "early_stop"];
/** Settings whose one value may be a bare name: `optimizer sgd`, `lr_schedule cosine`. */
export const settingsTakingOneName = ["optimizer", "lr_schedule"];

// ---- punctuation ----------------------------------------------------------------------------

const punctuation = (name: string, text: string, categories: TokenType[] = []) =>
  createToken({ name, pattern: text, label: text, categories });

/** `+` and `-` between operands: one category, so the CST keeps the operators in order. */
export const AddOp = createToken({ name: "AddOp", pattern: Lexer.NA, label: "+ or -" });
/** `*`, `/` and `@`, which bind equally tightly. */
export const MulOp = createToken({ name: "MulOp", pattern: Lexer.NA, label: "* / or @" });

export const LBrace = punctuation("LBrace", "{");
export const RBrace = punctuation("RBrace", "}");
export const LParen = punctuation("LParen", "(");
export const RParen = punctuation("RParen", ")");
export const LBracket = punctuation("LBracket", "[");
export const RBracket = punctuation("RBracket", "]");
export const LAngle = punctuation("LAngle", "<");
export const RAngle = punctuation("RAngle", ">");
export const Comma = punctuation("Comma", ",");
export const Colon = punctuation("Colon", ":");
export const Equals = punctuation("Equals", "=");
export const Plus = punctuation("Plus", "+", [AddOp]);
export const Minus = punctuation("Minus", "-", [AddOp]);
export const Star = punctuation("Star", "*", [MulOp]);
export const Slash = punctuation("Slash", "/", [MulOp]);
export const At = punctuation("At", "@", [MulOp]);

// Order matters: comments before `/`, an unterminated comment or string after the terminated
// form, keywords before Identifier.
export const allTokens: TokenType[] = [
  WhiteSpace,
  Newline,
  BlockComment,
  UnterminatedComment,
  LineComment,
  StringLiteral,
  UnterminatedString,
  NumberLiteral,
  ...hardKeywords,
  Cell,
  Mean,
  Over,
  Output,
  Identifier,
  LBrace,
  RBrace,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LAngle,
  RAngle,
  Comma,
  Colon,
  Semicolon,
  Equals,
  Plus,
  Minus,
  Star,
  Slash,
  At,
  StatementEnd,
  AddOp,
  MulOp,
];

export const lexer = new Lexer(allTokens, { positionTracking: "onlyOffset", ensureOptimizations: true });

// ---- significant newlines -------------------------------------------------------------------

const isAny = (token: IToken, types: TokenType[]) => types.some((type) => tokenMatcher(token, type));

/** Tokens after which a line break continues the statement (README: "Where a line ends a statement"). */
const continuesAfter: TokenType[] = [Plus, Minus, Star, Slash, At, Equals, Comma, Colon];

/**
 * Drops every newline that cannot end a statement: inside `( )` or `[ ]`, after a binary
 * operator, `=`, a comma, a colon or `{`, after another statement end, and at the start of the
 * file. One guard on top (for recovery only: no valid program notices it): a newline followed by
 * a hard keyword, or ending an unterminated string, is kept even inside brackets or after an
 * operator, and closes the open brackets, so an unclosed `(` or a trailing `+` costs one
 * statement instead of swallowing the next ones.
 */
export function significantNewlines(tokens: IToken[]): IToken[] {
  const kept: IToken[] = [];
  const brackets = new Brackets();
  tokens.forEach((token, i) => {
    if (token.tokenType !== Newline) {
      brackets.track(token.tokenType);
      kept.push(token);
      return;
    }
    const previous = kept.at(-1);
    // At the file's start, after another statement end (blank lines collapse) and after `{`.
    if (previous === undefined || isAny(previous, [StatementEnd, LBrace])) return;
    const next = tokens[i + 1];
    // A string cut off by this line break cannot have closed its brackets: end the statement.
    if (previous.tokenType === UnterminatedString || (next !== undefined && isAny(next, hardKeywords))) {
      brackets.closeToBrace();
      kept.push(token);
      return;
    }
    if (brackets.insideParens() || isAny(previous, continuesAfter)) return;
    kept.push(token);
  });
  return kept;
}

/**
 * The brackets open at a point of the file. A closer with no opener in its `{ }` block is
 * ignored; one that skips unclosed openers closes them too, and `}` ends any `(` left open
 * inside its block. Every step is amortised O(1), however broken the nesting.
 */
class Brackets {
  private block = new OpenInBlock(); // the innermost `{ }` block (or the file)
  private outer: OpenInBlock[] = []; // the enclosing blocks, innermost last

  track(type: TokenType): void {
    if (type === LParen || type === LBracket) this.block.open(type);
    else if (type === RParen) this.block.close(LParen);
    else if (type === RBracket) this.block.close(LBracket);
    else if (type === LBrace) {
      this.outer.push(this.block);
      this.block = new OpenInBlock();
    } else if (type === RBrace) this.block = this.outer.pop() ?? this.block; // a stray `}` changes nothing
  }

  /** Inside `( )` or `[ ]`, directly (not inside a `{ }` within them). */
  insideParens(): boolean {
    return this.block.stack.length > 0;
  }

  /** Closes every `(` and `[` open in the innermost block. */
  closeToBrace(): void {
    this.block = new OpenInBlock();
  }
}

/** The `(` and `[` open in one block, innermost last, and how many of each. */
class OpenInBlock {
  readonly stack: TokenType[] = [];
  private parens = 0;
  private brackets = 0;

  open(type: TokenType): void {
    this.stack.push(type);
    this.add(type, 1);
  }

  /** Closes `opener` and whatever is open inside it; a stray closer changes nothing. */
  close(opener: TokenType): void {
    if ((opener === LParen ? this.parens : this.brackets) === 0) return;
    let popped: TokenType | undefined;
    do {
      popped = this.stack.pop();
      if (popped) this.add(popped, -1);
    } while (popped !== undefined && popped !== opener);
  }

  private add(type: TokenType, delta: number): void {
    if (type === LParen) this.parens += delta;
    else this.brackets += delta;
  }
}
