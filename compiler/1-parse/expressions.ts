// CST → AST for expressions, calls and types. Each function returns undefined when its node
// could not be built (a part is missing after a syntax error, already reported by the parser);
// the statement holding it is then left out of the AST.
import type { IToken } from "chevrotain";
import type {
  CallCstNode,
  ExprCstNode,
  PostfixCstNode,
  PrimaryCstNode,
  ProductCstNode,
  SuffixCstNode,
  TypeCstNode,
  UnaryCstNode,
} from "../../grammar/cst.d.ts";
import type { Arg, BinaryOp, Call, Expr, NumberLit, StringLit, Ref, TypeExpr } from "./ast.ts";
import { first, nameOf, spanOf, splitPrime, tokenSpan } from "./spans.ts";

export function expr(node: ExprCstNode | undefined): Expr | undefined {
  if (!node) return undefined;
  const { product: operands = [], AddOp: operators = [] } = node.children;
  return chain(operands.map(product), operators);
}

function product(node: ProductCstNode): Expr | undefined {
  const { unary: operands = [], MulOp: operators = [] } = node.children;
  return chain(operands.map(unary), operators);
}

/** `a + b - c` → ((a + b) - c): operators of one level associate to the left. */
function chain(operands: (Expr | undefined)[], operators: IToken[]): Expr | undefined {
  if (operands.length === 0 || operands.length !== operators.length + 1) return undefined;
  let left = operands[0];
  for (let i = 0; i < operators.length; i++) {
    const right = operands[i + 1];
    if (!left || !right) return undefined;
    const op = operators[i].image as BinaryOp;
    left = { kind: "binary", op, left, right, span: { start: left.span.start, end: right.span.end } };
  }
  return left;
}

/** `- - x`: the minus signs are a flat list in the CST (no recursion), nested here, inside out. */
function unary(node: UnaryCstNode): Expr | undefined {
  let operand = postfix(first(node.children.postfix));
  const minuses = node.children.Minus ?? [];
  for (let i = minuses.length - 1; i >= 0 && operand; i--) {
    const start = tokenSpan(minuses[i])?.start ?? operand.span.start;
    operand = { kind: "unary", op: "-", operand, span: { start, end: operand.span.end } };
  }
  return operand;
}

function postfix(node: PostfixCstNode | undefined): Expr | undefined {
  let target = primary(first(node?.children.primary));
  for (const suffixNode of node?.children.suffix ?? []) {
    if (!target) return undefined;
    target = suffix(target, suffixNode);
  }
  return target;
}

/** `x[t-1]` is an index, `a[0:H]` a slice. */
function suffix(target: Expr, node: SuffixCstNode): Expr | undefined {
  const { expr: parts = [], Colon, RBracket } = node.children;
  const [from, to] = parts.map(expr);
  const span = spanOf(target, from, to, first(RBracket));
  if (!span || !from) return undefined;
  if (!Colon) return { kind: "index", target, index: from, span };
  return to && { kind: "slice", target, from, to, span };
}

function primary(node: PrimaryCstNode | undefined): Expr | undefined {
  if (!node) return undefined;
  const { NumberLiteral, StringLiteral, call: callNode, Identifier, LParen, RParen } = node.children;
  if (NumberLiteral) return numberLit(first(NumberLiteral));
  if (StringLiteral) return stringLit(first(StringLiteral));
  if (callNode) return call(first(callNode));
  if (Identifier) return ref(first(Identifier));
  const inner = expr(first(node.children.expr));
  const span = spanOf(first(LParen), inner, first(RParen));
  return inner && span && { kind: "paren", inner, span };
}

export function numberLit(token: IToken | undefined): NumberLit | undefined {
  const span = tokenSpan(token);
  return span && token && { kind: "number", value: Number(token.image), text: token.image, span };
}

/** The value without its quotes (an unterminated string has only the opening one). */
export function stringLit(token: IToken | undefined): StringLit | undefined {
  const span = tokenSpan(token);
  if (!span || !token) return undefined;
  const closed = token.image.length >= 2 && token.image.endsWith('"');
  return { kind: "string", value: token.image.slice(1, closed ? -1 : undefined), span };
}

export function ref(token: IToken | undefined): Ref | undefined {
  const span = tokenSpan(token);
  return span && token && { kind: "ref", ...splitPrime(token.image), span };
}

export function call(node: CallCstNode | undefined): Call | undefined {
  if (!node) return undefined;
  const callee = nameOf(first(node.children.Identifier));
  const args: Arg[] = [];
  for (const argNode of node.children.arg ?? []) {
    const named = first(argNode.children.Identifier);
    const value = expr(first(argNode.children.expr));
    const name = nameOf(named);
    if (!value || (named && !name)) return undefined;
    args.push({ ...(name ? { name } : {}), value, span: { start: (name ?? value).span.start, end: value.span.end } });
  }
  const span = spanOf(callee, args, first(node.children.RParen));
  return callee && span && { kind: "call", callee, args, span };
}

// ---- types ----------------------------------------------------------------------------------

/** `[4*H, I + H]`, `token`, `vec(512)`, `seq<vec(1)>` */
export function type(node: TypeCstNode | undefined): TypeExpr | undefined {
  const shape = first(node?.children.shapeType);
  if (shape) {
    const { LBracket, expr: dimNodes = [], RBracket } = shape.children;
    const dims = dimNodes.map(expr);
    const span = spanOf(first(LBracket), dims, first(RBracket));
    return span && allPresent(dims) ? { kind: "shape", dims, span } : undefined;
  }
  const named = first(node?.children.namedType);
  if (!named) return undefined;
  const { Identifier, type: elementNode, expr: argNodes = [], RAngle, RParen } = named.children;
  const name = nameOf(first(Identifier));
  const args = argNodes.map(expr);
  const element = elementNode ? type(first(elementNode)) : undefined;
  const span = spanOf(name, args, element, first(RAngle), first(RParen));
  if (!name || !span || !allPresent(args) || (elementNode && !element)) return undefined;
  return { kind: "named", name, args, ...(element ? { element } : {}), span };
}

const allPresent = <T>(items: (T | undefined)[]): items is T[] => items.every((item) => item !== undefined);
