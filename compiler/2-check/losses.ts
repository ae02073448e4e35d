// Loss declarations: `loss cross_entropy(head(h[t]), tags[t]) mean over tokens`.
import type * as ast from "../1-parse/ast.ts";
import { closest, diagnostic } from "../diagnostics.ts";
import { isLossFunction, lossFunctions, type LossFunction } from "./builtins.ts";
import type { Axis, CheckedLoss } from "./checked.ts";
import { textOf } from "./expressions.ts";
import type { ModelScope } from "./model-scope.ts";
import { constant, equal, formatSize, numeric, type Size } from "./sizes.ts";
import { parseTimeIndex } from "./time.ts";
import { formatType, type ValueType } from "./types.ts";

export function checkLoss(decl: ast.LossDecl, scope: ModelScope, constraints: Map<string, Size>): CheckedLoss | undefined {
  const report = scope.report;
  const source = scope.source;
  if (decl.reduction && decl.reduction.text !== "tokens") report(diagnostic("reductionWord", decl.reduction.span, decl.reduction.text));
  const value = decl.value.kind === "paren" ? decl.value.inner : decl.value;
  if (value.kind !== "call" || !isLossFunction(value.callee.text)) {
    const name = value.kind === "call" ? value.callee.text : textOf(source, value);
    report(diagnostic("unknownLoss", value.kind === "call" ? value.callee.span : value.span, name, closest(name, lossFunctions)));
    return undefined;
  }
  const fn = value.callee.text as LossFunction;
  if (value.args.length !== 2 || value.args.some((a) => a.name)) {
    report(diagnostic("lossArgs", value.span, fn));
    return undefined;
  }
  const [prediction, targetExpr] = value.args.map((a) => a.value);

  // The target: `y` or `tags[t]`, a declared target read at the loss's own step.
  const targetRef = targetExpr.kind === "index" ? targetExpr.target : targetExpr;
  if (targetRef.kind !== "ref" || targetRef.primed) {
    report(diagnostic("lossTargetNotTarget", targetExpr.span, fn, textOf(source, targetExpr), "not a name"));
    return undefined;
  }
  const name = targetRef.name;
  const item = scope.ctx.data.get(name);
  if (!item || item.role !== "target") {
    const targets = [...scope.ctx.data.values()].filter((d) => d.role === "target").map((d) => d.name);
    if (item) report(diagnostic("lossTargetNotTarget", targetRef.span, fn, name, "an input"));
    else if (scope.values.has(name)) report(diagnostic("lossTargetNotTarget", targetRef.span, fn, name, "a value computed by the model"));
    else report(diagnostic("unknownName", targetRef.span, name, closest(name, targets)));
    scope.typeAt(prediction, { loss: false });
    return undefined;
  }
  let axis: Axis | undefined;
  if (targetExpr.kind === "index") {
    const time = parseTimeIndex(targetExpr.index);
    if (!item.type.sequence) {
      report(diagnostic("notASequence", targetRef.span, name));
      return undefined;
    }
    if (time?.kind !== "step" || time.offset !== 0) {
      report(diagnostic("lossTargetIndex", targetExpr.index.span, name, time?.kind === "step" ? time.axis : "t"));
      return undefined;
    }
    axis = time.axis;
  } else if (item.type.sequence) {
    report(diagnostic("sequenceWithoutIndex", targetRef.span, name));
    return undefined;
  }
  const stepOfPrediction = axis ?? firstStepAxis(prediction);
  const predicted = scope.typeAt(prediction, { loss: false, ...(stepOfPrediction ? { axis: stepOfPrediction } : {}) });
  const target = scope.typeAt(targetExpr, { loss: true, ...(axis ? { axis } : {}) });
  if (!axis && stepOfPrediction) {
    report(diagnostic("lossStepMismatch", prediction.span, name, textOf(source, prediction)));
    return undefined;
  }
  if (!predictionFits(fn, predicted, target, textOf(source, prediction), prediction, scope, constraints)) return undefined;
  return {
    decl,
    kind: fn,
    prediction,
    target: name,
    ...(axis ? { axis } : {}),
    reduction: decl.reduction ? "mean_over_tokens" : "sum_over_steps",
  };
}

/** The axis of the first step index (`t`, `s-1`) inside an expression, if any. */
export function firstStepAxis(e: ast.Expr): Axis | undefined {
  switch (e.kind) {
    case "index": {
      const time = parseTimeIndex(e.index);
      return time?.kind === "step" ? time.axis : firstStepAxis(e.target);
    }
    case "binary":
      return firstStepAxis(e.left) ?? firstStepAxis(e.right);
    case "unary":
      return firstStepAxis(e.operand);
    case "paren":
      return firstStepAxis(e.inner);
    case "slice":
      return firstStepAxis(e.target);
    case "call":
      for (const a of e.args) {
        const axis = firstStepAxis(a.value);
        if (axis) return axis;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** Whether the prediction has the shape the loss and the target need; may bind a size. */
function predictionFits(
  fn: LossFunction,
  predicted: ValueType,
  target: ValueType,
  text: string,
  at: ast.Node,
  scope: ModelScope,
  constraints: Map<string, Size>,
): boolean {
  if (predicted.kind === "unknown" || target.kind === "unknown") return false;
  const fail = (expected: string) => {
    scope.report(diagnostic("lossPrediction", at.span, fn, text, formatType(predicted), expected));
    return false;
  };
  const vector = predicted.kind === "tensor" && predicted.shape.length === 1 ? predicted.shape[0] : undefined;
  const isScalar = predicted.kind === "tensor" && (predicted.shape.length === 0 || (vector && numeric(vector) === 1));
  if (target.kind === "tensor") {
    const n = target.shape[0];
    if (fn === "cross_entropy") return fail(`cross_entropy needs a class or token target, and this one is a real vector`);
    if (vector === undefined || !equal(vector, n)) return fail(`the target is ${formatType(target)}`);
    return true;
  }
  const classes = target.kind === "token" ? target.vocab! : target.kind === "class" ? target.classes! : undefined;
  if (!classes) return false;
  if (fn === "mse") return fail("mse needs a real target; use cross_entropy for classes");
  if (fn === "binary_cross_entropy") {
    if (!isScalar) return fail("binary_cross_entropy of a class takes one logit");
    return bindSize(classes, constant(2), at, scope, constraints) || fail(`the target has ${formatSize(classes)} classes`);
  }
  if (vector === undefined) return fail(`cross_entropy takes a vector of logits, one per class`);
  return bindSize(classes, vector, at, scope, constraints) || fail(`the target has ${formatSize(classes)} classes`);
}

/** Makes `size` (say `classes(y)`) equal `value`: true if it is or can be bound so. */
function bindSize(size: Size, value: Size, at: ast.Node, scope: ModelScope, constraints: Map<string, Size>): boolean {
  if (equal(size, value)) return true;
  const key = [...size.keys()][0];
  const isSymbol = size.size === 1 && size.get(key) === 1 && key !== "";
  if (!isSymbol || numeric(value) === undefined) return false;
  const previous = constraints.get(key);
  if (previous && !equal(previous, value)) {
    scope.report(diagnostic("lossConstraint", at.span, key, formatSize(previous), formatSize(value)));
    return true; // reported
  }
  constraints.set(key, value);
  return true;
}
