// The .rnn grammar as a pure Chevrotain CstParser: rules only, no actions (README.md, "Syntax").
// Meaning is given by the CST → AST visitor in compiler/1-parse/.
import { CstParser, EOF, tokenMatcher, type IParserErrorMessageProvider, type IRecognitionException, type IToken, type TokenType } from "chevrotain";
import * as T from "./tokens.ts";
import type { ProgramCstNode } from "./cst.d.ts";

/**
 * Error recovery re-synchronises at statements (README.md, "Error recovery"): rules below a
 * statement do not re-sync on their own, so an error inside a statement propagates to the
 * statement rule (`modelStmt`, `cellStmt`, a train `setting`, a `dimEntry`), which skips to the
 * statement's end. Re-syncing deeper would stop at the first `,` or `[` and report the same
 * mistake again. Rules above statements keep re-sync on so that a definition cut short still
 * hands its partial CST to the visitor.
 */
const inner = { resyncEnabled: false };

/**
 * Words for syntax errors, given by the compiler (the grammar knows no messages): Chevrotain's
 * provider, told the tokens being parsed so that it can describe what it found.
 */
export interface SyntaxMessages extends IParserErrorMessageProvider {
  tokens: IToken[];
}

export class RnnParser extends CstParser {
  private readonly messages?: SyntaxMessages;

  constructor(messages?: SyntaxMessages) {
    super(T.allTokens, {
      recoveryEnabled: true,
      maxLookahead: 2, // the grammar is LL(2): `f(` vs `f`, `lr:` vs `lr`
      nodeLocationTracking: "none", // spans are computed from tokens by the visitor
      ...(messages ? { errorMessageProvider: messages } : {}),
    });
    this.messages = messages;
    this.performSelfAnalysis();
  }

  /**
   * Chevrotain may invent a missing token when the next one could follow it. For a closing
   * bracket that guess is only sound where the line, a bracket or a header (`cell c(I, H {`)
   * ends: in `f(a b)` the `,` is as likely missing as the `)`, and inventing the `)` would
   * report `b` again.
   */
  protected override canTokenTypeBeInsertedInRecovery(type: TokenType): boolean {
    if (type !== T.RParen && type !== T.RBracket && type !== T.RAngle) return true;
    const next = this.LA(1);
    const ends = [T.StatementEnd, T.LBrace, T.RBrace, T.RParen, T.RBracket, T.RAngle, T.Comma, EOF];
    return ends.some((end) => tokenMatcher(next, end));
  }

  /** Parses significant tokens (see `significantNewlines`) into a CST, collecting syntax errors. */
  parse(tokens: IToken[]): { cst: ProgramCstNode; errors: IRecognitionException[] } {
    this.input = tokens; // resets the parser: one instance serves every call
    if (this.messages) this.messages.tokens = tokens;
    try {
      const cst = this.program() as ProgramCstNode;
      return { cst, errors: this.errors };
    } finally {
      if (this.messages) this.messages.tokens = []; // holds on to nothing between calls
      this.input = [];
    }
  }

  // ---- the file -------------------------------------------------------------------------------

  // Definitions are separated like statements (see `model`). Requiring a line break between
  // them also keeps error recovery from re-synchronising at a `model` or `layer` in mid-line.
  program = this.RULE("program", () => {
    this.OPTION(() => this.SUBRULE(this.definition));
    this.MANY(() => {
      this.CONSUME(T.StatementEnd);
      this.OPTION2(() => this.SUBRULE2(this.definition));
    });
    this.CONSUME(EOF);
  });

  definition = this.RULE("definition", () => {
    this.OR({
      DEF: [
        { ALT: () => this.SUBRULE(this.model) },
        { ALT: () => this.SUBRULE(this.cellDef) },
        { ALT: () => this.SUBRULE(this.layer) },
      ],
      ERR_MSG: "a `model`, `cell` or `layer` definition",
    });
  });

  // ---- models ---------------------------------------------------------------------------------

  // A body is `{ stmt? (end stmt?)* }`: statements separated by statement ends, with any number
  // of ends before, between and after them. Written so it needs one token of look-ahead.
  model = this.RULE("model", () => {
    this.CONSUME(T.Model);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.OPTION(() => this.SUBRULE(this.modelStmt));
    this.MANY(() => {
      this.CONSUME(T.StatementEnd);
      this.OPTION2(() => this.SUBRULE2(this.modelStmt));
    });
    this.CONSUME(T.RBrace);
  });

  modelStmt = this.RULE("modelStmt", () => {
    this.OR({
      DEF: [
        { ALT: () => this.SUBRULE(this.dims) },
        { ALT: () => this.SUBRULE(this.dataDecl) },
        { ALT: () => this.SUBRULE(this.layer) },
        { ALT: () => this.SUBRULE(this.cellDef) }, // misplaced: the visitor reports it
        { ALT: () => this.SUBRULE(this.initDecl) },
        { ALT: () => this.SUBRULE(this.lossDecl) },
        { ALT: () => this.SUBRULE(this.train) },
        { ALT: () => this.SUBRULE(this.outputDecl) }, // `output probs =`, not `output = …` (two tokens decide)
        { ALT: () => this.SUBRULE(this.equation) },
      ],
      ERR_MSG: "a statement",
    });
  });

  dims = this.RULE("dims", () => {
    this.CONSUME(T.Dims);
    this.CONSUME(T.LBrace);
    this.OPTION(() => {
      this.SUBRULE(this.dimEntry);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.dimEntry);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.MANY2(() => this.CONSUME(T.StatementEnd)); // `dims {\n E = 32,\n H = 128\n}`
    this.CONSUME(T.RBrace);
  }, inner);

  // Re-syncs at the next `,` or `}`: a bad entry costs that entry, and the `}` stays the dims'.
  dimEntry = this.RULE("dimEntry", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
  });

  dataDecl = this.RULE("dataDecl", () => {
    this.OR([{ ALT: () => this.CONSUME(T.Input) }, { ALT: () => this.CONSUME(T.Target) }]);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.type);
  }, inner);

  initDecl = this.RULE("initDecl", () => {
    this.CONSUME(T.Init);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
  }, inner);

  lossDecl = this.RULE("lossDecl", () => {
    this.CONSUME(T.Loss);
    this.SUBRULE(this.expr);
    this.OPTION(() => {
      this.CONSUME(T.Mean);
      this.CONSUME(T.Over);
      this.CONSUME(T.Identifier);
    });
  }, inner);

  /** `output probs = softmax(logits)`, `output tag[t] = argmax…`: what the model gives its user. */
  outputDecl = this.RULE("outputDecl", () => {
    this.CONSUME(T.Output);
    this.SUBRULE(this.lhs);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
  }, inner);

  // Settings need no separator: each begins with its name (`batch 32  epochs 5`).
  train = this.RULE("train", () => {
    this.CONSUME(T.Train);
    this.CONSUME(T.LBrace);
    this.MANY(() =>
      this.OR([{ ALT: () => this.CONSUME(T.StatementEnd) }, { ALT: () => this.SUBRULE(this.setting) }]),
    );
    this.CONSUME(T.RBrace);
  }, inner);

  setting = this.RULE("setting", () => {
    const name = this.CONSUME(T.Identifier);
    this.MANY({ GATE: () => this.settingValueFollows(name), DEF: () => this.SUBRULE(this.settingValue) });
  });

  settingValue = this.RULE("settingValue", () => {
    this.OR({
      DEF: [
        { ALT: () => this.CONSUME(T.NumberLiteral) },
        {
          ALT: () => {
            this.CONSUME(T.Minus);
            this.CONSUME2(T.NumberLiteral);
          },
        },
        { ALT: () => this.CONSUME(T.StringLiteral) },
        { ALT: () => this.SUBRULE(this.call) },
        { ALT: () => this.CONSUME(T.Identifier) },
      ],
      ERR_MSG: "a value such as `32`, `-1`, `\"<eos>\"` or `adam(lr: 0.01)`",
    });
  }, inner);

  /**
   * The one gate of the grammar. A setting's values are not delimited, so a name after them
   * could be a value or the next setting: it is a value only after the settings that take names
   * (`freeze emb enc`, `early_stop patience 5 on loss`), or as the one value of those that take
   * one (`optimizer sgd`, `lr_schedule cosine`: right after the setting's name), and never when it
   * is itself a setting's name (`freeze enc  batch 32`).
   */
  private settingValueFollows(setting: IToken): boolean {
    const next = this.LA(1);
    if (!tokenMatcher(next, T.Identifier) || tokenMatcher(this.LA(2), T.LParen)) return true;
    if (T.trainSettingNames.includes(next.image)) return false;
    return T.settingsTakingNames.includes(setting.image) || (T.settingsTakingOneName.includes(setting.image) && this.LA(0) === setting);
  }

  // ---- cells and layer definitions --------------------------------------------------------------

  cellDef = this.RULE("cellDef", () => {
    this.CONSUME(T.Cell);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LParen);
    this.OPTION(() => this.SUBRULE(this.params));
    this.CONSUME(T.RParen);
    this.SUBRULE(this.cellBody);
  });

  /**
   * `layer NAME(sizes) { ... }` defines a kind of layer (at the top level), `layer NAME = f(...)`
   * makes one (inside a model): the token after the name tells them apart. Both are accepted in
   * both places, so the visitor can say where each belongs rather than the parser failing on
   * the `=` or the `(`.
   */
  layer = this.RULE("layer", () => {
    this.CONSUME(T.Layer);
    this.CONSUME(T.Identifier);
    this.OR({
      DEF: [
        {
          ALT: () => {
            this.CONSUME(T.LParen);
            this.OPTION(() => this.SUBRULE(this.params));
            this.CONSUME(T.RParen);
            this.SUBRULE(this.cellBody);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Equals);
            this.SUBRULE(this.call);
          },
        },
      ],
      ERR_MSG: "`(` (a definition) or `=` (a layer of the model)",
    });
  });

  cellBody = this.RULE("cellBody", () => {
    this.CONSUME(T.LBrace);
    this.OPTION(() => this.SUBRULE(this.cellStmt));
    this.MANY(() => {
      this.CONSUME(T.StatementEnd);
      this.OPTION2(() => this.SUBRULE2(this.cellStmt));
    });
    this.CONSUME(T.RBrace);
  });

  params = this.RULE("params", () => {
    this.CONSUME(T.Identifier);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.CONSUME2(T.Identifier);
    });
  }, inner);

  cellStmt = this.RULE("cellStmt", () => {
    this.OR({
      DEF: [
        { ALT: () => this.SUBRULE(this.cellVars) },
        { ALT: () => this.SUBRULE(this.paramDecl) },
        { ALT: () => this.SUBRULE(this.returnStmt) },
        { ALT: () => this.SUBRULE(this.equation) },
      ],
      ERR_MSG: "a statement",
    });
  });

  /** `input x: [I]` or `state h: [H], c: [H]` */
  cellVars = this.RULE("cellVars", () => {
    this.OR([{ ALT: () => this.CONSUME(T.Input) }, { ALT: () => this.CONSUME(T.State) }]);
    this.SUBRULE(this.varDecl);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.varDecl);
    });
  }, inner);

  varDecl = this.RULE("varDecl", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.type);
  }, inner);

  paramDecl = this.RULE("paramDecl", () => {
    this.CONSUME(T.Param);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.type);
    this.OPTION(() => {
      this.CONSUME(T.Init);
      this.OR({
        DEF: [{ ALT: () => this.SUBRULE(this.call) }, { ALT: () => this.CONSUME2(T.Identifier) }],
        ERR_MSG: "an initializer such as `glorot` or `normal(0.1)`",
      });
    });
  }, inner);

  returnStmt = this.RULE("returnStmt", () => {
    this.CONSUME(T.Return);
    this.SUBRULE(this.expr);
  }, inner);

  // ---- types --------------------------------------------------------------------------------

  type = this.RULE("type", () => {
    this.OR({
      DEF: [{ ALT: () => this.SUBRULE(this.shapeType) }, { ALT: () => this.SUBRULE(this.namedType) }],
      ERR_MSG: "a type such as `[H]`, `token` or `seq<token>`",
    });
  }, inner);

  /** `[H]`, `[4*H, I + H]` */
  shapeType = this.RULE("shapeType", () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.expr);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.expr);
      });
    });
    this.CONSUME(T.RBracket);
  }, inner);

  /** `token`, `vec(512)`, `seq<token>` */
  namedType = this.RULE("namedType", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.LAngle);
            this.SUBRULE(this.type);
            this.CONSUME(T.RAngle);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.LParen);
            this.SUBRULE(this.expr);
            this.MANY(() => {
              this.CONSUME(T.Comma);
              this.SUBRULE2(this.expr);
            });
            this.CONSUME(T.RParen);
          },
        },
      ]),
    );
  }, inner);

  // ---- equations ----------------------------------------------------------------------------

  /** `h[t] = ...`, `c' = ...`, `(h[t], c[t]) = ...` */
  equation = this.RULE("equation", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.lhs) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE2(this.lhs);
          this.MANY(() => {
            this.CONSUME(T.Comma);
            this.SUBRULE3(this.lhs);
          });
          this.CONSUME(T.RParen);
        },
      },
    ]);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
  }, inner);

  lhs = this.RULE("lhs", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.LBracket);
      this.SUBRULE(this.expr);
      this.CONSUME(T.RBracket);
    });
  }, inner);

  // ---- expressions: sum > product (`*` `/` `@`) > unary minus > postfix `[ ]` > primary ------

  expr = this.RULE("expr", () => {
    this.SUBRULE(this.product);
    this.MANY(() => {
      this.CONSUME(T.AddOp);
      this.SUBRULE2(this.product);
    });
  }, inner);

  product = this.RULE("product", () => {
    this.SUBRULE(this.unary);
    this.MANY(() => {
      this.CONSUME(T.MulOp);
      this.SUBRULE2(this.unary);
    });
  }, inner);

  // `-` repeated rather than recursive: `- - x` stays shallow however long the run.
  unary = this.RULE("unary", () => {
    this.MANY(() => this.CONSUME(T.Minus));
    this.SUBRULE(this.postfix);
  }, inner);

  postfix = this.RULE("postfix", () => {
    this.SUBRULE(this.primary);
    this.MANY(() => this.SUBRULE(this.suffix));
  }, inner);

  /** `[t-1]` (an index) or `[0:H]` (a slice) */
  suffix = this.RULE("suffix", () => {
    this.CONSUME(T.LBracket);
    this.SUBRULE(this.expr);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE2(this.expr);
    });
    this.CONSUME(T.RBracket);
  }, inner);

  primary = this.RULE("primary", () => {
    this.OR({
      DEF: [
        { ALT: () => this.CONSUME(T.NumberLiteral) },
        { ALT: () => this.CONSUME(T.StringLiteral) },
        { ALT: () => this.SUBRULE(this.call) },
        { ALT: () => this.CONSUME(T.Identifier) },
        {
          ALT: () => {
            this.CONSUME(T.LParen);
            this.SUBRULE(this.expr);
            this.CONSUME(T.RParen);
          },
        },
      ],
      ERR_MSG: "an expression",
    });
  }, inner);

  call = this.RULE("call", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.arg);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.arg);
      });
    });
    this.CONSUME(T.RParen);
  }, inner);

  /** `x`, or named: `lr: 0.01` */
  arg = this.RULE("arg", () => {
    this.OPTION(() => {
      this.CONSUME(T.Identifier);
      this.CONSUME(T.Colon);
    });
    this.SUBRULE(this.expr);
  }, inner);
}

// Building a parser analyses the whole grammar: do it once, on first use.
let shared: RnnParser | undefined;

/** Parses significant tokens (see `significantNewlines`) with a shared parser, built with the first call's messages. */
export function parseTokens(tokens: IToken[], messages: () => SyntaxMessages): { cst: ProgramCstNode; errors: IRecognitionException[] } {
  shared ??= new RnnParser(messages());
  return shared.parse(tokens);
}
