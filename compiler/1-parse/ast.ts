// The abstract syntax tree of a .rnn file. Every node carries the span of source it came
// from (offsets into the file's text), so every later phase can point at it.

export interface Span {
  start: number; // offset of the first character
  end: number; // offset one past the last character
}

export interface Node {
  span: Span;
}

export interface Name extends Node {
  text: string;
}

// ---- the file ----------------------------------------------------------------------------

export interface Program extends Node {
  kind: "program";
  cells: CellDef[]; // `cell NAME(I, H) { ... }` and `layer NAME(I, O) { ... }`
  models: ModelDecl[];
}

// ---- expressions --------------------------------------------------------------------------

export type Expr =
  | NumberLit
  | StringLit
  | Ref
  | Binary
  | Unary
  | Call
  | Index
  | Slice
  | Paren;

export interface NumberLit extends Node {
  kind: "number";
  value: number;
  text: string;
}

export interface StringLit extends Node {
  kind: "string";
  value: string; // without the quotes
}

/** A name: a value, an input, a dim, `t`, `first`... `primed` for a cell's next state `h'`. */
export interface Ref extends Node {
  kind: "ref";
  name: string;
  primed: boolean;
}

export type BinaryOp = "+" | "-" | "*" | "/" | "@";

export interface Binary extends Node {
  kind: "binary";
  op: BinaryOp;
  left: Expr;
  right: Expr;
}

export interface Unary extends Node {
  kind: "unary";
  op: "-";
  operand: Expr;
}

export interface Arg extends Node {
  name?: Name; // `lr: 0.01` has a name; positional arguments do not
  value: Expr;
}

/** `f(a, b)`: a function, a layer or cell applied, `vocab(x)`, `adam(lr: 0.1)`. */
export interface Call extends Node {
  kind: "call";
  callee: Name;
  args: Arg[];
}

/** `x[t-1]`, `h[last]`: a time index. */
export interface Index extends Node {
  kind: "index";
  target: Expr;
  index: Expr;
}

/** `a[0:H]`: a slice of a vector. */
export interface Slice extends Node {
  kind: "slice";
  target: Expr;
  from: Expr;
  to: Expr;
}

/** `( e )`: kept so that spans and printing stay faithful to the source. */
export interface Paren extends Node {
  kind: "paren";
  inner: Expr;
}

// ---- types --------------------------------------------------------------------------------

/** `[H]`, `[4*H, I + H]`: a real tensor of that shape. */
export interface ShapeType extends Node {
  kind: "shape";
  dims: Expr[];
}

/** `token`, `class`, `vec(512)`, `seq<token>`, `seq<vec(1)>`. */
export interface NamedType extends Node {
  kind: "named";
  name: Name;
  args: Expr[]; // `vec(512)` → [512]
  element?: TypeExpr; // `seq<token>` → token
}

export type TypeExpr = ShapeType | NamedType;

// ---- statements shared by cells and models -----------------------------------------------

/** The left side of an equation: `h[t]`, `h'`, `z`, or one element of a tuple. */
export interface Target extends Node {
  name: Name;
  primed: boolean; // `h'`
  index?: Expr; // `h[t]` → t
}

/** `h[t] = ...`, `(h[t], c[t]) = ...`, `c' = ...`, `a = ...` */
export interface Equation extends Node {
  kind: "equation";
  targets: Target[]; // more than one for a tuple assignment
  tuple: boolean;
  value: Expr;
}

// ---- cells and layer definitions ----------------------------------------------------------

export interface VarDecl extends Node {
  name: Name;
  type: TypeExpr;
}

export interface ParamDecl extends Node {
  kind: "param";
  name: Name;
  type: TypeExpr;
  init?: Call | Ref; // `init glorot`, `init normal(0.1)`
}

export interface InputDecl extends Node {
  kind: "input";
  vars: VarDecl[];
}

export interface StateDecl extends Node {
  kind: "state";
  vars: VarDecl[];
}

export interface Return extends Node {
  kind: "return";
  value: Expr;
}

export type CellStatement = InputDecl | StateDecl | ParamDecl | Equation | Return;

/** `cell lstm(I, H) { ... }` (has states) or `layer dense(I, O) { ... }` (returns a value). */
export interface CellDef extends Node {
  kind: "cell" | "layer";
  name: Name;
  params: Name[]; // the size parameters: I, H
  body: CellStatement[];
}

// ---- models -------------------------------------------------------------------------------

export interface DimEntry extends Node {
  name: Name;
  value: Expr;
}

export interface DimsBlock extends Node {
  kind: "dims";
  entries: DimEntry[];
}

/** `input x: seq<token>` or `target y: class` in a model. */
export interface DataDecl extends Node {
  kind: "input" | "target";
  name: Name;
  type: TypeExpr;
}

/** `layer emb = embedding(vocab(x), E)` */
export interface LayerDecl extends Node {
  kind: "layer";
  name: Name;
  def: Call;
}

/** `init h = tanh(proj(image))` */
export interface InitDecl extends Node {
  kind: "init";
  name: Name;
  value: Expr;
}

/** `loss cross_entropy(head(h[t]), y[t]) mean over tokens` */
export interface LossDecl extends Node {
  kind: "loss";
  value: Expr;
  reduction?: Name; // the word after `mean over`: `tokens`
}

/** `output probs[t] = softmax(logits[t])`: what the model gives its user, apart from its losses. */
export interface OutputDecl extends Node {
  kind: "output";
  target: Target; // the name, and `[t]` for one value per step of an axis
  value: Expr;
}

/** One setting of a train block: `batch 32`, `optimizer adam(lr: 0.01)`, `freeze emb enc`. */
export interface TrainSetting extends Node {
  name: Name;
  values: Expr[];
}

export interface TrainBlock extends Node {
  kind: "train";
  settings: TrainSetting[];
}

export type ModelStatement = DimsBlock | DataDecl | LayerDecl | InitDecl | Equation | LossDecl | OutputDecl | TrainBlock;

export interface ModelDecl extends Node {
  kind: "model";
  name: Name;
  body: ModelStatement[];
}
