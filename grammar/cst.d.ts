// Generated from grammar/parser.ts by `npm run grammar:gen`: do not edit.
import type { CstNode, ICstVisitor, IToken } from "chevrotain";

export interface ProgramCstNode extends CstNode {
  name: "program";
  children: ProgramCstChildren;
}

export type ProgramCstChildren = {
  definition?: (DefinitionCstNode)[];
  StatementEnd?: IToken[];
  EOF: IToken[];
};

export interface DefinitionCstNode extends CstNode {
  name: "definition";
  children: DefinitionCstChildren;
}

export type DefinitionCstChildren = {
  model?: ModelCstNode[];
  cellDef?: CellDefCstNode[];
  layer?: LayerCstNode[];
};

export interface ModelCstNode extends CstNode {
  name: "model";
  children: ModelCstChildren;
}

export type ModelCstChildren = {
  Model: IToken[];
  Identifier: IToken[];
  LBrace: IToken[];
  modelStmt?: (ModelStmtCstNode)[];
  StatementEnd?: IToken[];
  RBrace: IToken[];
};

export interface ModelStmtCstNode extends CstNode {
  name: "modelStmt";
  children: ModelStmtCstChildren;
}

export type ModelStmtCstChildren = {
  dims?: DimsCstNode[];
  dataDecl?: DataDeclCstNode[];
  layer?: LayerCstNode[];
  cellDef?: CellDefCstNode[];
  initDecl?: InitDeclCstNode[];
  lossDecl?: LossDeclCstNode[];
  train?: TrainCstNode[];
  outputDecl?: OutputDeclCstNode[];
  equation?: EquationCstNode[];
};

export interface DimsCstNode extends CstNode {
  name: "dims";
  children: DimsCstChildren;
}

export type DimsCstChildren = {
  Dims: IToken[];
  LBrace: IToken[];
  dimEntry?: (DimEntryCstNode)[];
  Comma?: (IToken)[];
  StatementEnd?: IToken[];
  RBrace: IToken[];
};

export interface DimEntryCstNode extends CstNode {
  name: "dimEntry";
  children: DimEntryCstChildren;
}

export type DimEntryCstChildren = {
  Identifier: IToken[];
  Equals: IToken[];
  expr: ExprCstNode[];
};

export interface DataDeclCstNode extends CstNode {
  name: "dataDecl";
  children: DataDeclCstChildren;
}

export type DataDeclCstChildren = {
  Input?: IToken[];
  Target?: IToken[];
  Identifier: IToken[];
  Colon: IToken[];
  type: TypeCstNode[];
};

export interface InitDeclCstNode extends CstNode {
  name: "initDecl";
  children: InitDeclCstChildren;
}

export type InitDeclCstChildren = {
  Init: IToken[];
  Identifier: IToken[];
  Equals: IToken[];
  expr: ExprCstNode[];
};

export interface LossDeclCstNode extends CstNode {
  name: "lossDecl";
  children: LossDeclCstChildren;
}

export type LossDeclCstChildren = {
  Loss: IToken[];
  expr: ExprCstNode[];
  Mean?: IToken[];
  Over?: IToken[];
  Identifier?: IToken[];
};

export interface OutputDeclCstNode extends CstNode {
  name: "outputDecl";
  children: OutputDeclCstChildren;
}

export type OutputDeclCstChildren = {
  Output: IToken[];
  lhs: LhsCstNode[];
  Equals: IToken[];
  expr: ExprCstNode[];
};

export interface TrainCstNode extends CstNode {
  name: "train";
  children: TrainCstChildren;
}

export type TrainCstChildren = {
  Train: IToken[];
  LBrace: IToken[];
  StatementEnd?: IToken[];
  setting?: SettingCstNode[];
  RBrace: IToken[];
};

export interface SettingCstNode extends CstNode {
  name: "setting";
  children: SettingCstChildren;
}

export type SettingCstChildren = {
  Identifier: IToken[];
  settingValue?: SettingValueCstNode[];
};

export interface SettingValueCstNode extends CstNode {
  name: "settingValue";
  children: SettingValueCstChildren;
}

export type SettingValueCstChildren = {
  NumberLiteral?: (IToken)[];
  Minus?: IToken[];
  StringLiteral?: IToken[];
  call?: CallCstNode[];
  Identifier?: IToken[];
};

export interface CellDefCstNode extends CstNode {
  name: "cellDef";
  children: CellDefCstChildren;
}

export type CellDefCstChildren = {
  Cell: IToken[];
  Identifier: IToken[];
  LParen: IToken[];
  params?: ParamsCstNode[];
  RParen: IToken[];
  cellBody: CellBodyCstNode[];
};

export interface LayerCstNode extends CstNode {
  name: "layer";
  children: LayerCstChildren;
}

export type LayerCstChildren = {
  Layer: IToken[];
  Identifier: IToken[];
  LParen?: IToken[];
  params?: ParamsCstNode[];
  RParen?: IToken[];
  cellBody?: CellBodyCstNode[];
  Equals?: IToken[];
  call?: CallCstNode[];
};

export interface CellBodyCstNode extends CstNode {
  name: "cellBody";
  children: CellBodyCstChildren;
}

export type CellBodyCstChildren = {
  LBrace: IToken[];
  cellStmt?: (CellStmtCstNode)[];
  StatementEnd?: IToken[];
  RBrace: IToken[];
};

export interface ParamsCstNode extends CstNode {
  name: "params";
  children: ParamsCstChildren;
}

export type ParamsCstChildren = {
  Identifier: (IToken)[];
  Comma?: IToken[];
};

export interface CellStmtCstNode extends CstNode {
  name: "cellStmt";
  children: CellStmtCstChildren;
}

export type CellStmtCstChildren = {
  cellVars?: CellVarsCstNode[];
  paramDecl?: ParamDeclCstNode[];
  returnStmt?: ReturnStmtCstNode[];
  equation?: EquationCstNode[];
};

export interface CellVarsCstNode extends CstNode {
  name: "cellVars";
  children: CellVarsCstChildren;
}

export type CellVarsCstChildren = {
  Input?: IToken[];
  State?: IToken[];
  varDecl: (VarDeclCstNode)[];
  Comma?: IToken[];
};

export interface VarDeclCstNode extends CstNode {
  name: "varDecl";
  children: VarDeclCstChildren;
}

export type VarDeclCstChildren = {
  Identifier: IToken[];
  Colon: IToken[];
  type: TypeCstNode[];
};

export interface ParamDeclCstNode extends CstNode {
  name: "paramDecl";
  children: ParamDeclCstChildren;
}

export type ParamDeclCstChildren = {
  Param: IToken[];
  Identifier: (IToken)[];
  Colon: IToken[];
  type: TypeCstNode[];
  Init?: IToken[];
  call?: CallCstNode[];
};

export interface ReturnStmtCstNode extends CstNode {
  name: "returnStmt";
  children: ReturnStmtCstChildren;
}

export type ReturnStmtCstChildren = {
  Return: IToken[];
  expr: ExprCstNode[];
};

export interface TypeCstNode extends CstNode {
  name: "type";
  children: TypeCstChildren;
}

export type TypeCstChildren = {
  shapeType?: ShapeTypeCstNode[];
  namedType?: NamedTypeCstNode[];
};

export interface ShapeTypeCstNode extends CstNode {
  name: "shapeType";
  children: ShapeTypeCstChildren;
}

export type ShapeTypeCstChildren = {
  LBracket: IToken[];
  expr?: (ExprCstNode)[];
  Comma?: IToken[];
  RBracket: IToken[];
};

export interface NamedTypeCstNode extends CstNode {
  name: "namedType";
  children: NamedTypeCstChildren;
}

export type NamedTypeCstChildren = {
  Identifier: IToken[];
  LAngle?: IToken[];
  type?: TypeCstNode[];
  RAngle?: IToken[];
  LParen?: IToken[];
  expr?: (ExprCstNode)[];
  Comma?: IToken[];
  RParen?: IToken[];
};

export interface EquationCstNode extends CstNode {
  name: "equation";
  children: EquationCstChildren;
}

export type EquationCstChildren = {
  lhs?: (LhsCstNode)[];
  LParen?: IToken[];
  Comma?: IToken[];
  RParen?: IToken[];
  Equals: IToken[];
  expr: ExprCstNode[];
};

export interface LhsCstNode extends CstNode {
  name: "lhs";
  children: LhsCstChildren;
}

export type LhsCstChildren = {
  Identifier: IToken[];
  LBracket?: IToken[];
  expr?: ExprCstNode[];
  RBracket?: IToken[];
};

export interface ExprCstNode extends CstNode {
  name: "expr";
  children: ExprCstChildren;
}

export type ExprCstChildren = {
  product: (ProductCstNode)[];
  AddOp?: IToken[];
};

export interface ProductCstNode extends CstNode {
  name: "product";
  children: ProductCstChildren;
}

export type ProductCstChildren = {
  unary: (UnaryCstNode)[];
  MulOp?: IToken[];
};

export interface UnaryCstNode extends CstNode {
  name: "unary";
  children: UnaryCstChildren;
}

export type UnaryCstChildren = {
  Minus?: IToken[];
  postfix: PostfixCstNode[];
};

export interface PostfixCstNode extends CstNode {
  name: "postfix";
  children: PostfixCstChildren;
}

export type PostfixCstChildren = {
  primary: PrimaryCstNode[];
  suffix?: SuffixCstNode[];
};

export interface SuffixCstNode extends CstNode {
  name: "suffix";
  children: SuffixCstChildren;
}

export type SuffixCstChildren = {
  LBracket: IToken[];
  expr: (ExprCstNode)[];
  Colon?: IToken[];
  RBracket: IToken[];
};

export interface PrimaryCstNode extends CstNode {
  name: "primary";
  children: PrimaryCstChildren;
}

export type PrimaryCstChildren = {
  NumberLiteral?: IToken[];
  StringLiteral?: IToken[];
  call?: CallCstNode[];
  Identifier?: IToken[];
  LParen?: IToken[];
  expr?: ExprCstNode[];
  RParen?: IToken[];
};

export interface CallCstNode extends CstNode {
  name: "call";
  children: CallCstChildren;
}

export type CallCstChildren = {
  Identifier: IToken[];
  LParen: IToken[];
  arg?: (ArgCstNode)[];
  Comma?: IToken[];
  RParen: IToken[];
};

export interface ArgCstNode extends CstNode {
  name: "arg";
  children: ArgCstChildren;
}

export type ArgCstChildren = {
  Identifier?: IToken[];
  Colon?: IToken[];
  expr: ExprCstNode[];
};

export interface ICstNodeVisitor<IN, OUT> extends ICstVisitor<IN, OUT> {
  program(children: ProgramCstChildren, param?: IN): OUT;
  definition(children: DefinitionCstChildren, param?: IN): OUT;
  model(children: ModelCstChildren, param?: IN): OUT;
  modelStmt(children: ModelStmtCstChildren, param?: IN): OUT;
  dims(children: DimsCstChildren, param?: IN): OUT;
  dimEntry(children: DimEntryCstChildren, param?: IN): OUT;
  dataDecl(children: DataDeclCstChildren, param?: IN): OUT;
  initDecl(children: InitDeclCstChildren, param?: IN): OUT;
  lossDecl(children: LossDeclCstChildren, param?: IN): OUT;
  outputDecl(children: OutputDeclCstChildren, param?: IN): OUT;
  train(children: TrainCstChildren, param?: IN): OUT;
  setting(children: SettingCstChildren, param?: IN): OUT;
  settingValue(children: SettingValueCstChildren, param?: IN): OUT;
  cellDef(children: CellDefCstChildren, param?: IN): OUT;
  layer(children: LayerCstChildren, param?: IN): OUT;
  cellBody(children: CellBodyCstChildren, param?: IN): OUT;
  params(children: ParamsCstChildren, param?: IN): OUT;
  cellStmt(children: CellStmtCstChildren, param?: IN): OUT;
  cellVars(children: CellVarsCstChildren, param?: IN): OUT;
  varDecl(children: VarDeclCstChildren, param?: IN): OUT;
  paramDecl(children: ParamDeclCstChildren, param?: IN): OUT;
  returnStmt(children: ReturnStmtCstChildren, param?: IN): OUT;
  type(children: TypeCstChildren, param?: IN): OUT;
  shapeType(children: ShapeTypeCstChildren, param?: IN): OUT;
  namedType(children: NamedTypeCstChildren, param?: IN): OUT;
  equation(children: EquationCstChildren, param?: IN): OUT;
  lhs(children: LhsCstChildren, param?: IN): OUT;
  expr(children: ExprCstChildren, param?: IN): OUT;
  product(children: ProductCstChildren, param?: IN): OUT;
  unary(children: UnaryCstChildren, param?: IN): OUT;
  postfix(children: PostfixCstChildren, param?: IN): OUT;
  suffix(children: SuffixCstChildren, param?: IN): OUT;
  primary(children: PrimaryCstChildren, param?: IN): OUT;
  call(children: CallCstChildren, param?: IN): OUT;
  arg(children: ArgCstChildren, param?: IN): OUT;
}
