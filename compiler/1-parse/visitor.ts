// CST → AST for the file, its definitions and their statements (expressions and types are in
// expressions.ts). After a syntax error the CST may hold partial nodes and tokens invented by
// recovery: whatever cannot be built completely is left out, so the AST is always well formed.
// A statement cut short by recovery is left out whole; a definition keeps the statements that
// parsed, so that the names it declares do not turn into "unknown name" errors downstream.
import type { IToken } from "chevrotain";
import type {
  CellBodyCstNode,
  CellDefCstNode,
  CellStmtCstNode,
  CellVarsCstNode,
  DataDeclCstNode,
  DimsCstNode,
  EquationCstNode,
  InitDeclCstNode,
  LayerCstNode,
  LhsCstNode,
  LossDeclCstNode,
  OutputDeclCstNode,
  ModelCstNode,
  ModelStmtCstNode,
  ParamDeclCstNode,
  ParamsCstNode,
  ProgramCstNode,
  SettingCstNode,
  SettingValueCstNode,
  TrainCstNode,
} from "../../grammar/cst.d.ts";
import { diagnostic, type Diagnostic } from "../diagnostics.ts";
import type * as A from "./ast.ts";
import { call, expr, numberLit, ref, stringLit, type } from "./expressions.ts";
import { first, nameOf, present, spanOf, splitPrime } from "./spans.ts";

/** Builds the AST; `diagnostics` are the misplaced definitions the grammar lets through. */
export function buildAst(cst: ProgramCstNode, sourceLength: number): { program: A.Program; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const program: A.Program = { kind: "program", cells: [], models: [], span: { start: 0, end: sourceLength } };
  for (const { children } of cst.children.definition ?? []) {
    const built = children.model
      ? model(first(children.model), diagnostics)
      : children.cellDef
        ? cellDef(first(children.cellDef))
        : layer(first(children.layer));
    if (built?.kind === "model") program.models.push(built);
    else if (built && isInstance(built)) diagnostics.push(diagnostic("layerOutsideModel", header(built)));
    else if (built) program.cells.push(built);
  }
  return { program, diagnostics };
}

const isInstance = (layer: A.LayerDecl | A.CellDef): layer is A.LayerDecl => "def" in layer;

/** A definition's first words (`layer head`, `cell gru`): where a misplaced one is reported. */
const header = (node: A.LayerDecl | A.CellDef): A.Span => ({ start: node.span.start, end: node.name.span.end });

// ---- definitions --------------------------------------------------------------------------

function model(node: ModelCstNode | undefined, diagnostics: Diagnostic[]): A.ModelDecl | undefined {
  if (!node?.children.LBrace) return undefined; // only a header: nothing to check
  const { Model, Identifier, RBrace, modelStmt = [] } = node.children;
  const name = nameOf(first(Identifier));
  const body = present(modelStmt.map((statement) => modelStatement(statement, diagnostics)));
  const span = spanOf(first(Model), name, body, first(RBrace));
  return name && span && { kind: "model", name, body, span };
}

function cellDef(node: CellDefCstNode | undefined): A.CellDef | undefined {
  const { Cell, Identifier, params, cellBody } = node?.children ?? {};
  return definition("cell", first(Cell), first(Identifier), params, cellBody);
}

/** `layer head = dense(H, 2)` (an instance) or `layer dense(I, O) { ... }` (a definition). */
function layer(node: LayerCstNode | undefined): A.LayerDecl | A.CellDef | undefined {
  if (!node) return undefined;
  const { Layer, Identifier, Equals, params, cellBody, call: callNode } = node.children;
  if (!Equals) return definition("layer", first(Layer), first(Identifier), params, cellBody);
  const name = nameOf(first(Identifier));
  const def = call(first(callNode));
  const span = spanOf(first(Layer), def);
  return name && def && span && { kind: "layer", name, def, span };
}

/** The shared shape of `cell NAME(sizes) { ... }` and `layer NAME(sizes) { ... }`. */
function definition(
  kind: "cell" | "layer",
  keyword: IToken | undefined,
  nameToken: IToken | undefined,
  params: ParamsCstNode[] | undefined,
  bodyNodes: CellBodyCstNode[] | undefined,
): A.CellDef | undefined {
  const bodyNode = first(bodyNodes);
  if (!bodyNode) return undefined; // only a header: nothing to check
  const name = nameOf(nameToken);
  const sizes = present((first(params)?.children.Identifier ?? []).map(nameOf));
  const body = present((bodyNode.children.cellStmt ?? []).map(cellStatement));
  const span = spanOf(keyword, name, body, first(bodyNode.children.RBrace));
  return name && span && { kind, name, params: sizes, body, span };
}

// ---- model statements ---------------------------------------------------------------------

function modelStatement(node: ModelStmtCstNode, diagnostics: Diagnostic[]): A.ModelStatement | undefined {
  if (node.recoveredNode) return undefined; // cut short by a syntax error
  const c = node.children;
  if (c.layer || c.cellDef) {
    const built = c.layer ? layer(first(c.layer)) : cellDef(first(c.cellDef));
    if (built && isInstance(built)) return built;
    if (built) diagnostics.push(diagnostic("definitionInModel", header(built), built.kind, built.name.text));
    return undefined;
  }
  if (c.dims) return dims(first(c.dims));
  if (c.dataDecl) return dataDecl(first(c.dataDecl));
  if (c.initDecl) return initDecl(first(c.initDecl));
  if (c.lossDecl) return lossDecl(first(c.lossDecl));
  if (c.outputDecl) return outputDecl(first(c.outputDecl));
  if (c.train) return train(first(c.train));
  return equation(first(c.equation));
}

function dims(node: DimsCstNode | undefined): A.DimsBlock | undefined {
  const { Dims, dimEntry = [], RBrace } = node?.children ?? {};
  const entries = present(
    dimEntry.map(({ children, recoveredNode }) => {
      const name = nameOf(first(children.Identifier));
      const value = expr(first(children.expr));
      const span = spanOf(name, value);
      return !recoveredNode && name && value && span ? { name, value, span } : undefined;
    }),
  );
  const span = spanOf(first(Dims), entries, first(RBrace));
  return span && { kind: "dims", entries, span };
}

/** `input x: seq<token>`, `target y: class` */
function dataDecl(node: DataDeclCstNode | undefined): A.DataDecl | undefined {
  const { Input, Target, Identifier, type: typeNode } = node?.children ?? {};
  const keyword = first(Input) ?? first(Target);
  const name = nameOf(first(Identifier));
  const declType = type(first(typeNode));
  const span = spanOf(keyword, declType);
  return name && declType && span && { kind: Target ? "target" : "input", name, type: declType, span };
}

function initDecl(node: InitDeclCstNode | undefined): A.InitDecl | undefined {
  const { Init, Identifier, expr: valueNode } = node?.children ?? {};
  const name = nameOf(first(Identifier));
  const value = expr(first(valueNode));
  const span = spanOf(first(Init), value);
  return name && value && span && { kind: "init", name, value, span };
}

/** `loss mse(y, t)`, `loss cross_entropy(...) mean over tokens` */
function lossDecl(node: LossDeclCstNode | undefined): A.LossDecl | undefined {
  const { Loss, expr: valueNode, Mean, Identifier } = node?.children ?? {};
  const value = expr(first(valueNode));
  const reduction = nameOf(first(Identifier));
  if (Mean && !reduction) return undefined; // `mean over` cut short
  const span = spanOf(first(Loss), value, reduction);
  return value && span && { kind: "loss", value, ...(reduction ? { reduction } : {}), span };
}

/** `output probs = softmax(y)`, `output tag[t] = softmax(z[t])` */
function outputDecl(node: OutputDeclCstNode | undefined): A.OutputDecl | undefined {
  const { Output, lhs, expr: valueNode } = node?.children ?? {};
  const lhsNode = first(lhs);
  const declared = lhsNode && target(lhsNode);
  const value = expr(first(valueNode));
  const span = spanOf(first(Output), value);
  return declared && value && span && { kind: "output", target: declared, value, span };
}

function train(node: TrainCstNode | undefined): A.TrainBlock | undefined {
  const { Train, setting: settingNodes = [], RBrace } = node?.children ?? {};
  const settings = present(settingNodes.map(setting));
  const span = spanOf(first(Train), settings, first(RBrace));
  return span && { kind: "train", settings, span };
}

/** `batch 32`, `optimizer adam(lr: 0.01)`, `freeze emb enc`, `clip_norm -1` */
function setting(node: SettingCstNode): A.TrainSetting | undefined {
  if (node.recoveredNode) return undefined; // cut short by a syntax error
  const name = nameOf(first(node.children.Identifier));
  const valueNodes = node.children.settingValue ?? [];
  const values = present(valueNodes.map(settingValue));
  const span = spanOf(name, values);
  return name && span && values.length === valueNodes.length ? { name, values, span } : undefined;
}

function settingValue(node: SettingValueCstNode): A.Expr | undefined {
  const { NumberLiteral, Minus, StringLiteral, call: callNode, Identifier } = node.children;
  if (Minus) {
    const operand = numberLit(first(NumberLiteral));
    const span = spanOf(first(Minus), operand);
    return operand && span && { kind: "unary", op: "-", operand, span };
  }
  if (NumberLiteral) return numberLit(first(NumberLiteral));
  if (StringLiteral) return stringLit(first(StringLiteral));
  if (callNode) return call(first(callNode));
  return ref(first(Identifier));
}

// ---- cell statements ----------------------------------------------------------------------

function cellStatement(node: CellStmtCstNode): A.CellStatement | undefined {
  if (node.recoveredNode) return undefined; // cut short by a syntax error
  const c = node.children;
  if (c.cellVars) return cellVars(first(c.cellVars));
  if (c.paramDecl) return paramDecl(first(c.paramDecl));
  if (c.returnStmt) {
    const { Return, expr: valueNode } = first(c.returnStmt)?.children ?? {};
    const value = expr(first(valueNode));
    const span = spanOf(first(Return), value);
    return value && span && { kind: "return", value, span };
  }
  return equation(first(c.equation));
}

/** `input x: [I]`, `state h: [H], c: [H]` */
function cellVars(node: CellVarsCstNode | undefined): A.InputDecl | A.StateDecl | undefined {
  const { Input, State, varDecl = [] } = node?.children ?? {};
  const vars = present(
    varDecl.map(({ children }): A.VarDecl | undefined => {
      const name = nameOf(first(children.Identifier));
      const varType = type(first(children.type));
      const span = spanOf(name, varType);
      return name && varType && span && { name, type: varType, span };
    }),
  );
  const span = spanOf(first(Input), first(State), vars);
  if (!span || vars.length === 0 || vars.length < varDecl.length) return undefined;
  return { kind: State ? "state" : "input", vars, span };
}

/** `param W: [H, I + H] init glorot` */
function paramDecl(node: ParamDeclCstNode | undefined): A.ParamDecl | undefined {
  const { Param, Identifier = [], type: typeNode, Init, call: callNode } = node?.children ?? {};
  const [nameToken, initName] = Identifier;
  const name = nameOf(nameToken);
  const paramType = type(first(typeNode));
  const init = !Init ? undefined : callNode ? call(first(callNode)) : ref(initName);
  const span = spanOf(first(Param), paramType, init);
  if (!name || !paramType || !span || (Init && !init)) return undefined;
  return { kind: "param", name, type: paramType, ...(init ? { init } : {}), span };
}

// ---- equations ----------------------------------------------------------------------------

/** `h[t] = ...`, `c' = ...`, `(h[t], c[t]) = ...` */
function equation(node: EquationCstNode | undefined): A.Equation | undefined {
  const { LParen, lhs = [], RParen, expr: valueNode } = node?.children ?? {};
  const targets = present(lhs.map(target));
  const value = expr(first(valueNode));
  if (!value || targets.length === 0 || targets.length < lhs.length) return undefined;
  const span = spanOf(first(LParen), targets, first(RParen), value);
  return span && { kind: "equation", targets, tuple: LParen !== undefined, value, span };
}

/** `h[t]`, `h'`, `z` */
function target(node: LhsCstNode): A.Target | undefined {
  const written = nameOf(first(node.children.Identifier));
  if (!written) return undefined;
  const { name, primed } = splitPrime(written.text);
  const indexNode = first(node.children.expr);
  const index = expr(indexNode);
  if (indexNode && !index) return undefined;
  const span = spanOf(written, index, first(node.children.RBracket));
  return span && { name: { text: name, span: written.span }, primed, ...(index ? { index } : {}), span };
}
