// Output declarations: `output probs[t] = softmax(head(h[t]))`, what a model gives its user apart
// from its losses. An output reads what an equation may read (never a target at its own step: a
// prediction cannot be computed from its answer), one value per example or, with `[t]`, one per
// step of that axis. An output that is a softmax over as many entries as a token or class field
// has ids is read as probabilities over that field's vocabulary (`rnnc predict` names the class).
import type * as ast from "../1-parse/ast.ts";
import { diagnostic } from "../diagnostics.ts";
import type { Axis, CheckedOutput, DataItem } from "./checked.ts";
import { textOf } from "./expressions.ts";
import { firstStepAxis } from "./losses.ts";
import type { ModelScope } from "./model-scope.ts";
import { equal, type Size } from "./sizes.ts";
import { parseTimeIndex } from "./time.ts";
import { formatType } from "./types.ts";

export function checkOutputs(decls: ast.OutputDecl[], scope: ModelScope, lineOf: (node: ast.Node) => number): CheckedOutput[] {
  const seen = new Map<string, ast.OutputDecl>();
  const outputs: CheckedOutput[] = [];
  for (const decl of decls) {
    const name = decl.target.name.text;
    const first = seen.get(name);
    if (first) scope.report(diagnostic("duplicateOutput", decl.target.name.span, name, lineOf(first)));
    else seen.set(name, decl);
    const checked = checkOutput(decl, scope);
    if (checked && !first) outputs.push(checked);
  }
  return outputs;
}

function checkOutput(decl: ast.OutputDecl, scope: ModelScope): CheckedOutput | undefined {
  const { target, value } = decl;
  const name = target.name.text;
  if (target.primed) scope.report(diagnostic("primedOutsideCell", target.name.span, name));
  let axis: Axis | undefined;
  if (target.index) {
    const time = parseTimeIndex(target.index);
    if (time?.kind !== "step" || time.offset !== 0) {
      scope.report(diagnostic("outputIndex", target.index.span, name, textOf(scope.source, target)));
      scope.typeAt(value, { loss: false });
      return undefined;
    }
    axis = time.axis;
  }
  const step = axis ?? firstStepAxis(value);
  const type = scope.typeAt(value, { loss: false, ...(step ? { axis: step } : {}) });
  if (!axis && step) {
    scope.report(diagnostic("outputStepMismatch", value.span, name, textOf(scope.source, value), step));
    return undefined;
  }
  if (type.kind === "unknown") return undefined;
  if (type.kind !== "tensor" || type.shape.length > 1) {
    scope.report(diagnostic("outputType", value.span, name, textOf(scope.source, value), formatType(type)));
    return undefined;
  }
  const over = probabilitiesOver(value, type.shape, [...scope.ctx.data.values()]);
  return { decl, name, ...(axis ? { axis } : {}), value, type, ...(over ? { over } : {}) };
}

/** The field whose ids a softmax output gives the probabilities of: a target's first, else an input's. */
function probabilitiesOver(value: ast.Expr, shape: Size[], data: DataItem[]): string | undefined {
  const inner = value.kind === "paren" ? value.inner : value;
  if (inner.kind !== "call" || inner.callee.text !== "softmax" || shape.length !== 1) return undefined;
  const idsOf = (d: DataItem) => (d.type.element.kind === "token" ? d.type.element.vocab : d.type.element.kind === "class" ? d.type.element.classes : undefined);
  const fits = (d: DataItem) => {
    const ids = idsOf(d);
    return ids !== undefined && equal(ids, shape[0]);
  };
  return (data.find((d) => d.role === "target" && fits(d)) ?? data.find(fits))?.name;
}
