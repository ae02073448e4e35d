// Types of expressions, shared by cells and models. What a name means, what a time index
// reads and what a call to a layer or cell returns depend on where the expression stands:
// those questions go to the Scope.
import type * as ast from "../1-parse/ast.ts";
import { diagnostic, type Diagnostic } from "../diagnostics.ts";
import { elementwiseFunctions, isLossFunction, numberArgumentFunctionNames, pairFunctionNames, sizeFunctions, vectorFunctions } from "./builtins.ts";
import { add, atLeast, constant, equal, formatShape, formatSize, multiply as multiplySizes, numeric, subtract, type Size } from "./sizes.ts";
import { formatType, isId, scalar, tensor, unknown, type ValueType } from "./types.ts";

export interface Scope {
  source: string;
  report(d: Diagnostic): void;
  types: Map<ast.Expr, ValueType>;
  /** A bare name used as a value. */
  ref(ref: ast.Ref): ValueType;
  /** `x[t-1]`: a time index. */
  index(expr: ast.Index): ValueType;
  /** A call that is not a built-in function: a layer or cell. Undefined when there is no such callee. */
  call(call: ast.Call): ValueType[] | undefined;
  /** The value of a size expression, or undefined after reporting why it is not one. */
  size(expr: ast.Expr): Size | undefined;
  /** Everything callable here, for "did you mean". */
  callables(): string[];
}

/** The source text of a node, on one line and not too long, for messages. */
export function textOf(source: string, node: ast.Node): string {
  const text = source.slice(node.span.start, node.span.end).replace(/\s+/g, " ").trim();
  return text.length > 40 ? text.slice(0, 37) + "..." : text;
}

/** An expression and every expression inside it, outermost first. */
export function* subexpressions(e: ast.Expr): Generator<ast.Expr> {
  yield e;
  switch (e.kind) {
    case "index":
      yield* subexpressions(e.target);
      yield* subexpressions(e.index);
      break;
    case "slice":
      yield* subexpressions(e.target);
      break;
    case "binary":
      yield* subexpressions(e.left);
      yield* subexpressions(e.right);
      break;
    case "unary":
      yield* subexpressions(e.operand);
      break;
    case "paren":
      yield* subexpressions(e.inner);
      break;
    case "call":
      for (const a of e.args) yield* subexpressions(a.value);
      break;
  }
}

export function typeOf(e: ast.Expr, scope: Scope): ValueType {
  const type = compute(e, scope);
  scope.types.set(e, type);
  return type;
}

function compute(e: ast.Expr, scope: Scope): ValueType {
  const report = (d: Diagnostic) => scope.report(d);
  switch (e.kind) {
    case "number":
      return scalar;
    case "string":
      report(diagnostic("stringHere", e.span, textOf(scope.source, e)));
      return unknown;
    case "paren":
      return typeOf(e.inner, scope);
    case "ref":
      return scope.ref(e);
    case "index":
      return scope.index(e);
    case "unary":
      return arithmeticOperand(e.operand, scope);
    case "binary":
      return binary(e, scope);
    case "slice":
      return slice(e, scope);
    case "call":
      return call(e, scope);
  }
}

/** An operand of arithmetic: ids are not numbers. */
function arithmeticOperand(e: ast.Expr, scope: Scope): ValueType {
  const type = typeOf(e, scope);
  if (isId(type)) {
    scope.report(diagnostic("idInArithmetic", e.span, textOf(scope.source, e), type.kind));
    return unknown;
  }
  return type;
}

function binary(e: ast.Binary, scope: Scope): ValueType {
  const left = e.op === "@" ? productMatrix(e.left, scope) : arithmeticOperand(e.left, scope);
  const right = arithmeticOperand(e.right, scope);
  if (left.kind !== "tensor" || right.kind !== "tensor") {
    // One side unknown (a recurrence's first pass, or an error already reported): the other
    // may still fix the result's shape, which is how `h[t] = tanh(h[t-1] + e[t])` is sized.
    if (e.op === "@") return left.kind === "tensor" && left.shape.length === 2 ? tensor([left.shape[0]]) : unknown;
    const known = left.kind === "tensor" ? left : right;
    return known.kind === "tensor" && known.shape.length > 0 ? known : unknown;
  }
  const a = textOf(scope.source, e.left);
  const b = textOf(scope.source, e.right);
  if (e.op === "@") {
    if (left.shape.length !== 2 || right.shape.length !== 1) {
      scope.report(diagnostic("matvecRank", e.span, a, formatType(left), b, formatType(right)));
      return unknown;
    }
    if (!equal(left.shape[1], right.shape[0])) {
      scope.report(diagnostic("matvecShape", e.span, a, formatShape(left.shape), b, formatShape(right.shape)));
      return unknown;
    }
    return tensor([left.shape[0]]);
  }
  if (left.shape.length === 0) return right;
  if (right.shape.length === 0) return left;
  if (left.shape.length !== right.shape.length || !left.shape.every((s, i) => equal(s, right.shape[i]))) {
    scope.report(diagnostic("elementwiseShape", e.span, e.op, a, formatShape(left.shape), b, formatShape(right.shape)));
    return unknown;
  }
  return left;
}

/**
 * The matrix of `@`, where its rows may be sliced: `R[0:2*H] @ h`, stacked weights (a slice of a
 * slice, or in parentheses, too). Anything else is an operand like any other.
 */
function productMatrix(e: ast.Expr, scope: Scope): ValueType {
  if (e.kind !== "paren" && e.kind !== "slice") return arithmeticOperand(e, scope);
  const type = e.kind === "paren" ? productMatrix(e.inner, scope) : slice(e, scope, true);
  scope.types.set(e, type);
  return type;
}

/** `a[i:j]`: entries of a vector; or with `rows`, in the matrix of `@`, rows of a matrix. */
function slice(e: ast.Slice, scope: Scope, rows = false): ValueType {
  const target = rows ? productMatrix(e.target, scope) : typeOf(e.target, scope);
  const from = scope.size(e.from);
  const to = scope.size(e.to);
  if (target.kind === "unknown" || !from || !to) return unknown;
  const matrix = target.kind === "tensor" && target.shape.length === 2;
  if (target.kind !== "tensor" || (target.shape.length !== 1 && !matrix)) {
    scope.report(diagnostic("sliceOfNonVector", e.target.span, textOf(scope.source, e.target), formatType(target)));
    return unknown;
  }
  if (matrix && !rows) {
    scope.report(diagnostic("matrixRowsOutsideProduct", e.span, textOf(scope.source, e), textOf(scope.source, e.target), formatType(target)));
    return unknown;
  }
  const length = subtract(to, from);
  if (atLeast(length, constant(1)) === false) {
    scope.report(diagnostic("sliceEmpty", e.span, formatSize(from), formatSize(to)));
    return unknown;
  }
  // Bounds must hold for every value of the symbols; a slice that might overrun is an error.
  if (atLeast(from, constant(0)) !== true || atLeast(target.shape[0], to) !== true || atLeast(length, constant(1)) !== true) {
    const what = matrix ? "sliceRowsOutOfRange" : "sliceOutOfRange";
    scope.report(diagnostic(what, e.span, textOf(scope.source, e.target), formatSize(from), formatSize(to), formatSize(target.shape[0])));
    return unknown;
  }
  return tensor([length, ...target.shape.slice(1)]);
}

function call(e: ast.Call, scope: Scope): ValueType {
  const name = e.callee.text;
  const named = e.args.find((a) => a.name);
  if (named?.name) {
    scope.report(diagnostic("namedArgHere", named.name.span, named.name.text));
    return unknown;
  }
  const args = e.args.map((a) => a.value);
  if (elementwiseFunctions.has(name)) {
    if (args.length !== 1) return argCount(e, scope, "one argument");
    const type = arithmeticOperand(args[0], scope);
    if (type.kind !== "tensor") return unknown;
    if (vectorFunctions.has(name) && type.shape.length !== 1) {
      scope.report(diagnostic("functionArgType", args[0].span, name, textOf(scope.source, args[0]), formatType(type), "a vector"));
      return unknown;
    }
    return type;
  }
  if (numberArgumentFunctionNames.has(name)) return withNumber(e, args, scope);
  if (pairFunctionNames.has(name)) return pair(e, args, scope);
  if (name === "concat") return concat(e, args, scope);
  if (name === "onehot") return onehot(e, args, scope);
  if (name === "dropout" || name === "locked_dropout") return dropout(e, args, scope);
  if (sizeFunctions.has(name)) return scope.size(e) ? scalar : unknown; // a size used as a number
  if (isLossFunction(name)) {
    scope.report(diagnostic("unknownFunction", e.callee.span, name, undefined));
    return unknown;
  }
  const results = scope.call(e);
  if (!results) return unknown;
  if (results.length !== 1) {
    scope.report(diagnostic("cellInExpression", e.callee.span, name, results.length));
    return unknown;
  }
  return results[0];
}

function argCount(e: ast.Call, scope: Scope, expected: string): ValueType {
  for (const a of e.args) typeOf(a.value, scope);
  scope.report(diagnostic("functionArgs", e.span, e.callee.text, expected, e.args.length));
  return unknown;
}

/** A number written out, `0.1` or `-0.1` (in parentheses or not); undefined for anything else. */
export function numberLiteral(e: ast.Expr): number | undefined {
  if (e.kind === "paren") return numberLiteral(e.inner);
  if (e.kind === "unary") {
    const v = numberLiteral(e.operand);
    return v === undefined ? undefined : -v;
  }
  return e.kind === "number" ? e.value : undefined;
}

/** elu(x, 1.0), leaky_relu(x, 0.01): a tensor and a number written out (the op's attrs.alpha). */
function withNumber(e: ast.Call, args: ast.Expr[], scope: Scope): ValueType {
  const name = e.callee.text;
  if (args.length !== 2) return argCount(e, scope, `a tensor and a number: ${name}(x, ${name === "elu" ? "1.0" : "0.01"})`);
  const type = arithmeticOperand(args[0], scope);
  if (!Number.isFinite(numberLiteral(args[1]) ?? NaN)) {
    scope.report(diagnostic("numberArgument", args[1].span, name, textOf(scope.source, args[1])));
    return unknown;
  }
  return type;
}

/** max(a, b), min(a, b): elementwise, with +'s broadcasting. */
function pair(e: ast.Call, args: ast.Expr[], scope: Scope): ValueType {
  if (args.length !== 2) return argCount(e, scope, "two arguments");
  const [left, right] = args.map((a) => arithmeticOperand(a, scope));
  if (left.kind !== "tensor" || right.kind !== "tensor") {
    const known = left.kind === "tensor" ? left : right; // as binary(): the other may fix the shape
    return known.kind === "tensor" && known.shape.length > 0 ? known : unknown;
  }
  if (left.shape.length === 0) return right;
  if (right.shape.length === 0) return left;
  if (left.shape.length !== right.shape.length || !left.shape.every((s, i) => equal(s, right.shape[i]))) {
    const [a, b] = args.map((x) => textOf(scope.source, x));
    scope.report(diagnostic("pairShape", e.span, e.callee.text, a, formatShape(left.shape), b, formatShape(right.shape)));
    return unknown;
  }
  return left;
}

function concat(e: ast.Call, args: ast.Expr[], scope: Scope): ValueType {
  if (args.length === 0) return argCount(e, scope, "one or more vectors");
  let total: Size = constant(0);
  let ok = true;
  for (const arg of args) {
    const type = arithmeticOperand(arg, scope);
    if (type.kind === "unknown") ok = false;
    else if (type.kind !== "tensor" || type.shape.length !== 1) {
      scope.report(diagnostic("concatArg", arg.span, textOf(scope.source, arg), formatType(type)));
      ok = false;
    } else total = add(total, type.shape[0]);
  }
  return ok ? tensor([total]) : unknown;
}

function onehot(e: ast.Call, args: ast.Expr[], scope: Scope): ValueType {
  if (args.length !== 2) return argCount(e, scope, "a token and a size: onehot(x[t], N)");
  const id = typeOf(args[0], scope);
  const size = scope.size(args[1]);
  if (id.kind !== "unknown" && !isId(id)) {
    scope.report(diagnostic("functionArgType", args[0].span, "onehot", textOf(scope.source, args[0]), formatType(id), "a token or class id"));
    return unknown;
  }
  if (!size) return unknown;
  if (numeric(size) !== undefined && numeric(size)! < 1) {
    scope.report(diagnostic("sizeNotPositive", args[1].span, textOf(scope.source, args[1]), formatSize(size)));
    return unknown;
  }
  return tensor([size]);
}

/** dropout(x, p), locked_dropout(x, p): x a number or a vector, p a number written out in [0, 1). */
function dropout(e: ast.Call, args: ast.Expr[], scope: Scope): ValueType {
  const name = e.callee.text;
  if (args.length !== 2) return argCount(e, scope, "a vector and a rate: " + name + "(h, 0.25)");
  const type = arithmeticOperand(args[0], scope);
  const rate = numberLiteral(args[1]);
  if (rate === undefined || !(rate >= 0 && rate < 1)) {
    typeOf(args[1], scope);
    scope.report(diagnostic("dropoutRate", args[1].span, name, textOf(scope.source, args[1])));
    return unknown;
  }
  if (type.kind !== "tensor") return unknown;
  if (type.shape.length > 1) {
    scope.report(diagnostic("functionArgType", args[0].span, name, textOf(scope.source, args[0]), formatType(type), "a vector or a number"));
    return unknown;
  }
  return type;
}

/**
 * Evaluates a size expression: numbers, names (through `lookup`), `+ - *`, and `/` when it
 * divides exactly. Shared by cells (names are size parameters) and models (dims, vocab(x)).
 */
export function evaluateSize(
  e: ast.Expr,
  source: string,
  report: (d: Diagnostic) => void,
  lookup: (e: ast.Ref | ast.Call) => Size | undefined,
): Size | undefined {
  const notASize = () => {
    report(diagnostic("notASize", e.span, textOf(source, e)));
    return undefined;
  };
  switch (e.kind) {
    case "number":
      return Number.isInteger(e.value) && e.value >= 0 ? constant(e.value) : notASize();
    case "paren":
      return evaluateSize(e.inner, source, report, lookup);
    case "ref":
    case "call":
      return lookup(e);
    case "unary": {
      const v = evaluateSize(e.operand, source, report, lookup);
      return v && subtract(constant(0), v);
    }
    case "binary": {
      const a = evaluateSize(e.left, source, report, lookup);
      const b = evaluateSize(e.right, source, report, lookup);
      if (!a || !b) return undefined;
      if (e.op === "+") return add(a, b);
      if (e.op === "-") return subtract(a, b);
      if (e.op === "*") return multiplySizes(a, b);
      const [x, y] = [numeric(a), numeric(b)];
      return e.op === "/" && x !== undefined && y !== undefined && y !== 0 && x % y === 0 ? constant(x / y) : notASize();
    }
    default:
      return notASize();
  }
}
